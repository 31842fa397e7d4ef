import { readFileSync } from "node:fs";

// What a CLI touches outside itself, passed in so tests run the CLIs in-process: output streams,
// its environment and file reads. Only the entry files build one from `process`.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
}

/** The process's own CliIo: what the entry files pass to their CLI. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readFile: (path) => readFileSync(path, "utf8"),
  };
}

/** Runs a CLI as the process: its result becomes the exit code; an unexpected error prints one line and exits 1. */
export function runAsProcess(name: string, cli: (argv: string[], io: CliIo) => Promise<number>): void {
  cli(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
