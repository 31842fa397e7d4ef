import type { CatalogEntry } from "../../backup/manifest";
import { restoreWindows } from "../../backup/restore/chain";
import { PlanOptions, planRestore, RestorePlan } from "../../backup/restore/planner";
import { parseTarget, TargetMode } from "../../backup/restore/target";
import { formatTs, UINT32_MAX } from "../../backup/timestamp";
import { fullDump, oplogSlice, paths, sliceChain, ts } from "./fixtures";

const T0 = 1714528800; // 2024-05-01T02:00:00Z
const options: PlanOptions = {
  catalogDir: "/catalog",
  configFile: "/run/restore/mongorestore.yaml",
  emptyDir: "/tmp/restore/empty",
  drop: false,
  numParallelCollections: 4,
  numInsertionWorkersPerCollection: 2,
};

// D1 at T0+12:4, slices T0+12:4 → +300:1 → +600:2 → +900:3; D2 at T0+450:2 joins the second slice.
const d1 = fullDump(ts(T0 + 12, 4));
const [s1, s2, s3] = sliceChain(ts(T0 + 12, 4), [ts(T0 + 300, 1), ts(T0 + 600, 2), ts(T0 + 900, 3)]);
const d2 = fullDump(ts(T0 + 450, 2));
const catalog = [s3, d2, s1, d1, s2]; // order must not matter

function plan(entries: CatalogEntry[], mode: TargetMode, input: string, opts: Partial<PlanOptions> = {}): RestorePlan {
  const target = parseTarget(mode, input);
  if (!target.ok) throw new Error(target.error);
  const result = planRestore(entries, target.target, { ...options, ...opts });
  if (!result.ok) throw new Error(result.error);
  return result.plan;
}
function refusal(entries: CatalogEntry[], mode: TargetMode, input: string): string {
  const target = parseTarget(mode, input);
  if (!target.ok) throw new Error(target.error);
  const result = planRestore(entries, target.target, options);
  if (result.ok) throw new Error(`${input} was planned: ${JSON.stringify(result.plan.steps.map((s) => s.file))}`);
  return result.error;
}
const files = (p: RestorePlan) => [p.base, ...p.slices];

describe("restore planner", () => {
  it("restores a target exactly at a dump's lastTs from that dump alone", () => {
    const p = plan(catalog, "to", `${T0 + 12}:4`);
    expect(p.base).toBe(`full/${T0 + 12}-4.archive.gz`);
    expect(p.slices).toEqual([]);
    expect(p.oplogLimit).toBe(`${T0 + 12}:5`);
    expect(p.steps).toHaveLength(1);
  });

  it("does not restore from a dump whose lastTs is the excluded --before point", () => {
    expect(refusal(catalog, "before", `${T0 + 12}:4`)).toMatch(/is before the oldest restore point/);
    expect(plan(catalog, "before", `${T0 + 450}:2`).base).toBe(d1.file.replace(/^/, "full/"));
  });

  it("stops at the slice whose lastTs is the target, and takes the next one a step later", () => {
    expect(paths(plan(catalog, "to", `${T0 + 300}:1`).steps)).toEqual([d1.manifestPath, s1.manifestPath]);
    expect(paths(plan(catalog, "to", `${T0 + 300}:2`).steps)).toEqual([d1.manifestPath, s1.manifestPath, s2.manifestPath]);
  });

  it("picks the newest dump that ends at or before the target", () => {
    expect(plan(catalog, "to", `${T0 + 450}:1`).base).toBe(`full/${T0 + 12}-4.archive.gz`);
    const atD2 = plan(catalog, "to", `${T0 + 450}:2`);
    expect(atD2.base).toBe(`full/${T0 + 450}-2.archive.gz`);
    expect(atD2.slices).toEqual([]);
    expect(files(plan(catalog, "to", `${T0 + 450}:3`))).toEqual([`full/${T0 + 450}-2.archive.gz`, `oplog/${T0 + 300}-1_${T0 + 600}-2.bson.gz`]);
  });

  it("includes every operation of an ISO second only when the catalog holds the whole second", () => {
    const iso = new Date((T0 + 600) * 1000).toISOString().replace(".000Z", "Z");
    const p = plan(catalog, "to", iso);
    expect(p.oplogLimit).toBe(`${T0 + 601}:0`);
    expect(paths(p.steps)).toEqual([d2.manifestPath, s2.manifestPath, s3.manifestPath]);
    // Several operations in that second: an ordinal inside it stops at the slice holding it.
    expect(plan(catalog, "to", `${T0 + 600}:1`).oplogLimit).toBe(`${T0 + 600}:2`);
    expect(paths(plan(catalog, "to", `${T0 + 600}:1`).steps)).toEqual([d2.manifestPath, s2.manifestPath]);
    // The newest slice ends at T0+900:3: the rest of that second is not saved yet.
    const lastSecond = new Date((T0 + 900) * 1000).toISOString().replace(".000Z", "Z");
    expect(refusal(catalog, "to", lastSecond)).toMatch(/after the newest saved oplog entry .*\(1714529700:3\)/);
    expect(refusal(catalog, "before", new Date((T0 + 901) * 1000).toISOString().replace(".000Z", "Z"))).toMatch(/after the newest saved oplog entry/);
    expect(plan(catalog, "before", lastSecond).oplogLimit).toBe(`${T0 + 900}:0`);
  });

  it("refuses a target after the newest slice, naming the reachable range", () => {
    expect(plan(catalog, "to", `${T0 + 900}:3`).slices).toHaveLength(2);
    const e = refusal(catalog, "to", `${T0 + 900}:4`);
    expect(e).toBe(
      `--to ${T0 + 900}:4 (up to and including 2024-05-01T02:15:00Z (${T0 + 900}:4)) is after the newest saved oplog entry 2024-05-01T02:15:00Z (${T0 + 900}:3) ` +
        `(a later slice may not be saved yet): the catalog reaches [2024-05-01T02:00:12Z (${T0 + 12}:4) .. 2024-05-01T02:15:00Z (${T0 + 900}:3)]`,
    );
  });

  it("refuses a target before the first dump", () => {
    expect(refusal(catalog, "to", `${T0 + 12}:3`)).toMatch(/is before the oldest restore point.*the catalog reaches \[/);
    expect(refusal(catalog, "to", "2024-05-01T02:00:11Z")).toMatch(/before the oldest restore point/);
  });

  describe("with a gap (the chain broke and a new full dump restarted it)", () => {
    const d3 = fullDump(ts(T0 + 2000, 1));
    const later = sliceChain(ts(T0 + 2000, 1), [ts(T0 + 2300, 1), ts(T0 + 2600, 1)]);
    const gapped = [...catalog, d3, ...later];

    it("has two windows", () => {
      expect(restoreWindows(gapped)).toEqual([
        { from: ts(T0 + 12, 4), to: ts(T0 + 900, 3) },
        { from: ts(T0 + 2000, 1), to: ts(T0 + 2600, 1) },
      ]);
    });

    it("refuses a target inside the gap, naming both windows", () => {
      const e = refusal(gapped, "to", `${T0 + 1500}:0`);
      expect(e).toMatch(new RegExp(`falls in a gap of the oplog chain, between .*\\(${T0 + 900}:3\\) and the next full dump's .*\\(${T0 + 2000}:1\\)`));
      expect(e).toMatch(new RegExp(`the catalog reaches \\[.*${T0 + 12}:4.*${T0 + 900}:3.*\\], \\[.*${T0 + 2000}:1.*${T0 + 2600}:1.*\\]$`));
    });

    it("plans on either side of it", () => {
      expect(plan(gapped, "to", `${T0 + 2400}:0`).steps.map((s) => s.manifestPath)).toEqual([d3.manifestPath, ...paths(later)]);
      expect(plan(gapped, "to", `${T0 + 900}:3`).base).toBe(`full/${d2.file}`);
    });
  });

  it("continues a dump with a slice that starts right after it (prevTs == dump.lastTs)", () => {
    const d = fullDump(ts(T0, 7));
    const s = oplogSlice(ts(T0, 7), ts(T0 + 60, 1));
    expect(paths(plan([d, s], "to", `${T0 + 30}:0`).steps)).toEqual([d.manifestPath, s.manifestPath]);
  });

  it("does not replay a slice that ends exactly at the dump's lastTs", () => {
    const d = fullDump(ts(T0 + 300, 1)); // == s1.lastTs
    expect(paths(plan([d1, s1, s2, d], "to", `${T0 + 400}:0`).steps)).toEqual([d.manifestPath, s2.manifestPath]);
  });

  it("writes the exact mongorestore argv: archive first, then one call per slice, no credentials", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`);
    expect(p.steps.map((s) => s.argv)).toEqual([
      [
        "mongorestore",
        "--config=/run/restore/mongorestore.yaml",
        `--archive=/catalog/full/${T0 + 450}-2.archive.gz`,
        "--gzip",
        "--oplogReplay",
        `--oplogLimit=${T0 + 700}:1`,
        "--stopOnError",
        "--numParallelCollections=4",
        "--numInsertionWorkersPerCollection=2",
      ],
      ...[s2, s3].map((s) => [
        "mongorestore",
        "--config=/run/restore/mongorestore.yaml",
        "--oplogReplay",
        `--oplogFile=/catalog/oplog/${s.file}`,
        "--gzip",
        `--oplogLimit=${T0 + 700}:1`,
        "--stopOnError",
        "--dir=/tmp/restore/empty",
      ]),
    ]);
    expect(p.steps.map((s) => [s.step, s.kind, s.bytes, s.sha256])).toEqual([
      [1, "full", d2.bytes, d2.sha256],
      [2, "oplog", s2.bytes, s2.sha256],
      [3, "oplog", s3.bytes, s3.sha256],
    ]);
    expect(p.steps.map((s) => formatTs(s.holdsThrough))).toEqual([`${T0 + 450}:2`, `${T0 + 600}:2`, `${T0 + 700}:0`]);
    expect(JSON.stringify(p)).not.toMatch(/password|--uri|--username/);
  });

  it("adds --drop to the base step only, and only when asked", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`, { drop: true, numParallelCollections: 8, mongorestore: "/opt/tools/mongorestore" });
    expect(p.steps[0].argv).toContain("--drop");
    expect(p.steps[0].argv).toContain("--numParallelCollections=8");
    expect(p.steps.every((s) => s.argv[0] === "/opt/tools/mongorestore")).toBe(true);
    expect(p.steps.slice(1).some((s) => s.argv.includes("--drop"))).toBe(false);
    expect(plan(catalog, "to", `${T0 + 700}:0`).steps[0].argv).not.toContain("--drop");
  });

  it("reads uncompressed artifacts without --gzip", () => {
    const d = { ...fullDump(ts(T0, 1)), format: "archive" as const };
    const s = { ...oplogSlice(ts(T0, 1), ts(T0 + 60, 1)), format: "bson" as const };
    expect(plan([d, s], "to", `${T0 + 60}:1`).steps.some((st) => st.argv.includes("--gzip"))).toBe(false);
  });

  it("carries the target's oplogLimit on every step, across the ordinal's 32-bit limit", () => {
    const p = plan(catalog, "to", `${T0 + 700}:${UINT32_MAX}`);
    expect(p.oplogLimit).toBe(`${T0 + 701}:0`);
    expect(p.steps.every((s) => s.argv.includes(`--oplogLimit=${T0 + 701}:0`))).toBe(true);
  });

  it("refuses a catalog without a full dump, or with two replica sets", () => {
    expect(refusal([s1, s2], "to", `${T0 + 300}:0`)).toMatch(/the catalog has no full dump/);
    expect(refusal([d1, s1, fullDump(ts(T0 + 100), { replicaSet: "shard1" })], "to", `${T0 + 100}:0`)).toMatch(/more than one replica set \(rs0, shard1\)/);
  });

  it("a dump no slice continues reaches its own lastTs only", () => {
    const lone = fullDump(ts(T0 + 5000, 2));
    expect(restoreWindows([...catalog, lone]).pop()).toEqual({ from: ts(T0 + 5000, 2), to: ts(T0 + 5000, 2) });
    expect(plan([...catalog, lone], "to", `${T0 + 5000}:2`).steps).toHaveLength(1);
    expect(refusal([...catalog, lone], "to", `${T0 + 5000}:3`)).toMatch(/after the newest saved oplog entry/);
  });

  it("merges windows that touch", () => {
    // A dump whose lastTs is the very next position after the chain's end continues it without a gap.
    const next = fullDump(ts(T0 + 900, 4));
    expect(restoreWindows([...catalog, next])).toEqual([{ from: ts(T0 + 12, 4), to: ts(T0 + 900, 4) }]);
  });
});

describe("every call stops on the first error; --preserveUUID needs --drop", () => {
  // mongorestore exits 0 over documents that failed to insert unless --stopOnError (mongo-tools
  // mongorestore/main/mongorestore.go exits non-zero on result.Err only).
  test("--stopOnError on the base call and on every slice call", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`);
    for (const step of p.steps) expect(step.argv).toContain("--stopOnError");
  });

  test("--preserveUUID goes on every call with --drop; without --drop the planner refuses, as mongorestore does", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`, { drop: true, preserveUUID: true });
    for (const step of p.steps) expect(step.argv).toEqual(expect.arrayContaining(["--drop", "--preserveUUID"]));
    expect(() => plan(catalog, "to", `${T0 + 700}:0`, { drop: false, preserveUUID: true })).toThrow("--preserveUUID needs --drop");
  });
});


describe("chains never cross replica sets (replicaSetId)", () => {
  const OLD = "65f1a2b3c4d5e6f708192a3b";
  const NEW = "6600000000000000000000aa";
  const withId = <E extends CatalogEntry>(e: E, replicaSetId: string): E => ({ ...e, replicaSetId });

  it("a slice of another replica set with the same name never continues a dump, however well the timestamps fit", () => {
    const dump = withId(d1, OLD);
    const foreign = [s1, s2, s3].map((s) => withId(s, NEW));
    expect(refusal([dump, ...foreign], "to", `${T0 + 400}:0`)).toMatch(/is after the newest saved oplog entry/);
    // The same slices recorded by the dump's own set: planned.
    expect(plan([dump, ...[s1, s2, s3].map((s) => withId(s, OLD))], "to", `${T0 + 400}:0`).slices).toHaveLength(2);
  });

  it("nor a slice another: the chain stops where the replica set changes", () => {
    const entries = [withId(d1, OLD), withId(s1, OLD), withId(s2, NEW), withId(s3, NEW)];
    expect(refusal(entries, "to", `${T0 + 400}:0`)).toMatch(new RegExp(`newest saved oplog entry .*${T0 + 300}`));
  });

  it("manifests of earlier releases (no replicaSetId) join as before", () => {
    expect(plan([withId(d1, OLD), s1, s2], "to", `${T0 + 400}:0`).slices).toHaveLength(2);
  });
});
