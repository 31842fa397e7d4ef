// One synthesis per stack and props per test run, shared by every suite and both Jest workers.
// Synthesis is deterministic: the stacks read nothing but their props and the repository's files
// (no clock, no environment; main.ts alone reads those), so the same props give the same
// Terraform JSON. Each suite used to synthesize every environment again (loading cdktf and the
// provider modules afresh in its own module registry, about 0.7 s, then about 0.1 s per stack),
// which made the unit project three times its 30 s target (docs/performance.md).
//
// The cache lives in a directory that test/support/run-scope-setup.ts makes for one Jest run
// and removes after it, so it never outlives the sources it was synthesized from. Without it (a
// project without that setup) a suite still memoises within itself. Every call returns a new
// string the caller parses into fresh objects: a test that changes what it got cannot change
// what another test gets.

import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The variable the global setup sets to the run's cache directory. */
export const SYNTH_CACHE_ENV = "NYRKIO_TEST_SYNTH_CACHE";
/** The pid of the Jest process that made it (the global setup runs once per project). */
export const SYNTH_CACHE_OWNER_ENV = "NYRKIO_TEST_SYNTH_CACHE_OWNER";

/**
 * A key that is the same for equal props and different for unequal ones: object keys sorted,
 * `undefined` spelled out (a stack may tell a missing field from one set to undefined), and
 * anything that is not plain data refused rather than serialised lossily into a wrong hit.
 */
export function stableKey(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return `number:${String(value)}`;
    return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    // Plain objects only. A suite's objects may come from another realm (structuredClone), so the
    // prototype is recognised by shape (the root, named Object), not by identity.
    const plain = proto === null || (Object.getPrototypeOf(proto) === null && proto.constructor?.name === "Object");
    if (!plain) throw new Error(`synth cache: cannot key a ${proto.constructor?.name ?? "non-plain"} object`);
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey(record[k])}`)
      .join(",")}}`;
  }
  throw new Error(`synth cache: cannot key a ${typeof value}`);
}

const inSuite = new Map<string, string>();

/**
 * The text `synthesize` returns for `props`, synthesized at most once per run: `kind` names what
 * is synthesized (a stack class and how), `props` everything it depends on.
 */
export function memoSynthText(kind: string, props: unknown, synthesize: () => string): string {
  const hash = createHash("sha256").update(`${kind}\n${stableKey(props)}`).digest("hex");
  const known = inSuite.get(hash);
  if (known !== undefined) return known;
  const dir = process.env[SYNTH_CACHE_ENV];
  const file = dir ? join(dir, `${hash}.json`) : undefined;
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  if (text === undefined) {
    text = synthesize();
    if (file) {
      // Written whole then renamed: the other worker reads all of it or nothing.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, text);
      renameSync(partial, file);
    }
  }
  inSuite.set(hash, text);
  return text;
}

/** memoSynthText for several named texts at once (every stack of an app). */
export function memoSynthTexts(kind: string, props: unknown, synthesize: () => Record<string, string>): Record<string, string> {
  return JSON.parse(memoSynthText(kind, props, () => JSON.stringify(synthesize()))) as Record<string, string>;
}
