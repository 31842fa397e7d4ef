// Probes for the functions a generated mongosh script embeds with Function.prototype.toString():
// the script's own text up to its I/O part (constants and embedded functions, exactly as
// synthesized), then calls with inputs written in mongosh's own syntax (NumberLong, ObjectId,
// Timestamp, new Date), so the shell's BSON types reach the functions as a server's replies would.
// Each call prints one canonical Extended JSON line; the test compares it with the TypeScript
// function's result on the same input.

import { EJSON } from "bson";

/** The part of a generated script before its I/O file (`ioText`, embedded verbatim at the end). */
export function preambleOf(script: string, ioText: string): string {
  const at = script.lastIndexOf(ioText);
  if (at <= 0 || script.slice(at + ioText.length).trim() !== "")
    throw new Error("the synthesized script does not end with its I/O file: the generator changed, update the probe");
  return script.slice(0, at);
}

interface Bson {
  _bsontype?: string;
  toString(radix?: number): string;
  toHexString?(): string;
  getHighBits?(): number;
  getLowBits?(): number;
}

/** A value as mongosh source: the shell's own constructors for BSON types and dates. */
export function shellSource(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null || typeof value === "number" || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[${value.map(shellSource).join(", ")}]`;
  const bson = value as Bson;
  switch (bson._bsontype) {
    case "Long":
      return `NumberLong(${JSON.stringify(bson.toString(10))})`;
    case "ObjectId":
      return `ObjectId(${JSON.stringify(bson.toHexString!())})`;
    case "Timestamp":
      return `Timestamp({ t: ${bson.getHighBits!() >>> 0}, i: ${bson.getLowBits!() >>> 0} })`;
    case undefined:
      break;
    default:
      throw new Error(`no shell source for BSON type ${bson._bsontype}`);
  }
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}: ${shellSource(v)}`);
  return `{ ${fields.join(", ")} }`;
}

export interface ProbeCall {
  fn: string;
  args: unknown[];
}

/** The line that starts a probe's output when several probes share one shell run. */
export const sectionLine = (name: string) => `==== probe ${name}`;

/** A probe's part of a shell run: one printed line per call, {"value": <result>} or {"error": <message>}, canonical Extended JSON. */
export function probeScript(name: string, preamble: string, calls: ProbeCall[]): string {
  const names = [...new Set(calls.map((c) => c.fn))];
  const id = name.replace(/\W/g, "_");
  return [
    `print(${JSON.stringify(sectionLine(name))});`,
    preamble,
    `// ---- probe ${name} (test/mongosh/embedded-probe.ts) ----`,
    `const __${id}Functions = { ${names.map((n) => `${n}: ${n}`).join(", ")} };`,
    `const __${id}Calls = [\n${calls.map((c) => `  { fn: ${JSON.stringify(c.fn)}, args: ${shellSource(c.args)} }`).join(",\n")}\n];`,
    `for (const call of __${id}Calls) {`,
    "  let out;",
    "  try {",
    `    out = { value: __${id}Functions[call.fn](...call.args) };`,
    "  } catch (e) {",
    "    out = { error: String(e && e.message) };",
    "  }",
    "  print(EJSON.stringify(out, { relaxed: false }));",
    "}",
    "",
  ].join("\n");
}

/** A shared run's output, by probe. */
export function sections(stdout: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of stdout.split("\n").filter((l) => l !== "")) {
    const m = /^==== probe (.+)$/.exec(line);
    if (m) out[m[1]] = current = [];
    else if (current) current.push(line);
    else throw new Error(`output before the first probe: ${line}`);
  }
  return out;
}

/** Names two parts of one script both declare at their top level (they could not share a run). */
export function clashingNames(parts: string[]): string[] {
  const seen = new Map<string, number>();
  for (const part of parts) {
    const names = new Set([...part.matchAll(/^(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
    for (const n of names) seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([n]) => n);
}

/** What the probe must print, from the TypeScript functions. */
export function expectedLines(functions: Record<string, (...args: never[]) => unknown>, calls: ProbeCall[]): string[] {
  return calls.map((c) => {
    let out: { value?: unknown; error?: string };
    try {
      out = { value: (functions[c.fn] as (...args: unknown[]) => unknown)(...(clone(c.args) as unknown[])) };
    } catch (e) {
      out = { error: String((e as Error).message) };
    }
    return EJSON.stringify(out, { relaxed: false });
  });
}

/** The functions may change their inputs: each side gets its own copy (BSON values kept as they are). */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value instanceof Date) return new Date(value.getTime());
  if (value !== null && typeof value === "object" && !(value as Bson)._bsontype)
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, clone(v)]));
  return value;
}
