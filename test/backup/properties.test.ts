// Property-style tests over generated catalogs (seeded: a failing seed replays).

import vm from "node:vm";
import type { CatalogEntry } from "../../backup/manifest";
import { MergeOplogStep, mongorestoreStep } from "../../backup/restore/planner";
import { restoreWindows } from "../../backup/restore/chain";
import { PlanOptions, planRestore } from "../../backup/restore/planner";
import { RestoreTarget } from "../../backup/restore/target";
import { embeddablePruner } from "../../backup/retention/embeddable-pruner";
import { prune, RetentionDecision } from "../../backup/retention/pruner";
import { compareTs, formatTs, Timestamp, tsAfter, tsEquals } from "../../backup/timestamp";
import { generateCatalog, interestingPoints, oracleBase, prng } from "./catalog-generator";

const CATALOGS = 150;
const options: PlanOptions = { catalogDir: "/c", configFile: "/cfg.yaml", workDir: "/tmp/work", drop: false, numParallelCollections: 4, numInsertionWorkersPerCollection: 1 };

function toTarget(point: Timestamp): RestoreTarget | undefined {
  const limit = tsAfter(point);
  return limit && { mode: "to", input: formatTs(point), lastIncluded: point, limit };
}

/** Plain assertions: this runs for thousands of targets, and expect() is slow at that scale. */
function check(ok: boolean, where: string, what: string): void {
  if (!ok) throw new Error(`${where}: ${what}`);
}

function checkPlan(entries: CatalogEntry[], point: Timestamp, seed: number): "planned" | "refused" {
  const target = toTarget(point);
  if (!target) return "refused";
  const result = planRestore(entries, target, options);
  const expectedBase = oracleBase(entries, point);
  const where = `seed ${seed}, target ${formatTs(point)}`;
  if (!expectedBase) {
    if (result.ok) throw new Error(`${where}: planned a target no chain reaches (base ${result.plan.base})`);
    check(/the catalog (reaches|has no full dump)/.test(result.error), where, `the refusal names no range: ${result.error}`);
    return "refused";
  }
  if (!result.ok) throw new Error(`${where}: refused a reachable target: ${result.error}`);
  const plan = result.plan;
  const byManifest = new Map(entries.map((e) => [e.manifestPath, e]));
  const base = byManifest.get(plan.artifacts[0].manifestPath) as CatalogEntry;
  const slices = plan.artifacts.slice(1).map((s) => byManifest.get(s.manifestPath) as CatalogEntry);
  check(plan.base === `${base.manifestPath.split("/")[0]}/${base.file}`, where, "base names the first artifact");
  check(plan.slices.join() === plan.artifacts.slice(1).map((s) => s.file).join(), where, "slices name the later artifacts");
  // The newest dump that ends at or before the target and reaches it.
  check(base.kind === "full", where, "the base is a full dump");
  check(compareTs(base.lastTs, point) <= 0, where, "the base ends at or before the target");
  check(tsEquals(base.lastTs, expectedBase.lastTs), where, `the base is not the newest dump reaching the target (${formatTs(expectedBase.lastTs)})`);
  // Slices chained without a gap from the dump to the one covering the target.
  let covered = base.lastTs;
  slices.forEach((s, k) => {
    check(s.kind === "oplog", where, "the slices are slices");
    const prev = (s as { prevTs: Timestamp }).prevTs;
    if (k === 0) check(compareTs(prev, covered) <= 0 && compareTs(covered, s.lastTs) < 0, where, "the first slice joins the dump");
    else check(tsEquals(prev, covered), where, `slice ${k + 1} does not continue slice ${k}`);
    covered = s.lastTs;
  });
  check(compareTs(covered, point) >= 0, where, "the last slice covers the target");
  if (slices.length > 0) check(compareTs((slices[slices.length - 1] as { prevTs: Timestamp }).prevTs, point) < 0, where, "no slice is replayed past the one covering the target");
  // The limit is just past the target: above it, and at or below any later operation.
  const limit = target.limit;
  check(plan.oplogLimit === formatTs(limit), where, "oplogLimit is the target's limit");
  check(compareTs(limit, point) > 0, where, "oplogLimit is after the target");
  for (const e of entries) for (const ts of [e.firstTs, e.lastTs]) if (compareTs(ts, point) > 0) check(compareTs(limit, ts) <= 0, where, `oplogLimit skips past the operation ${formatTs(ts)}`);
  // Unpack, merge (every slice, trimmed after the base and before the limit), then ONE mongorestore with the limit.
  check(plan.steps.map((s) => s.kind).join() === "unpack,merge-oplog,mongorestore", where, "unpack, merge, one mongorestore");
  const merge = plan.steps[1] as MergeOplogStep;
  check(merge.slices.length === slices.length && tsEquals(merge.after, base.lastTs) && tsEquals(merge.limit, limit), where, "the merge reads every slice, after the base's lastTs, before the limit");
  check(mongorestoreStep(plan).argv.includes(`--oplogLimit=${plan.oplogLimit}`), where, "the mongorestore call carries the limit");
  return "planned";
}

describe("properties over generated catalogs", () => {
  it("every target inside a window gets a contiguous plan, and every target outside is refused", () => {
    let planned = 0;
    let refused = 0;
    for (let seed = 1; seed <= CATALOGS; seed++) {
      const entries = generateCatalog(seed);
      const windows = restoreWindows(entries);
      for (const point of interestingPoints(entries, seed)) {
        const inWindow = windows.some((w) => compareTs(w.from, point) <= 0 && compareTs(point, w.to) <= 0);
        const outcome = checkPlan(entries, point, seed);
        check(outcome === (inWindow ? "planned" : "refused"), `seed ${seed}, target ${formatTs(point)}`, `${outcome}, but the windows say ${inWindow ? "inside" : "outside"}`);
        if (outcome === "planned") planned++;
        else refused++;
      }
    }
    // The generator must exercise both sides.
    expect(planned).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });

  it("windows are sorted, disjoint, separated by real gaps, and bounded by dumps and slices", () => {
    for (let seed = 1; seed <= CATALOGS; seed++) {
      const entries = generateCatalog(seed);
      const windows = restoreWindows(entries);
      windows.forEach((w, k) => {
        expect(compareTs(w.from, w.to)).toBeLessThanOrEqual(0);
        expect(entries.some((e) => e.kind === "full" && tsEquals(e.lastTs, w.from))).toBe(true);
        expect(entries.some((e) => tsEquals(e.lastTs, w.to))).toBe(true);
        if (k > 0) expect(compareTs(tsAfter(windows[k - 1].to) as Timestamp, w.from)).toBeLessThan(0);
      });
    }
  });

  it("pruning never breaks a plan inside the kept window, and the embedded pruner agrees", () => {
    const embedded: (m: unknown, now: string, p: unknown) => RetentionDecision<CatalogEntry> = vm.runInNewContext(`${embeddablePruner()}\nprune;`, {});
    let deletedSomething = 0;
    for (let seed = 1; seed <= CATALOGS; seed++) {
      const entries = generateCatalog(seed);
      const rand = prng(seed * 7919);
      const policy = { daily: 1 + Math.floor(rand() * 3), weekly: Math.floor(rand() * 3) };
      const now = new Date((Math.max(...entries.map((e) => e.lastTs.t)) + 3600) * 1000).toISOString();
      const decision = prune(entries, now, policy);
      const fromPod = embedded(entries, now, policy);
      expect(fromPod.keep.map((k) => k.manifest.manifestPath)).toEqual(decision.keep.map((k) => k.manifest.manifestPath));
      expect(fromPod.delete.map((k) => [k.manifest.manifestPath, k.reason])).toEqual(decision.delete.map((k) => [k.manifest.manifestPath, k.reason]));

      const kept = decision.keep.map((k) => k.manifest);
      expect(kept.length + decision.delete.length).toBe(entries.length);
      if (decision.delete.length > 0) deletedSomething++;
      const keptDumps = kept.filter((e) => e.kind === "full");
      if (keptDumps.length === 0) {
        expect(decision.delete).toEqual([]);
        continue;
      }
      // The newest dump is always kept, so the newest restore points survive.
      const newest = entries.filter((e) => e.kind === "full").sort((a, b) => compareTs(b.lastTs, a.lastTs))[0];
      expect(kept).toContain(newest);
      const windowStart = keptDumps.map((d) => d.lastTs).sort(compareTs)[0];
      for (const point of interestingPoints(entries, seed)) {
        if (compareTs(point, windowStart) < 0) continue;
        const before = oracleBase(entries, point) !== undefined;
        if (!before) continue;
        const target = toTarget(point) as RestoreTarget;
        const after = planRestore(kept, target, options);
        if (!after.ok) throw new Error(`seed ${seed}, policy ${JSON.stringify(policy)}: ${formatTs(point)} was plannable before pruning, not after: ${after.error}`);
        checkPlan(kept, point, seed);
      }
    }
    expect(deletedSomething).toBeGreaterThan(CATALOGS / 4);
  });
});
