// Jest globalTeardown: the run's directory (its temp files and synth cache) goes with the run.
// The first project's teardown removes it; the others find nothing left to do.
import { rmSync } from "node:fs";
import { RUN_DIR_ENV } from "./run-scope-setup";
import { SYNTH_CACHE_ENV, SYNTH_CACHE_OWNER_ENV } from "./synth-cache";

export default function teardown(): void {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir || process.env[SYNTH_CACHE_OWNER_ENV] !== String(process.pid)) return;
  rmSync(dir, { recursive: true, force: true });
  for (const name of [RUN_DIR_ENV, SYNTH_CACHE_ENV, SYNTH_CACHE_OWNER_ENV]) delete process.env[name];
}
