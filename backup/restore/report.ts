// What the restore CLI prints: plans, windows and run reports, for humans and as JSON.

import type { CatalogEntry } from "../manifest";
import { describeTs, formatTs, Timestamp, tsSecondIso } from "../timestamp";
import type { RestoreWindow } from "./chain";
import type { ClusterRestorePlan, ClusterWindows, ReplicaSetCatalog, ReplicaSetRole } from "./cluster-plan";
import { type ExecutionReport, stepTitle } from "./executor";
import type { RestorePlan, RestoreStep } from "./planner";
import { describeTarget } from "./target";
import type { FoundUser } from "./target-probe";
import { ArtifactProblem, formatBytes } from "./verify-artifacts";

const tsJson = (ts: Timestamp) => ({ t: ts.t, i: ts.i, iso: tsSecondIso(ts) });
const windowJson = (w: RestoreWindow) => ({ from: tsJson(w.from), to: tsJson(w.to) });

export function planJson(plan: RestorePlan, verification?: ArtifactProblem[]): object {
  return {
    replicaSet: plan.replicaSet,
    target: { mode: plan.target.mode, input: plan.target.input, lastIncluded: tsJson(plan.target.lastIncluded), oplogLimit: formatTs(plan.target.limit) },
    base: plan.base,
    baseFormat: plan.baseFormat,
    baseLastTs: tsJson(plan.baseLastTs),
    slices: plan.slices,
    oplogLimit: plan.oplogLimit,
    window: windowJson(plan.window),
    artifacts: plan.artifacts.map((a) => ({ step: a.step, kind: a.kind, file: a.file, manifest: a.manifestPath, bytes: a.bytes, sha256: a.sha256 })),
    steps: plan.steps.map(stepJson),
    ...(verification ? { verification: { ok: verification.length === 0, problems: verification } } : {}),
  };
}

function stepJson(s: RestoreStep): object {
  if (s.kind === "unpack") return { step: s.step, kind: s.kind, file: s.file, into: s.into, argv: s.argv };
  if (s.kind === "merge-oplog") {
    return {
      step: s.step,
      kind: s.kind,
      base: s.base,
      slices: s.slices,
      after: tsJson(s.after),
      limit: tsJson(s.limit),
      keeps: "every entry of the dump's own oplog, then each slice entry with after < ts < limit, in chain order",
      out: s.out,
      gzip: s.gzip,
    };
  }
  return { step: s.step, kind: s.kind, holdsThrough: tsJson(s.holdsThrough), argv: s.argv };
}

export function planText(plan: RestorePlan): string {
  const total = plan.steps.length;
  const base = plan.artifacts[0];
  const sliceBytes = plan.artifacts.slice(1).reduce((n, s) => n + s.bytes, 0);
  const lines = [
    `Restore plan for replica set ${plan.replicaSet}`,
    `  target:  ${describeTarget(plan.target)}`,
    `  window:  ${describeTs(plan.window.from)} .. ${describeTs(plan.window.to)}`,
    `  base:    ${plan.base} (${formatBytes(base.bytes)}, ${plan.baseFormat}), restores to ${describeTs(plan.baseLastTs)}`,
    `  slices:  ${plan.slices.length === 0 ? "none (the target is inside the dump's own oplog)" : `${plan.slices.length} (${formatBytes(sliceBytes)}): ${plan.slices[0]}${plan.slices.length > 1 ? ` .. ${plan.slices[plan.slices.length - 1]}` : ""}`}`,
    `  steps (preparation, then ONE mongorestore call):`,
  ];
  for (const s of plan.steps) {
    lines.push(`    ${s.step}/${total}  ${stepTitle(plan, s)}`);
    if (s.kind === "merge-oplog") lines.push(`          ${s.base.path}${s.slices.map((x) => ` + ${x.path}`).join("")} → ${s.out}`);
    else lines.push(`          ${s.argv.join(" ")}`);
  }
  return lines.join("\n");
}

export function windowsJson(replicaSet: string, entries: CatalogEntry[], windows: RestoreWindow[]): object {
  return {
    replicaSet,
    fullDumps: entries.filter((e) => e.kind === "full").length,
    oplogSlices: entries.filter((e) => e.kind === "oplog").length,
    windows: windows.map(windowJson),
  };
}

export function windowsText(replicaSet: string, entries: CatalogEntry[], windows: RestoreWindow[]): string {
  const dumps = entries.filter((e) => e.kind === "full").length;
  const slices = entries.length - dumps;
  const lines = [`Replica set ${replicaSet}: ${dumps} full dump(s), ${slices} oplog slice(s)`];
  if (windows.length === 0) {
    lines.push("No restore window: the catalog has no full dump.");
    return lines.join("\n");
  }
  lines.push("Restore windows (inclusive: --to any point inside one):");
  for (const w of windows) lines.push(`  ${describeTs(w.from)}  ..  ${describeTs(w.to)}`);
  for (let k = 1; k < windows.length; k++) {
    lines.push(`Gap: nothing between ${describeTs(windows[k - 1].to)} and ${describeTs(windows[k].from)} can be restored (the oplog chain broke there).`);
  }
  return lines.join("\n");
}

export function executionJson(plan: RestorePlan, report: ExecutionReport): object {
  return {
    ok: report.ok,
    phase: report.phase,
    replicaSet: plan.replicaSet,
    target: { mode: plan.target.mode, input: plan.target.input, oplogLimit: plan.oplogLimit },
    seconds: report.seconds,
    steps: report.steps,
    ...(report.failedStep !== undefined ? { failedStep: report.failedStep } : {}),
    ...(report.problems.length > 0 ? { problems: report.problems } : {}),
    message: report.message,
    ...(report.next ? { next: report.next } : {}),
  };
}

/**
 * The users found in the restored data, for the report. From a directory dump they are set aside,
 * not restored (`setAside`: backup/mongosh/dump-authz.js): the target keeps its own users. From an
 * archive (schemaVersion 1) mongorestore restores them, and the reconcile Job drops those the
 * project does not manage when it next runs (docs/security.md, "After a restore").
 */
export function restoredUsersText(users: FoundUser[], setAside = false): string {
  const lines = [
    setAside
      ? `Users in the restored data (${users.length}), set aside and NOT restored (the target keeps its own users and roles; accessControl.externalUsers must exist on the target):`
      : `Users in the restored data (${users.length}):`,
  ];
  for (const u of [...users].sort((a, b) => `${a.db}.${a.user}`.localeCompare(`${b.db}.${b.user}`)))
    lines.push(`  ${u.user}@${u.db}  roles: ${u.roles.length ? u.roles.map((r) => `${r.role}@${r.db}`).join(", ") : "(none)"}`);
  lines.push("Run the reconcile Job now: it resets the managed users' roles and passwords and drops every user and role it does not manage (docs/runbooks/restore.md).");
  return lines.join("\n");
}

export const restoredUsersJson = (users: FoundUser[]) => users.map((u) => ({ user: u.user, db: u.db, roles: u.roles }));

// --- Sharded clusters: every replica set to the same target (cluster-plan.ts). ---

const roleText = (role: ReplicaSetRole) => (role === "configsvr" ? "config servers" : "shard");

export function clusterWindowsJson(cluster: ClusterWindows, catalogs: ReplicaSetCatalog[]): object {
  const entriesOf = (rs: string) => catalogs.find((c) => c.replicaSet === rs)?.entries ?? [];
  return {
    replicaSets: cluster.replicaSets.map((r) => ({ ...windowsJson(r.replicaSet, entriesOf(r.replicaSet), r.windows), role: r.role })),
    windows: cluster.common.map(windowJson),
  };
}

export function clusterWindowsText(cluster: ClusterWindows, catalogs: ReplicaSetCatalog[]): string {
  const entriesOf = (rs: string) => catalogs.find((c) => c.replicaSet === rs)?.entries ?? [];
  const lines = [`Cluster: ${cluster.replicaSets.length} replica set(s), ${cluster.replicaSets.map((r) => `${r.replicaSet} (${roleText(r.role)})`).join(", ")}`, ""];
  for (const r of cluster.replicaSets) lines.push(windowsText(r.replicaSet, entriesOf(r.replicaSet), r.windows), "");
  if (cluster.common.length === 0) {
    lines.push("No cluster-wide restore window: no point is reached by every replica set (their windows do not overlap).");
    return lines.join("\n");
  }
  lines.push("Cluster-wide restore windows (every replica set reaches these: --to any point inside one):");
  for (const w of cluster.common) lines.push(`  ${describeTs(w.from)}  ..  ${describeTs(w.to)}`);
  return lines.join("\n");
}

export function clusterPlanJson(plan: ClusterRestorePlan, verification?: Map<string, ArtifactProblem[]>): object {
  return {
    target: { mode: plan.target.mode, input: plan.target.input, lastIncluded: tsJson(plan.target.lastIncluded), oplogLimit: formatTs(plan.target.limit) },
    oplogLimit: plan.oplogLimit,
    window: windowJson(plan.window),
    replicaSets: plan.replicaSets.map((r) => ({ replicaSet: r.replicaSet, role: r.role, plan: planJson(r.plan, verification?.get(r.replicaSet)) })),
  };
}

export function clusterPlanText(plan: ClusterRestorePlan): string {
  const lines = [
    `Cluster-wide restore plan: ${plan.replicaSets.length} replica set(s), every one to the same point`,
    `  target:  ${describeTarget(plan.target)}`,
    `  window:  ${describeTs(plan.window.from)} .. ${describeTs(plan.window.to)} (reached by every replica set)`,
    `  order:   ${plan.replicaSets.map((r) => `${r.replicaSet} (${roleText(r.role)})`).join(", then ")}`,
    `  Check that this is every shard of the cluster (db.adminCommand({ listShards: 1 }) through mongos), plus the config servers.`,
  ];
  plan.replicaSets.forEach((r, k) => lines.push("", `[${k + 1}/${plan.replicaSets.length}] ${planText(r.plan)}`));
  return lines.join("\n");
}

/** How one replica set's part of a cluster-wide run ended. */
export interface ReplicaSetRun {
  replicaSet: string;
  role: ReplicaSetRole;
  status: "done" | "failed" | "not run" | "skipped";
  plan: RestorePlan;
  report?: ExecutionReport;
}

export function clusterExecutionJson(plan: ClusterRestorePlan, runs: ReplicaSetRun[], outcome: { ok: boolean; message: string; next?: string }): object {
  return {
    ok: outcome.ok,
    target: { mode: plan.target.mode, input: plan.target.input, oplogLimit: plan.oplogLimit },
    oplogLimit: plan.oplogLimit,
    replicaSets: runs.map((r) => ({ replicaSet: r.replicaSet, role: r.role, status: r.status, ...(r.report ? { report: executionJson(r.plan, r.report) } : {}) })),
    message: outcome.message,
    ...(outcome.next ? { next: outcome.next } : {}),
  };
}
