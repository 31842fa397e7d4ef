// Jest globalSetup of the unit project: one directory per run for test/support/synth-cache.ts.
// Jest starts its workers after this runs, so they inherit the variable.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNTH_CACHE_ENV } from "./synth-cache";

export default function setup(): void {
  process.env[SYNTH_CACHE_ENV] = mkdtempSync(join(tmpdir(), "nyrkio-synth-cache-"));
}
