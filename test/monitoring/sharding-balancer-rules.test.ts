// The balancer alert (monitoring/rules/sharding-balancer.rules.yml, issue 13 item 3), checked and
// unit-tested by the real promtool when it is on PATH (.ci/run installs it); skipped with one line
// otherwise. The rules of nyrkio-db.rules.yml have their own test.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(__dirname, "..", "..", "monitoring", "rules");
const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;
if (!hasPromtool) console.log("skipping promtool on the balancer alert: promtool is not installed");

describe("the balancer alert rules", () => {
  (hasPromtool ? test : test.skip)("pass promtool check rules and promtool test rules", () => {
    for (const args of [["check", "rules", "sharding-balancer.rules.yml"], ["test", "rules", "sharding-balancer.rules.test.yml"]]) {
      const r = spawnSync("promtool", args, { cwd: dir, encoding: "utf8" });
      expect({ args, status: r.status, out: r.status === 0 ? "" : r.stdout + r.stderr }).toEqual({ args, status: 0, out: "" });
    }
  });

  test("point at a runbook section that exists", () => {
    const rules = readFileSync(join(dir, "sharding-balancer.rules.yml"), "utf8");
    const runbook = readFileSync(join(__dirname, "..", "..", "docs", "runbooks", "convert-to-sharded.md"), "utf8");
    for (const [, file, section] of rules.matchAll(/runbook_url: (docs\/runbooks\/[\w-]+\.md)#([\w-]+)/g)) {
      expect(file).toBe("docs/runbooks/convert-to-sharded.md");
      expect(runbook).toMatch(new RegExp(`^#{2,3} ${section}$`, "im"));
    }
  });
});
