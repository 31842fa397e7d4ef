// Jest globalSetup of every project: one directory per run, which the teardown removes.
//  - TMPDIR points into it, so every temp file a test or a process it starts makes (os.tmpdir(),
//    mktemp, bats) goes with the run instead of piling up in /tmp (hundreds per run before).
//  - test/support/synth-cache.ts keeps its shared syntheses in it.
// Jest starts its workers after this runs, so they inherit the variables. Every project names
// this file and Jest runs it once per project: the first makes the directory, the others find it
// (marked as this process's own, not one inherited from a shell).
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNTH_CACHE_ENV, SYNTH_CACHE_OWNER_ENV } from "./synth-cache";

/** The run's directory (removed by run-scope-teardown.ts). */
export const RUN_DIR_ENV = "NYRKIO_TEST_RUN_DIR";

export default function setup(): void {
  const dir = process.env[RUN_DIR_ENV];
  if (dir && process.env[SYNTH_CACHE_OWNER_ENV] === String(process.pid) && existsSync(dir)) return;
  const run = mkdtempSync(join(tmpdir(), "nyrkio-test-run-"));
  const tmp = join(run, "tmp");
  const cache = join(run, "synth-cache");
  mkdirSync(tmp);
  mkdirSync(cache);
  process.env[RUN_DIR_ENV] = run;
  process.env.TMPDIR = tmp;
  process.env[SYNTH_CACHE_ENV] = cache;
  process.env[SYNTH_CACHE_OWNER_ENV] = String(process.pid);
}
