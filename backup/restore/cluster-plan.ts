// The cluster-wide restore plan (pure). A sharded cluster is backed up replica set by replica set
// (every shard and the config servers, each with a catalog of its own: mongodump --oplog has no
// effect through mongos), so a restore must bring EVERY replica set to the SAME target: one plan
// per replica set from the existing planner, all with the same --oplogLimit. Oplog timestamps are
// cluster time (a hybrid logical clock every member gossips), so one limit is one moment on every
// set. A target that any one replica set cannot reach is refused as a whole: restoring the others
// alone would give a cluster whose shards and config servers disagree about what happened.
//
// Every replica set is restored with --preserveUUID (and the --drop it needs), whatever the
// caller asked: since 5.0 config.chunks (and config.collections) name collections by UUID, so a
// shard whose collections come back with new UUIDs no longer matches the routing table the
// config servers restore. mongorestore keeps UUIDs by creating collections through applyOps
// (mongorestore/metadata.go CreateCollection → createCollectionWithApplyOps when the dump gives a UUID), which mongos does not serve:
// each replica set is restored directly, against its own primary (cluster-command.ts refuses a
// connection to a mongos).

import type { CatalogEntry } from "../manifest";
import { compareTs, describeTs } from "../timestamp";
import { CONFIG_SERVER_REPLSET } from "../../config/hosts";
import { restoreWindows, RestoreWindow } from "./chain";
import { formatWindows, PlanOptions, planRestore, RestorePlan, unreachableReason } from "./planner";
import { RestoreTarget } from "./target";

/** One replica set's catalog: its manifests, as loaded from `<root>/<replicaSet>/`. */
export interface ReplicaSetCatalog {
  replicaSet: string;
  entries: CatalogEntry[];
}

export type ReplicaSetRole = "configsvr" | "shard";

export interface ReplicaSetWindows {
  replicaSet: string;
  role: ReplicaSetRole;
  windows: RestoreWindow[];
}

export interface ClusterWindows {
  /** Every replica set's own windows, in restore order (config servers first). */
  replicaSets: ReplicaSetWindows[];
  /** The points every replica set reaches (the intersection): what a cluster-wide restore can reach. */
  common: RestoreWindow[];
}

export interface ClusterPlanOptions {
  /** The config server replica set's name; default `cfg` (stacks/naming.ts). */
  configServers?: string;
  /** The planner options of one replica set: its catalog directory, its connection's config file. */
  planOptions(replicaSet: string): PlanOptions;
}

export interface ReplicaSetPlan {
  replicaSet: string;
  role: ReplicaSetRole;
  plan: RestorePlan;
}

export interface ClusterRestorePlan {
  target: RestoreTarget;
  /** The one --oplogLimit of every replica set's plan, canonical "<seconds>:<ordinal>". */
  oplogLimit: string;
  /** The window of points every replica set reaches that holds the target. */
  window: RestoreWindow;
  /** In restore order: the config servers first, then the shards by name. */
  replicaSets: ReplicaSetPlan[];
}

export interface UnreachableReplicaSet {
  replicaSet: string;
  role: ReplicaSetRole;
  /** Why, as the rest of a sentence about the target (planner.ts unreachableReason). */
  reason: string;
  windows: RestoreWindow[];
}

export type ClusterPlanResult =
  | { ok: true; plan: ClusterRestorePlan }
  /** The catalogs cannot describe a cluster (no config servers, a replica set twice, ...). */
  | { ok: false; kind: "catalog"; error: string }
  /** Some replica sets do not reach the target: they are named, with the range every set reaches. */
  | { ok: false; kind: "unreachable"; error: string; unreachable: UnreachableReplicaSet[]; common: RestoreWindow[] };

const configServersOf = (options: Pick<ClusterPlanOptions, "configServers">) => options.configServers ?? CONFIG_SERVER_REPLSET.name;

/** Why these catalogs are not one sharded cluster's, or undefined when they are. */
export function clusterCatalogProblem(catalogs: ReplicaSetCatalog[], configServers: string = CONFIG_SERVER_REPLSET.name): string | undefined {
  const names = catalogs.map((c) => c.replicaSet);
  const twice = names.filter((n, k) => names.indexOf(n) !== k);
  if (twice.length > 0) return `replica set ${[...new Set(twice)].join(", ")} has more than one catalog: give each replica set one`;
  for (const c of catalogs) {
    const strangers = [...new Set(c.entries.filter((e) => e.replicaSet !== c.replicaSet).map((e) => e.replicaSet))];
    if (strangers.length > 0) return `the catalog of replica set ${c.replicaSet} holds manifests of ${strangers.join(", ")}: each catalog holds its own replica set's manifests only`;
  }
  if (!names.includes(configServers)) {
    return `no catalog of the config server replica set ${configServers} (found: ${names.join(", ") || "none"}): the config servers hold the cluster's metadata (which shard owns which chunk) and are restored with the shards, to the same target`;
  }
  if (names.length === 1) return `only the config servers' catalog (${configServers}): no shard to restore`;
  return undefined;
}

/** The config servers first, then the shards in natural name order (rs2 before rs10). */
export function restoreOrder<C extends { replicaSet: string }>(catalogs: C[], configServers: string = CONFIG_SERVER_REPLSET.name): C[] {
  const byName = (a: C, b: C) => a.replicaSet.localeCompare(b.replicaSet, "en", { numeric: true });
  return [...catalogs.filter((c) => c.replicaSet === configServers), ...catalogs.filter((c) => c.replicaSet !== configServers).sort(byName)];
}

/** Every replica set's windows and their intersection, the range a cluster-wide restore can reach. */
export function clusterWindows(catalogs: ReplicaSetCatalog[], options: Pick<ClusterPlanOptions, "configServers"> = {}): ClusterWindows {
  const configServers = configServersOf(options);
  const replicaSets = restoreOrder(catalogs, configServers).map(
    (c): ReplicaSetWindows => ({ replicaSet: c.replicaSet, role: c.replicaSet === configServers ? "configsvr" : "shard", windows: restoreWindows(c.entries) }),
  );
  return { replicaSets, common: intersectWindows(replicaSets.map((r) => r.windows)) };
}

/**
 * The points inside a window of every list. Each list is sorted and disjoint, as restoreWindows
 * gives them; so is the result. No list at all reaches nothing (there is no cluster to restore).
 */
export function intersectWindows(lists: RestoreWindow[][]): RestoreWindow[] {
  if (lists.length === 0) return [];
  return lists.slice(1).reduce((acc, list) => intersectTwo(acc, list), lists[0]);
}

function intersectTwo(a: RestoreWindow[], b: RestoreWindow[]): RestoreWindow[] {
  const out: RestoreWindow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = compareTs(a[i].from, b[j].from) >= 0 ? a[i].from : b[j].from;
    const to = compareTs(a[i].to, b[j].to) <= 0 ? a[i].to : b[j].to;
    if (compareTs(from, to) <= 0) out.push({ from, to });
    // The window that ends first can meet nothing further in the other list.
    if (compareTs(a[i].to, b[j].to) <= 0) i++;
    else j++;
  }
  return out;
}

/**
 * Plans every replica set to the same target, or refuses: with the catalog's problem, or naming
 * each replica set that does not reach the target and the range every replica set does reach.
 */
export function planClusterRestore(catalogs: ReplicaSetCatalog[], target: RestoreTarget, options: ClusterPlanOptions): ClusterPlanResult {
  const configServers = configServersOf(options);
  const problem = clusterCatalogProblem(catalogs, configServers);
  if (problem) return { ok: false, kind: "catalog", error: problem };

  const role = (rs: string): ReplicaSetRole => (rs === configServers ? "configsvr" : "shard");
  const planned: ReplicaSetPlan[] = [];
  const unreachable: UnreachableReplicaSet[] = [];
  for (const c of restoreOrder(catalogs, configServers)) {
    const result = planRestore(c.entries, target, { ...options.planOptions(c.replicaSet), drop: true, preserveUUID: true });
    if (result.ok) planned.push({ replicaSet: c.replicaSet, role: role(c.replicaSet), plan: result.plan });
    else unreachable.push({ replicaSet: c.replicaSet, role: role(c.replicaSet), reason: unreachableReason(target.lastIncluded, result.windows), windows: result.windows });
  }
  if (unreachable.length > 0) {
    // The refused sets' windows came with their refusals; only the others are worked out again.
    const windowsOf = (c: ReplicaSetCatalog) => unreachable.find((u) => u.replicaSet === c.replicaSet)?.windows ?? restoreWindows(c.entries);
    const common = intersectWindows(catalogs.map(windowsOf));
    return { ok: false, kind: "unreachable", error: clusterUnreachableMessage(target, catalogs.length, unreachable, common), unreachable, common };
  }
  // Each plan's window is its replica set's window that holds the target; where they all overlap
  // is the piece of the intersection that holds it (cheaper than intersecting every window).
  const window = planned.map((p) => p.plan.window).reduce((a, b) => ({ from: compareTs(a.from, b.from) >= 0 ? a.from : b.from, to: compareTs(a.to, b.to) <= 0 ? a.to : b.to }));
  return { ok: true, plan: { target, oplogLimit: planned[0].plan.oplogLimit, window, replicaSets: planned } };
}

/** The refusal: the target, each replica set that cannot reach it and why, and what every set reaches. */
export function clusterUnreachableMessage(target: RestoreTarget, replicaSets: number, unreachable: UnreachableReplicaSet[], common: RestoreWindow[]): string {
  const n = unreachable.length;
  const lines = [
    `--${target.mode} ${target.input} (up to and including ${describeTs(target.lastIncluded)}) cannot be restored cluster-wide: ${n} of ${replicaSets} replica set(s) ${n === 1 ? "does" : "do"} not reach it, ` +
      `and every replica set must be restored to the same point (${unreachable.map((u) => u.replicaSet).join(", ")})`,
    ...unreachable.map((u) => `  ${u.replicaSet}${u.role === "configsvr" ? " (config servers)" : ""}: ${u.reason}`),
    common.length === 0
      ? "No point is reached by every replica set: their restore windows do not overlap, so no cluster-wide restore is possible from these catalogs."
      : `A cluster-wide restore can reach (the points every replica set reaches): ${formatWindows(common)}`,
  ];
  return lines.join("\n");
}
