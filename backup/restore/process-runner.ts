// The real StepRunner: spawns the argv (no shell, so nothing in it is interpreted) and hands
// every line of its stdout and stderr to `onLine` as it arrives.

import { spawn } from "node:child_process";
import type { StepExit, StepRunner } from "./executor";

/**
 * After `stop`, how long mongorestore gets to stop on SIGTERM before SIGKILL. mongorestore handles
 * the first SIGTERM/SIGINT by finishing its current work and exiting, and exits at once on a
 * second (mongo-tools common/signals/signals.go, HandleWithInterrupt: "calls the finalizer
 * function when the first signal is received and forcibly terminates the program after the
 * second").
 */
export const STOP_GRACE_MS = 10_000;

export function makeProcessRunner(graceMs = STOP_GRACE_MS): StepRunner {
  return (argv, onLine, stop) => runProcess(argv, onLine, stop, graceMs);
}

export const processRunner: StepRunner = makeProcessRunner();

function runProcess(argv: readonly string[], onLine: (line: string) => void, stop: AbortSignal | undefined, graceMs: number): Promise<StepExit> {
  return new Promise<StepExit>((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    // Stopping: SIGTERM (mongorestore's own clean stop), a second one after the grace period, then
    // SIGKILL; the promise resolves only on "close", so the CLI never exits before its child.
    let timers: NodeJS.Timeout[] = [];
    const onStop = () => {
      child.kill("SIGTERM");
      timers = [setTimeout(() => child.kill("SIGTERM"), graceMs / 2), setTimeout(() => child.kill("SIGKILL"), graceMs)];
    };
    if (stop?.aborted) onStop();
    else stop?.addEventListener("abort", onStop, { once: true });
    let spawnError: string | undefined;
    const flushers = [child.stdout, child.stderr].map((stream) => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (pending + chunk).split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      });
      return () => {
        if (pending !== "") onLine(pending);
        pending = "";
      };
    });
    child.on("error", (e) => {
      spawnError = e.message;
    });
    child.on("close", (code, signal) => {
      for (const t of timers) clearTimeout(t);
      stop?.removeEventListener("abort", onStop);
      for (const flush of flushers) flush();
      resolve(spawnError ? { code: null, spawnError } : { code, signal });
    });
  });
}
