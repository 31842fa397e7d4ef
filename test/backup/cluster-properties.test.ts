// Property-style tests of the cluster-wide planner over generated multi-replica-set catalogs
// (seeded: a failing seed replays). Reachability is judged by catalog-generator.ts's brute-force
// oracle, independent of chain.ts and cluster-plan.ts.

import { mongorestoreStep } from "../../backup/restore/planner";
import { clusterWindows, planClusterRestore, restoreOrder } from "../../backup/restore/cluster-plan";
import { PlanOptions, planRestore } from "../../backup/restore/planner";
import { RestoreTarget } from "../../backup/restore/target";
import { compareTs, formatTs, Timestamp, tsAfter, tsBefore, tsEquals } from "../../backup/timestamp";
import { oracleBase } from "./catalog-generator";
import { clusterPoints, generateCluster } from "./cluster-catalog-generator";

const CLUSTERS = 40;
const planOptions = (rs: string): PlanOptions => ({ catalogDir: `/c/${rs}`, configFile: `/cfg/${rs}.yaml`, workDir: "/tmp/work", drop: false, numParallelCollections: 4, numInsertionWorkersPerCollection: 1 });

function toTarget(point: Timestamp): RestoreTarget | undefined {
  const limit = tsAfter(point);
  return limit && { mode: "to", input: formatTs(point), lastIncluded: point, limit };
}

/** Plain assertions: this runs for thousands of targets, and expect() is slow at that scale. */
function check(ok: boolean, where: string, what: string): void {
  if (!ok) throw new Error(`${where}: ${what}`);
}

describe("cluster-wide planning over generated clusters", () => {
  it("every target inside the intersection gets a plan for every replica set with the same oplogLimit; every target outside is refused naming the sets that cannot reach it", () => {
    let planned = 0;
    let refused = 0;
    let refusedBySome = 0;
    let noCommonWindow = 0;
    for (let seed = 1; seed <= CLUSTERS; seed++) {
      const cluster = generateCluster(seed);
      const order = restoreOrder(cluster).map((c) => c.replicaSet);
      check(order[0] === "cfg", `seed ${seed}`, "the config servers come first");
      const { common } = clusterWindows(cluster);
      if (common.length === 0) noCommonWindow++;
      for (const point of clusterPoints(cluster, seed)) {
        const target = toTarget(point);
        if (!target) continue;
        const where = `seed ${seed}, target ${formatTs(point)}`;
        const missing = restoreOrder(cluster)
          .filter((c) => oracleBase(c.entries, point) === undefined)
          .map((c) => c.replicaSet);
        const inCommon = common.some((w) => compareTs(w.from, point) <= 0 && compareTs(point, w.to) <= 0);
        check(inCommon === (missing.length === 0), where, `the intersection says ${inCommon ? "inside" : "outside"}, but ${missing.length === 0 ? "every set reaches it" : `${missing.join(", ")} cannot`}`);

        const result = planClusterRestore(cluster, target, { planOptions });
        if (missing.length === 0) {
          if (!result.ok) throw new Error(`${where}: refused a target every replica set reaches: ${result.error}`);
          const plan = result.plan;
          check(plan.replicaSets.map((r) => r.replicaSet).join() === order.join(), where, "one plan per replica set, in restore order");
          check(plan.oplogLimit === formatTs(target.limit), where, "the cluster's oplogLimit is the target's");
          for (const r of plan.replicaSets) {
            check(r.plan.oplogLimit === plan.oplogLimit, where, `${r.replicaSet} has oplogLimit ${r.plan.oplogLimit}`);
            const call = mongorestoreStep(r.plan).argv;
            check(r.plan.steps.filter((s) => s.kind === "mongorestore").length === 1, where, `${r.replicaSet} has exactly one mongorestore step`);
            check(call.includes(`--oplogLimit=${plan.oplogLimit}`) && call.includes(`--config=/cfg/${r.replicaSet}.yaml`), where, `${r.replicaSet}'s call carries the limit and its own connection`);
            check(r.plan.artifacts.every((a) => r.plan.base === a.file || r.plan.slices.includes(a.file)) && (r.plan.steps[0].kind !== "unpack" || r.plan.steps[0].argv.some((a) => a.startsWith(`/c/${r.replicaSet}/`))), where, `${r.replicaSet}'s steps read its own catalog`);
            if (planned % 7 !== 0) continue; // a sample: planning twice over is the slow part
            const own = planRestore((cluster.find((c) => c.replicaSet === r.replicaSet) as (typeof cluster)[number]).entries, target, { ...planOptions(r.replicaSet), drop: true, preserveUUID: true });
            check(own.ok && JSON.stringify(own.plan) === JSON.stringify(r.plan), where, `${r.replicaSet}'s plan is the one-replica-set planner's with --drop --preserveUUID`);
          }
          check(compareTs(plan.window.from, point) <= 0 && compareTs(point, plan.window.to) <= 0 && common.some((w) => tsEquals(w.from, plan.window.from) && tsEquals(w.to, plan.window.to)), where, "the plan's window is the common window holding the target");
          planned++;
        } else {
          if (result.ok) throw new Error(`${where}: planned although ${missing.join(", ")} cannot reach it`);
          if (result.kind !== "unreachable") throw new Error(`${where}: refused as ${result.kind}: ${result.error}`);
          check(result.unreachable.map((u) => u.replicaSet).join() === missing.join(), where, `named ${result.unreachable.map((u) => u.replicaSet).join(", ")}, not ${missing.join(", ")}`);
          const lines = result.error.split("\n");
          for (const rs of order) check(lines.some((l) => l.startsWith(`  ${rs}`)) === missing.includes(rs), where, `the message ${missing.includes(rs) ? "omits" : "names"} ${rs}`);
          check(
            common.length === 0 ? /No point is reached by every replica set/.test(result.error) : result.error.includes(`A cluster-wide restore can reach (the points every replica set reaches): [`),
            where,
            `the refusal does not show the intersection: ${result.error}`,
          );
          refused++;
          if (missing.length < order.length) refusedBySome++;
        }
      }
    }
    // The generator must exercise every side: plans, refusals by some sets only, disjoint histories.
    expect(planned).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
    expect(refusedBySome).toBeGreaterThan(500);
    expect(noCommonWindow).toBeGreaterThan(0);
  });

  it("the intersection is exact: sorted, disjoint, every end reached by every set, the point just past an end missed by one", () => {
    let multiWindow = 0;
    for (let seed = 1; seed <= CLUSTERS; seed++) {
      const cluster = generateCluster(seed);
      const { common, replicaSets } = clusterWindows(cluster);
      check(replicaSets.map((r) => r.replicaSet).join() === restoreOrder(cluster).map((c) => c.replicaSet).join(), `seed ${seed}`, "windows in restore order");
      check(replicaSets.every((r) => r.role === (r.replicaSet === "cfg" ? "configsvr" : "shard")), `seed ${seed}`, "roles");
      if (common.length > 1) multiWindow++;
      const everyReaches = (p: Timestamp) => cluster.every((c) => oracleBase(c.entries, p) !== undefined);
      common.forEach((w, k) => {
        const where = `seed ${seed}, window ${formatTs(w.from)}..${formatTs(w.to)}`;
        check(compareTs(w.from, w.to) <= 0, where, "from <= to");
        if (k > 0) check(compareTs(tsAfter(common[k - 1].to) as Timestamp, w.from) < 0, where, "separated from the previous window by a point");
        check(everyReaches(w.from) && everyReaches(w.to), where, "an end some set cannot reach");
        const before = tsBefore(w.from);
        const after = tsAfter(w.to);
        if (before) check(!everyReaches(before), where, "the point before it is reached by every set: the window is too short");
        if (after) check(!everyReaches(after), where, "the point after it is reached by every set: the window is too short");
      });
    }
    expect(multiWindow).toBeGreaterThan(0);
  });
});
