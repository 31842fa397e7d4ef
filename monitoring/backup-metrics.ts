// The backup metrics: what a replica set's catalog says about how much data a loss now would
// cost, as Prometheus gauges. Pure: from the manifests (backup/manifest.ts), the verify job's
// status file (status/verify.json, backup/mongosh/write-status.js) and the configured intervals.
// Timestamps, not ages, are exported: Prometheus computes the age with time(), so a value that
// stops being refreshed keeps growing older and still alerts (monitoring/rules).
//
// Every series carries rs_nm, the label mongodb_exporter gives the replica set's name
// (exporter/topology_info.go labelReplicasetName), so rules join the two without relabelling.

import { restoreWindows } from "../backup/restore/chain";
import type { CatalogEntry } from "../backup/manifest";

export interface BackupMetricDef {
  name: string;
  help: string;
}

/** Every backup metric, in the order they are written. */
export const BACKUP_METRICS = {
  recoveryPoint: { name: "nyrkio_backup_recovery_point_timestamp_seconds", help: "The newest point a restore can reach (end of the newest restore window: the newest slice's lastTs), Unix seconds" },
  newestSlice: { name: "nyrkio_backup_newest_slice_last_ts_seconds", help: "lastTs of the newest oplog slice, Unix seconds" },
  fullLastTs: { name: "nyrkio_backup_full_last_ts_seconds", help: "lastTs of the newest full dump (the point it restores to), Unix seconds" },
  windows: { name: "nyrkio_backup_restore_windows", help: "Restore windows in the catalog; more than 1 means a broken chain left a gap" },
  sliceInterval: { name: "nyrkio_backup_slice_interval_seconds", help: "Configured oplog slice interval (backup.pitr.oplogSpanMin)" },
  fullInterval: { name: "nyrkio_backup_full_interval_seconds", help: "Longest gap between two runs of backup.full.schedule" },
  verifyInterval: { name: "nyrkio_backup_verify_interval_seconds", help: "Longest gap between two runs of backup.verify.schedule" },
  verifySuccess: { name: "nyrkio_backup_verify_last_success_timestamp_seconds", help: "When the last successful verification finished (status/verify.json succeededAt), Unix seconds" },
  verifyResult: { name: "nyrkio_backup_verify_last_result", help: "1 when the last verification passed, 0 when it failed" },
  artifactBytes: { name: "nyrkio_backup_newest_artifact_bytes", help: "Size of the newest artifact of each kind, as stored" },
  artifactDuration: { name: "nyrkio_backup_newest_artifact_duration_seconds", help: "Full dump: from its first oplog entry to its manifest; slice: the time its entries span" },
  catalogBytes: { name: "nyrkio_backup_catalog_bytes", help: "Size of every artifact in the catalog" },
} as const satisfies Record<string, BackupMetricDef>;

export const BACKUP_METRIC_NAMES: readonly string[] = Object.values(BACKUP_METRICS).map((m) => m.name);

export interface BackupMetricsInput {
  replicaSet: string;
  /** This replica set's manifests. */
  entries: CatalogEntry[];
  /** status/verify.json, when a verification has succeeded. */
  verify?: { succeededAt: string };
  /** The last verification's outcome, when known (the verify job's exit). */
  lastVerifyPassed?: boolean;
  sliceIntervalSeconds?: number;
  fullIntervalSeconds: number;
  verifyIntervalSeconds?: number;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function backupMetrics(input: BackupMetricsInput): Sample[] {
  const rs = { rs_nm: input.replicaSet };
  const out: Sample[] = [];
  const add = (def: BackupMetricDef, value: number | undefined, extra: Record<string, string> = {}) => {
    if (value !== undefined && Number.isFinite(value)) out.push({ name: def.name, labels: { ...rs, ...extra }, value });
  };
  const fulls = input.entries.filter((e) => e.kind === "full");
  const slices = input.entries.filter((e) => e.kind === "oplog");
  const newest = (list: CatalogEntry[]) => list.reduce<CatalogEntry | undefined>((a, e) => (!a || e.lastTs.t > a.lastTs.t || (e.lastTs.t === a.lastTs.t && e.lastTs.i > a.lastTs.i) ? e : a), undefined);

  const windows = restoreWindows(input.entries);
  const end = windows.reduce<number | undefined>((a, w) => (a === undefined || w.to.t > a ? w.to.t : a), undefined);
  add(BACKUP_METRICS.recoveryPoint, end);
  const slice = newest(slices);
  add(BACKUP_METRICS.newestSlice, slice?.lastTs.t);
  const full = newest(fulls);
  add(BACKUP_METRICS.fullLastTs, full?.lastTs.t);
  add(BACKUP_METRICS.windows, windows.length);
  add(BACKUP_METRICS.sliceInterval, input.sliceIntervalSeconds);
  add(BACKUP_METRICS.fullInterval, input.fullIntervalSeconds);
  add(BACKUP_METRICS.verifyInterval, input.verifyIntervalSeconds);
  add(BACKUP_METRICS.verifySuccess, input.verify ? Date.parse(input.verify.succeededAt) / 1000 : undefined);
  add(BACKUP_METRICS.verifyResult, input.lastVerifyPassed === undefined ? undefined : input.lastVerifyPassed ? 1 : 0);
  for (const [kind, e] of [["full", full], ["oplog", slice]] as const) {
    if (!e) continue;
    add(BACKUP_METRICS.artifactBytes, e.bytes, { kind });
    add(BACKUP_METRICS.artifactDuration, kind === "full" ? Date.parse(e.createdAt) / 1000 - e.firstTs.t : e.lastTs.t - e.firstTs.t, { kind });
  }
  add(BACKUP_METRICS.catalogBytes, input.entries.reduce((a, e) => a + e.bytes, 0));
  return out;
}

/** Prometheus's text exposition format 0.0.4, as a Pushgateway accepts it. */
export function renderExposition(samples: Sample[]): string {
  const help = new Map<string, string>(Object.values(BACKUP_METRICS).map((m) => [m.name, m.help]));
  const lines: string[] = [];
  let last = "";
  // A metric family's samples must be contiguous, under one HELP and TYPE: group by name, in order of first appearance.
  const order = [...new Set(samples.map((s) => s.name))];
  const grouped = order.flatMap((name) => samples.filter((s) => s.name === name));
  for (const s of grouped) {
    if (s.name !== last) {
      lines.push(`# HELP ${s.name} ${help.get(s.name) ?? s.name}`, `# TYPE ${s.name} gauge`);
      last = s.name;
    }
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
      .join(",");
    lines.push(`${s.name}{${labels}} ${s.value}`);
  }
  return lines.join("\n") + "\n";
}
