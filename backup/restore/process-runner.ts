// The real StepRunner: spawns the argv (no shell, so nothing in it is interpreted) and hands
// every line of its stdout and stderr to `onLine` as it arrives.

import { spawn } from "node:child_process";
import type { StepExit, StepRunner } from "./executor";

export const processRunner: StepRunner = (argv, onLine) =>
  new Promise<StepExit>((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
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
      for (const flush of flushers) flush();
      resolve(spawnError ? { code: null, spawnError } : { code, signal });
    });
  });
