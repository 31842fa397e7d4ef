import type { CatalogEntry } from "../../backup/manifest";
import { mongorestoreStep } from "../../backup/restore/planner";
import { clusterCatalogProblem, ClusterPlanResult, clusterWindows, intersectWindows, planClusterRestore, ReplicaSetCatalog, restoreOrder } from "../../backup/restore/cluster-plan";
import { PlanOptions } from "../../backup/restore/planner";
import { parseTarget, TargetMode } from "../../backup/restore/target";
import { fullDump, sliceChain, ts } from "./fixtures";

const T0 = 1714528800; // 2024-05-01T02:00:00Z
const of = (replicaSet: string, entries: CatalogEntry[]): ReplicaSetCatalog => ({ replicaSet, entries: entries.map((e) => ({ ...e, replicaSet })) });

// cfg reaches [+10:1 .. +900:1]; rs0 [+12:4 .. +1200:2]; rs1 [+5:1 .. +300:3] and, after a broken
// chain, [+700:1 .. +1000:1]. Every set reaches [+12:4 .. +300:3] and [+700:1 .. +900:1].
const cfg = of("cfg", [fullDump(ts(T0 + 10, 1)), ...sliceChain(ts(T0 + 10, 1), [ts(T0 + 300, 1), ts(T0 + 600, 1), ts(T0 + 900, 1)])]);
const rs0 = of("rs0", [fullDump(ts(T0 + 12, 4)), ...sliceChain(ts(T0 + 12, 4), [ts(T0 + 300, 2), ts(T0 + 600, 2), ts(T0 + 1200, 2)])]);
const rs1 = of("rs1", [fullDump(ts(T0 + 5, 1)), ...sliceChain(ts(T0 + 5, 1), [ts(T0 + 300, 3)]), fullDump(ts(T0 + 700, 1)), ...sliceChain(ts(T0 + 700, 1), [ts(T0 + 1000, 1)])]);
const cluster = [rs1, cfg, rs0]; // order must not matter

const planOptions = (rs: string): PlanOptions => ({ catalogDir: `/catalog/${rs}`, configFile: `/run/${rs}.yaml`, workDir: "/tmp/work", drop: false, numParallelCollections: 4, numInsertionWorkersPerCollection: 2 });
const w = (from: [number, number], to: [number, number]) => ({ from: ts(T0 + from[0], from[1]), to: ts(T0 + to[0], to[1]) });

function plan(catalogs: ReplicaSetCatalog[], mode: TargetMode, input: string, configServers?: string): ClusterPlanResult {
  const target = parseTarget(mode, input);
  if (!target.ok) throw new Error(target.error);
  return planClusterRestore(catalogs, target.target, { planOptions, configServers });
}

describe("cluster windows", () => {
  it("lists each replica set's windows, config servers first, and the points every set reaches", () => {
    const windows = clusterWindows(cluster);
    expect(windows.replicaSets).toEqual([
      { replicaSet: "cfg", role: "configsvr", windows: [w([10, 1], [900, 1])] },
      { replicaSet: "rs0", role: "shard", windows: [w([12, 4], [1200, 2])] },
      { replicaSet: "rs1", role: "shard", windows: [w([5, 1], [300, 3]), w([700, 1], [1000, 1])] },
    ]);
    expect(windows.common).toEqual([w([12, 4], [300, 3]), w([700, 1], [900, 1])]);
  });

  it("intersects window lists exactly, touching ends included", () => {
    expect(intersectWindows([])).toEqual([]);
    expect(intersectWindows([[w([1, 0], [5, 0])]])).toEqual([w([1, 0], [5, 0])]);
    expect(intersectWindows([[w([1, 0], [5, 0])], [w([5, 0], [9, 0])]])).toEqual([w([5, 0], [5, 0])]);
    expect(intersectWindows([[w([1, 0], [5, 0])], [w([5, 1], [9, 0])]])).toEqual([]);
    expect(intersectWindows([[w([0, 0], [100, 0])], [w([1, 0], [2, 0]), w([10, 0], [20, 0]), w([90, 0], [200, 0])], [w([15, 0], [95, 0])]])).toEqual([w([15, 0], [20, 0]), w([90, 0], [95, 0])]);
  });

  it("restores the config servers first, then the shards in natural order", () => {
    const names = ["rs10", "rs2", "cfg", "rs1"].map((replicaSet) => ({ replicaSet }));
    expect(restoreOrder(names).map((c) => c.replicaSet)).toEqual(["cfg", "rs1", "rs2", "rs10"]);
    expect(restoreOrder(names, "rs2").map((c) => c.replicaSet)).toEqual(["rs2", "cfg", "rs1", "rs10"]);
  });
});

describe("cluster-wide restore plan", () => {
  it("plans every replica set to the same target, from its own catalog, with one oplogLimit", () => {
    const result = plan(cluster, "to", "2024-05-01T02:03:20Z");
    if (!result.ok) throw new Error(result.error);
    const p = result.plan;
    expect(p.oplogLimit).toBe(`${T0 + 201}:0`);
    expect(p.window).toEqual(w([12, 4], [300, 3]));
    expect(p.replicaSets.map((r) => [r.replicaSet, r.role, r.plan.replicaSet, r.plan.oplogLimit, r.plan.base])).toEqual([
      ["cfg", "configsvr", "cfg", `${T0 + 201}:0`, `full/${T0 + 10}-1.dump.tar`],
      ["rs0", "shard", "rs0", `${T0 + 201}:0`, `full/${T0 + 12}-4.dump.tar`],
      ["rs1", "shard", "rs1", `${T0 + 201}:0`, `full/${T0 + 5}-1.dump.tar`],
    ]);
    for (const r of p.replicaSets) {
      expect(r.plan.slices).toHaveLength(1);
      // One mongorestore per replica set, with its own connection; the artifacts are read from its own catalog.
      const calls = r.plan.steps.filter((s) => s.kind === "mongorestore");
      expect(calls).toHaveLength(1);
      expect(mongorestoreStep(r.plan).argv).toContain(`--config=/run/${r.replicaSet}.yaml`);
      expect(r.plan.steps[0].kind === "unpack" && r.plan.steps[0].argv.includes(`/catalog/${r.replicaSet}/full/${r.plan.base.slice("full/".length)}`)).toBe(true);
    }
  });

  it("plans a target in the second common window from rs1's second chain", () => {
    const result = plan(cluster, "before", `${T0 + 800}:0`);
    if (!result.ok) throw new Error(result.error);
    expect(result.plan.window).toEqual(w([700, 1], [900, 1]));
    expect(result.plan.replicaSets.find((r) => r.replicaSet === "rs1")?.plan.base).toBe(`full/${T0 + 700}-1.dump.tar`);
    expect(result.plan.oplogLimit).toBe(`${T0 + 800}:0`);
  });

  it("refuses a target one shard cannot reach, naming it and what a cluster-wide restore can reach", () => {
    const result = plan(cluster, "to", `${T0 + 500}:0`);
    if (result.ok || result.kind !== "unreachable") throw new Error(JSON.stringify(result));
    expect(result.unreachable.map((u) => u.replicaSet)).toEqual(["rs1"]);
    expect(result.error.split("\n")).toEqual([
      `--to ${T0 + 500}:0 (up to and including 2024-05-01T02:08:20Z (${T0 + 500}:0)) cannot be restored cluster-wide: 1 of 3 replica set(s) does not reach it, and every replica set must be restored to the same point (rs1)`,
      `  rs1: falls in a gap of the oplog chain, between 2024-05-01T02:05:00Z (${T0 + 300}:3) and the next full dump's 2024-05-01T02:11:40Z (${T0 + 700}:1): ` +
        `the catalog reaches [2024-05-01T02:00:05Z (${T0 + 5}:1) .. 2024-05-01T02:05:00Z (${T0 + 300}:3)], [2024-05-01T02:11:40Z (${T0 + 700}:1) .. 2024-05-01T02:16:40Z (${T0 + 1000}:1)]`,
      `A cluster-wide restore can reach (the points every replica set reaches): [2024-05-01T02:00:12Z (${T0 + 12}:4) .. 2024-05-01T02:05:00Z (${T0 + 300}:3)], ` +
        `[2024-05-01T02:11:40Z (${T0 + 700}:1) .. 2024-05-01T02:15:00Z (${T0 + 900}:1)]`,
    ]);
  });

  it("refuses a target the config servers cannot reach although every shard can", () => {
    const result = plan(cluster, "to", `${T0 + 950}:0`);
    if (result.ok || result.kind !== "unreachable") throw new Error(JSON.stringify(result));
    expect(result.unreachable.map((u) => [u.replicaSet, u.role])).toEqual([["cfg", "configsvr"]]);
    expect(result.error).toContain(`\n  cfg (config servers): is after the newest saved oplog entry 2024-05-01T02:15:00Z (${T0 + 900}:1)`);
  });

  it("names every replica set that misses the target, in restore order", () => {
    const result = plan(cluster, "to", `${T0 + 1100}:0`);
    if (result.ok || result.kind !== "unreachable") throw new Error(JSON.stringify(result));
    expect(result.unreachable.map((u) => u.replicaSet)).toEqual(["cfg", "rs1"]);
    expect(result.error).toMatch(/2 of 3 replica set\(s\) do not reach it, .*\(cfg, rs1\)/);
  });

  it("says so when no point is reached by every replica set", () => {
    const late = of("rs2", [fullDump(ts(T0 + 5000, 1))]);
    const result = plan([...cluster, late], "to", `${T0 + 5000}:1`);
    if (result.ok || result.kind !== "unreachable") throw new Error(JSON.stringify(result));
    expect(result.unreachable.map((u) => u.replicaSet)).toEqual(["cfg", "rs0", "rs1"]);
    expect(result.common).toEqual([]);
    expect(result.error).toMatch(/\nNo point is reached by every replica set: their restore windows do not overlap/);
  });

  it("refuses a replica set without a full dump with the reason", () => {
    const result = plan([cfg, rs0, of("rs1", sliceChain(ts(T0, 0), [ts(T0 + 400, 0)]))], "to", `${T0 + 100}:0`);
    if (result.ok || result.kind !== "unreachable") throw new Error(JSON.stringify(result));
    expect(result.error).toContain("  rs1: cannot be restored: the catalog has no full dump, so it reaches no restore point");
  });

  it.each([
    [[rs0, rs1], /no catalog of the config server replica set cfg \(found: rs0, rs1\): the config servers hold the cluster's metadata/],
    [[cfg], /only the config servers' catalog \(cfg\): no shard to restore/],
    [[cfg, rs0, rs0], /replica set rs0 has more than one catalog/],
    [[cfg, { replicaSet: "rs0", entries: [...rs0.entries, ...rs1.entries] }], /the catalog of replica set rs0 holds manifests of rs1/],
    [[], /no catalog of the config server replica set cfg \(found: none\)/],
  ])("refuses catalogs that are not one cluster's (%#)", (catalogs, message) => {
    expect(clusterCatalogProblem(catalogs)).toMatch(message);
    const result = plan(catalogs, "to", `${T0 + 100}:0`);
    expect(result).toMatchObject({ ok: false, kind: "catalog" });
    expect(!result.ok && result.error).toMatch(message);
  });

  it("takes another name for the config servers", () => {
    const config = of("configRS", cfg.entries);
    expect(plan([config, rs0, rs1], "to", `${T0 + 100}:0`)).toMatchObject({ ok: false, kind: "catalog" });
    const result = plan([rs0, config, rs1], "to", `${T0 + 100}:0`, "configRS");
    if (!result.ok) throw new Error(result.error);
    expect(result.plan.replicaSets.map((r) => [r.replicaSet, r.role])).toEqual([
      ["configRS", "configsvr"],
      ["rs0", "shard"],
      ["rs1", "shard"],
    ]);
  });
});
