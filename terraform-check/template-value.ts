// What Terraform makes of a string in cdk.tf.json that holds no interpolation: the template's
// literal value. Terraform parses every JSON string as a template (hashicorp/hcl json/structure.go
// → hclsyntax.ParseTemplate). In the template scanner (hclsyntax/scan_tokens.rl) `${` and `%{`
// open an interpolation and a directive; `$${` and `%%{` are literal text that
// ParseStringLiteralToken (hclsyntax/parser.go, `case '$', '%'`) turns into `${` and `%{`. Any
// other `$` or `%` is itself. Checked against the real CLI in
// test/stacks/terraform-text.test.ts. Used by the tests and scripts/check-synth-output.mjs, which
// check the text the pods get.

/** The literal value of a template string, or an error if Terraform would interpolate something. */
export function terraformLiteralValue(template: string, where = "string"): string {
  // Leftmost match first: in `$$${` the escape is the last three characters (the first `$` is
  // literal), exactly as terraform 1.11.4 reads it.
  return template.replace(/\$\$\{|%%\{|\$\{|%\{/g, (m, offset: number) => {
    if (m === "$${") return "${";
    if (m === "%%{") return "%{";
    throw new Error(`${where}: Terraform would evaluate ${JSON.stringify(template.slice(offset, offset + 40))} as ${m === "${" ? "an interpolation" : "a directive"}`);
  });
}

/** A ConfigMap's data as the pod sees it. */
export function terraformLiteralData(data: Record<string, string>, where = "data"): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, terraformLiteralValue(v, `${where} ${k}`)]));
}
