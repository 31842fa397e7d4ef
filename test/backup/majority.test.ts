// Issue 10 item 5: a full dump bases a chain only once the set's majority commit point has passed its
// lastTs in the same term (backup/majority.ts). Before this, every full dump based a chain as soon as
// its manifest existed: the planner, the pruner, verification and the recovery point all joined a
// dump of a degraded PSA set's primary, whose end could still be rolled back.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { confirmationName, confirmationProblem, isChainBase, majorityVerdict, MajorityConfirmation } from "../../backup/majority";
import { CatalogEntry, manifestProblems } from "../../backup/manifest";
import { loadCatalog } from "../../backup/restore/catalog";
import { analyzeChain, newestRestorable } from "../../backup/restore/chain";
import { planRestore } from "../../backup/restore/planner";
import { parseTarget } from "../../backup/restore/target";
import { embeddablePrunerModule } from "../../backup/retention/embeddable-pruner";
import { prune } from "../../backup/retention/pruner";
import { fullDump, sliceChain, ts } from "./fixtures";

const podCatalog = require("../../backup/mongosh/catalog.js");
// The pod's pruner module as the stack generates it: catalog.js takes confirmationProblem from it.
const PRUNER_FILE = join(mkdtempSync(join(tmpdir(), "pruner-")), "pruner.js");
writeFileSync(PRUNER_FILE, embeddablePrunerModule());
process.env.BACKUP_PRUNER = PRUNER_FILE;

const T = 5; // the dump's term
const dump = { lastTs: ts(1000, 5), lastTerm: T };

describe("majorityVerdict", () => {
  it("is pending while the commit point is before lastTs", () => {
    expect(majorityVerdict(dump, { majority: { ts: ts(1000, 4), t: T }, oldest: ts(10) }).state).toBe("pending");
  });

  it("confirms when the commit point is at or after lastTs in the dump's term", () => {
    expect(majorityVerdict(dump, { majority: { ts: ts(1000, 5), t: T }, oldest: ts(10) }).state).toBe("confirmed");
    expect(majorityVerdict(dump, { majority: { ts: ts(2000, 1), t: T }, oldest: ts(1500) }).state).toBe("confirmed");
  });

  it("in another term asks for the entry at lastTs, then decides by its term", () => {
    const obs = { majority: { ts: ts(2000, 1), t: T + 1 }, oldest: ts(10) };
    expect(majorityVerdict(dump, obs).state).toBe("lookup");
    expect(majorityVerdict(dump, { ...obs, entryAtLastTs: { ts: ts(1000, 5), t: T } }).state).toBe("confirmed");
    // The new primary wrote its own entry at the same timestamp: the dump's was rolled back.
    expect(majorityVerdict(dump, { ...obs, entryAtLastTs: { ts: ts(1000, 5), t: T + 1 } })).toMatchObject({ state: "rolled-back", reason: expect.stringMatching(/another entry at lastTs 1000:5/) });
    // No entry there in an oplog that still reaches back before it: rolled back.
    expect(majorityVerdict(dump, { ...obs, entryAtLastTs: null }).state).toBe("rolled-back");
    // The oplog no longer reaches back: nothing can prove it any more.
    expect(majorityVerdict(dump, { majority: obs.majority, oldest: ts(1500), entryAtLastTs: null }).state).toBe("unprovable");
  });

  it("cannot confirm a dump whose manifest recorded no term", () => {
    expect(majorityVerdict({ lastTs: ts(1000, 5) }, { majority: { ts: ts(2000), t: T }, oldest: ts(1) }).state).toBe("unprovable");
  });

  it("runs the same as text (the pod's pruner module embeds it)", () => {
    const mod = { exports: {} as { majorityVerdict: typeof majorityVerdict } };
    vm.runInNewContext(embeddablePrunerModule(), { module: mod });
    const cases = [
      [dump, { majority: { ts: ts(1000, 4), t: T }, oldest: ts(10) }],
      [dump, { majority: { ts: ts(2000), t: T }, oldest: ts(10) }],
      [dump, { majority: { ts: ts(2000), t: T + 1 }, oldest: ts(10), entryAtLastTs: null }],
    ] as const;
    for (const [d, o] of cases) expect(mod.exports.majorityVerdict(d, o)).toEqual(majorityVerdict(d, o));
  });
});

const unconfirmed = (lastTs: ReturnType<typeof ts>, opts: Parameters<typeof fullDump>[1] = {}): CatalogEntry => ({ ...fullDump(lastTs, opts), lastTerm: T, majorityCommit: "unconfirmed" });

describe("the manifest fields", () => {
  it("accepts lastTerm and majorityCommit on a full dump, and names a bad one", () => {
    expect(manifestProblems({ ...fullDump(ts(10, 1)), lastTerm: 3, majorityCommit: "unconfirmed" })).toEqual([]);
    expect(manifestProblems({ ...fullDump(ts(10, 1)), majorityCommit: "maybe", lastTerm: 3 })).toEqual([expect.objectContaining({ field: "majorityCommit" })]);
    expect(manifestProblems({ ...fullDump(ts(10, 1)), majorityCommit: "unconfirmed" })).toEqual([expect.objectContaining({ field: "lastTerm" })]);
    expect(podCatalog.manifestProblems({ ...fullDump(ts(10, 1)), majorityCommit: "unconfirmed" })).toEqual([expect.stringMatching(/majorityCommit/)]);
  });
});

describe("an unconfirmed full dump is not a chain base", () => {
  const confirmedOld = fullDump(ts(1000, 1));
  const slices = sliceChain(ts(990, 1), [ts(1100, 1), ts(2000, 1), ts(2100, 1)]);
  const fresh = unconfirmed(ts(2050, 1));

  it("reaches nothing in the chain logic, so the recovery point does not count it", () => {
    const catalog = [confirmedOld, fresh, ...slices];
    expect(analyzeChain(catalog).reaches.map((r) => r.dump)).toEqual([confirmedOld]);
    expect(isChainBase(fresh)).toBe(false);
    expect(isChainBase({ ...fresh, confirmed: true })).toBe(true);
    // Without its slices, the old dump alone is restorable, never the unconfirmed one's end.
    expect(newestRestorable([confirmedOld, fresh], analyzeChain)).toEqual(ts(1000, 1));
  });

  it("is never a restore plan's base; once confirmed it is", () => {
    const target = parseTarget("to", "2060:0");
    if (!target.ok) throw new Error(target.error);
    const options = { catalogDir: "/c", configFile: "/c.yaml", workDir: "/w", drop: false, numParallelCollections: 1, numInsertionWorkersPerCollection: 1 };
    const plan = planRestore([confirmedOld, fresh, ...slices], target.target, options);
    expect(plan.ok && plan.plan.base).toBe(`full/${confirmedOld.file}`);
    const after = planRestore([confirmedOld, { ...fresh, confirmed: true }, ...slices], target.target, options);
    expect(after.ok && after.plan.base).toBe(`full/${fresh.file}`);
    const refused = planRestore([fresh, ...slices], target.target, options);
    expect(!refused.ok && refused.error).toMatch(/unconfirmed full dumps, which base no chain .*: full\/2050-1\.manifest\.json$/);
  });

  it("is not verified: verification restores the newest confirmed dump", () => {
    const pod = [confirmedOld, fresh, ...slices].map((m) => ({ ...m, counts: { "db.c": 1 }, artifactPath: m.manifestPath.replace(".manifest.json", ".x") }));
    expect(podCatalog.verificationPlan(pod, analyzeChain).full.manifestPath).toBe(confirmedOld.manifestPath);
    expect(() => podCatalog.verificationPlan([pod[1]], analyzeChain)).toThrow(/no confirmed full dump.*wait for the majority commit point/);
  });

  it("is refused as the base of the in-cluster restore's plan; confirmed, it is accepted", () => {
    const pod = [confirmedOld, fresh, ...slices].map((m) => ({ ...m, artifactPath: m.manifestPath.replace(".manifest.json", ".x") }));
    const plan = { replicaSet: "rs0", base: pod[1].artifactPath, slices: [pod[4].artifactPath], oplogLimit: "2060:0", steps: [] };
    expect(() => podCatalog.restoreSteps(plan, pod, "rs0", analyzeChain)).toThrow(/base full\/2050-1\.x is unconfirmed/);
    const confirmed = pod.map((m) => (m === pod[1] ? { ...m, confirmed: true } : m));
    expect(podCatalog.restoreSteps(plan, confirmed, "rs0", analyzeChain).map((s: { op: string }) => s.op)).toEqual(["unpack", "oplog"]);
  });
});

describe("retention and unconfirmed dumps", () => {
  const DAY = 86400;
  const d = (k: number) => fullDump(ts(1_700_000_000 + k * DAY, 1));
  const u = (k: number) => unconfirmed(ts(1_700_000_000 + k * DAY, 1));

  it("does not count an unconfirmed dump as a daily, and keeps it while it is newer than every confirmed dump", () => {
    const decision = prune([d(0), d(1), u(2), u(3)], new Date((1_700_000_000 + 4 * DAY) * 1000).toISOString(), { daily: 1, weekly: 0 });
    const keep = decision.keep.map((k) => k.manifest.manifestPath);
    // daily 1: the newest confirmed dump (day 1), not the unconfirmed day 3; both unconfirmed kept.
    expect(keep).toEqual([d(1).manifestPath, u(2).manifestPath, u(3).manifestPath]);
    expect(decision.keep.find((k) => k.manifest.manifestPath === u(3).manifestPath)!.reason).toMatch(/unconfirmed .* kept until it is confirmed/);
  });

  it("deletes an unconfirmed dump older than a confirmed one", () => {
    const decision = prune([d(0), u(1), d(2)], new Date((1_700_000_000 + 3 * DAY) * 1000).toISOString(), { daily: 2, weekly: 0 });
    expect(decision.delete.map((k) => k.manifest.manifestPath)).toEqual([u(1).manifestPath]);
    expect(decision.delete[0].reason).toMatch(/rolled back or can no longer be proven/);
  });

  it("keeps every unconfirmed dump when there is no confirmed one (a PSA set degraded since its first dump)", () => {
    const decision = prune([u(0), u(1)], new Date((1_700_000_000 + 2 * DAY) * 1000).toISOString(), { daily: 1, weekly: 0 });
    expect(decision.delete).toEqual([]);
  });
});

describe("confirmation records", () => {
  const record = (over: Partial<MajorityConfirmation> = {}): MajorityConfirmation => ({
    kind: "majority-confirmation",
    schemaVersion: 1,
    manifest: "2050-1.manifest.json",
    lastTs: ts(2050, 1),
    lastTerm: T,
    majority: { ts: ts(2060, 1), t: T },
    member: "h:27017",
    confirmedAt: "2024-05-01T00:00:00Z",
    ...over,
  });
  const m = unconfirmed(ts(2050, 1));

  it("are named after the manifest, and the pod's module names them the same", () => {
    expect(confirmationName("20240501T020000Z-x7k2q.manifest.json")).toBe("20240501T020000Z-x7k2q.confirmed.json");
    expect(podCatalog.confirmationName("20240501T020000Z-x7k2q.manifest.json")).toBe("20240501T020000Z-x7k2q.confirmed.json");
    expect(podCatalog.confirmationPath("full/a.manifest.json")).toBe("full/a.confirmed.json");
  });

  it("have one rule: the pod's catalog.js asks the pruner module, which embeds majority.ts's confirmationProblem as text", () => {
    expect(embeddablePrunerModule()).toContain(`const confirmationProblem = (${confirmationProblem.toString()});`);
    expect(readFileSync(join(__dirname, "../../backup/mongosh/catalog.js"), "utf8")).not.toMatch(/majority-confirmation/);
    // Another rule in the module is catalog.js's rule: it holds none of its own.
    const other = join(mkdtempSync(join(tmpdir(), "pruner-other-")), "pruner.js");
    writeFileSync(other, 'module.exports = { confirmationProblem: (r, m, name) => "other rule for " + name };');
    process.env.BACKUP_PRUNER = other;
    try {
      expect(podCatalog.confirmationProblem(record(), m, "2050-1.manifest.json")).toBe("other rule for 2050-1.manifest.json");
    } finally {
      process.env.BACKUP_PRUNER = PRUNER_FILE;
    }
  });

  it.each([
    [{}, undefined],
    [{ manifest: "other.manifest.json" }, /names/],
    [{ lastTs: ts(2050, 2) }, /lastTs differs/],
    [{ lastTerm: T + 1 }, /lastTerm differs/],
    [{ majority: { ts: ts(2050, 0), t: T } }, /not at or after lastTs/],
  ])("match only the dump they name: %j", (over, problem) => {
    const ts2 = confirmationProblem(record(over), m, "2050-1.manifest.json");
    const pod = podCatalog.confirmationProblem(record(over), m, "2050-1.manifest.json");
    if (problem) {
      expect(ts2).toMatch(problem);
      expect(pod).toMatch(problem);
    } else {
      expect(ts2).toBeUndefined();
      expect(pod).toBeUndefined();
    }
  });

  it("make both catalog readers treat the dump as confirmed; a mismatched one does not", async () => {
    const root = mkdtempSync(join(tmpdir(), "confirm-"));
    mkdirSync(join(root, "full"));
    const { manifestPath: _p, ...manifest } = { ...m, manifestPath: "" };
    void _p;
    writeFileSync(join(root, "full/2050-1.manifest.json"), JSON.stringify(manifest));
    writeFileSync(join(root, "full/old.manifest.json"), JSON.stringify({ ...manifest, lastTs: ts(1000, 1), firstTs: ts(900, 1), file: "old.archive.gz" }));
    writeFileSync(join(root, "full/2050-1.confirmed.json"), JSON.stringify(record()));
    writeFileSync(join(root, "full/old.confirmed.json"), JSON.stringify(record({ manifest: "old.manifest.json" })));
    const loaded = await loadCatalog(root);
    expect(loaded.problems).toEqual([]);
    expect(Object.fromEntries(loaded.entries.map((e) => [e.manifestPath, e.confirmed === true]))).toEqual({ "full/2050-1.manifest.json": true, "full/old.manifest.json": false });
    const pod = podCatalog.loadCatalog(root) as CatalogEntry[];
    expect(Object.fromEntries(pod.map((e) => [e.manifestPath, e.confirmed === true]))).toEqual({ "full/2050-1.manifest.json": true, "full/old.manifest.json": false });
    expect(podCatalog.unconfirmedDumps(pod).map((e: CatalogEntry) => e.manifestPath)).toEqual(["full/old.manifest.json"]);
  });

  it("are leftovers only when their manifest is gone", () => {
    const files = [
      { path: "full/a.confirmed.json", mtimeMs: 0 },
      { path: "full/gone.confirmed.json", mtimeMs: 0 },
    ];
    expect(podCatalog.leftovers(files, [{ manifestPath: "full/a.manifest.json", artifactPath: "full/a.archive.gz" }], 10 * 86400000, 86400000)).toEqual(["full/gone.confirmed.json"]);
  });
});
