// Runs every bats suite under test/bats/ (the pod scripts, driven by stand-in binaries on PATH)
// as part of `npm test`, one jest test per .bats file, so one command runs every test.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..");
const batsDir = join(__dirname, "bats");

function batsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return batsFiles(p);
    return p.endsWith(".bats") ? [p] : [];
  });
}

const files = batsFiles(batsDir).sort();
const hasBats = spawnSync("bats", ["--version"]).status === 0;
if (!hasBats) console.log("pod scripts: skipped — `bats` is not installed (apt-get install bats; .ci/run installs it)");

/** Runs one bats file; the suites are independent, so several run at once. */
function runBats(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bats", ["--tap", file], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

(hasBats && files.length ? describe : describe.skip)("pod scripts (bats)", () => {
  it.concurrent.each(files.map((f) => relative(root, f)))("%s", async (file) => {
    const r = await runBats(file);
    if (r.status !== 0) throw new Error(`bats ${file} failed:\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toMatch(/^1\.\.\d+/m);
    expect(r.stdout).not.toMatch(/^not ok/m);
    // The limit only catches a hang: five files run at once (Jest's maxConcurrency), and on a busy
    // 2-core machine the big backup files took more than 180 s each.
  }, 600_000);
});
