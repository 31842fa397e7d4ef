// The backup metrics from a catalog: the recovery point is the end of the newest restore window
// (a broken chain does not count slices no dump reaches), ages are left to Prometheus (time()
// minus the timestamps), and the intervals come from the config's schedules.
import type { CatalogEntry } from "../../backup/manifest";
import { backupMetrics, BACKUP_METRIC_HELP, BACKUP_METRIC_NAMES, renderExposition } from "../../monitoring/backup-metrics";
import { restoreWindows } from "../../backup/restore/chain";
import { cronMaxGapSeconds } from "../../monitoring/cron-interval";

const ts = (t: number, i = 1) => ({ t, i });
const full = (name: string, first: number, last: number, createdAt: string, bytes = 1000): CatalogEntry => ({
  schemaVersion: 1,
  kind: "full",
  format: "archive+gzip",
  file: `${name}.archive.gz`,
  bytes,
  sha256: "0".repeat(64),
  replicaSet: "rs0",
  firstTs: ts(first),
  lastTs: ts(last),
  createdAt,
  manifestPath: `full/${name}.manifest.json`,
});
const slice = (prev: number, first: number, last: number, bytes = 50): CatalogEntry => ({
  schemaVersion: 1,
  kind: "oplog",
  format: "bson+gzip",
  file: `${prev}_${last}.bson.gz`,
  bytes,
  sha256: "0".repeat(64),
  replicaSet: "rs0",
  firstTs: ts(first),
  lastTs: ts(last),
  prevTs: ts(prev),
  createdAt: new Date(last * 1000 + 2000).toISOString(),
  manifestPath: `oplog/${prev}_${last}.manifest.json`,
});
const value = (samples: ReturnType<typeof backupMetrics>, name: string, kind?: string) =>
  samples.find((s) => s.name === name && (kind === undefined || s.labels.kind === kind))?.value;

const T = 1_714_528_800; // 2024-05-01T02:00:00Z
const dump = full("d1", T, T + 12, "2024-05-01T02:00:37Z", 734);
const chain = [dump, slice(T + 12, T + 13, T + 300), slice(T + 300, T + 301, T + 600)];

describe("backupMetrics", () => {
  test("an unbroken chain: the recovery point is the newest slice's lastTs; sizes, durations, intervals", () => {
    const m = backupMetrics({ replicaSet: "rs0", entries: chain, fullIntervalSeconds: 86400, sliceIntervalSeconds: 300, verify: { succeededAt: "2024-05-01T05:10:00Z" }, verifyIntervalSeconds: 86400, lastVerifyPassed: true });
    expect(value(m, "nyrkio_backup_recovery_point_timestamp_seconds")).toBe(T + 600);
    expect(value(m, "nyrkio_backup_newest_slice_last_ts_seconds")).toBe(T + 600);
    expect(value(m, "nyrkio_backup_full_last_ts_seconds")).toBe(T + 12);
    expect(value(m, "nyrkio_backup_restore_windows")).toBe(1);
    expect(value(m, "nyrkio_backup_newest_artifact_bytes", "full")).toBe(734);
    expect(value(m, "nyrkio_backup_newest_artifact_duration_seconds", "full")).toBe(37);
    expect(value(m, "nyrkio_backup_newest_artifact_duration_seconds", "oplog")).toBe(299);
    expect(value(m, "nyrkio_backup_catalog_bytes")).toBe(834);
    expect(value(m, "nyrkio_backup_verify_last_success_timestamp_seconds")).toBe(Date.parse("2024-05-01T05:10:00Z") / 1000);
    expect(value(m, "nyrkio_backup_verify_last_result")).toBe(1);
    expect(m.every((s) => s.labels.rs_nm === "rs0" && BACKUP_METRIC_NAMES.includes(s.name))).toBe(true);
  });

  test("a broken chain: slices after the gap that no dump reaches do not move the recovery point", () => {
    // The oplog rolled over: the next slice starts after T+900, continuing nothing saved.
    const broken = [...chain, slice(T + 900, T + 901, T + 1200), slice(T + 1200, T + 1201, T + 1500)];
    const m = backupMetrics({ replicaSet: "rs0", entries: broken, fullIntervalSeconds: 86400, sliceIntervalSeconds: 300 });
    expect(value(m, "nyrkio_backup_newest_slice_last_ts_seconds")).toBe(T + 1500);
    expect(value(m, "nyrkio_backup_recovery_point_timestamp_seconds")).toBe(T + 600);
    // A new dump restarts the chain: a second window, and the recovery point moves on.
    const restarted = [...broken, full("d2", T + 1490, T + 1495, "2024-05-01T02:25:30Z"), slice(T + 1495, T + 1496, T + 1800)];
    const r = backupMetrics({ replicaSet: "rs0", entries: restarted, fullIntervalSeconds: 86400 });
    expect(value(r, "nyrkio_backup_restore_windows")).toBe(2);
    // The embedded window merge agrees with the restore planner's own.
    expect(restoreWindows(restarted)).toHaveLength(2);
    expect(Math.max(...restoreWindows(restarted).map((w) => w.to.t))).toBe(T + 1800);
    expect(value(r, "nyrkio_backup_recovery_point_timestamp_seconds")).toBe(T + 1800);
  });

  test("an unconfirmed newest dump (issue 10 item 5) is reported as such and bases nothing until confirmed", () => {
    const fresh = { ...full("d2", T + 500, T + 550, "2024-05-01T02:10:00Z"), lastTerm: 3, majorityCommit: "unconfirmed" } as CatalogEntry;
    const entries = [...chain, fresh, slice(T + 600, T + 601, T + 900)];
    const m = backupMetrics({ replicaSet: "rs0", entries, fullIntervalSeconds: 86400 });
    expect(value(m, "nyrkio_backup_unconfirmed_full_last_ts_seconds")).toBe(T + 550);
    expect(value(m, "nyrkio_backup_full_last_ts_seconds")).toBe(T + 12);
    const confirmed = backupMetrics({ replicaSet: "rs0", entries: [...chain, { ...fresh, confirmed: true }], fullIntervalSeconds: 86400 });
    expect(value(confirmed, "nyrkio_backup_unconfirmed_full_last_ts_seconds")).toBeUndefined();
    expect(value(confirmed, "nyrkio_backup_full_last_ts_seconds")).toBe(T + 550);
    // Older than a confirmed dump: superseded, not reported.
    const old = { ...full("d0", T - 900, T - 800, "2024-05-01T01:50:00Z"), lastTerm: 3, majorityCommit: "unconfirmed" } as CatalogEntry;
    expect(value(backupMetrics({ replicaSet: "rs0", entries: [...chain, old], fullIntervalSeconds: 86400 }), "nyrkio_backup_unconfirmed_full_last_ts_seconds")).toBeUndefined();
  });

  test("nothing known is not zero: no samples for what the catalog does not hold", () => {
    const m = backupMetrics({ replicaSet: "rs0", entries: [], fullIntervalSeconds: 86400 });
    expect(m.map((s) => s.name)).toEqual(["nyrkio_backup_restore_windows", "nyrkio_backup_full_interval_seconds", "nyrkio_backup_catalog_bytes"]);
  });

  test("the exposition format a Pushgateway accepts", () => {
    const text = renderExposition(backupMetrics({ replicaSet: "rs0", entries: chain, fullIntervalSeconds: 86400 }), BACKUP_METRIC_HELP);
    expect(text).toContain('# TYPE nyrkio_backup_recovery_point_timestamp_seconds gauge\nnyrkio_backup_recovery_point_timestamp_seconds{rs_nm="rs0"} 1714529400\n');
    expect(text).toContain('nyrkio_backup_newest_artifact_bytes{rs_nm="rs0",kind="full"} 734\nnyrkio_backup_newest_artifact_bytes{rs_nm="rs0",kind="oplog"} 50\n');
    expect(text.match(/^# TYPE nyrkio_backup_newest_artifact_bytes /gm)).toHaveLength(1);
    expect(text.endsWith("\n")).toBe(true);
  });
});

describe("cronMaxGapSeconds", () => {
  test.each([
    ["0 2 * * *", 86400],
    ["*/5 * * * *", 300],
    ["*/7 * * * *", 7 * 60], // 49 -> 56 is the longest; across the hour 56 -> 00 is 4 minutes
    ["@hourly", 3600],
    ["0 5 * * 1-5", 3 * 86400], // Friday 05:00 to Monday 05:00
    ["@weekly", 7 * 86400],
  ])("%s: %d s", (schedule, expected) => {
    expect(cronMaxGapSeconds(schedule)).toBe(expected);
  });
});
