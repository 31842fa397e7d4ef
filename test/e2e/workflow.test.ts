// .github/workflows/e2e.yml does what issue 14 asks: npm run e2e on pushes to main and nightly,
// kind (>= 0.24), kubectl and terraform at pinned versions, the report and the pod logs uploaded.
// Its schema is checked by .ci/run with @action-validator/cli.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseVersion } from "../../e2e/prereq";

const REPO = join(__dirname, "../..");
const text = readFileSync(join(REPO, ".github/workflows/e2e.yml"), "utf8");

describe("the e2e workflow", () => {
  it("runs on pushes to main and on a nightly schedule", () => {
    expect(text).toMatch(/\non:\n {2}push:\n {4}branches: \[main\]\n {2}schedule:\n {4}- cron: "\d+ \d+ \* \* \*"\n/);
  });

  it("pins kind (0.24 or newer), kubectl and terraform (1.10 or newer, without the wrapper)", () => {
    const kind = /KIND_VERSION: (v\d+\.\d+\.\d+)\n/.exec(text)![1];
    expect(parseVersion(kind)![1]).toBeGreaterThanOrEqual(24);
    expect(text).toMatch(/KUBECTL_VERSION: v\d+\.\d+\.\d+\n/);
    const tf = parseVersion(/TERRAFORM_VERSION: (\d+\.\d+\.\d+)\n/.exec(text)![1])!;
    expect(tf[0] > 1 || tf[1] >= 10).toBe(true);
    expect(text).toContain("terraform_wrapper: false");
    expect(text.match(/sha256sum --check/g)).toHaveLength(2);
  });

  it("runs npm run e2e with a JSON report and uploads it with the pod logs, also when the run fails", () => {
    expect(text).toMatch(/run: npm run e2e -- --json --report e2e-report\.json --logs-dir e2e-logs/);
    expect(text).toMatch(/if: always\(\)\n\s+uses: actions\/upload-artifact@v4\n[\s\S]*path: \|\n\s+e2e-report\.json\n\s+e2e-logs\//);
  });

  const validator = join(REPO, "node_modules/.bin/action-validator");
  (existsSync(validator) ? it : it.skip)("passes @action-validator/cli (as .ci/run checks it)", () => {
    const r = spawnSync(validator, [join(REPO, ".github/workflows/e2e.yml")], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
