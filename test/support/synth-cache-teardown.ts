// Jest globalTeardown: the run's synth cache goes with the run (the first project's teardown
// removes it; the others find nothing left to do).
import { rmSync } from "node:fs";
import { SYNTH_CACHE_ENV, SYNTH_CACHE_OWNER_ENV } from "./synth-cache";

export default function teardown(): void {
  const dir = process.env[SYNTH_CACHE_ENV];
  if (!dir || process.env[SYNTH_CACHE_OWNER_ENV] !== String(process.pid)) return;
  rmSync(dir, { recursive: true, force: true });
  delete process.env[SYNTH_CACHE_ENV];
  delete process.env[SYNTH_CACHE_OWNER_ENV];
}
