// The alert rules (monitoring/rules/nyrkio-db.rules.yml): their shape (severity, a runbook
// section that exists), that every alert is unit-tested both firing and quiet, and the real
// promtool (Debian's prometheus package, 2.42 here) checking and unit-testing them when it is on
// PATH; .ci/run installs it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const dir = join(__dirname, "..", "..", "monitoring", "rules");
const rulesPath = join(dir, "nyrkio-db.rules.yml");
const testsPath = join(dir, "nyrkio-db.rules.test.yml");
const rulesText = readFileSync(rulesPath, "utf8");

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (parse(rulesText) as { groups: { name: string; rules: Rule[] }[] }).groups;
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert);

/** GitHub's anchor for a Markdown heading: lower case, spaces to "-", punctuation dropped. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");
const runbook = readFileSync(join(__dirname, "..", "..", "docs", "runbooks", "alerts.md"), "utf8");
const anchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) => anchor(m[1])));

describe("the rules file", () => {
  test("holds the alerts the issue asks for", () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        "MongoBackupFullDumpStale",
        "MongoBackupFullDumpUnconfirmed",
        "MongoBackupJobFailed",
        "MongoBackupMetricsMissing",
        "MongoBackupNeverSucceeded",
        "MongoBackupRecoveryPointStale",
        "MongoBackupVerificationFailed",
        "MongoBackupVerificationStale",
        "MongoConnectionsNearLimit",
        "MongoDataVolumeFull",
        "MongoMemberUnhealthy",
        "MongoNoPrimary",
        "MongoOOMKilled",
        "MongoOplogWindowTooShort",
        "MongoPreferredMemberNotPrimary",
        "MongoReplicationLag",
        "MongoRestoreJobFailed",
        "MongosDown",
      ].sort(),
    );
  });

  test.each(alerts.map((a) => [a.alert!, a]))("%s has a severity and a runbook_url to a section of docs/runbooks/alerts.md", (_name, rule) => {
    expect(["critical", "warning"]).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    const url = rule.annotations?.runbook_url ?? "";
    expect(url).toMatch(/^docs\/runbooks\/alerts\.md#[a-z0-9-]+$/);
    expect(anchors).toContain(url.split("#")[1]);
  });

  test("every alert is unit-tested firing, and quiet", () => {
    const tests = (parse(readFileSync(testsPath, "utf8")) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test);
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect({ alert: a.alert, fires: mine.some((c) => c.exp_alerts.length > 0) }).toEqual({ alert: a.alert, fires: true });
      expect({ alert: a.alert, quiet: mine.some((c) => c.exp_alerts.length === 0) }).toEqual({ alert: a.alert, quiet: true });
    }
  });

  test("no text Terraform would read as a template: Prometheus's {{ $labels }} and $1 pass the embedding unchanged", () => {
    // The ConfigMap embedding escapes ${ and %{ for Terraform; the rules need neither, so what
    // Prometheus reads is the file byte for byte.
    expect(rulesText).not.toMatch(/\$\{|%\{/);
    expect(rulesText).toContain("{{ $labels.rs_nm }}");
  });
});

const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;
if (!hasPromtool) console.log("alert rules: promtool checks skipped — `promtool` is not installed (apt-get install prometheus; .ci/run installs it)");

(hasPromtool ? describe : describe.skip)("promtool", () => {
  test("check rules", () => {
    const r = spawnSync("promtool", ["check", "rules", rulesPath], { encoding: "utf8" });
    expect(`${r.stdout}${r.stderr}`).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  test("test rules: the synthetic series fire exactly the expected alerts", () => {
    const r = spawnSync("promtool", ["test", "rules", testsPath], { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`promtool test rules failed:\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toContain("SUCCESS");
  }, 60_000);
});
