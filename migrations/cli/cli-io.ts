import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// What a CLI touches outside itself, passed in so tests run the CLIs in-process: output streams,
// its environment and file reads. Only the entry files build one from `process`.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
  /** Writes a file; `createOnly` refuses to replace an existing one (EEXIST). Absent: the CLI cannot write files. */
  writeFile?(path: string, text: string, options?: { createOnly?: boolean }): void;
  /**
   * Calls `handler` on SIGINT or SIGTERM until the returned function is called. Absent (tests
   * that do not need it): no signal reaches the CLI.
   */
  onSignal?(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void;
}

/** The process's own CliIo: what the entry files pass to their CLI. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readFile: (path) => readFileSync(path, "utf8"),
    writeFile: (path, text, options) => writeFileSync(path, text, { encoding: "utf8", flag: options?.createOnly ? "wx" : "w" }),
    onSignal: (handler) => {
      // The first signal asks the CLI to stop cleanly (abort its builds, release its lock); a
      // second one of either kind exits at once, as a user pressing Ctrl-C twice expects.
      let received = 0;
      const listener = (signal: NodeJS.Signals) => {
        received += 1;
        if (received > 1) process.exit(signal === "SIGINT" ? 130 : 143);
        process.stderr.write(`received ${signal}: stopping (again to exit at once)\n`);
        handler(signal as "SIGINT" | "SIGTERM");
      };
      process.on("SIGINT", listener);
      process.on("SIGTERM", listener);
      return () => {
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
      };
    },
  };
}

/** The package's version, from package.json at the project root (above the source and dist/ trees alike). */
export function packageVersion(): string {
  for (const up of ["..", "../..", "../../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "nyrkio-db-platform" && pkg.version) return pkg.version;
    } catch {
      // try the next level up
    }
  }
  return "unknown";
}

/** Whether argv asks for the version (`--version` before any `--`). */
export function wantsVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--version");
}

/**
 * Runs a CLI as the process: its result becomes the exit code; an unexpected error prints one
 * line and exits 1. `--version` is answered here for every CLI (the npm run aliases included).
 */
export function runAsProcess(name: string, cli: (argv: string[], io: CliIo) => Promise<number>): void {
  const argv = process.argv.slice(2);
  if (name !== "nyrkio-db" && wantsVersion(argv)) {
    process.stdout.write(argv.includes("--json") ? JSON.stringify({ ok: true, command: name, version: packageVersion() }) + "\n" : `${name} ${packageVersion()}\n`);
    return;
  }
  cli(argv, processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * The one wording of a failure for every CLI: `<name>: <message>` on stderr (plus where to find
 * the usage on a usage error), and with --json one document `{..., ok: false, error}` on stdout.
 */
export function printFailure(io: CliIo, name: string, error: { code: string; message: string; details?: Record<string, unknown> }, usage: boolean, json: false | Record<string, unknown>): void {
  io.stderr(`${name}: ${error.message}\n${usage ? `${name}: see \`${name} --help\`\n` : ""}`);
  if (json) io.stdout(JSON.stringify({ ...json, ok: false, error }) + "\n");
}
