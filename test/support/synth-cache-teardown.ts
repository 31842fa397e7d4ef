// Jest globalTeardown of the unit project: the run's synth cache goes with the run.
import { rmSync } from "node:fs";
import { SYNTH_CACHE_ENV } from "./synth-cache";

export default function teardown(): void {
  const dir = process.env[SYNTH_CACHE_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env[SYNTH_CACHE_ENV];
}
