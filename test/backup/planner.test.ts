import type { CatalogEntry } from "../../backup/manifest";
import { restoreWindows } from "../../backup/restore/chain";
import { MergeOplogStep, mongorestoreStep, PlanOptions, planRestore, RestorePlan, UnpackStep } from "../../backup/restore/planner";
import { mongorestoreRefusal } from "../support/mongorestore-rules";
import { parseTarget, TargetMode } from "../../backup/restore/target";
import { UINT32_MAX } from "../../backup/timestamp";
import { fullDump, oplogSlice, paths, sliceChain, ts } from "./fixtures";

const T0 = 1714528800; // 2024-05-01T02:00:00Z
const options: PlanOptions = {
  catalogDir: "/catalog",
  configFile: "/run/restore/mongorestore.yaml",
  workDir: "/tmp/restore/work",
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
function refusal(entries: CatalogEntry[], mode: TargetMode, input: string, opts: Partial<PlanOptions> = {}): string {
  const target = parseTarget(mode, input);
  if (!target.ok) throw new Error(target.error);
  const result = planRestore(entries, target.target, { ...options, ...opts });
  if (result.ok) throw new Error(`${input} was planned: ${JSON.stringify(result.plan.artifacts.map((s) => s.file))}`);
  return result.error;
}
const files = (p: RestorePlan) => [p.base, ...p.slices];
/** The manifests the plan reads, base first (what used to be one call each). */
const read = (p: RestorePlan) => paths(p.artifacts);
const mongorestores = (p: RestorePlan) => p.steps.filter((s) => s.kind === "mongorestore");

describe("restore planner", () => {
  it("restores a target exactly at a dump's lastTs from that dump alone", () => {
    const p = plan(catalog, "to", `${T0 + 12}:4`);
    expect(p.base).toBe(`full/${T0 + 12}-4.dump.tar`);
    expect(p.slices).toEqual([]);
    expect(p.oplogLimit).toBe(`${T0 + 12}:5`);
    expect(p.steps.map((s) => s.kind)).toEqual(["unpack", "merge-oplog", "mongorestore"]);
  });

  it("does not restore from a dump whose lastTs is the excluded --before point", () => {
    expect(refusal(catalog, "before", `${T0 + 12}:4`)).toMatch(/is before the oldest restore point/);
    expect(plan(catalog, "before", `${T0 + 450}:2`).base).toBe(d1.file.replace(/^/, "full/"));
  });

  it("stops at the slice whose lastTs is the target, and takes the next one a step later", () => {
    expect(read(plan(catalog, "to", `${T0 + 300}:1`))).toEqual([d1.manifestPath, s1.manifestPath]);
    expect(read(plan(catalog, "to", `${T0 + 300}:2`))).toEqual([d1.manifestPath, s1.manifestPath, s2.manifestPath]);
  });

  it("picks the newest dump that ends at or before the target", () => {
    expect(plan(catalog, "to", `${T0 + 450}:1`).base).toBe(`full/${T0 + 12}-4.dump.tar`);
    const atD2 = plan(catalog, "to", `${T0 + 450}:2`);
    expect(atD2.base).toBe(`full/${T0 + 450}-2.dump.tar`);
    expect(atD2.slices).toEqual([]);
    expect(files(plan(catalog, "to", `${T0 + 450}:3`))).toEqual([`full/${T0 + 450}-2.dump.tar`, `oplog/${T0 + 300}-1_${T0 + 600}-2.bson.gz`]);
  });

  it("includes every operation of an ISO second only when the catalog holds the whole second", () => {
    const iso = new Date((T0 + 600) * 1000).toISOString().replace(".000Z", "Z");
    const p = plan(catalog, "to", iso);
    expect(p.oplogLimit).toBe(`${T0 + 601}:0`);
    expect(read(p)).toEqual([d2.manifestPath, s2.manifestPath, s3.manifestPath]);
    // Several operations in that second: an ordinal inside it stops at the slice holding it.
    expect(plan(catalog, "to", `${T0 + 600}:1`).oplogLimit).toBe(`${T0 + 600}:2`);
    expect(read(plan(catalog, "to", `${T0 + 600}:1`))).toEqual([d2.manifestPath, s2.manifestPath]);
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
      expect(read(plan(gapped, "to", `${T0 + 2400}:0`))).toEqual([d3.manifestPath, ...paths(later)]);
      expect(plan(gapped, "to", `${T0 + 900}:3`).base).toBe(`full/${d2.file}`);
    });
  });

  it("continues a dump with a slice that starts right after it (prevTs == dump.lastTs)", () => {
    const d = fullDump(ts(T0, 7));
    const s = oplogSlice(ts(T0, 7), ts(T0 + 60, 1));
    expect(read(plan([d, s], "to", `${T0 + 30}:0`))).toEqual([d.manifestPath, s.manifestPath]);
  });

  it("does not replay a slice that ends exactly at the dump's lastTs", () => {
    const d = fullDump(ts(T0 + 300, 1)); // == s1.lastTs
    expect(read(plan([d1, s1, s2, d], "to", `${T0 + 400}:0`))).toEqual([d.manifestPath, s2.manifestPath]);
  });

  it("writes the exact steps: unpack, merge and trim the oplog, then ONE mongorestore call, no credentials", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`);
    expect(p.steps).toEqual([
      {
        step: 1,
        kind: "unpack",
        file: `full/${d2.file}`,
        into: "/tmp/restore/work/base",
        argv: ["tar", "-x", "--no-same-owner", "-f", `/catalog/full/${d2.file}`, "-C", "/tmp/restore/work/base"],
        authzAside: { dumpDir: "/tmp/restore/work/base/dump", into: "/tmp/restore/work/users-and-roles" },
      },
      {
        step: 2,
        kind: "merge-oplog",
        base: { file: `full/${d2.file}:oplog.bson.gz`, path: "/tmp/restore/work/base/oplog.bson.gz", gzip: true },
        slices: [s2, s3].map((s) => ({ file: `oplog/${s.file}`, path: `/catalog/oplog/${s.file}`, gzip: true })),
        after: d2.lastTs,
        limit: ts(T0 + 700, 1),
        out: "/tmp/restore/work/replay-oplog.bson.gz",
        gzip: true,
      },
      {
        step: 3,
        kind: "mongorestore",
        holdsThrough: ts(T0 + 700, 0),
        argv: [
          "mongorestore",
          "--config=/run/restore/mongorestore.yaml",
          "--dir=/tmp/restore/work/base/dump",
          "--gzip",
          "--oplogReplay",
          "--oplogFile=/tmp/restore/work/replay-oplog.bson.gz",
          `--oplogLimit=${T0 + 700}:1`,
          "--stopOnError",
          "--numParallelCollections=4",
          "--numInsertionWorkersPerCollection=2",
        ],
      },
    ]);
    expect(p.artifacts.map((s) => [s.step, s.kind, s.bytes, s.sha256])).toEqual([
      [1, "full", d2.bytes, d2.sha256],
      [2, "oplog", s2.bytes, s2.sha256],
      [2, "oplog", s3.bytes, s3.sha256],
    ]);
    expect(JSON.stringify(p)).not.toMatch(/password|--uri|--username/);
  });

  it("has exactly one mongorestore step, the last, whatever the number of slices", () => {
    for (const target of [`${T0 + 12}:4`, `${T0 + 300}:2`, `${T0 + 450}:1`, `${T0 + 700}:0`, `${T0 + 900}:3`]) {
      const p = plan(catalog, "to", target);
      expect(mongorestores(p)).toHaveLength(1);
      expect(p.steps[p.steps.length - 1].kind).toBe("mongorestore");
      expect(mongorestoreStep(p).argv.filter((a) => a.startsWith("--oplogFile="))).toHaveLength(1);
    }
  });

  it("every planned mongorestore argv is one the real tool accepts: only its flags, never --oplogFile with --archive", () => {
    const legacy = fullDump(ts(T0 + 5000, 2), { legacy: true });
    for (const p of [plan(catalog, "to", `${T0 + 700}:0`, { drop: true, preserveUUID: true }), plan(catalog, "to", `${T0 + 12}:4`), plan([legacy], "to", `${T0 + 5000}:2`)]) {
      const argv = mongorestoreStep(p).argv;
      expect(mongorestoreRefusal(argv.slice(1))).toBeUndefined();
      expect(argv.some((a) => a.startsWith("--oplogFile=")) && argv.some((a) => a.startsWith("--archive"))).toBe(false);
    }
  });

  it("adds --drop only when asked", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`, { drop: true, numParallelCollections: 8, mongorestore: "/opt/tools/mongorestore" });
    expect(mongorestoreStep(p).argv).toContain("--drop");
    expect(mongorestoreStep(p).argv).toContain("--numParallelCollections=8");
    expect(mongorestoreStep(p).argv[0]).toBe("/opt/tools/mongorestore");
    expect(mongorestoreStep(plan(catalog, "to", `${T0 + 700}:0`)).argv).not.toContain("--drop");
  });

  it("reads an uncompressed slice without gunzip, and the merged oplog is always gzipped beside the gzipped dump", () => {
    const d = fullDump(ts(T0, 1));
    const s = { ...oplogSlice(ts(T0, 1), ts(T0 + 60, 1)), format: "bson" as const };
    const p = plan([d, s], "to", `${T0 + 60}:1`);
    const merge = p.steps[1] as MergeOplogStep;
    expect(merge.slices.map((x) => x.gzip)).toEqual([false]);
    expect(merge.gzip).toBe(true);
    expect(mongorestoreStep(p).argv).toContain("--gzip");
  });

  it("carries the target's exclusive limit into the merge and --oplogLimit, across the ordinal's 32-bit limit", () => {
    const p = plan(catalog, "to", `${T0 + 700}:${UINT32_MAX}`);
    expect(p.oplogLimit).toBe(`${T0 + 701}:0`);
    expect(mongorestoreStep(p).argv).toContain(`--oplogLimit=${T0 + 701}:0`);
    expect((p.steps[1] as MergeOplogStep).limit).toEqual(ts(T0 + 701, 0));
  });

  describe("schemaVersion 1 full dumps (archives of earlier releases)", () => {
    const old = fullDump(ts(T0 + 12, 4), { legacy: true });
    const oldCatalog = [old, s1, s2, s3];

    it("restore to a point their own oplog reaches in one --archive call (no --oplogFile)", () => {
      const p = plan(oldCatalog, "to", `${T0 + 12}:4`);
      expect(p.steps.map((s) => s.kind)).toEqual(["mongorestore"]);
      expect(mongorestoreStep(p).argv).toEqual(expect.arrayContaining([`--archive=/catalog/full/${old.file}`, "--gzip", "--oplogReplay", `--oplogLimit=${T0 + 12}:5`, "--stopOnError"]));
      expect(mongorestoreStep(p).argv.some((a) => a.startsWith("--oplogFile"))).toBe(false);
    });

    it("are refused with --drop (in place, every cluster restore): the archive's users cannot be set aside and would replace the temporary restore user (issue 12)", () => {
      expect(refusal(oldCatalog, "to", `${T0 + 12}:4`, { drop: true })).toMatch(/schemaVersion 1 format .*users and roles cannot be set aside.*temporary restore user.*without --drop into an empty replica set/);
      expect(refusal(oldCatalog, "to", `${T0 + 12}:4`, { drop: true, preserveUUID: true })).toMatch(/cannot be set aside/);
    });

    it("a directory dump's unpack step names where its users and roles go: out of the dump mongorestore reads", () => {
      const p = plan(catalog, "to", `${T0 + 700}:0`, { drop: true });
      expect((p.steps[0] as UnpackStep).authzAside).toEqual({ dumpDir: "/tmp/restore/work/base/dump", into: "/tmp/restore/work/users-and-roles" });
      expect(mongorestoreStep(p).argv).toContain("--dir=/tmp/restore/work/base/dump");
    });

    it("are refused with the reason when the target needs slices, never replayed in several calls", () => {
      expect(refusal(oldCatalog, "to", `${T0 + 400}:0`)).toMatch(/needs oplog slices after the full dump full\/.*\.archive\.gz, which is in the schemaVersion 1 format .*cannot use --oplogFile with --archive specified.*run the full-dump job now/);
    });

    it("a newer schemaVersion 2 dump in the same chain serves the points after it", () => {
      const mixed = [old, s1, s2, s3, d2];
      expect(plan(mixed, "to", `${T0 + 700}:0`).base).toBe(`full/${d2.file}`);
      expect(refusal(mixed, "to", `${T0 + 300}:1`)).toMatch(/schemaVersion 1/);
    });
  });

  it("refuses a catalog without a full dump, or with two replica sets", () => {
    expect(refusal([s1, s2], "to", `${T0 + 300}:0`)).toMatch(/the catalog has no full dump/);
    expect(refusal([d1, s1, fullDump(ts(T0 + 100), { replicaSet: "shard1" })], "to", `${T0 + 100}:0`)).toMatch(/more than one replica set \(rs0, shard1\)/);
  });

  it("a dump no slice continues reaches its own lastTs only", () => {
    const lone = fullDump(ts(T0 + 5000, 2));
    expect(restoreWindows([...catalog, lone]).pop()).toEqual({ from: ts(T0 + 5000, 2), to: ts(T0 + 5000, 2) });
    expect(plan([...catalog, lone], "to", `${T0 + 5000}:2`).slices).toHaveLength(0);
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
  test("--stopOnError on the call", () => {
    expect(mongorestoreStep(plan(catalog, "to", `${T0 + 700}:0`)).argv).toContain("--stopOnError");
  });

  test("--preserveUUID goes on the call with --drop; without --drop the planner refuses, as mongorestore does", () => {
    const p = plan(catalog, "to", `${T0 + 700}:0`, { drop: true, preserveUUID: true });
    expect(mongorestoreStep(p).argv).toEqual(expect.arrayContaining(["--drop", "--preserveUUID"]));
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
