// Random catalogs for property tests, from a seeded PRNG so a failure replays: chains of slices,
// full dumps at slice boundaries, inside slices and right before a chain, dumps no slice
// continues, dead-end branches, gaps, many operations in one second, and ordinals near the 32-bit limit.

import type { CatalogEntry } from "../../backup/manifest";
import { compareTs, Timestamp, tsAfter, tsBefore, UINT32_MAX } from "../../backup/timestamp";
import { seededRandom } from "../../migrations/seed-data";
import { fullDump, oplogSlice } from "./fixtures";

/** Deterministic pseudo-random numbers for generated catalogs. */
export const prng = seededRandom;

export function generateCatalog(seed: number): CatalogEntry[] {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  let cur: Timestamp = { t: 1714500000 + int(0, 86400), i: int(1, 3) };
  // The next oplog position: often in the same second, sometimes at the edge of the ordinal.
  const advance = (): Timestamp => {
    const r = rand();
    if (r < 0.25 && cur.i < UINT32_MAX - 10) cur = { t: cur.t, i: cur.i + int(1, 3) };
    else if (r < 0.3 && cur.i < UINT32_MAX - 1) cur = { t: cur.t, i: UINT32_MAX - int(0, 1) };
    else cur = { t: cur.t + int(1, 3) * int(600, 8 * 3600), i: int(1, 4) };
    return cur;
  };
  const entries: CatalogEntry[] = [];
  const segments = int(1, 4);
  for (let seg = 0; seg < segments; seg++) {
    const start = advance();
    let prev = start;
    // The first dump: at the chain's start, or inside the chain's first slice.
    const dumpInside = rand() < 0.4;
    if (!dumpInside) entries.push(fullDump(start));
    const slices = int(0, 8);
    for (let k = 0; k < slices; k++) {
      const middle = advance();
      const end = rand() < 0.5 ? advance() : middle;
      entries.push(oplogSlice(prev, end, { firstTs: tsAfter(prev) }));
      // A dead-end branch: another slice from the same prevTs that stops earlier (a re-run job).
      if (compareTs(middle, end) < 0 && rand() < 0.15) entries.push(oplogSlice(prev, middle, { firstTs: tsAfter(prev), dir: "oplog-rerun" }));
      if (k === 0 && dumpInside) entries.push(fullDump(middle));
      else if (rand() < 0.25) entries.push(fullDump(rand() < 0.5 ? middle : end)); // more dumps along the chain
      prev = end;
    }
    if (slices === 0 && dumpInside) entries.push(fullDump(start));
    if (rand() < 0.15) entries.push(fullDump(advance())); // a dump no slice continues (yet)
    advance(); // a gap before the next chain
  }
  return entries.filter((e, k) => entries.findIndex((o) => o.manifestPath === e.manifestPath) === k);
}

/**
 * Points worth targeting: every timestamp the catalog names and its neighbours, a few random
 * points in between, and the extremes.
 */
export function interestingPoints(entries: CatalogEntry[], seed: number): Timestamp[] {
  const rand = prng(seed);
  const named = entries.flatMap((e) => [e.firstTs, e.lastTs, ...(e.kind === "oplog" ? [e.prevTs] : [])]);
  const points = named.flatMap((p) => [p, tsAfter(p), tsBefore(p)]).filter((p): p is Timestamp => p !== undefined);
  const sorted = [...named].sort(compareTs);
  const lo = sorted[0].t - 10;
  const hi = sorted[sorted.length - 1].t + 10;
  for (let k = 0; k < 10; k++) points.push({ t: lo + Math.floor(rand() * (hi - lo)), i: Math.floor(rand() * 5) });
  points.push({ t: 0, i: 1 }, { t: UINT32_MAX - 1, i: 0 });
  const unique = new Map(points.map((p) => [`${p.t}:${p.i}`, p]));
  return [...unique.values()];
}

/**
 * Brute-force reachability, independent of backup/restore/chain.ts: from each dump, walk every
 * chain of slices (join: prevTs <= dump.lastTs < lastTs; continue: prevTs == lastTs) and collect
 * the covered ranges. The newest dump that reaches the point, or undefined.
 */
export function oracleBase(entries: CatalogEntry[], point: Timestamp): CatalogEntry | undefined {
  const dumps = entries.filter((e) => e.kind === "full").sort((a, b) => compareTs(b.lastTs, a.lastTs));
  const slices = entries.filter((e): e is Extract<CatalogEntry, { kind: "oplog" }> => e.kind === "oplog");
  for (const d of dumps) {
    if (compareTs(point, d.lastTs) < 0) continue;
    if (compareTs(point, d.lastTs) === 0) return d;
    const seen = new Set<CatalogEntry>();
    let frontier = slices.filter((s) => compareTs(s.prevTs, d.lastTs) <= 0 && compareTs(d.lastTs, s.lastTs) < 0);
    while (frontier.length > 0) {
      const next: typeof slices = [];
      for (const s of frontier) {
        if (seen.has(s)) continue;
        seen.add(s);
        if (compareTs(point, s.lastTs) <= 0) return d;
        next.push(...slices.filter((n) => compareTs(n.prevTs, s.lastTs) === 0));
      }
      frontier = next;
    }
  }
  return undefined;
}
