// Jest globalSetup of the projects that synthesize: one directory per run for
// test/support/synth-cache.ts. Jest starts its workers after this runs, so they inherit the
// variable. Every project names this file and Jest runs it once per project: the first makes the
// directory, the others find it (marked as this process's own, not one inherited from a shell).
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNTH_CACHE_ENV, SYNTH_CACHE_OWNER_ENV } from "./synth-cache";

export default function setup(): void {
  const dir = process.env[SYNTH_CACHE_ENV];
  if (dir && process.env[SYNTH_CACHE_OWNER_ENV] === String(process.pid) && existsSync(dir)) return;
  process.env[SYNTH_CACHE_ENV] = mkdtempSync(join(tmpdir(), "nyrkio-synth-cache-"));
  process.env[SYNTH_CACHE_OWNER_ENV] = String(process.pid);
}
