// The Node stand-in for `mongosh --nodb` must refuse what the real shell refuses: a top-level
// `await` (the real shell reads a file as a script). Accepting it once hid a bug that failed every
// backup job in the real shell.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runner = join(__dirname, "run-mongosh-script.js");

function run(source: string) {
  const file = join(mkdtempSync(join(tmpdir(), "mongosh-script-")), "script.js");
  writeFileSync(file, source);
  return spawnSync(process.execPath, [runner, file], { encoding: "utf8" });
}

describe("run-mongosh-script (stand-in for mongosh --nodb)", () => {
  it("refuses a top-level await, as mongosh does", () => {
    const r = run("const x = await Promise.resolve(1);\nprint(x);\n");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^SyntaxError: /);
    expect(r.stdout).toBe("");
  });

  it("awaits the promise of the file's last statement, as mongosh does", () => {
    const r = run("(async () => {\n  const x = await Promise.resolve(41);\n  print(x + 1);\n})();\n");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("42\n");
  });
});
