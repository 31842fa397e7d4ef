// The backup jobs' catalog decisions (backup/mongosh/catalog.js): where a slice starts, what
// verification restores, which calls a planned restore makes, what leftovers go. Cross-checked
// with the restore side (backup/restore): the planner's plans are accepted, and a simulation of
// the slice job over a shrinking oplog never leaves a gap it did not report.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CatalogEntry, Manifest } from "../../../backup/manifest";
import { analyzeChain, restoreWindows } from "../../../backup/restore/chain";
import { planRestore } from "../../../backup/restore/planner";
import { parseTarget } from "../../../backup/restore/target";

const catalog = require("../../../backup/mongosh/catalog.js");

type Ts = { t: number; i: number };
const ts = (text: string): Ts => {
  const [t, i] = text.split(":").map(Number);
  return { t, i };
};
const text = (x: Ts) => `${x.t}:${x.i}`;
const SHA = "a".repeat(64);

function full(first: string, last: string, extra: Partial<Manifest> = {}): CatalogEntry & { artifactPath: string } {
  const name = `full/${last.replace(":", "-")}`;
  return {
    schemaVersion: 2,
    kind: "full",
    format: "dir-tar+gzip",
    file: `${last.replace(":", "-")}.dump.tar`,
    bytes: 10,
    sha256: SHA,
    replicaSet: "rs0",
    firstTs: ts(first),
    lastTs: ts(last),
    createdAt: new Date(ts(last).t * 1000).toISOString(),
    manifestPath: `${name}.manifest.json`,
    artifactPath: `${name}.dump.tar`,
    ...extra,
  } as CatalogEntry & { artifactPath: string };
}

function slice(prev: string, last: string, extra: Partial<Manifest> = {}): CatalogEntry & { artifactPath: string } {
  const base = `${prev.replace(":", "-")}_${last.replace(":", "-")}`;
  const p = ts(prev);
  return {
    schemaVersion: 2,
    kind: "oplog",
    format: "bson+gzip",
    file: `${base}.bson.gz`,
    bytes: 5,
    sha256: SHA,
    replicaSet: "rs0",
    prevTs: p,
    firstTs: { t: p.t, i: p.i + 1 },
    lastTs: ts(last),
    createdAt: new Date(ts(last).t * 1000).toISOString(),
    manifestPath: `oplog/${base}.manifest.json`,
    artifactPath: `oplog/${base}.bson.gz`,
    ...extra,
  } as CatalogEntry & { artifactPath: string };
}

describe("where the next slice starts", () => {
  const chain = [full("900:1", "1000:5"), slice("900:1", "1200:1"), slice("1200:1", "1300:1")];

  it("no full dump yet: take one first (not a chain break)", () => {
    expect(catalog.sliceStart({ manifests: [], oldest: ts("1:1") })).toMatchObject({ action: "full", chainBreak: null });
    expect(catalog.sliceStart({ manifests: [slice("1:1", "2:1")], oldest: ts("1:1") })).toMatchObject({ action: "full", chainBreak: null });
  });

  it("continues the newest slice while the oplog still holds its end", () => {
    expect(catalog.sliceStart({ manifests: chain, oldest: ts("1300:1") })).toEqual({ action: "slice", from: ts("1300:1"), chainBreak: null });
  });

  it("is a chain break once the oplog's oldest entry is newer than the last slice's end", () => {
    const d = catalog.sliceStart({ manifests: chain, oldest: ts("1300:2") });
    expect(d.action).toBe("full");
    expect(d.chainBreak).toMatch(/oldest entry still in the oplog \(1300:2\) is newer than the end of the last saved slice oplog\/1200-1_1300-1\.bson\.gz \(1300:1\)/);
  });

  it("keeps an older chain going into a newer dump while it can", () => {
    const manifests = [...chain, full("1250:1", "1350:1")];
    expect(catalog.sliceStart({ manifests, oldest: ts("1100:1") })).toEqual({ action: "slice", from: ts("1300:1"), chainBreak: null });
  });

  it("starts a new chain inside a newer dump's window when the older chain is lost, and reports the loss", () => {
    const manifests = [...chain, full("1320:1", "1350:1")];
    const d = catalog.sliceStart({ manifests, oldest: ts("1310:1") });
    expect(d).toMatchObject({ action: "slice", from: ts("1320:1") });
    expect(d.chainBreak).toMatch(/a new chain starts at full\/1350-1\.dump\.tar/);
  });

  it("a first chain starts inside the dump's window, from the oldest entry when the window's start is gone", () => {
    expect(catalog.sliceStart({ manifests: [full("900:1", "1000:5")], oldest: ts("800:1") })).toEqual({ action: "slice", from: ts("900:1"), chainBreak: null });
    expect(catalog.sliceStart({ manifests: [full("900:1", "1000:5")], oldest: ts("950:1") })).toEqual({ action: "slice", from: ts("950:1"), chainBreak: null });
  });

  it("the oplog no longer reaches the newest dump's end: a new full dump", () => {
    const d = catalog.sliceStart({ manifests: [full("900:1", "1000:5")], oldest: ts("1000:5") });
    expect(d).toMatchObject({ action: "full" });
    expect(d.chainBreak).toMatch(/newest full dump/);
  });
});

describe("the slice plan", () => {
  const manifests = [full("900:1", "1000:5"), slice("900:1", "1200:1", { counts: { "nyrkio.a": 1 } }), slice("1200:1", "1300:1")];
  const plan = (majority: string, applied: string, every = 3600) =>
    catalog.slicePlan({ manifests, oldest: ts("1:1"), majority: ts(majority), applied: ts(applied), countsEverySeconds: every });

  it("ends at the majority commit point, never past what the source applied", () => {
    expect(plan("1400:2", "1500:1")).toMatchObject({ action: "slice", from: ts("1300:1"), to: ts("1400:2"), commitLagSeconds: 100 });
    expect(plan("1500:1", "1400:2")).toMatchObject({ to: ts("1400:2"), commitLagSeconds: 0 });
  });

  it("has nothing to do when nothing was committed after the last slice", () => {
    expect(plan("1300:1", "1300:1")).toMatchObject({ action: "none" });
    expect(plan("1299:9", "1500:1")).toMatchObject({ action: "none", commitLagSeconds: 201 });
  });

  it("measures commit lag against the newest write of the whole set: a stalled secondary is not on time", () => {
    // The chosen secondary stopped at 1300:1 (commit point and last write alike); the primary wrote on to 1500:1.
    const stalled = catalog.slicePlan({ manifests, oldest: ts("1:1"), majority: ts("1300:1"), applied: ts("1300:1"), setNewest: ts("1500:1"), countsEverySeconds: 3600 });
    expect(stalled).toMatchObject({ action: "none", commitLagSeconds: 200 });
    // The set's newest write is never behind the member's own.
    expect(catalog.slicePlan({ manifests, oldest: ts("1:1"), majority: ts("1400:2"), applied: ts("1500:1"), setNewest: ts("1450:1"), countsEverySeconds: 3600 }).commitLagSeconds).toBe(100);
  });

  it("a new replica set with the same name starts its own chain with a full dump, whatever the timestamps", () => {
    const old = manifests.map((m) => ({ ...m, replicaSetId: "65f1a2b3c4d5e6f708192a3b" }));
    const args = { oldest: ts("1:1"), majority: ts("1400:2"), applied: ts("1400:2"), setNewest: ts("1400:2"), countsEverySeconds: 3600 };
    expect(catalog.slicePlan({ manifests: old, ...args, replicaSetId: "6600000000000000000000aa" })).toMatchObject({ action: "full", chainBreak: null });
    expect(catalog.slicePlan({ manifests: old, ...args, replicaSetId: "65f1a2b3c4d5e6f708192a3b" })).toMatchObject({ action: "slice", from: ts("1300:1") });
  });

  it("refuses a malformed replicaSetId in a manifest", () => {
    expect(catalog.manifestProblems({ ...manifests[0], replicaSetId: "rs0" })).toContain('replicaSetId must be 24 lower-case hex digits (an ObjectId), got "rs0"');
  });

  it("takes counts again once the newest counted artifact is older than the cadence", () => {
    expect(plan("1400:2", "1400:2", 60).countsAfter).toBe(1260);
    expect(catalog.slicePlan({ manifests: [full("1:1", "2:1")], oldest: ts("1:1"), majority: ts("3:1"), applied: ts("3:1"), countsEverySeconds: 60 }).countsAfter).toBe(0);
  });
});

describe("what verification restores", () => {
  it("the newest dump, the slices that continue it, and the check after the newest counted artifact", () => {
    const manifests = [
      full("100:1", "200:1", { counts: { "nyrkio.a": 1 } }),
      full("900:1", "1000:5", { counts: { "nyrkio.a": 2 } }),
      slice("900:1", "1200:1", { counts: { "nyrkio.a": 3 } }),
      slice("1200:1", "1300:1"),
    ];
    const plan = catalog.verificationPlan(manifests, analyzeChain);
    expect(plan.full.artifactPath).toBe("full/1000-5.dump.tar");
    expect(plan.checkpoint.artifactPath).toBe("oplog/900-1_1200-1.bson.gz");
    expect(plan.gap).toBeNull();
    // One mongorestore up to the checkpoint (limit just after it); the slice after it is merged (tail), not applied.
    expect(catalog.stepLines(plan.steps)).toEqual([
      `step unpack full/1000-5.dump.tar ${SHA} 10 1200:2 full/1000-5.manifest.json dir-tar+gzip`,
      `step oplog oplog/900-1_1200-1.bson.gz ${SHA} 5 1200:2 oplog/900-1_1200-1.manifest.json bson+gzip`,
      `step check oplog/900-1_1200-1.bson.gz ${SHA} 5 - oplog/900-1_1200-1.manifest.json bson+gzip`,
      `step tail oplog/1200-1_1300-1.bson.gz ${SHA} 5 - oplog/1200-1_1300-1.manifest.json bson+gzip`,
    ]);
  });

  it("a schemaVersion 1 base (an archive) is checked on its own counts, its slices merged but never applied in a second call", () => {
    const old = full("900:1", "1000:5", { schemaVersion: 1, format: "archive+gzip", counts: { "nyrkio.a": 2 } });
    const plan = catalog.verificationPlan([old, slice("900:1", "1200:1", { counts: { "nyrkio.a": 3 } })], analyzeChain);
    expect(plan.steps.map((s: { op: string; limit: string | null }) => [s.op, s.limit])).toEqual([
      ["archive", "1000:6"],
      ["check", null],
      ["tail", null],
    ]);
    expect(() => catalog.verificationPlan([{ ...old, counts: undefined }, slice("900:1", "1200:1", { counts: {} })], analyzeChain)).toThrow(/schemaVersion 1 archive without recorded counts/);
  });

  it("joins a slice that starts exactly at the dump's end, as the planner does", () => {
    const manifests = [full("900:1", "1000:5", { counts: {} }), slice("900:1", "1000:5"), slice("1000:5", "1100:1")];
    expect(catalog.chainFrom(manifests[0], manifests, analyzeChain).map((m: { artifactPath: string }) => m.artifactPath)).toEqual(["oplog/1000-5_1100-1.bson.gz"]);
  });

  it("a forked chain (a manual run from the CronJob): verification follows the planner's path, no false gap", () => {
    // Two slices from 1200:1: a manual run saved up to 1250:1 and stopped; the CronJob's went on
    // to 1300:1 and continued. The first by filename ("1200-1_1250-1") leads nowhere.
    const manifests = [full("900:1", "1000:5", { counts: {} }), slice("900:1", "1200:1"), slice("1200:1", "1250:1"), slice("1200:1", "1300:1"), slice("1300:1", "1400:1")];
    const plan = catalog.verificationPlan(manifests, analyzeChain);
    expect(plan.gap).toBeNull();
    expect(plan.chain.map((m: { artifactPath: string }) => m.artifactPath)).toEqual(["oplog/900-1_1200-1.bson.gz", "oplog/1200-1_1300-1.bson.gz", "oplog/1300-1_1400-1.bson.gz"]);
  });

  it("reports a gap between the chain's end and the newest slice", () => {
    const manifests = [full("900:1", "1000:5", { counts: {} }), slice("900:1", "1200:1"), slice("1250:1", "1300:1")];
    expect(catalog.verificationPlan(manifests, analyzeChain).gap).toMatch(/ends at 1200:1 .* but oplog\/1250-1_1300-1\.bson\.gz ends at 1300:1/);
  });

  it("refuses when nothing in the chain recorded counts, or there is no dump", () => {
    expect(() => catalog.verificationPlan([full("900:1", "1000:5"), slice("900:1", "1200:1")], analyzeChain)).toThrow(/recorded document counts/);
    expect(() => catalog.verificationPlan([slice("900:1", "1200:1")], analyzeChain)).toThrow(/no full dump/);
  });
});

describe("the calls of a planned restore", () => {
  const manifests = [full("900:1", "1000:5"), slice("900:1", "1200:1"), slice("1200:1", "1300:1"), full("1250:1", "1290:1")];

  it("accepts the restore planner's own plan: unpack the base, its slices in order, all with the plan's oplogLimit", () => {
    const target = parseTarget("to", "1250:4");
    if (!target.ok) throw new Error(target.error);
    const planned = planRestore(manifests, target.target, {
      catalogDir: "/home/sre/catalog",
      configFile: "/tmp/x.yaml",
      workDir: "/tmp/work",
      drop: false,
      numParallelCollections: 4,
      numInsertionWorkersPerCollection: 4,
    });
    if (!planned.ok) throw new Error(planned.error);
    const plan = JSON.parse(JSON.stringify(planned.plan));
    const steps = catalog.restoreSteps(plan, manifests, "rs0", analyzeChain);
    expect(steps.map((s: { op: string; manifest: { artifactPath: string }; limit: string }) => [s.op, s.manifest.artifactPath, s.limit])).toEqual([
      ["unpack", "full/1000-5.dump.tar", "1250:5"],
      ["oplog", "oplog/900-1_1200-1.bson.gz", "1250:5"],
      ["oplog", "oplog/1200-1_1300-1.bson.gz", "1250:5"],
    ]);
    expect(steps.map((s: { manifest: { artifactPath: string } }) => s.manifest.artifactPath)).toEqual([plan.base, ...plan.slices]);
  });

  it("refuses a plan that does not fit this catalog", () => {
    const plan = { replicaSet: "rs0", base: "full/1000-5.dump.tar", slices: ["oplog/900-1_1200-1.bson.gz"], oplogLimit: "1100:0" };
    expect(() => catalog.restoreSteps({ ...plan, replicaSet: "rs1" }, manifests, "rs0", analyzeChain)).toThrow(/replica set "rs1"/);
    expect(() => catalog.restoreSteps({ ...plan, base: "full/nope.dump.tar" }, manifests, "rs0", analyzeChain)).toThrow(/no manifest in this catalog/);
    expect(() => catalog.restoreSteps({ ...plan, base: "oplog/900-1_1200-1.bson.gz" }, manifests, "rs0", analyzeChain)).toThrow(/as its base/);
    expect(() => catalog.restoreSteps({ ...plan, slices: ["oplog/1200-1_1300-1.bson.gz"] }, manifests, "rs0", analyzeChain)).toThrow(/does not continue the full dump/);
    expect(() => catalog.restoreSteps({ ...plan, oplogLimit: "1000:5" }, manifests, "rs0", analyzeChain)).toThrow(/not after the base/);
    // Contiguous, but short of its target: the last slice ends at 1200:1, the target is 1250:4.
    expect(() => catalog.restoreSteps({ ...plan, oplogLimit: "1250:5" }, manifests, "rs0", analyzeChain)).toThrow(
      /the plan ends at 1200:1 \(oplog\/900-1_1200-1\.bson\.gz\), before its target 1250:4 \(oplogLimit 1250:5\): it does not reach the point it restores to/,
    );
    expect(() => catalog.restoreSteps({ ...plan, slices: [], oplogLimit: "1100:0" }, manifests, "rs0", analyzeChain)).toThrow(/the plan ends at 1000:5 \(full\/1000-5\.dump\.tar\), before its target 1099:4294967295/);
    // A schemaVersion 1 archive cannot take slices in the one call.
    const old = [full("900:1", "1000:5", { schemaVersion: 1, format: "archive+gzip", file: "1000-5.archive.gz" }), ...manifests.slice(1)].map((m, k) => (k === 0 ? { ...m, artifactPath: "full/1000-5.archive.gz" } : m));
    expect(() => catalog.restoreSteps({ ...plan, base: "full/1000-5.archive.gz", oplogLimit: "1200:2" }, old, "rs0", analyzeChain)).toThrow(/schemaVersion 1 archive: mongorestore cannot replay slices with it in one call/);
    expect(catalog.restoreSteps({ ...plan, base: "full/1000-5.archive.gz", slices: [], oplogLimit: "1000:6" }, old, "rs0", analyzeChain).map((s: { op: string }) => s.op)).toEqual(["archive"]);
    expect(() => catalog.restoreSteps({ ...plan, oplogLimit: "soon" }, manifests, "rs0", analyzeChain)).toThrow(/oplogLimit must be/);
    const artifacts = [{ file: "full/1000-5.dump.tar", sha256: "b".repeat(64) }];
    expect(() => catalog.restoreSteps({ ...plan, artifacts }, manifests, "rs0", analyzeChain)).toThrow(/made from another catalog/);
  });
});

describe("loading a catalog", () => {
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "catalog-"));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    return root;
  }
  const json = (m: object) => JSON.stringify(m);
  const strip = ({ manifestPath: _m, artifactPath: _a, ...m }: CatalogEntry & { artifactPath: string }) => m;

  it("reads manifests at any depth, skips partial and hidden files, and knows each artifact's path", () => {
    const root = tree({
      "full/a.manifest.json": json(strip(full("1:1", "2:1"))),
      "oplog/deeper/manifest.json": json(strip(slice("1:1", "3:1"))),
      "full/.b.manifest.json.part": "{",
      "status/full.json": "{}",
    });
    const loaded = catalog.loadCatalog(root);
    expect(loaded.map((m: { manifestPath: string; artifactPath: string }) => [m.manifestPath, m.artifactPath])).toEqual([
      ["full/a.manifest.json", "full/2-1.dump.tar"],
      ["oplog/deeper/manifest.json", "oplog/deeper/1-1_3-1.bson.gz"],
    ]);
  });

  it("reads uncompressed artifacts too, and its step lines say how mongorestore reads each one", () => {
    const root = tree({
      "full/a.manifest.json": json(strip(full("900:1", "1000:5"))),
      "oplog/b.manifest.json": json({ ...strip(slice("900:1", "1200:1")), format: "bson", file: "900-1_1200-1.bson" }),
      "full/c.manifest.json": json({ ...strip(full("100:1", "200:5")), schemaVersion: 1, format: "archive", file: "200-5.archive" }),
    });
    const plan = { replicaSet: "rs0", base: "full/1000-5.dump.tar", slices: ["oplog/900-1_1200-1.bson"], oplogLimit: "1100:0" };
    expect(catalog.stepLines(catalog.restoreSteps(plan, catalog.loadCatalog(root), "rs0", analyzeChain))).toEqual([
      `step unpack full/1000-5.dump.tar ${SHA} 10 1100:0 full/a.manifest.json dir-tar+gzip`,
      `step oplog oplog/900-1_1200-1.bson ${SHA} 5 1100:0 oplog/b.manifest.json bson`,
    ]);
    const old = { replicaSet: "rs0", base: "full/200-5.archive", slices: [], oplogLimit: "200:6" };
    expect(catalog.stepLines(catalog.restoreSteps(old, catalog.loadCatalog(root), "rs0", analyzeChain))).toEqual([`step archive full/200-5.archive ${SHA} 10 200:6 full/c.manifest.json archive`]);
  });

  it("refuses a manifest it cannot use, naming it", () => {
    expect(() => catalog.loadCatalog(tree({ "full/x.manifest.json": "{" }))).toThrow(/full\/x\.manifest\.json: not valid JSON/);
    expect(() => catalog.loadCatalog(tree({ "full/x.manifest.json": json({ ...strip(full("1:1", "2:1")), format: "bson" }) }))).toThrow(/format must be "dir-tar\+gzip" for kind full and schemaVersion 2, got "bson"/);
    expect(() => catalog.loadCatalog(tree({ "full/x.manifest.json": json({ ...strip(full("1:1", "2:1")), format: "archive+gzip" }) }))).toThrow(/format must be "dir-tar\+gzip" for kind full and schemaVersion 2/);
    expect(() => catalog.loadCatalog(tree({ "full/x.manifest.json": json({ ...strip(full("1:1", "2:1")), schemaVersion: 3 }) }))).toThrow(/schemaVersion must be 1 or 2, got 3/);
    expect(() => catalog.loadCatalog(tree({ "full/x.manifest.json": json({ ...strip(full("1:1", "2:1")), file: "../escape" }) }))).toThrow(/file must be a path/);
  });

  it("refuses hostile names (issue 12 item 12): a newline, a space or a control character in a file or a manifest's path", () => {
    for (const file of ["x.archive.gz\nstep archive evil.gz 0 0 - evil archive", "x y.archive.gz", "x\u001b.archive.gz", "full/./x.archive.gz"]) {
      expect(() => catalog.loadCatalog(tree({ "full/x.manifest.json": json({ ...strip(full("1:1", "2:1")), file }) }))).toThrow(/file must (match|be a path)/);
    }
    expect(() => catalog.loadCatalog(tree({ "full/x\nstep.manifest.json": json(strip(full("1:1", "2:1"))) }))).toThrow(/"full\/x\\nstep\.manifest\.json": a manifest's path must match/);
    // Where a name becomes a line, it is checked again.
    const m = { ...full("1:1", "2:1"), artifactPath: "full/a b.archive.gz" };
    expect(() => catalog.stepLines([{ op: "archive", manifest: m, limit: "3:1" }])).toThrow(/refusing to write a step for "full\/a b\.archive\.gz"/);
  });

  it("an absent catalog is an empty one", () => {
    expect(catalog.loadCatalog(join(tmpdir(), "no-such-catalog-dir"))).toEqual([]);
  });
});

describe("leftovers of crashed writes", () => {
  const now = 10 * 86400 * 1000;
  const old = now - 2 * 86400 * 1000;
  const kept = [full("1:1", "2:1")];

  it("are old partial files and old artifacts no manifest names; never manifests or fresh files", () => {
    const files = [
      { path: "full/2-1.dump.tar", mtimeMs: old },
      { path: "full/2-1.manifest.json", mtimeMs: old },
      { path: "full/.3-1.archive.gz.part", mtimeMs: old },
      { path: "full/.4-1.archive.gz.part", mtimeMs: now },
      { path: "oplog/1-1_5-1.bson.gz", mtimeMs: old },
      { path: "oplog/1-1_6-1.bson.gz", mtimeMs: now },
      { path: "oplog/7-1.manifest.json", mtimeMs: old },
    ];
    expect(catalog.leftovers(files, kept, now, 86400 * 1000)).toEqual(["full/.3-1.archive.gz.part", "oplog/1-1_5-1.bson.gz"]);
  });

  it("a full dump's staging directory is known by its name (prune.js removes an old one)", () => {
    expect(catalog.isStageName(".20240501T020000Z-abcde.stage")).toBe(true);
    expect(["20240501T020000Z.stage", ".a b.stage", ".x.stage/..", ".x.part"].map(catalog.isStageName)).toEqual([false, false, false, false]);
  });
});

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the slice job over time (simulation against the restore side's chain rules)", () => {
  // One oplog entry per second (t:1). Each step is a slice run, sometimes a full dump first;
  // the oplog keeps `retention` seconds, which sometimes collapses (a write burst).
  it.each(Array.from({ length: 40 }, (_, k) => k + 1))("seed %i: no unreported gap, and every reported break is real", (seed) => {
    const random = rng(seed);
    const manifests: (CatalogEntry & { artifactPath: string })[] = [];
    let now = 10_000;
    let retention = 600;
    let reportedBreaks = 0;
    for (let step = 0; step < 60; step++) {
      now += 1 + Math.floor(random() * 300);
      if (random() < 0.1) retention = 30 + Math.floor(random() * 120);
      else if (random() < 0.3) retention = 600;
      const oldest = { t: Math.max(1, now - retention), i: 1 };
      if (random() < 0.15) {
        const took = 1 + Math.floor(random() * 60);
        manifests.push(full(`${now - took}:1`, `${now}:1`));
        now += 1;
      }
      const decision = catalog.slicePlan({ manifests, oldest, majority: { t: now, i: 1 }, applied: { t: now, i: 1 }, countsEverySeconds: 3600 });
      if (decision.chainBreak) {
        reportedBreaks += 1;
        // A reported break is real: the last slice's end is gone from the oplog (with no slice
        // yet, the newest dump's end is).
        const lastSlice = catalog.newestOf(manifests, "oplog");
        if (lastSlice) expect(catalog.tsCmp(oldest, lastSlice.lastTs)).toBeGreaterThan(0);
        else expect(catalog.tsCmp(oldest, catalog.newestOf(manifests, "full").lastTs)).toBeGreaterThanOrEqual(0);
      }
      if (decision.action === "full") {
        manifests.push(full(`${now - 5}:1`, `${now}:1`));
        now += 1;
        continue;
      }
      if (decision.action === "slice") {
        // The slice holds every entry after `from` that the oplog has, up to `to`.
        const from = decision.from;
        expect(catalog.tsCmp(oldest, from)).toBeLessThanOrEqual(0);
        manifests.push(slice(text(from), text(decision.to)));
      }
      // What the restore side sees: the newest slice is reachable from the newest dump.
      const windows = restoreWindows(manifests);
      const newestSlice = catalog.newestOf(manifests, "oplog");
      const newestFull = catalog.newestOf(manifests, "full");
      if (newestSlice && catalog.tsCmp(newestSlice.lastTs, newestFull.lastTs) >= 0) {
        const last = windows[windows.length - 1];
        expect(last.to).toEqual(newestSlice.lastTs);
        expect(catalog.tsCmp(last.from, newestFull.lastTs)).toBeLessThanOrEqual(0);
      }
    }
    // Without a reported break, the catalog is one window from the oldest dump to the newest slice.
    if (reportedBreaks === 0 && manifests.some((m) => m.kind === "oplog")) {
      expect(restoreWindows(manifests)).toHaveLength(1);
    }
  });
});

describe("the recovery point", () => {
  it("is how far the newest restorable point trails the set's newest write; past three slice intervals it is exceeded", () => {
    expect(catalog.recoveryPoint({ restorableUntil: ts("1300:1"), setNewest: ts("1500:1"), sliceIntervalSeconds: 300 })).toEqual({
      restorableUntil: ts("1300:1"),
      lagSeconds: 200,
      maxLagSeconds: 900,
      exceeded: false,
    });
    expect(catalog.recoveryPoint({ restorableUntil: ts("1300:1"), setNewest: ts("1500:1"), sliceIntervalSeconds: 60 }).exceeded).toBe(true);
    expect(catalog.recoveryPoint({ restorableUntil: ts("1300:1"), setNewest: ts("1300:9"), sliceIntervalSeconds: 60 })).toMatchObject({ lagSeconds: 0, exceeded: false });
    // No full dump: nothing is restorable, which is always exceeded.
    expect(catalog.recoveryPoint({ restorableUntil: null, setNewest: ts("1500:1"), sliceIntervalSeconds: 300 })).toMatchObject({ lagSeconds: null, exceeded: true });
  });
});
