// Base dumps taken without the balancer window (pure). MongoDB requires the balancer stopped
// while a sharded cluster is backed up with mongodump
// (https://www.mongodb.com/docs/manual/tutorial/backup-sharded-cluster-with-database-dumps/):
// a chunk that moved during one shard's dump can be in both shards' dumps, or in neither. When
// the window cannot be opened the dumps still run (a dump is better than none), marked
// `unwindowed` in their manifests; a cluster restore refuses such a base unless told
// --allow-unwindowed (docs/runbooks/restore.md, Sharded cluster).

import type { LoadedReplicaSetCatalog } from "./catalog";
import type { ClusterRestorePlan } from "./cluster-plan";

export interface UnwindowedBase {
  replicaSet: string;
  manifestPath: string;
}

/** The plan's base dumps whose manifests say they were taken without the balancer window. */
export function unwindowedBases(plan: ClusterRestorePlan, catalogs: readonly LoadedReplicaSetCatalog[]): UnwindowedBase[] {
  return plan.replicaSets.flatMap((r) => {
    const base = r.plan.artifacts.find((s) => s.kind === "full");
    const entry = catalogs.find((c) => c.replicaSet === r.replicaSet)?.entries.find((e) => e.manifestPath === base?.manifestPath);
    return entry && entry.kind === "full" && entry.unwindowed === true ? [{ replicaSet: r.replicaSet, manifestPath: entry.manifestPath }] : [];
  });
}

/** What the CLI says when it refuses (or, with --allow-unwindowed, accepts) such bases. */
export function unwindowedMessage(bases: readonly UnwindowedBase[], allowed: boolean): string {
  const list = bases.map((b) => `${b.replicaSet}/${b.manifestPath}`).join(", ");
  return allowed
    ? `warning: --allow-unwindowed: restoring base dump(s) taken without the balancer window (${list}); chunks that moved during them may be missing or duplicated: check counts through mongos afterwards`
    : `refused: base dump(s) taken without the balancer window (${list}): a chunk that moved while they ran may be in two shards or in none. ` +
        "Pick a target whose bases were windowed (`restore windows --cluster`, then an earlier or later --to), or accept the risk with --allow-unwindowed";
}
