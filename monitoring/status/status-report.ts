// `status`: one screen that says whether a replica set is healthy and how much data a loss now
// would cost. Pure: from what the CLI read (replSetGetStatus, replSetGetConfig,
// getDefaultRWConcern, the oplog's first and last entry, the catalog, the index report) to a
// report and the reasons it is degraded. The thresholds are the alert rules' (monitoring/rules),
// so `status` and the pager agree.

import type { CatalogEntry } from "../../backup/manifest";
import { restoreWindows } from "../../backup/restore/chain";
import { memberStatesFromStatus, type StatusMember } from "../../replicaset/member-states";
import type { ReplicaSetConfigDocument } from "../../replicaset/replica-set-config";

/** The same thresholds as the alert rules. */
export const STATUS_THRESHOLDS = {
  /** MongoReplicationLag. */
  maxLagSeconds: 30,
  /** MongoOplogWindowTooShort: the oplog must span two slice intervals. */
  oplogWindowSlices: 2,
  /** MongoBackupRecoveryPointStale. */
  recoveryPointSlices: 3,
  /** MongoBackupFullDumpStale and MongoBackupVerificationStale. */
  scheduleFactor: 1.5,
} as const;

const HEALTHY_STATES = new Set(["PRIMARY", "SECONDARY", "ARBITER"]);

/** replSetGetStatus as the driver returns it (dates as Date, or ISO text from a recording). */
export interface LiveStatus {
  set: string;
  members: (StatusMember & { _id: number; state: number; self?: boolean; lastHeartbeatMessage?: string })[];
}
/** replSetGetConfig's `config`. */
export interface LiveConfig {
  _id: string;
  version: number;
  members: { _id: number; host: string; priority?: number; votes?: number; arbiterOnly?: boolean; hidden?: boolean }[];
}
/** getDefaultRWConcern's answer. */
export interface LiveRWConcern {
  defaultWriteConcern?: { w?: string | number; wtimeout?: number };
  defaultReadConcern?: { level?: string };
  defaultWriteConcernSource?: string;
  defaultReadConcernSource?: string;
}

export interface StatusInput {
  now: Date;
  status: LiveStatus;
  config: LiveConfig;
  /** The designed config (replicaset.json) when the environment is known. */
  desired?: ReplicaSetConfigDocument;
  rwConcern?: LiveRWConcern;
  /** Seconds between the oplog's first and last entry, as read from the member connected to. */
  oplogWindowSeconds?: number;
  backups?: {
    entries: CatalogEntry[];
    verify?: { succeededAt: string; detail?: string };
    sliceIntervalSeconds?: number;
    fullIntervalSeconds: number;
    verifyIntervalSeconds?: number;
  };
  /** The migrations' index report summary against the schema catalog, or why it could not be read. */
  indexes?: { drift: number; missing: number; missingCollections: number } | { error: string };
  /** What could not be read, each becoming a reason. */
  unreadable?: string[];
  /** What the reader should know but does not make the set degraded. */
  notes?: string[];
}

export interface MemberReport {
  id: number;
  host: string;
  state: string;
  health: number | null;
  priority: { desired: number | null; live: number };
  votes: { desired: number | null; live: number };
  lagSeconds: number | null;
}

export interface ArtifactReport {
  file: string;
  lastTs: string;
  ageSeconds: number;
  bytes: number;
}

export interface StatusReport {
  ok: boolean;
  status: "healthy" | "degraded";
  reasons: string[];
  notes: string[];
  replicaSet: string;
  checkedAt: string;
  primary: string | null;
  members: MemberReport[];
  oplogWindowSeconds: number | null;
  readWriteConcern: { write: string; read: string } | null;
  backups: {
    newestFull: ArtifactReport | null;
    newestSlice: ArtifactReport | null;
    recoveryPoint: { at: string; ageSeconds: number } | null;
    restoreWindows: number;
    sliceIntervalSeconds: number | null;
    verification: { succeededAt: string; ageSeconds: number; detail?: string } | null;
  } | null;
  indexes: StatusInput["indexes"] | null;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** "3 h 12 min", "45 s": ages for people. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function statusReport(input: StatusInput): StatusReport {
  const reasons: string[] = [...(input.unreadable ?? [])];
  const nowS = input.now.getTime() / 1000;
  const lags = memberStatesFromStatus(input.status, STATUS_THRESHOLDS.maxLagSeconds);
  const liveById = new Map(input.config.members.map((m) => [m._id, m]));
  const desiredByHost = new Map((input.desired?.members ?? []).map((m) => [m.host, m]));

  const members: MemberReport[] = input.status.members.map((m, i) => {
    const live = liveById.get(m._id);
    const want = desiredByHost.get(m.name);
    return {
      id: m._id,
      host: m.name,
      state: m.stateStr,
      health: m.health ?? null,
      priority: { desired: want ? want.priority : null, live: live?.priority ?? 1 },
      votes: { desired: want ? want.votes : null, live: live?.votes ?? 1 },
      lagSeconds: lags[i].lagSeconds ?? null,
    };
  });

  const primary = members.find((m) => m.state === "PRIMARY");
  if (!primary) reasons.push(`no primary: no member of ${input.status.set} is PRIMARY, writes fail`);
  for (const m of members) {
    if (m.health === 0) reasons.push(`${m.host} is unreachable from the member asked (health 0, ${m.state})`);
    else if (!HEALTHY_STATES.has(m.state)) reasons.push(`${m.host} is ${m.state}, not PRIMARY, SECONDARY or ARBITER`);
    if (m.lagSeconds !== null && m.lagSeconds > STATUS_THRESHOLDS.maxLagSeconds)
      reasons.push(`${m.host} is ${formatAge(m.lagSeconds)} behind the primary (more than ${STATUS_THRESHOLDS.maxLagSeconds} s)`);
    if (m.priority.desired !== null && m.priority.desired !== m.priority.live)
      reasons.push(`${m.host} has priority ${m.priority.live}, the config says ${m.priority.desired}: the reconcile Job has not applied it`);
    if (m.votes.desired !== null && m.votes.desired !== m.votes.live)
      reasons.push(`${m.host} has ${m.votes.live} vote(s), the config says ${m.votes.desired}: the reconcile Job has not applied it`);
  }
  for (const want of input.desired?.members ?? [])
    if (!members.some((m) => m.host === want.host)) reasons.push(`${want.host} is in the config but not in the live replica set`);
  // The preferred member: the one highest live priority, when no other member shares it.
  const top = Math.max(...members.map((m) => m.priority.live));
  const preferred = members.filter((m) => m.priority.live === top);
  if (primary && preferred.length === 1 && preferred[0] !== primary)
    reasons.push(`${preferred[0].host}, the preferred member (priority ${top}), is not primary; ${primary.host} is`);

  const slice = input.backups?.sliceIntervalSeconds;
  if (input.oplogWindowSeconds !== undefined && slice !== undefined && input.oplogWindowSeconds < STATUS_THRESHOLDS.oplogWindowSlices * slice)
    reasons.push(`the oplog spans ${formatAge(input.oplogWindowSeconds)}, less than ${STATUS_THRESHOLDS.oplogWindowSlices} slice intervals (${formatAge(STATUS_THRESHOLDS.oplogWindowSlices * slice)}): one late slice breaks the chain`);

  let backups: StatusReport["backups"] = null;
  if (input.backups) {
    const b = input.backups;
    const entries = b.entries.filter((e) => e.replicaSet === input.status.set);
    const newest = (kind: string) =>
      entries.filter((e) => e.kind === kind).reduce<CatalogEntry | undefined>((a, e) => (!a || e.lastTs.t > a.lastTs.t || (e.lastTs.t === a.lastTs.t && e.lastTs.i > a.lastTs.i) ? e : a), undefined);
    const artifact = (e: CatalogEntry | undefined): ArtifactReport | null => (e ? { file: e.manifestPath.replace(/\.?manifest\.json$/, "").replace(/\.$/, ""), lastTs: iso(e.lastTs.t), ageSeconds: nowS - e.lastTs.t, bytes: e.bytes } : null);
    const full = newest("full");
    const lastSlice = newest("oplog");
    const windows = restoreWindows(entries);
    const end = windows.length ? Math.max(...windows.map((w) => w.to.t)) : undefined;
    const verifyAt = b.verify ? Date.parse(b.verify.succeededAt) / 1000 : undefined;
    backups = {
      newestFull: artifact(full),
      newestSlice: artifact(lastSlice),
      recoveryPoint: end === undefined ? null : { at: iso(end), ageSeconds: nowS - end },
      restoreWindows: windows.length,
      sliceIntervalSeconds: slice ?? null,
      verification: b.verify && verifyAt !== undefined ? { succeededAt: b.verify.succeededAt, ageSeconds: nowS - verifyAt, ...(b.verify.detail ? { detail: b.verify.detail } : {}) } : null,
    };
    if (!full) reasons.push(`the catalog holds no full dump of ${input.status.set}: nothing can be restored`);
    else if (nowS - full.lastTs.t > STATUS_THRESHOLDS.scheduleFactor * b.fullIntervalSeconds)
      reasons.push(`the newest full dump is ${formatAge(nowS - full.lastTs.t)} old, more than ${STATUS_THRESHOLDS.scheduleFactor} schedules (${formatAge(STATUS_THRESHOLDS.scheduleFactor * b.fullIntervalSeconds)})`);
    if (windows.length > 1) reasons.push(`the point-in-time chain is broken: ${windows.length} restore windows, with a gap before ${iso(windows[windows.length - 1].from.t)}`);
    if (lastSlice && end !== undefined && lastSlice.lastTs.t > end)
      reasons.push(`slices after ${iso(end)} continue no full dump (the newest, ${artifact(lastSlice)!.file}, ends ${iso(lastSlice.lastTs.t)}): they cannot be restored until a new full dump starts a chain`);
    if (slice !== undefined && end !== undefined && nowS - end > STATUS_THRESHOLDS.recoveryPointSlices * slice)
      reasons.push(`the recovery point is ${formatAge(nowS - end)} old, more than ${STATUS_THRESHOLDS.recoveryPointSlices} slice intervals (${formatAge(STATUS_THRESHOLDS.recoveryPointSlices * slice)}): a loss now loses that much`);
    if (b.verifyIntervalSeconds !== undefined) {
      if (verifyAt === undefined) reasons.push("no verification has succeeded: nobody knows the backups restore");
      else if (nowS - verifyAt > STATUS_THRESHOLDS.scheduleFactor * b.verifyIntervalSeconds)
        reasons.push(`the last successful verification was ${formatAge(nowS - verifyAt)} ago, more than ${STATUS_THRESHOLDS.scheduleFactor} schedules`);
    }
  }

  if (input.indexes && "error" in input.indexes) reasons.push(`index drift unknown: ${input.indexes.error}`);
  else if (input.indexes && (input.indexes.drift > 0 || input.indexes.missing > 0 || input.indexes.missingCollections > 0))
    reasons.push(`indexes differ from the schema catalog: ${input.indexes.missing} missing, ${input.indexes.drift} unknown or different, ${input.indexes.missingCollections} collection(s) missing (npm run migrate -- indexes)`);

  const rw = input.rwConcern;
  return {
    ok: reasons.length === 0,
    status: reasons.length === 0 ? "healthy" : "degraded",
    reasons,
    notes: input.notes ?? [],
    replicaSet: input.status.set,
    checkedAt: input.now.toISOString(),
    primary: primary?.host ?? null,
    members,
    oplogWindowSeconds: input.oplogWindowSeconds ?? null,
    readWriteConcern: rw
      ? {
          write: `w: ${JSON.stringify(rw.defaultWriteConcern?.w ?? "(server default)")}${rw.defaultWriteConcern?.wtimeout !== undefined ? `, wtimeout ${rw.defaultWriteConcern.wtimeout} ms` : ""} (${rw.defaultWriteConcernSource ?? "unknown source"})`,
          read: `${rw.defaultReadConcern?.level ?? "(server default)"} (${rw.defaultReadConcernSource ?? "unknown source"})`,
        }
      : null,
    backups,
    indexes: input.indexes ?? null,
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

/** The report for a person at a terminal. */
export function renderStatus(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`${r.replicaSet}: ${r.status.toUpperCase()} (checked ${r.checkedAt})`);
  lines.push("");
  const width = Math.max(6, ...r.members.map((m) => m.host.length));
  lines.push(`  ${pad("member", width)} ${pad("state", 10)} health  priority (desired/live)  votes  lag`);
  for (const m of r.members) {
    const prio = `${m.priority.desired ?? "?"}/${m.priority.live}`;
    const votes = `${m.votes.desired ?? "?"}/${m.votes.live}`;
    lines.push(`  ${pad(m.host, width)} ${pad(m.state, 10)} ${pad(m.health === null ? "-" : String(m.health), 7)} ${pad(prio, 23)} ${pad(votes, 6)} ${m.lagSeconds === null ? "-" : formatAge(m.lagSeconds)}`);
  }
  lines.push("");
  const slice = r.backups?.sliceIntervalSeconds;
  lines.push(`  oplog window       ${r.oplogWindowSeconds === null ? "unknown" : formatAge(r.oplogWindowSeconds)}${slice ? ` (slice interval ${formatAge(slice)})` : ""}`);
  lines.push(`  write concern      ${r.readWriteConcern?.write ?? "unknown"}`);
  lines.push(`  read concern       ${r.readWriteConcern?.read ?? "unknown"}`);
  if (r.backups) {
    const a = (x: ArtifactReport | null) => (x ? `${x.file}, to ${x.lastTs} (${formatAge(x.ageSeconds)} ago, ${x.bytes} bytes)` : "none");
    lines.push(`  newest full dump   ${a(r.backups.newestFull)}`);
    lines.push(`  newest slice       ${a(r.backups.newestSlice)}`);
    lines.push(`  recovery point     ${r.backups.recoveryPoint ? `${r.backups.recoveryPoint.at} (${formatAge(r.backups.recoveryPoint.ageSeconds)} ago)` : "none"}; restore windows: ${r.backups.restoreWindows}`);
    lines.push(`  last verification  ${r.backups.verification ? `${r.backups.verification.succeededAt} (${formatAge(r.backups.verification.ageSeconds)} ago)${r.backups.verification.detail ? `: ${r.backups.verification.detail}` : ""}` : "none"}`);
  } else lines.push("  backups            not read (pass --catalog <dir | s3://bucket/prefix>)");
  const ix = r.indexes;
  lines.push(`  index drift        ${!ix ? "not read" : "error" in ix ? `unknown (${ix.error})` : `${ix.missing} missing, ${ix.drift} unknown or different, ${ix.missingCollections} collection(s) missing`}`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  if (r.reasons.length) {
    lines.push("");
    lines.push("Degraded because:");
    for (const reason of r.reasons) lines.push(`  - ${reason}`);
  }
  return lines.join("\n") + "\n";
}
