// Random sharded-cluster catalogs for property tests (seeded, like catalog-generator.ts, whose
// catalogs it builds on): the config servers `cfg` and one to three shards. Most replica sets
// share one history, as when every set's jobs run on the same schedule, each moved by a few
// seconds (each set's slice ends at its own majority point), with artifacts missing here and
// there (a broken chain, a dump that failed, the newest slice not yet saved); now and then one set
// has a history of its own, so the sets' windows may not overlap at all.

import type { CatalogEntry } from "../../backup/manifest";
import type { ReplicaSetCatalog } from "../../backup/restore/cluster-plan";
import { Timestamp, UINT32_MAX } from "../../backup/timestamp";
import { generateCatalog, interestingPoints, prng } from "./catalog-generator";

export function generateCluster(seed: number): ReplicaSetCatalog[] {
  const rand = prng(seed * 104729 + 17);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const history = generateCatalog(seed);
  const names = ["cfg", ...Array.from({ length: int(1, 3) }, (_, k) => `rs${k}`)];
  return names.map((replicaSet, k) => {
    const own = rand() < 0.1;
    let entries = own ? generateCatalog(seed * 7 + k + 1000) : history;
    if (!own && rand() < 0.5) entries = shifted(entries, int(1, 90));
    const loss = rand() < 0.5 ? 0 : 0.12;
    entries = entries.filter(() => rand() >= loss);
    return { replicaSet, entries: entries.map((e) => ({ ...e, replicaSet })) };
  });
}

/** The same artifacts `seconds` later: a chain stays a chain (every timestamp moves alike). */
function shifted(entries: CatalogEntry[], seconds: number): CatalogEntry[] {
  const move = (ts: Timestamp): Timestamp => ({ t: Math.min(ts.t + seconds, UINT32_MAX - 1), i: ts.i });
  return entries.map((e) => (e.kind === "oplog" ? { ...e, firstTs: move(e.firstTs), lastTs: move(e.lastTs), prevTs: move(e.prevTs) } : { ...e, firstTs: move(e.firstTs), lastTs: move(e.lastTs) }));
}

/** Points worth targeting in any of the replica sets, without repeats. */
export function clusterPoints(cluster: ReplicaSetCatalog[], seed: number): Timestamp[] {
  const all = cluster.filter((c) => c.entries.length > 0).flatMap((c, k) => interestingPoints(c.entries, seed * 31 + k));
  return [...new Map(all.map((p) => [`${p.t}:${p.i}`, p])).values()];
}
