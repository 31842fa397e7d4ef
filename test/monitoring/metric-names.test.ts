// Every metric the dashboard's panels and the alert rules query is one that something produces:
// mongodb_exporter v0.53.0 with the sidecar's flags (monitoring/exporter-metrics.ts, derived from
// the pinned tag's source), the backup metrics (monitoring/backup-metrics.ts), kube-state-metrics
// and the kubelet, or a recording rule of the rules file. A typo in a panel fails here, not on a
// dashboard that quietly shows "No data".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BACKUP_METRIC_NAMES } from "../../monitoring/backup-metrics";
import { BALANCER_METRIC_NAMES, PUSHGATEWAY_METRICS } from "../../monitoring/balancer-metrics";
import { EXPORTER_METRICS, KUBERNETES_METRICS } from "../../monitoring/exporter-metrics";
import { EXPORTER_COLLECTOR_FLAGS } from "../../stacks/constructs/monitoring/exporter";

const dir = join(__dirname, "..", "..", "monitoring");
const rules = parse(readFileSync(join(dir, "rules", "nyrkio-db.rules.yml"), "utf8")) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] };
const dashboard = JSON.parse(readFileSync(join(dir, "dashboards", "nyrkio-db.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
const recorded = rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.record ? [r.record] : []));
const known = new Set([...EXPORTER_METRICS.map((m) => m.name), ...BACKUP_METRIC_NAMES, ...KUBERNETES_METRICS, ...recorded]);

const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "time", "max", "min", "sum", "count", "avg", "rate", "increase", "label_replace", "absent", "humanizePercentage", "humanizeDuration"]);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords, label names or strings. */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const withoutMatchers = withoutStrings.replace(/\{[^}]*\}/g, "{}");
  const withoutGroupings = withoutMatchers.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1 ()");
  const withoutRanges = withoutGroupings.replace(/\[[^\]]*\]/g, "[]");
  const names = withoutRanges.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((n) => !PROMQL_WORDS.has(n)))];
}

describe("metric names", () => {
  test("the expression parser finds metrics, not labels or functions", () => {
    expect(metricNames('max by (rs_nm) (rate(mongodb_ss_opcounters{conn_type="current"}[5m])) > 2 * nyrkio:x')).toEqual(["mongodb_ss_opcounters", "nyrkio:x"]);
  });

  test.each(dashboard.panels.map((p) => [p.title, p]))("dashboard panel %s queries only produced metrics", (_t, panel) => {
    expect(panel.targets.length).toBeGreaterThan(0);
    for (const t of panel.targets) {
      const names = metricNames(t.expr);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => !known.has(n))).toEqual([]);
    }
  });

  test("every rule queries only produced metrics", () => {
    for (const r of rules.groups.flatMap((g) => g.rules)) expect({ rule: r.alert ?? r.record, unknown: metricNames(r.expr).filter((n) => !known.has(n)) }).toEqual({ rule: r.alert ?? r.record, unknown: [] });
  });

  test("the balancer rules query only produced metrics: the balancer push's, the Pushgateway's own, the exporter's, the backup metrics", () => {
    const balancer = parse(readFileSync(join(dir, "rules", "sharding-balancer.rules.yml"), "utf8")) as typeof rules;
    const all = new Set([...known, ...BALANCER_METRIC_NAMES, ...PUSHGATEWAY_METRICS]);
    const used = balancer.groups.flatMap((g) => g.rules).flatMap((r) => metricNames(r.expr));
    expect(used.filter((n) => !all.has(n))).toEqual([]);
    for (const n of BALANCER_METRIC_NAMES) expect(used).toContain(n);
  });

  test("the dashboard holds no text Terraform would read as a template: Grafana's $datasource and {{legend}} pass unchanged", () => {
    const text = readFileSync(join(dir, "dashboards", "nyrkio-db.json"), "utf8");
    expect(text).not.toMatch(/\$\{|%\{/);
    expect(text).toContain('"uid": "$datasource"');
  });

  test("the dashboard shows what the issue lists", () => {
    const all = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    for (const m of ["mongodb_members_state", "mongodb_mongod_replset_member_replication_lag", "nyrkio:mongodb_oplog_window_seconds", "nyrkio_backup_slice_interval_seconds", "nyrkio:backup_recovery_point_age_seconds", "nyrkio_backup_newest_artifact_bytes", "nyrkio_backup_newest_artifact_duration_seconds", "mongodb_ss_opcounters", "mongodb_ss_connections", "mongodb_ss_wt_cache_bytes_currently_in_the_cache"])
      expect(all).toContain(m);
  });

  test("the metrics that need --compatible-mode or a collector are produced only because the sidecar passes them", () => {
    expect(EXPORTER_COLLECTOR_FLAGS).toEqual(["--collector.diagnosticdata", "--collector.replicasetstatus", "--collector.replicasetconfig", "--compatible-mode"]);
    for (const m of EXPORTER_METRICS.filter((x) => x.source.includes("--compatible-mode"))) expect(m.name).toMatch(/^mongodb_mongod_replset_/);
  });
});
