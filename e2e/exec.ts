// Running the external tools (kind, kubectl, terraform, docker, cdktf, the project's scripts):
// the run's only process edge. Tests put stand-ins for these tools on PATH.
import { spawn } from "node:child_process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the process's stdin. */
  input?: string;
  /** Extra environment variables on top of the run's environment. */
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long; the result then has code 124, as timeout(1). */
  timeoutMs?: number;
  /** Passed through to the terminal as it comes (long deploys), as well as captured. */
  stream?: (text: string) => void;
  /** Aborting it ends the command (SIGTERM): a command run alongside one that failed. */
  signal?: AbortSignal;
}

export interface Runner {
  /** Runs a command; a command not found on PATH gives code 127, as a shell would. */
  run(command: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

export const NOT_FOUND = 127;
export const TIMED_OUT = 124;

export function processRunner(env: Readonly<Record<string, string | undefined>>, cwd?: string): Runner {
  return {
    run(command, args, opts = {}) {
      return new Promise((resolve) => {
        const child = spawn(command, [...args], { cwd, env: { ...env, ...opts.env } as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        const timer = opts.timeoutMs
          ? setTimeout(() => {
              timedOut = true;
              child.kill("SIGKILL");
            }, opts.timeoutMs)
          : undefined;
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          opts.stream?.(d.toString());
        });
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
          opts.stream?.(d.toString());
        });
        child.on("error", (error: NodeJS.ErrnoException) => {
          if (timer) clearTimeout(timer);
          resolve({ code: error.code === "ENOENT" ? NOT_FOUND : 1, stdout, stderr: stderr + error.message });
        });
        child.on("close", (code) => {
          if (timer) clearTimeout(timer);
          resolve({ code: timedOut ? TIMED_OUT : (code ?? 1), stdout, stderr });
        });
        const stop = () => child.kill("SIGTERM");
        if (opts.signal?.aborted) stop();
        opts.signal?.addEventListener("abort", stop, { once: true });
        child.on("close", () => opts.signal?.removeEventListener("abort", stop));
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input ?? "");
      });
    },
  };
}
