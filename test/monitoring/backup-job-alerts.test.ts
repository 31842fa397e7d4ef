// The shipped alert rules (monitoring/rules/nyrkio-db.rules.yml), run by the real promtool
// (`promtool test rules`) over kube-state-metrics series: the failed-job alert fires for a failed
// scheduled run and clears when the next run of the same CronJob succeeds (issue 10, item 9).
// Skipped with one line when promtool is missing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;
const describeIf = hasPromtool ? describe : describe.skip;
if (!hasPromtool) console.log("skipped: promtool is not installed (apt-get install prometheus)");

/** The shipped rules file, as Prometheus and promtool read it. */
function shippedRules(): string {
  return readFileSync(join(__dirname, "..", "..", "monitoring", "rules", "nyrkio-db.rules.yml"), "utf8");
}

describeIf("the shipped backup alerts under promtool", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "backup-alerts-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("MongoBackupJobFailed fires after a failed scheduled run and clears when the next run succeeds", () => {
    writeFileSync(join(dir, "rules.yaml"), shippedRules());
    const labels = '{namespace="nyrkio-db",cronjob="mongodb-rs0-backup-oplog"}';
    // One sample a minute. Runs scheduled at minutes 0, 5 and 10 (last_schedule_time in seconds);
    // the run of minute 5 fails (no new success), the run of minute 10 succeeds at minute 11.
    const tests = `rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'kube_cronjob_status_last_schedule_time${labels}'
        values: '0x4 300x4 600x9'
      - series: 'kube_cronjob_status_last_successful_time${labels}'
        values: '0x10 600x8'
      - series: 'kube_cronjob_status_active${labels}'
        values: '0 0 0 0 0 1 0 0 0 0 1 0 0 0 0 0 0 0 0'
      # The failed Job stays in the CronJob's history (failedJobsHistoryLimit): its failed count stays 1.
      - series: 'kube_job_status_failed{namespace="nyrkio-db",job_name="mongodb-rs0-backup-oplog-29000005"}'
        values: '0x5 1x13'
    alert_rule_test:
      - eval_time: 3m
        alertname: MongoBackupJobFailed
        exp_alerts: []
      - eval_time: 5m
        alertname: MongoBackupJobFailed
        exp_alerts: []
      - eval_time: 7m
        alertname: MongoBackupJobFailed
        exp_alerts:
          - exp_labels: { severity: warning, namespace: nyrkio-db, cronjob: mongodb-rs0-backup-oplog }
            exp_annotations: { summary: "The newest run of mongodb-rs0-backup-oplog failed: see its Job's JSON log lines", runbook_url: docs/runbooks/alerts.md#mongobackupjobfailed }
      - eval_time: 12m
        alertname: MongoBackupJobFailed
        exp_alerts: []
`;
    writeFileSync(join(dir, "tests.yaml"), tests);
    const r = spawnSync("promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" });
    expect(`${r.stdout}${r.stderr}`).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
