// The one place where literal text (embedded files, ConfigMap data, env values, commands) becomes
// Terraform text. Terraform reads every string of cdk.tf.json as a template (hashicorp/hcl
// json/structure.go hands JSON strings to hclsyntax.ParseTemplate): `${` starts an interpolation
// and `%{` a directive, so a shell script's `${POD_NAME:?}` or a JavaScript template literal is
// refused ("Invalid reference") or, worse, evaluated. The template escapes are `$${` → `${` and
// `%%{` → `%{` (hclsyntax/scan_tokens.rl TemplateNotInterp/TemplateNotControl, and
// ParseStringLiteralToken in hclsyntax/parser.go, `case '$', '%'`). cdktf passes plain strings
// through untouched; its Fn.rawString is not used: in 0.21 it rewrites newlines and quotes.
//
// Terraform also holds every string as NFC-normalised UTF-8 (cty.StringVal normalises; observed
// with terraform 1.11.4: "e\u0301" comes back as "\u00e9"), so text that is not NFC UTF-8 would not
// reach the pod byte for byte: it is refused (config/embedded-file.ts reads every embedded file).
//
// Content hashes (pod annotations, Job names) are taken over the literal text, before escaping.

import { Token } from "cdktf";
import { assertNfcText } from "../config/embedded-file";

/** `${` → `$${` and `%{` → `%%{`: Terraform evaluates the result back to `text`. */
export function escapeTemplate(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * Literal text for a resource attribute: checked and escaped. A cdktf token (a reference to
 * another resource) must not come through here: its `${` is meant for Terraform.
 */
export function terraformLiteral(text: string, what: string): string {
  if (Token.isUnresolved(text)) throw new Error(`${what}: holds a reference to a resource; only literal text is escaped`);
  assertNfcText(text, what);
  return escapeTemplate(text);
}

/** ConfigMap data: every value is literal text (file contents, JSON, config files). */
export function configMapData(data: Record<string, string>, what: string): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, terraformLiteral(value, `${what} ${key}`)]));
}

/** A container's env: literal values (the platform sets no env from resource attributes). */
export function literalEnv<E extends { name: string; value?: string }>(env: readonly E[], what: string): E[] {
  return env.map((e) => (e.value === undefined ? e : { ...e, value: terraformLiteral(e.value, `${what} env ${e.name}`) }));
}

/** A container's command, args or an exec probe's command line. */
export function literalArgs(args: readonly string[], what: string): string[] {
  return args.map((a) => terraformLiteral(a, `${what} argument`));
}
