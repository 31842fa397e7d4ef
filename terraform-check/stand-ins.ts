// The stand-in configuration the Terraform check validates (pure): every provider resource and
// data source of a synthesized stack becomes Terraform's built-in `terraform_data` (no provider to
// download), holding the original body as its `input`, so Terraform still parses every string as
// the template it is; references between resources are rewritten to the stand-ins, so Terraform
// still resolves them; `provider`, `required_providers` and the backend are dropped. What this
// cannot check: the provider's schema (attribute names, types, required blocks). docs/terraform.md.

/** A value of cdk.tf.json. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** Meta-arguments Terraform reads itself; everything else of a resource body becomes `input`. */
const META = new Set(["depends_on", "count", "for_each", "lifecycle", "provider", "provisioner", "connection", "//"]);
/** hclsyntax's template tokens: `$${` and `%%{` are escapes, `${` and `%{` open an expression. */
const TEMPLATE_TOKEN = /\$\$\{|%%\{|\$\{|%\{/g;

interface Types {
  resource: Set<string>;
  data: Set<string>;
}

export function standInName(kind: "resource" | "data", type: string, name: string): string {
  return kind === "data" ? `data__${type}__${name}` : `${type}__${name}`;
}

/** Rewrites references to provider resources (`T.N…`, `data.T.N…`) in an expression's text. */
export function rewriteReferences(expr: string, types: Types): string {
  return expr.replace(
    /(?<![\w.\-"])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)((?:\[[^\]]*\])?)((?:\.[A-Za-z_][\w-]*)?)/g,
    (m, data: string | undefined, type: string, name: string, index: string, attr: string) => {
      const kind = data ? "data" : "resource";
      if (!types[kind].has(type)) return m;
      const target = `terraform_data.${standInName(kind, type, name)}${index}`;
      if (!attr) return target;
      return attr === ".id" ? `${target}.id` : `${target}.input${attr}`;
    },
  );
}

/** The index of the `}` that closes an interpolation whose text starts at `start`, or -1. */
function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** A template string with the references inside its interpolations rewritten; literal text is untouched. */
export function rewriteTemplate(text: string, types: Types): string {
  let out = "";
  let last = 0;
  const token = new RegExp(TEMPLATE_TOKEN);
  for (let m = token.exec(text); m; m = token.exec(text)) {
    if (m[0] !== "${" && m[0] !== "%{") continue;
    const end = interpolationEnd(text, m.index + 2);
    if (end < 0) break; // unterminated: Terraform reports it
    out += text.slice(last, m.index + 2) + rewriteReferences(text.slice(m.index + 2, end), types);
    last = end;
    token.lastIndex = end;
  }
  return out + text.slice(last);
}

function mapStrings<T extends Json>(value: T, f: (s: string) => string): T;
function mapStrings(value: Json, f: (s: string) => string): Json {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

/** A bare reference (depends_on, moved, removed, replace_triggered_by) or a template. */
function rewriteAny(text: string, types: Types): string {
  return text.includes("${") ? rewriteTemplate(text, types) : rewriteReferences(text, types);
}

function standInBody(body: JsonObject, types: Types): JsonObject {
  const out: JsonObject = {};
  const input: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "provider" || key === "//") continue;
    if (!META.has(key)) input[key] = mapStrings(value, (s) => rewriteTemplate(s, types));
    else if (key === "lifecycle") {
      const { ignore_changes: ignore, ...rest } = value as JsonObject;
      const lifecycle = mapStrings(rest, (s) => rewriteAny(s, types));
      // The paths name the provider's attributes; under the stand-in they sit inside `input`.
      if (ignore !== undefined) lifecycle.ignore_changes = ignore === "all" ? "all" : (ignore as string[]).map((p) => `input.${p}`);
      out.lifecycle = lifecycle;
    } else out[key] = mapStrings(value, (s) => rewriteAny(s, types));
  }
  return { ...out, input };
}

/** `resource` or `data`: type → name → body. */
function blocks(tf: JsonObject, kind: "resource" | "data"): Record<string, Record<string, JsonObject>> {
  return (tf[kind] ?? {}) as Record<string, Record<string, JsonObject>>;
}

/** The stand-in configuration of one stack's cdk.tf.json. */
export function standInConfig(tf: JsonObject): JsonObject {
  const types: Types = {
    resource: new Set(Object.keys(blocks(tf, "resource")).filter((t) => t !== "terraform_data")),
    data: new Set(Object.keys(blocks(tf, "data"))),
  };
  const standIns: JsonObject = {};
  for (const kind of ["resource", "data"] as const)
    for (const [type, byName] of Object.entries(blocks(tf, kind)))
      for (const [name, body] of Object.entries(byName)) {
        if (kind === "resource" && type === "terraform_data") standIns[name] = mapStrings(body, (s) => rewriteAny(s, types));
        else standIns[standInName(kind, type, name)] = standInBody(body, types);
      }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(tf)) {
    if (key === "resource" || key === "data" || key === "provider") continue;
    if (key === "terraform") {
      const { backend: _backend, required_providers: _providers, cloud: _cloud, ...rest } = value as JsonObject;
      if (Object.keys(rest).length) out.terraform = rest;
    } else out[key] = key === "//" ? value : mapStrings(value, (s) => rewriteAny(s, types));
  }
  if (Object.keys(standIns).length) out.resource = { terraform_data: standIns };
  return out;
}

/** A diagnostic's text in the original names (terraform_data.T__N.input → T.N). */
export function originalNames(text: string | undefined): string {
  return String(text ?? "")
    .replace(/terraform_data\.data__([a-z0-9_]+?)__([\w-]+)(\.input)?/g, "data.$1.$2")
    .replace(/terraform_data\.([a-z][a-z0-9_]*?)__([\w-]+)(\.input)?/g, "$1.$2");
}

export interface OverrideExample {
  /** The doc and the line the example starts on. */
  file: string;
  line: number;
  /** The environment the doc uses it with (NYRKIO_DB_ENV=… within 12 lines of it), else the default. */
  environment: string;
  json: string;
}

/**
 * Every JSON config override a doc shows: a ```json block or a <<'JSON' here-doc that parses to an
 * object whose keys are all top-level config keys (others are API answers, manifests, …).
 */
export function overrideExamples(docs: { file: string; text: string }[], configKeys: ReadonlySet<string>, environments: readonly string[], defaultEnvironment: string): OverrideExample[] {
  const examples: OverrideExample[] = [];
  for (const { file, text } of docs) {
    const lines = text.split("\n");
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g), ...text.matchAll(/<<'?JSON'?\n([\s\S]*?)\n\s*JSON\n/g)];
    for (const m of blocks) {
      let value: unknown;
      try {
        value = JSON.parse(m[1]);
      } catch {
        continue;
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) continue;
      const keys = Object.keys(value);
      if (!keys.length || !keys.every((k) => configKeys.has(k))) continue;
      const line = text.slice(0, m.index).split("\n").length;
      const around = lines.slice(Math.max(0, line - 12), line + 12 + m[0].split("\n").length).join("\n");
      const named = /NYRKIO_DB_ENV=(\w+)/.exec(around)?.[1];
      examples.push({ file, line, environment: named && environments.includes(named) ? named : defaultEnvironment, json: m[1] });
    }
  }
  return examples.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
