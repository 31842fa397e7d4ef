// Runs a mongosh script from stacks/scripts/mongosh/ in a node vm with stand-ins for the globals
// mongosh provides (db, rs, Mongo, print, quit, require("fs"), process.env). The stand-ins are
// plain functions a test scripts per scenario; the script's own logic runs unchanged.
//
// Two ways to run: in a plain vm, the stand-ins answer synchronously; under mongosh's own async
// rewriter (@mongosh/async-rewriter2, as in the pod), every stand-in reply is a promise marked
// the way mongosh marks its API's, so the script works only where the rewriter awaits each one
// (a shell call in a callback of Array.prototype.find, for instance, would not be awaited).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import vm from "node:vm";
import { loadAsyncRewriter, MONGOSH_SYNTHETIC_PROMISE } from "../support/mongosh-rewriter";
import { POD_SCRIPTS, PodScript, podScriptText } from "../../stacks/constructs/pod-scripts";

export const MONGOSH_DIR = path.join(__dirname, "..", "..", "stacks", "scripts", "mongosh");

class Quit {
  constructor(readonly code: number) {}
}

/** An error as mongosh throws it for a failed command. */
export function serverError(code: number, codeName: string, message = codeName): Error & { code: number; codeName: string } {
  return Object.assign(new Error(message), { code, codeName });
}

/** How a stand-in hands back the result of a shell API call (or its error). */
export type Reply = <T>(produce: () => T) => T;

const plainReply: Reply = (produce) => produce();

const syntheticReply: Reply = <T>(produce: () => T): T => {
  let promise: Promise<T>;
  try {
    const value = produce();
    promise = new Promise<T>((resolve) => setImmediate(() => resolve(value)));
  } catch (err) {
    promise = new Promise<T>((_, reject) => setImmediate(() => reject(err)));
    // A script that forgets to await would leave this unhandled; the test's assertions catch that.
    promise.catch(() => undefined);
  }
  return Object.defineProperty(promise, MONGOSH_SYNTHETIC_PROMISE, { value: true }) as unknown as T;
};

export interface SandboxGlobals {
  db?: unknown;
  rs?: unknown;
  Mongo?: unknown;
  env?: Record<string, string>;
  /** Files the script may read with require("fs").readFileSync. */
  files?: Record<string, string>;
}

export interface SandboxRun {
  exitCode: number;
  output: string[];
  /** An exception the script did not catch (mongosh exits non-zero). */
  error?: unknown;
}

function context(globals: SandboxGlobals, output: string[]): Record<string, unknown> {
  const fs = {
    readFileSync: (file: string) => {
      const text = globals.files?.[file];
      if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
      return text;
    },
  };
  return {
    db: globals.db,
    rs: globals.rs,
    Mongo: globals.Mongo,
    print: (...args: unknown[]) => output.push(args.map(String).join(" ")),
    quit: (exitCode = 0) => {
      throw new Quit(exitCode);
    },
    require: (module: string) => {
      if (module === "fs") return fs;
      throw new Error(`unexpected require(${module})`);
    },
    process: { env: globals.env ?? {} },
  };
}

function outcome(err: unknown, output: string[]): SandboxRun {
  if (err instanceof Quit) return { exitCode: err.code, output };
  return { exitCode: 1, output, error: err };
}

/**
 * A script of stacks/scripts/mongosh/ as the pod gets it: with the functions pod-scripts.ts puts
 * in front of it (a script that calls one runs only so, as in the pod).
 */
export function podMongoshScript(name: string): string {
  const script = `mongosh/${name}`;
  if (!(POD_SCRIPTS as readonly string[]).includes(script)) throw new Error(`${script} is not one of the pod scripts (stacks/constructs/pod-scripts.ts)`);
  return podScriptText(script as PodScript);
}

/** Runs the script with synchronous stand-ins. */
export function runMongoshScript(name: string, makeGlobals: (reply: Reply) => SandboxGlobals): SandboxRun {
  return runMongoshCode(podMongoshScript(name), name, makeGlobals);
}

/** runMongoshScript for a script at any path (the bats stand-in runs the file bootstrap.sh names, laid out as the pod has it). */
export function runMongoshFile(file: string, makeGlobals: (reply: Reply) => SandboxGlobals): SandboxRun {
  return runMongoshCode(readFileSync(file, "utf8"), path.basename(file), makeGlobals);
}

function runMongoshCode(code: string, name: string, makeGlobals: (reply: Reply) => SandboxGlobals): SandboxRun {
  const output: string[] = [];
  try {
    vm.runInNewContext(code, context(makeGlobals(plainReply), output), { filename: name });
    return { exitCode: 0, output };
  } catch (err) {
    return outcome(err, output);
  }
}

export const MongoshAsyncWriter = loadAsyncRewriter();

/** Runs the script as mongosh does: rewritten by mongosh's async rewriter, with promise replies. */
export async function runMongoshScriptRewritten(name: string, makeGlobals: (reply: Reply) => SandboxGlobals): Promise<SandboxRun> {
  if (!MongoshAsyncWriter) throw new Error("@mongosh/async-rewriter2 is not installed");
  const writer = new MongoshAsyncWriter();
  const code = writer.process(podMongoshScript(name));
  const output: string[] = [];
  const ctx = vm.createContext(context(makeGlobals(syntheticReply), output));
  vm.runInContext(writer.runtimeSupportCode(), ctx);
  try {
    await vm.runInContext(code, ctx, { filename: name });
    return { exitCode: 0, output };
  } catch (err) {
    return outcome(err, output);
  }
}
