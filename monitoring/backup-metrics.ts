// The backup metrics: what a replica set's catalog says about how much data a loss now would
// cost, as Prometheus gauges. Pure: from the manifests (backup/manifest.ts), the verify job's
// status file (status/verify.json, backup/mongosh/write-status.js) and the configured intervals.
// Timestamps, not ages, are exported: Prometheus computes the age with time(), so a value that
// stops being refreshed keeps growing older and still alerts (monitoring/rules).
//
// Every series carries rs_nm, the label mongodb_exporter gives the replica set's name
// (exporter/topology_info.go labelReplicasetName), so rules join the two without relabelling.

/* istanbul ignore file -- computeBackupMetrics and renderExposition are embedded as text by toString() */
import { analyzeChain } from "../backup/restore/chain";
import type { CatalogEntry } from "../backup/manifest";

export interface BackupMetricDef {
  name: string;
  help: string;
}

/** Every backup metric, in the order they are written. */
export const BACKUP_METRICS = {
  recoveryPoint: { name: "nyrkio_backup_recovery_point_timestamp_seconds", help: "The newest point a restore can reach (end of the newest restore window: the newest slice's lastTs), Unix seconds" },
  newestSlice: { name: "nyrkio_backup_newest_slice_last_ts_seconds", help: "lastTs of the newest oplog slice, Unix seconds" },
  fullLastTs: { name: "nyrkio_backup_full_last_ts_seconds", help: "lastTs of the newest full dump that bases a chain (majority-confirmed), Unix seconds" },
  unconfirmedFull: {
    name: "nyrkio_backup_unconfirmed_full_last_ts_seconds",
    help: "lastTs of the newest full dump when it is newer than every confirmed one and the majority commit point has not been seen past it (it bases no chain yet), Unix seconds; absent otherwise",
  },
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

/**
 * The computation, SELF-CONTAINED (no imports, no module-level names): the backup pod's push
 * script embeds it as text with Function.prototype.toString (monitoring/backup-metrics-script.ts),
 * so the pod and the tests run the same code. analyzeChain (backup/restore/chain.ts) is passed in.
 */
export function computeBackupMetrics(input: BackupMetricsInput, analyzeChain: (artifacts: CatalogEntry[]) => { reaches: { from: { t: number; i: number }; to: { t: number; i: number } }[] }): Sample[] {
  const rs = { rs_nm: input.replicaSet };
  const out: Sample[] = [];
  const add = (name: string, value: number | undefined, extra: Record<string, string> = {}) => {
    if (value !== undefined && Number.isFinite(value)) out.push({ name, labels: { ...rs, ...extra }, value });
  };
  const cmp = (a: { t: number; i: number }, b: { t: number; i: number }) => (a.t !== b.t ? a.t - b.t : a.i - b.i);
  // Only majority-confirmed dumps base a chain (backup/majority.ts; analyzeChain applies the same rule).
  const isBase = (e: CatalogEntry) => e.kind === "full" && ((e as { majorityCommit?: string }).majorityCommit !== "unconfirmed" || e.confirmed === true);
  const fulls = input.entries.filter(isBase);
  const waiting = input.entries.filter((e) => e.kind === "full" && !isBase(e));
  const slices = input.entries.filter((e) => e.kind === "oplog");
  const newest = (list: CatalogEntry[]) => list.reduce<CatalogEntry | undefined>((a, e) => (!a || cmp(e.lastTs, a.lastTs) > 0 ? e : a), undefined);

  // Restore windows: the dumps' reaches merged where one starts at or right after the other's end
  // (backup/restore/chain.ts windowsOf, repeated here to stay self-contained).
  const reaches = analyzeChain(input.entries).reaches.slice().sort((a, b) => cmp(a.from, b.from));
  const windows: { from: { t: number; i: number }; to: { t: number; i: number } }[] = [];
  for (const r of reaches) {
    const last = windows[windows.length - 1];
    const after = last && (last.to.i < 0xffffffff ? { t: last.to.t, i: last.to.i + 1 } : { t: last.to.t + 1, i: 0 });
    if (last && cmp(r.from, after) <= 0) {
      if (cmp(r.to, last.to) > 0) last.to = r.to;
    } else windows.push({ from: r.from, to: r.to });
  }
  const end = windows.reduce<number | undefined>((a, w) => (a === undefined || w.to.t > a ? w.to.t : a), undefined);
  add("nyrkio_backup_recovery_point_timestamp_seconds", end);
  const slice = newest(slices);
  add("nyrkio_backup_newest_slice_last_ts_seconds", slice?.lastTs.t);
  const full = newest(fulls);
  add("nyrkio_backup_full_last_ts_seconds", full?.lastTs.t);
  const unconfirmed = newest(waiting);
  if (unconfirmed && (!full || cmp(unconfirmed.lastTs, full.lastTs) > 0)) add("nyrkio_backup_unconfirmed_full_last_ts_seconds", unconfirmed.lastTs.t);
  add("nyrkio_backup_restore_windows", windows.length);
  add("nyrkio_backup_slice_interval_seconds", input.sliceIntervalSeconds);
  add("nyrkio_backup_full_interval_seconds", input.fullIntervalSeconds);
  add("nyrkio_backup_verify_interval_seconds", input.verifyIntervalSeconds);
  add("nyrkio_backup_verify_last_success_timestamp_seconds", input.verify ? Date.parse(input.verify.succeededAt) / 1000 : undefined);
  add("nyrkio_backup_verify_last_result", input.lastVerifyPassed === undefined ? undefined : input.lastVerifyPassed ? 1 : 0);
  const kinds: [string, CatalogEntry | undefined][] = [
    ["full", full],
    ["oplog", slice],
  ];
  for (const [kind, e] of kinds) {
    if (!e) continue;
    add("nyrkio_backup_newest_artifact_bytes", e.bytes, { kind });
    add("nyrkio_backup_newest_artifact_duration_seconds", kind === "full" ? Date.parse(e.createdAt) / 1000 - e.firstTs.t : e.lastTs.t - e.firstTs.t, { kind });
  }
  add("nyrkio_backup_catalog_bytes", input.entries.reduce((a, e) => a + e.bytes, 0));
  return out;
}

export function backupMetrics(input: BackupMetricsInput): Sample[] {
  return computeBackupMetrics(input, analyzeChain);
}

/** HELP text by metric name. */
export const BACKUP_METRIC_HELP: Readonly<Record<string, string>> = Object.fromEntries(Object.values(BACKUP_METRICS).map((m) => [m.name, m.help]));

/** Prometheus's text exposition format 0.0.4, as a Pushgateway accepts it. SELF-CONTAINED (embedded like computeBackupMetrics). */
export function renderExposition(samples: Sample[], help: Readonly<Record<string, string>>, omitLabels: readonly string[] = []): string {
  const lines: string[] = [];
  let last = "";
  // A metric family's samples must be contiguous, under one HELP and TYPE: group by name, in order of first appearance.
  const order = [...new Set(samples.map((s) => s.name))];
  const grouped = order.flatMap((name) => samples.filter((s) => s.name === name));
  for (const s of grouped) {
    if (s.name !== last) {
      lines.push(`# HELP ${s.name} ${help[s.name] ?? s.name}`, `# TYPE ${s.name} gauge`);
      last = s.name;
    }
    const labels = Object.entries(s.labels)
      .filter(([k]) => omitLabels.indexOf(k) < 0)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
      .join(",");
    lines.push(`${s.name}{${labels}} ${s.value}`);
  }
  return lines.join("\n") + "\n";
}
