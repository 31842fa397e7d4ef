/* istanbul ignore file -- embedded as text by toString(): coverage counters would break the embedded copy */
// The retention pruner: which full dumps and slices to delete under a policy of N daily and M
// weekly full dumps, without ever breaking a restore point inside the window that remains.
//
//  1. Daily: walking the full dumps newest first, the newest dump of each UTC day (of its lastTs),
//     for the N newest days that have one.
//  2. Weekly: continuing the walk, the newest dump of each ISO week, for M more weeks; a week whose
//     newest dump is already kept as a daily does not count (borg's rule: "beyond the dailies").
//  3. Coverage: the window starts at the oldest kept dump's lastTs. Any other dump that reaches a
//     point in the window no kept dump reaches (a chain restarted after a gap) is kept too.
//  4. Slices: a slice that ends at or before the oldest kept dump's lastTs is deleted (every kept
//     dump joins its chain after it); every later slice is kept.
//  5. Unconfirmed full dumps (the set's majority commit point has not been seen past their lastTs,
//     ../majority.ts) base no chain, so they count for none of the above. One newer than every
//     confirmed dump is kept: it may still be confirmed, and deleting it would stop full dumps
//     exactly when a PSA set is degraded. One older than a confirmed dump is deleted: the commit
//     point passed the newer dump, so this one was rolled back or can no longer be proven.
// Nothing is deleted for a replica set with no full dump, and a manifest the pruner does not
// understand is kept. `nowIso` only dates the reasons ("2d 04h old"): the policy counts days and
// weeks that have dumps, so a backup that stopped running never ages its last dumps away.
//
// decideRetention is embedded as text into the backup pod's mongosh script (embeddable-pruner.ts),
// so it is SELF-CONTAINED: no imports, no module-level helpers, helpers nested inside; the chain
// logic comes in as the `analyze` argument (analyzeChain, itself self-contained).

import { analyzeChain, ChainAnalysis, ChainArtifact } from "../restore/chain";

export interface RetentionPolicy {
  /** Full dumps to keep: the newest of each of the N newest days that have one. */
  daily: number;
  /** ISO weeks beyond the dailies to keep the newest full dump of. */
  weekly: number;
}

/** What the pruner reads of a manifest (a catalog entry, or the parsed JSON in the pod). */
export interface PrunableManifest extends ChainArtifact {
  replicaSet?: string;
}

export interface RetentionItem<M> {
  manifest: M;
  reason: string;
}

/** Every input manifest lands in exactly one list, in input order. */
export interface RetentionDecision<M> {
  keep: RetentionItem<M>[];
  delete: RetentionItem<M>[];
}

export function prune<M extends PrunableManifest>(manifests: M[], nowIso: string, policy: RetentionPolicy): RetentionDecision<M> {
  return decideRetention(manifests, nowIso, policy, analyzeChain);
}

export function decideRetention<M extends PrunableManifest>(
  manifests: M[],
  nowIso: string,
  policy: RetentionPolicy,
  analyze: (artifacts: M[]) => ChainAnalysis<M>,
): RetentionDecision<M> {
  type Ts = { t: number; i: number };
  type Range = { from: Ts; to: Ts };
  const MAX_ORDINAL = 4294967295;
  function cmp(a: Ts, b: Ts): number {
    return a.t !== b.t ? a.t - b.t : a.i - b.i;
  }
  function isTs(x: unknown): boolean {
    const ts = x as Ts;
    return !!ts && typeof ts === "object" && Number.isInteger(ts.t) && Number.isInteger(ts.i) && ts.t >= 0 && ts.i >= 0 && ts.i <= MAX_ORDINAL;
  }
  function after(ts: Ts): Ts {
    return ts.i < MAX_ORDINAL ? { t: ts.t, i: ts.i + 1 } : { t: ts.t + 1, i: 0 };
  }
  function iso(ts: Ts): string {
    return new Date(ts.t * 1000).toISOString().replace(".000Z", "Z");
  }
  function show(ts: Ts): string {
    return iso(ts) + " (" + ts.t + ":" + ts.i + ")";
  }
  function utcDay(ts: Ts): string {
    return iso(ts).slice(0, 10);
  }
  function isoWeek(ts: Ts): string {
    // The ISO week's year is the year of its Thursday.
    const d = new Date(Date.UTC(1970, 0, 1 + Math.floor(ts.t / 86400)));
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3);
    const year = d.getUTCFullYear();
    const firstThursday = new Date(Date.UTC(year, 0, 4));
    firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
    const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * 86400000));
    return year + "-W" + (week < 10 ? "0" : "") + week;
  }
  function age(ts: Ts): string {
    const hours = Math.floor((now - ts.t * 1000) / 3600000);
    if (hours < 0) return "from the future by " + -hours + "h: check the clock";
    return Math.floor(hours / 24) + "d " + (hours % 24 < 10 ? "0" : "") + (hours % 24) + "h old";
  }
  function covers(ranges: Range[], from: Ts, to: Ts): boolean {
    let cur = from;
    for (const r of ranges) {
      if (cmp(r.from, cur) > 0) return false;
      if (cmp(r.to, cur) >= 0) {
        if (cmp(r.to, to) >= 0) return true;
        cur = after(r.to);
      }
    }
    return false;
  }

  if (!Array.isArray(manifests)) throw new Error("prune: manifests must be an array");
  if (!policy || !Number.isInteger(policy.daily) || policy.daily < 1 || !Number.isInteger(policy.weekly) || policy.weekly < 0) {
    throw new Error("prune: the policy must be {daily: an integer >= 1, weekly: an integer >= 0}, got " + JSON.stringify(policy));
  }
  const now = Date.parse(nowIso);
  if (isNaN(now)) throw new Error("prune: nowIso must be an ISO 8601 time, got " + JSON.stringify(nowIso));

  const decisions = new Map<M, { keep: boolean; reason: string }>();
  const groups = new Map<string, M[]>();
  for (const m of manifests) {
    const understood = !!m && isTs(m.lastTs) && (m.kind === "full" || (m.kind === "oplog" && isTs(m.prevTs)));
    if (!understood) {
      decisions.set(m, { keep: true, reason: "not a manifest the pruner understands (kind, lastTs or prevTs): kept, never deleted blindly" });
      continue;
    }
    const rs = String(m.replicaSet);
    if (!groups.has(rs)) groups.set(rs, []);
    (groups.get(rs) as M[]).push(m);
  }

  for (const group of groups.values()) {
    const chain = analyze(group);
    const reachOf = new Map<M, Range>();
    for (const r of chain.reaches) reachOf.set(r.dump, { from: r.from, to: r.to });
    const newestFirst = chain.reaches.map((r) => r.dump);
    const kept = new Map<M, string>();

    let lastDay = "";
    let dailies = 0;
    for (const d of newestFirst) {
      if (dailies >= policy.daily) break;
      const day = utcDay(d.lastTs);
      if (day === lastDay) continue;
      lastDay = day;
      dailies++;
      kept.set(d, "daily " + dailies + "/" + policy.daily + ": the newest full dump of " + day + " (" + age(d.lastTs) + ")");
    }
    let lastWeek = "";
    let weeklies = 0;
    for (const d of newestFirst) {
      if (weeklies >= policy.weekly) break;
      const week = isoWeek(d.lastTs);
      if (week === lastWeek) continue;
      lastWeek = week;
      if (kept.has(d)) continue;
      weeklies++;
      kept.set(d, "weekly " + weeklies + "/" + policy.weekly + ": the newest full dump of ISO week " + week + " (" + age(d.lastTs) + ")");
    }

    // Coverage, oldest first, until nothing changes (keeping a dump may widen the window).
    const oldestFirst = newestFirst.slice().reverse();
    let added = kept.size > 0;
    while (added) {
      added = false;
      const ranges = oldestFirst.filter((d) => kept.has(d)).map((d) => reachOf.get(d) as Range);
      ranges.sort((a, b) => cmp(a.from, b.from));
      const windowStart = ranges[0].from;
      for (const d of oldestFirst) {
        if (kept.has(d)) continue;
        const r = reachOf.get(d) as Range;
        const from = cmp(r.from, windowStart) < 0 ? windowStart : r.from;
        if (cmp(r.to, from) < 0 || covers(ranges, from, r.to)) continue;
        kept.set(d, "no other kept full dump reaches the restore points " + show(from) + " .. " + show(r.to) + " (" + age(d.lastTs) + ")");
        added = true;
        break;
      }
    }

    let windowStart: Ts | undefined;
    for (const d of kept.keys()) if (!windowStart || cmp(d.lastTs, windowStart) < 0) windowStart = d.lastTs;
    let newestBase: Ts | undefined;
    for (const d of newestFirst) if (!newestBase || cmp(d.lastTs, newestBase) > 0) newestBase = d.lastTs;
    for (const m of group) {
      if (m.kind === "full" && !reachOf.has(m)) {
        // Not a chain base (analyze leaves unconfirmed dumps out): rule 5.
        if (!newestBase || cmp(m.lastTs, newestBase) > 0) {
          decisions.set(m, { keep: true, reason: "unconfirmed (the majority commit point has not been seen past its lastTs) and newer than every confirmed full dump: kept until it is confirmed or superseded (" + age(m.lastTs) + ")" });
        } else {
          decisions.set(m, { keep: false, reason: "unconfirmed, and the confirmed full dump ending " + show(newestBase) + " is newer: its end was rolled back or can no longer be proven; it bases no chain (" + age(m.lastTs) + ")" });
        }
      } else if (m.kind === "full") {
        const reason = kept.get(m);
        if (reason !== undefined) decisions.set(m, { keep: true, reason: reason });
        else {
          const r = reachOf.get(m) as Range;
          const beyond = "beyond the policy (" + policy.daily + " daily, " + policy.weekly + " weekly; " + age(m.lastTs) + ")";
          let why = "; every restore point it reaches stays reachable from a kept full dump";
          if (windowStart && cmp(r.to, windowStart) < 0) why = "; it reaches only points before the restore window";
          else if (windowStart && cmp(r.from, windowStart) < 0) {
            why = "; the points it reaches before the window's start " + show(windowStart) + " are given up, the later ones stay reachable from a kept full dump";
          }
          decisions.set(m, { keep: false, reason: beyond + why });
        }
      } else if (!windowStart) {
        decisions.set(m, { keep: true, reason: "no full dump of this replica set in the catalog: nothing is deleted" });
      } else if (cmp(m.lastTs, windowStart) <= 0) {
        decisions.set(m, { keep: false, reason: "ends at or before the oldest kept full dump's lastTs " + show(windowStart) + ": no kept dump replays it" });
      } else {
        decisions.set(m, { keep: true, reason: "inside the restore window, which starts at the oldest kept full dump's lastTs " + show(windowStart) });
      }
    }
  }

  const result: RetentionDecision<M> = { keep: [], delete: [] };
  for (const m of manifests) {
    const d = decisions.get(m) as { keep: boolean; reason: string };
    (d.keep ? result.keep : result.delete).push({ manifest: m, reason: d.reason });
  }
  return result;
}
