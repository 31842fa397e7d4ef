// The run-scoped directory (run-scope-setup.ts): every temp file of the run lands inside it, so
// the teardown's one removal leaves nothing behind in the system's temp directory.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { RUN_DIR_ENV } from "./run-scope-setup";
import { SYNTH_CACHE_ENV } from "./synth-cache";

describe("the run-scoped directory", () => {
  const run = process.env[RUN_DIR_ENV];

  it("exists for this run, and os.tmpdir() and the synth cache are inside it", () => {
    expect(run).toBeDefined();
    expect(basename(run!)).toMatch(/^nyrkio-test-run-/);
    expect(tmpdir()).toBe(join(run!, "tmp"));
    expect(process.env[SYNTH_CACHE_ENV]).toBe(join(run!, "synth-cache"));
  });

  it("a test's own temp directory lands in it", () => {
    const mine = mkdtempSync(join(tmpdir(), "probe-"));
    expect(dirname(dirname(mine))).toBe(run);
  });
});
