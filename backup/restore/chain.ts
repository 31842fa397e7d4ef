/* istanbul ignore file -- embedded as text by toString(): coverage counters would break the embedded copy */
// Chain semantics of a backup catalog: which restore points each full dump reaches through the
// oplog slices that continue it, and which slices carry it to a given point.
//
//   - Artifacts of two replica sets never join: when both record a replicaSetId, they must be equal
//     (a new set with the same name and storage prefix would otherwise continue an old chain by
//     timestamps alone). Manifests of earlier releases record none and join as before.
//   - A slice continues another when its prevTs equals the other's lastTs.
//   - A full dump joins the chain at a slice with prevTs <= dump.lastTs < lastTs: the first slice
//     that holds an entry newer than the dump. (The issue states prevTs < dump.lastTs <= lastTs.
//     Both reach the same points: when dump.lastTs equals a slice's lastTs, the next slice, whose
//     prevTs is that lastTs, continues the dump, and the slice that ends at the dump's lastTs adds
//     nothing to replay. Ours also accepts a chain the slicer starts right after a dump:
//     prevTs == dump.lastTs.)
//   - Only a confirmed full dump bases a chain (issue 10 item 5, ../majority.ts): a dump whose
//     manifest says majorityCommit "unconfirmed" may hold writes the set later rolled back, so it
//     reaches nothing until a confirmation record (`confirmed`) says the majority commit point
//     passed its lastTs in the same term. Manifests without the field predate the rule.
//   - A dump restores to its own lastTs and to every point up to the furthest lastTs its chain of
//     slices reaches: restore points are inclusive ("everything up to and including P").
//
// analyzeChain is embedded as text into the backup pod's mongosh script (via the pruner, see
// ../retention/embeddable-pruner.ts), so it is SELF-CONTAINED: no imports, no module-level
// helpers, no TypeScript-only runtime features; its helpers are nested inside it.

import { compareTs, Timestamp, tsAfter } from "../timestamp";

/** What the chain logic reads of a manifest. */
export interface ChainArtifact {
  kind: string;
  lastTs: Timestamp;
  prevTs?: Timestamp;
  createdAt?: string;
  replicaSetId?: string;
  /** Full dumps: "unconfirmed" until the set's majority commit point passed lastTs (../majority.ts). */
  majorityCommit?: string;
  /** Set by the catalog readers when a confirmation record (<name>.confirmed.json) matches the dump. */
  confirmed?: boolean;
}

export interface DumpReach<A> {
  dump: A;
  /** The dump's lastTs: the earliest point it restores to. */
  from: Timestamp;
  /** The furthest point its chain of slices reaches (its own lastTs when no slice continues it). */
  to: Timestamp;
}

export interface ChainAnalysis<A> {
  /** One per full dump, newest dump first. */
  reaches: DumpReach<A>[];
  /** The slices that carry `dump` to `point` (inclusive), in replay order; undefined when it cannot. */
  slicesTo(dump: A, point: Timestamp): A[] | undefined;
}

/** A range of restore points the catalog reaches without a gap, inclusive at both ends. */
export interface RestoreWindow {
  from: Timestamp;
  to: Timestamp;
}

export function analyzeChain<A extends ChainArtifact>(artifacts: A[]): ChainAnalysis<A> {
  // Oplog order (the same order as compareTs in ../timestamp.ts, repeated here: self-contained).
  function cmp(a: Timestamp, b: Timestamp): number {
    return a.t !== b.t ? a.t - b.t : a.i - b.i;
  }
  function key(ts: Timestamp): string {
    return ts.t + ":" + ts.i;
  }
  function created(a: A): number {
    const ms = a.createdAt ? Date.parse(a.createdAt) : NaN;
    return isNaN(ms) ? 0 : ms;
  }
  const slices = artifacts.filter((a) => a.kind === "oplog" && a.prevTs).slice();
  slices.sort((a, b) => cmp(a.lastTs, b.lastTs) || cmp(a.prevTs as Timestamp, b.prevTs as Timestamp));
  const byPrev = new Map<string, A[]>();
  for (const s of slices) {
    const k = key(s.prevTs as Timestamp);
    if (!byPrev.has(k)) byPrev.set(k, []);
    (byPrev.get(k) as A[]).push(s);
  }
  // A successor always ends later than its predecessor (it holds entries after prevTs), so walking
  // the slices from the newest down sees every successor's reach before its predecessor's.
  function sameSet(a: A, b: A): boolean {
    return !a.replicaSetId || !b.replicaSetId || a.replicaSetId === b.replicaSetId;
  }
  function successors(s: A): A[] {
    return (byPrev.get(key(s.lastTs)) || []).filter((n) => cmp(n.lastTs, s.lastTs) > 0 && sameSet(s, n));
  }
  const reachEnd = new Map<A, Timestamp>();
  for (let k = slices.length - 1; k >= 0; k--) {
    const s = slices[k];
    let end = s.lastTs;
    for (const n of successors(s)) {
      const e = reachEnd.get(n) as Timestamp;
      if (cmp(e, end) > 0) end = e;
    }
    reachEnd.set(s, end);
  }
  function joins(dump: A): A[] {
    return slices.filter((s) => cmp(s.prevTs as Timestamp, dump.lastTs) <= 0 && cmp(dump.lastTs, s.lastTs) < 0 && sameSet(dump, s));
  }
  const dumps = artifacts.filter((a) => a.kind === "full" && (a.majorityCommit !== "unconfirmed" || a.confirmed === true)).slice();
  dumps.sort((a, b) => cmp(b.lastTs, a.lastTs) || created(b) - created(a));
  const reaches = dumps.map((dump) => {
    let to = dump.lastTs;
    for (const s of joins(dump)) {
      const e = reachEnd.get(s) as Timestamp;
      if (cmp(e, to) > 0) to = e;
    }
    return { dump: dump, from: dump.lastTs, to: to };
  });
  function slicesTo(dump: A, point: Timestamp): A[] | undefined {
    if (cmp(point, dump.lastTs) < 0) return undefined;
    const path: A[] = [];
    let covered = dump.lastTs;
    let candidates = joins(dump);
    while (cmp(covered, point) < 0) {
      // Any candidate whose chain reaches the point will do; the first in oplog order keeps plans stable.
      const next = candidates.find((s) => cmp(reachEnd.get(s) as Timestamp, point) >= 0);
      if (!next) return undefined;
      path.push(next);
      covered = next.lastTs;
      candidates = successors(next);
    }
    return path;
  }
  return { reaches: reaches, slicesTo: slicesTo };
}

/**
 * The newest restore point the catalog reaches: the furthest `to` of any full dump's chain, or
 * null without a full dump. SELF-CONTAINED like analyzeChain (embedded into the pod's pruner
 * module, ../retention/embeddable-pruner.ts), which it takes as an argument.
 */
export function newestRestorable<A extends ChainArtifact>(artifacts: A[], analyze: (artifacts: A[]) => { reaches: { to: Timestamp }[] }): Timestamp | null {
  let best: Timestamp | null = null;
  for (const r of analyze(artifacts).reaches) if (!best || r.to.t > best.t || (r.to.t === best.t && r.to.i > best.i)) best = r.to;
  return best;
}

/** The restore windows of a catalog, oldest first: the dumps' reaches merged where they touch. */
export function restoreWindows(artifacts: ChainArtifact[]): RestoreWindow[] {
  return windowsOf(analyzeChain(artifacts).reaches);
}

export function windowsOf(reaches: DumpReach<unknown>[]): RestoreWindow[] {
  const sorted = reaches.slice().sort((a, b) => compareTs(a.from, b.from));
  const windows: RestoreWindow[] = [];
  for (const r of sorted) {
    const last = windows[windows.length - 1];
    const afterLast = last && tsAfter(last.to);
    if (last && (afterLast === undefined || compareTs(r.from, afterLast) <= 0)) {
      if (compareTs(r.to, last.to) > 0) last.to = r.to;
    } else {
      windows.push({ from: r.from, to: r.to });
    }
  }
  return windows;
}
