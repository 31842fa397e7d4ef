// Runs programs the way the pods run them, with the real MongoDB Shell (the devDependency
// mongosh) as `mongosh` on PATH: bounded in time, at most two at once, with the environment a
// test gives and nothing else of this process's (no MONGODB_URI leaks in).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "../..");
export const MONGOSH = join(REPO_ROOT, "node_modules/.bin/mongosh");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Killed (SIGKILL) after this long; `timedOut` says so. */
  timeoutMs?: number;
}

/** At most `n` of the functions run at once, in the order they were queued. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    queue.shift()!();
  };
  return (task) =>
    new Promise((resolvePromise, reject) => {
      queue.push(() =>
        task()
          .then(resolvePromise, reject)
          .finally(() => {
            active--;
            next();
          }),
      );
      next();
    });
}

/** A directory holding only `mongosh` (the real shell), to put first on PATH. */
function mongoshBinDir(): string {
  const dir = tempDir("real-mongosh-bin-");
  symlinkSync(MONGOSH, join(dir, "mongosh"));
  return dir;
}

let binDir: string | undefined;

/**
 * The variables every run gets: PATH with the real mongosh first (node and bash stay reachable),
 * telemetry off whatever the mounted mongosh.conf says (a test must not phone home).
 */
export function baseEnv(): Record<string, string> {
  binDir ??= mongoshBinDir();
  return {
    PATH: `${binDir}:${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    MONGOSH_FORCE_DISABLE_TELEMETRY_FOR_TESTING: "1",
    LANG: "C.UTF-8",
  };
}

/**
 * The kill timer of a run that names none: it only catches a hang, so it allows for a loaded
 * machine, where one mongosh start alone can take 10 s of wall time (15 s killed the reconcile
 * case's runs, which wait and retry on purpose, at load average 11).
 */
const DEFAULT_RUN_TIMEOUT_MS = 60000;

export function runProgram(argv: string[], opts: RunOptions = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: { ...baseEnv(), ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** A local TCP port nothing listens on: bound by the OS, then released. */
export function closedPort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePromise(address.port) : reject(new Error("no port"))));
    });
  });
}

const created: string[] = [];

/** A fresh directory under the system temp dir, removed by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  binDir = undefined;
}

export const hasMongosh = (): boolean => existsSync(MONGOSH);
