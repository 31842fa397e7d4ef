// What the run asserts about the live system (pure): each check takes what the server answered
// and the project's own desired state (the same functions the stacks render from), and returns
// the problems, one sentence each. The steps (e2e/steps.ts) fetch the answers.
import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";
import { renderReplicaSetConfig } from "../replicaset/replica-set-config";
import { defaultRWConcernNeedsUpdate, DefaultRWConcernResponse, renderDefaultRWConcernCommand } from "../replicaset/rw-concern";
import { AUTH_SOURCE, configuredUsers, ManagedUser, managedUserRoles, RoleRef } from "../replicaset/users";

/** The parts of rs.conf() (replSetGetConfig.config) and rs.status() (replSetGetStatus) checked. */
export interface LiveConf {
  _id: string;
  members: { _id: number; host: string; arbiterOnly?: boolean; priority: number; votes: number }[];
}
export interface LiveStatus {
  set: string;
  /** optimeDate arrives as relaxed EJSON: { $date: "<ISO>" } (or { $date: { $numberLong } } outside 1970..9999). */
  members: { _id: number; name: string; stateStr: string; health: number; optimeDate?: unknown }[];
}

/** Milliseconds of a date as mongosh's EJSON.stringify (relaxed) prints it, or of an ISO string. */
export function ejsonDateMs(v: unknown): number | undefined {
  const inner = typeof v === "object" && v !== null && "$date" in v ? (v as { $date: unknown }).$date : v;
  if (typeof inner === "string") {
    const ms = Date.parse(inner);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (typeof inner === "object" && inner !== null && "$numberLong" in inner) return Number((inner as { $numberLong: string }).$numberLong);
  return typeof inner === "number" ? inner : undefined;
}

/** A member's state and how far its last applied operation is behind the primary's (rs.status() optimeDate). */
export function memberLag(status: LiveStatus, host: string): { state: string; lagMs?: number } {
  const member = status.members.find((m) => m.name === host);
  const primary = status.members.find((m) => m.stateStr === "PRIMARY");
  if (!member) return { state: "missing" };
  const p = ejsonDateMs(primary?.optimeDate);
  const m = ejsonDateMs(member.optimeDate);
  return { state: member.stateStr, ...(p !== undefined && m !== undefined ? { lagMs: p - m } : {}) };
}

/** rs.conf() and rs.status() against the designed config: members, priorities, votes, arbiter, pod 0 primary. */
export function checkReplicaSet(config: PlatformConfig, rs: ReplsetConfig, conf: LiveConf, status: LiveStatus): string[] {
  const want = renderReplicaSetConfig(config, rs);
  const problems: string[] = [];
  if (conf._id !== want._id) problems.push(`rs.conf()._id is ${JSON.stringify(conf._id)}, expected ${JSON.stringify(want._id)}`);
  const data = conf.members.filter((m) => !m.arbiterOnly);
  const arbiters = conf.members.filter((m) => m.arbiterOnly);
  const wantData = want.members.filter((m) => !m.arbiterOnly);
  const wantArbiters = want.members.filter((m) => m.arbiterOnly);
  if (data.length !== wantData.length) problems.push(`rs.conf() has ${data.length} data member(s), expected ${wantData.length}`);
  if (arbiters.length !== wantArbiters.length) problems.push(`rs.conf() has ${arbiters.length} arbiter(s), expected ${wantArbiters.length}`);
  for (const w of want.members) {
    const live = conf.members.find((m) => m.host === w.host);
    if (!live) {
      problems.push(`rs.conf() has no member ${w.host}`);
      continue;
    }
    if (live.priority !== w.priority) problems.push(`${w.host}: priority ${live.priority}, expected ${w.priority}`);
    if (live.votes !== w.votes) problems.push(`${w.host}: votes ${live.votes}, expected ${w.votes}`);
  }
  for (const m of conf.members) if (!want.members.some((w) => w.host === m.host)) problems.push(`rs.conf() has a member the config does not: ${m.host}`);
  // Pod 0 has the highest priority (2 in dev): once caught up it is primary.
  const primaries = status.members.filter((m) => m.stateStr === "PRIMARY");
  const pod0 = wantData[0]?.host;
  if (primaries.length !== 1) problems.push(`rs.status() shows ${primaries.length} PRIMARY members, expected 1`);
  else if (primaries[0].name !== pod0) problems.push(`the primary is ${primaries[0].name}, expected pod 0 (${pod0}, the highest priority)`);
  for (const m of status.members) {
    const isArbiter = wantArbiters.some((w) => w.host === m.name);
    const ok = m.health === 1 && (isArbiter ? m.stateStr === "ARBITER" : m.stateStr === "PRIMARY" || m.stateStr === "SECONDARY");
    if (!ok) problems.push(`${m.name} is ${m.stateStr} (health ${m.health})`);
  }
  return problems;
}

/** getDefaultRWConcern: the config's defaults, set explicitly (source "global"), as the reconcile Job sets them. */
export function checkDefaultRWConcern(config: PlatformConfig, live: DefaultRWConcernResponse): string[] {
  const want = renderDefaultRWConcernCommand(config);
  if (!defaultRWConcernNeedsUpdate(live, want)) return [];
  return [`getDefaultRWConcern is ${JSON.stringify(live)}, expected write ${JSON.stringify(want.defaultWriteConcern)} and read ${JSON.stringify(want.defaultReadConcern)}, both with source "global"`];
}

/** usersInfo on admin: every managed user exists with exactly its designed roles (and the root user exists). */
export interface LiveUser {
  user: string;
  db: string;
  roles: RoleRef[];
}
export function checkUsers(config: PlatformConfig, usernames: Readonly<Record<ManagedUser | "root", string>>, live: readonly LiveUser[]): string[] {
  const problems: string[] = [];
  const key = (r: RoleRef) => `${r.role}@${r.db}`;
  const root = live.find((u) => u.user === usernames.root && u.db === AUTH_SOURCE);
  if (!root) problems.push(`no root user ${JSON.stringify(usernames.root)} in ${AUTH_SOURCE}`);
  else if (!root.roles.some((r) => r.role === "root" && r.db === AUTH_SOURCE)) problems.push(`user ${usernames.root} lacks the root role`);
  for (const name of configuredUsers(config, "replicaset")) {
    const u = live.find((l) => l.user === usernames[name] && l.db === AUTH_SOURCE);
    if (!u) {
      problems.push(`no ${name} user ${JSON.stringify(usernames[name])} in ${AUTH_SOURCE}`);
      continue;
    }
    const want = managedUserRoles(config, name).map(key).sort();
    const have = u.roles.map(key).sort();
    if (JSON.stringify(want) !== JSON.stringify(have)) problems.push(`${name} user ${u.user} has roles [${have.join(", ")}], expected [${want.join(", ")}]`);
  }
  return problems;
}

/**
 * The one-time bootstrap user is gone once the reconcile Job has run: it created root with it and
 * dropped it (docs/security.md, "The root Secret"), so the bootstrap password left in the data
 * pods opens nothing.
 */
export function checkBootstrapRetired(bootstrapUser: string, live: readonly LiveUser[]): string[] {
  return live.filter((u) => u.user === bootstrapUser && u.db === AUTH_SOURCE).map(() => `the bootstrap user ${JSON.stringify(bootstrapUser)} still exists after the reconcile Job: the handover to root did not finish`);
}

/** How a login or command attempt ended, as the toolbox script reports it. */
export interface Attempt {
  ok: boolean;
  codeName?: string;
  message?: string;
}

/**
 * The application cannot act as root: its password does not authenticate the root user name
 * (AuthenticationFailed), and logged in as itself it is refused a root-only command (Unauthorized).
 */
export function checkRootRefused(appAsRoot: Attempt, appAdminCommand: Attempt): string[] {
  const problems: string[] = [];
  if (appAsRoot.ok) problems.push("the application's password authenticated as the root user");
  else if (appAsRoot.codeName !== "AuthenticationFailed") problems.push(`logging in as root with the application's password failed, but not with AuthenticationFailed: ${appAsRoot.codeName ?? appAsRoot.message}`);
  if (appAdminCommand.ok) problems.push("the application user ran a root-only command (usersInfo forAllDBs)");
  else if (appAdminCommand.codeName !== "Unauthorized") problems.push(`the application user's root-only command failed, but not with Unauthorized: ${appAdminCommand.codeName ?? appAdminCommand.message}`);
  return problems;
}

/** The NetworkPolicy: a pod with the client label connects; one without it is refused (times out). */
export function checkNetworkPolicy(labelled: Attempt, unlabelled: Attempt): string[] {
  const problems: string[] = [];
  if (!labelled.ok) problems.push(`a pod with the client label could not reach the database: ${labelled.codeName ?? labelled.message}`);
  if (unlabelled.ok) problems.push("a pod WITHOUT the client label reached the database: the NetworkPolicy is not enforced (kind < 0.24, or a CNI without NetworkPolicy) or admits too much");
  return problems;
}

/** Parses a write-probe log: lines "ok <epoch ms>" and "err <epoch ms> <reason>". */
export interface ProbeSample {
  at: number;
  ok: boolean;
  reason?: string;
}
export function parseProbeLog(text: string): ProbeSample[] {
  const samples: ProbeSample[] = [];
  for (const line of text.split("\n")) {
    const m = /^(ok|err) (\d+)(?: (.*))?$/.exec(line.trim());
    if (m) samples.push({ at: Number(m[2]), ok: m[1] === "ok", ...(m[3] ? { reason: m[3] } : {}) });
  }
  return samples.sort((a, b) => a.at - b.at);
}

/**
 * The time without a writable primary around a disruption at `from`: the longest gap between two
 * consecutive successful majority writes from the last one before `from` on. A probe that never
 * wrote after `from` gives undefined (the set did not recover while it ran).
 */
export function unwritableMs(samples: readonly ProbeSample[], from: number): number | undefined {
  const oks = samples.filter((s) => s.ok);
  const before = oks.filter((s) => s.at <= from).at(-1);
  const after = oks.filter((s) => s.at > from);
  if (after.length === 0) return undefined;
  let prev = before ?? after[0];
  let longest = 0;
  for (const s of after) {
    longest = Math.max(longest, s.at - prev.at);
    prev = s;
  }
  return longest;
}

/** The point-in-time restore's known writes, in order. The target falls after `targetAfter`. */
export type Doc = { _id: number; [k: string]: unknown };
export type Write =
  | { label: string; op: "insert"; docs: Doc[] }
  | { label: string; op: "update"; id: number; set: Record<string, unknown> }
  | { label: string; op: "delete"; id: number }
  | { label: string; op: "transaction"; steps: Exclude<Write, { op: "transaction" }>[] };

/** Before the full dump: w1. After it, replayed from the oplog: the update, the delete, the transaction; then w5, after the target. */
export const PITR_BEFORE_DUMP: Write[] = [{ label: "w1 insert three", op: "insert", docs: [{ _id: 1, v: "a" }, { _id: 2, v: "b" }, { _id: 3, v: "c" }] }];
export const PITR_AFTER_DUMP: Write[] = [
  { label: "w2 update _id 2", op: "update", id: 2, set: { v: "b2" } },
  { label: "w3 delete _id 3", op: "delete", id: 3 },
  {
    label: "w4 transaction: insert _id 4, update _id 1",
    op: "transaction",
    steps: [
      { label: "insert _id 4", op: "insert", docs: [{ _id: 4, v: "d" }] },
      { label: "update _id 1", op: "update", id: 1, set: { v: "a2" } },
    ],
  },
  { label: "w5 insert _id 5, delete _id 1 (after the target)", op: "transaction", steps: [{ label: "insert _id 5", op: "insert", docs: [{ _id: 5, v: "e" }] }, { label: "delete _id 1", op: "delete", id: 1 }] },
];
/** The target is the oplog timestamp of this write (inclusive, `--to`): w4, before w5. */
export const PITR_TARGET_WRITE = "w4 transaction: insert _id 4, update _id 1";

/** The documents after applying `writes` to an empty collection, by _id. */
export function applyWrites(writes: readonly Write[]): Doc[] {
  const docs = new Map<number, Doc>();
  const apply = (w: Write) => {
    if (w.op === "insert") for (const d of w.docs) docs.set(d._id, { ...d });
    else if (w.op === "update") {
      const d = docs.get(w.id);
      if (d) docs.set(w.id, { ...d, ...w.set });
    } else if (w.op === "delete") docs.delete(w.id);
    else w.steps.forEach(apply);
  };
  writes.forEach(apply);
  return [...docs.values()].sort((a, b) => a._id - b._id);
}

/** What the restored collection must hold: every write up to and including the target's. */
export function expectedAtTarget(): Doc[] {
  const all = [...PITR_BEFORE_DUMP, ...PITR_AFTER_DUMP];
  const upTo = all.findIndex((w) => w.label === PITR_TARGET_WRITE);
  return applyWrites(all.slice(0, upTo + 1));
}

/** Document by document: missing, unexpected, or different (compared as canonical JSON). */
export function compareDocuments(expected: readonly Doc[], actual: readonly Doc[]): string[] {
  const problems: string[] = [];
  const canon = (d: Doc) => JSON.stringify(Object.fromEntries(Object.entries(d).sort(([a], [b]) => a.localeCompare(b))));
  const byId = new Map(actual.map((d) => [d._id, d]));
  for (const e of expected) {
    const a = byId.get(e._id);
    if (!a) problems.push(`_id ${e._id} is missing, expected ${canon(e)}`);
    else if (canon(a) !== canon(e)) problems.push(`_id ${e._id} is ${canon(a)}, expected ${canon(e)}`);
    byId.delete(e._id);
  }
  for (const a of byId.values()) problems.push(`_id ${a._id} should not be there (written after the target, or deleted before it): ${canon(a)}`);
  return problems;
}

/** `migrate up --json`'s document (migrations/runner/reports.ts RunReport), the parts checked. */
export interface MigrateUpJson {
  command?: string;
  ok?: boolean;
  migrations?: unknown[];
  lastApplied?: number;
  error?: { code?: string; message?: string };
}
export function checkMigrateUp(doc: MigrateUpJson, expectChanges: boolean): string[] {
  const problems: string[] = [];
  if (doc.command !== "up" || doc.ok !== true) problems.push(`migrate up --json did not report success: ${JSON.stringify(doc.error ?? doc).slice(0, 300)}`);
  const applied = Array.isArray(doc.migrations) ? doc.migrations.length : undefined;
  if (applied === undefined) problems.push("migrate up --json has no migrations list");
  else if (expectChanges && applied === 0) problems.push("the first migrate up applied nothing on a fresh database");
  else if (!expectChanges && applied !== 0) problems.push(`the second migrate up applied ${applied} migration(s): it must change nothing`);
  if (typeof doc.lastApplied !== "number" || doc.lastApplied < 1) problems.push(`migrate up --json reports lastApplied ${JSON.stringify(doc.lastApplied)}`);
  return problems;
}

/** `check-queries --json` (migrations/query-check/pattern-report.ts QueryCheckReport): every pattern uses an index. */
export interface CheckQueriesJson {
  command?: string;
  ok?: boolean;
  patterns?: { name?: string; ok?: boolean }[];
  failed?: string[];
}
export function checkQueryReport(doc: CheckQueriesJson): string[] {
  if (doc.command !== "check-queries") return [`check-queries --json printed no report: ${JSON.stringify(doc).slice(0, 300)}`];
  const problems: string[] = [];
  if (!doc.patterns || doc.patterns.length === 0) problems.push("check-queries checked no query pattern");
  for (const name of doc.failed ?? []) problems.push(`query pattern ${name} does not use an index as required`);
  if (doc.ok !== true && problems.length === 0) problems.push("check-queries reported failure");
  return problems;
}
