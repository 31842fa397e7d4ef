// mongosh's own async rewriter (@mongosh/async-rewriter2, a devDependency) and the marked promises
// its API returns: what the tests that run pod scripts "as mongosh would" share. In mongosh a
// database call returns such a promise, and the rewriter awaits it implicitly where the script
// uses the value; a stand-in must do the same for a test to see a missed await.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type AsyncRewriter = new () => { process(code: string): string; runtimeSupportCode(): string };

/** The rewriter class, or undefined when the package is missing (the caller skips with one line). */
export function loadAsyncRewriter(): AsyncRewriter | undefined {
  let fingerprint: string;
  try {
    fingerprint = rewriterFingerprint();
  } catch {
    return undefined;
  }
  return class CachedAsyncRewriter {
    process(code: string): string {
      return cachedRewrite(fingerprint, code);
    }
    runtimeSupportCode(): string {
      // The text AsyncWriter.runtimeSupportCode returns, built into the package (no Babel needed).
      return (require("@mongosh/async-rewriter2/lib/runtime-support.out.nocov") as { default: string }).default;
    }
  };
}

// The rewriter's output, kept between runs: loading Babel into a suite and rewriting a script
// cost about a second of CPU in every suite that runs one, for the same text each time. The
// output is a function of the input text and the rewriter and Babel packages alone (the rewriter
// is Babel with fixed plugins and options, no configuration file: async-writer-babel.js
// AsyncWriter.process), so the key is the text and the versions of every package it loads; a
// file is written whole then renamed. A script that does not rewrite throws as before and
// nothing is kept.
const REWRITER_PACKAGES = ["@mongosh/async-rewriter2", "@babel/core", "@babel/plugin-transform-shorthand-properties", "@babel/plugin-transform-parameters", "@babel/plugin-transform-destructuring"];
const CACHE_DIR = join(__dirname, "..", "..", "node_modules", ".cache", "nyrkio-async-rewriter");

function rewriterFingerprint(): string {
  const from = dirname(require.resolve("@mongosh/async-rewriter2/package.json"));
  return REWRITER_PACKAGES.map((name) => {
    const manifest = require.resolve(`${name}/package.json`, { paths: [from] });
    return `${name}@${(JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version}`;
  }).join(" ");
}

let real: InstanceType<AsyncRewriter> | undefined;
function realRewriter(): InstanceType<AsyncRewriter> {
  real ??= new (require("@mongosh/async-rewriter2").default as AsyncRewriter)();
  return real;
}

function cachedRewrite(fingerprint: string, code: string): string {
  const file = join(CACHE_DIR, `${createHash("sha256").update(`${fingerprint}\n${code}`).digest("hex")}.js`);
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const rewritten = realRewriter().process(code);
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, rewritten);
  renameSync(partial, file);
  return rewritten;
}

/** How mongosh marks the promises its API returns, so the rewriter awaits them. */
export const MONGOSH_SYNTHETIC_PROMISE = Symbol.for("@@mongosh.syntheticPromise");

/** A promise mongosh's rewriter awaits implicitly, settling on a later tick like a server reply. */
export function syntheticPromise<T>(value: T): Promise<T> {
  return Object.defineProperty(new Promise<T>((resolve) => setImmediate(() => resolve(value))), MONGOSH_SYNTHETIC_PROMISE, { value: true });
}
