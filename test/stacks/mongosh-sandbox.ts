// Runs a mongosh script from stacks/scripts/mongosh/ in a node vm with stand-ins for the globals
// mongosh provides (db, rs, Mongo, print, quit, require("fs"), process.env). The stand-ins are
// plain functions a test scripts per scenario; the script's own logic runs unchanged.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import vm from "node:vm";

export const MONGOSH_DIR = path.join(__dirname, "..", "..", "stacks", "scripts", "mongosh");

class Quit {
  constructor(readonly code: number) {}
}

/** An error as mongosh throws it for a failed command. */
export function serverError(code: number, codeName: string, message = codeName): Error & { code: number; codeName: string } {
  return Object.assign(new Error(message), { code, codeName });
}

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

export function runMongoshScript(name: string, globals: SandboxGlobals): SandboxRun {
  const code = readFileSync(path.join(MONGOSH_DIR, name), "utf8");
  const output: string[] = [];
  const fs = {
    readFileSync: (file: string) => {
      const text = globals.files?.[file];
      if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
      return text;
    },
  };
  const context = {
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
  try {
    vm.runInNewContext(code, context, { filename: name });
    return { exitCode: 0, output };
  } catch (err) {
    if (err instanceof Quit) return { exitCode: err.code, output };
    return { exitCode: 1, output, error: err };
  }
}
