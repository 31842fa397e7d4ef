import {
  Candidate,
  candidateFilter,
  changesFilterFor,
  deleteFilter,
  driveSync,
  nextPosition,
  retentionCutoff,
  RetentionProgress,
  RetentionRequest,
  retentionSteps,
  splitCandidates,
} from "../../migrations/retention";
import { FakeCollections } from "./support/fake-collections";
import { DAY, NOW, retentionFixture } from "./support/retention-fixture";

function performOn(fake: FakeCollections, progress: RetentionProgress[] = []) {
  let requests = 0;
  return (request: RetentionRequest): unknown => {
    if (++requests > 10_000) throw new Error("retention does not terminate");
    switch (request.kind) {
      case "find":
        return fake.find(request.collection, request.filter, request);
      case "deleteMany":
        return fake.deleteMany(request.collection, request.filter);
      case "progress":
        progress.push(request.report);
        return undefined;
      case "pause":
        return undefined;
    }
  };
}

const c = (id: string, test: string, timestamp: number): Candidate => ({ _id: id, test_id: test, timestamp });

describe("retention decisions", () => {
  it("cuts off at the window (90 days = 7,776,000 s) and refuses a window under a day", () => {
    expect(retentionCutoff(NOW, 90)).toBe(NOW - 7_776_000);
    expect(() => retentionCutoff(NOW, 0)).toThrow("resultsDays must be at least 1, got 0");
  });

  it("selects old results not flagged has_change, from the scan position on", () => {
    expect(candidateFilter(1000, { from: null, seen: [] })).toEqual({ timestamp: { $lt: 1000 }, has_change: { $ne: true } });
    expect(candidateFilter(1000, { from: 500, seen: ["a", "b"] })).toEqual({ timestamp: { $gte: 500, $lt: 1000 }, has_change: { $ne: true }, _id: { $nin: ["a", "b"] } });
  });

  it("looks up the changes of a batch's tests within its time span", () => {
    expect(changesFilterFor([c("1", "t1", 30), c("2", "t2", 10), c("3", "t1", 20)])).toEqual({ test_id: { $in: ["t1", "t2"] }, timestamp: { $gte: 10, $lte: 30 } });
  });

  it("keeps results with a change of the same test at the same timestamp, and only those", () => {
    const batch = [c("1", "t1", 10), c("2", "t2", 10), c("3", "t1", 20)];
    const { deletable, kept } = splitCandidates(batch, [{ test_id: "t1", timestamp: 10 }, { test_id: "t2", timestamp: 20 }]);
    expect(kept.map((x) => x._id)).toEqual(["1"]);
    expect(deletable.map((x) => x._id)).toEqual(["2", "3"]);
  });

  it("moves the position to the batch's last timestamp, remembering what stays there", () => {
    const batch = [c("1", "t", 10), c("2", "t", 20), c("3", "t", 20)];
    const position = nextPosition({ from: null, seen: [] }, batch, [batch[0], batch[2]]);
    expect(position).toEqual({ from: 20, seen: ["3"] });
    // Another batch at the same timestamp adds to what is remembered; a later one starts afresh.
    expect(nextPosition(position, [c("4", "t", 20)], [c("4", "t", 20)])).toEqual({ from: 20, seen: ["3", "4"] });
    expect(nextPosition(position, [c("5", "t", 30)], [])).toEqual({ from: 30, seen: [] });
  });

  it("re-checks age and flag when deleting", () => {
    expect(deleteFilter(["a"], 1000)).toEqual({ _id: { $in: ["a"] }, timestamp: { $lt: 1000 }, has_change: { $ne: true } });
  });
});

describe("a retention run", () => {
  it("deletes old results in bounded batches and keeps what change points refer to", () => {
    const fixture = retentionFixture(1);
    const fake = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    const progress: RetentionProgress[] = [];
    const totals = driveSync(retentionSteps({ resultsDays: 90, batchSize: 7, nowSeconds: NOW, pauseMs: 5 }), performOn(fake, progress));

    expect(fake.docs("results").map((r) => String(r._id)).sort()).toEqual(fixture.survivors);
    expect(totals.deleted).toBe(fixture.results.length - fixture.survivors.length);
    expect(totals.deleted).toBeGreaterThan(50);
    for (const call of fake.calls) {
      if (call.op === "find" && call.collection === "results") expect(call.limit).toBe(7);
      if (call.op === "deleteMany") expect(((call.filter._id as { $in: unknown[] }).$in).length).toBeLessThanOrEqual(7);
    }
    expect(progress).toHaveLength(totals.batches);
    expect(progress[progress.length - 1]).toMatchObject({ deleted: totals.deleted, kept: totals.kept });
    expect(progress.map((p) => p.through)).toEqual([...progress.map((p) => p.through)].sort((a, b) => a! - b!));
  });

  it("gives the same outcome for any batch size", () => {
    for (const [seed, batchSize] of [[2, 1], [3, 2], [4, 5], [5, 1000]]) {
      const fixture = retentionFixture(seed, 4, 40, 150);
      const fake = new FakeCollections({ results: fixture.results, changes: fixture.changes });
      driveSync(retentionSteps({ resultsDays: 90, batchSize, nowSeconds: NOW }), performOn(fake));
      expect([seed, fake.docs("results").map((r) => String(r._id)).sort()]).toEqual([seed, fixture.survivors]);
    }
  });

  it("terminates when more results than a batch share one timestamp and all are kept", () => {
    const old = NOW - 200 * DAY;
    const results = Array.from({ length: 9 }, (_, i) => ({ _id: `r${i}`, test_id: `t${i}`, timestamp: old }));
    const changes = results.map((r) => ({ test_id: r.test_id, timestamp: old }));
    const fake = new FakeCollections({ results: [...results, { _id: "gone", test_id: "tx", timestamp: old }], changes });
    const totals = driveSync(retentionSteps({ resultsDays: 90, batchSize: 2, nowSeconds: NOW }), performOn(fake));
    expect(totals).toMatchObject({ deleted: 1, kept: 9, examined: 10 });
    expect(fake.docs("results")).toHaveLength(9);
  });

  it("deletes nothing in a dry run, and counts what it would delete", () => {
    const fixture = retentionFixture(6);
    const fake = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    const totals = driveSync(retentionSteps({ resultsDays: 90, batchSize: 4, nowSeconds: NOW, dryRun: true }), performOn(fake));
    expect(fake.calls.some((call) => call.op === "deleteMany")).toBe(false);
    expect(fake.docs("results")).toHaveLength(fixture.results.length);
    expect(totals.wouldDelete).toBe(fixture.results.length - fixture.survivors.length);
    expect(totals.deleted).toBe(0);
  });

  it("pauses between full batches only, and stops after a short one", () => {
    const old = NOW - 100 * DAY;
    const fake = new FakeCollections({ results: Array.from({ length: 5 }, (_, i) => ({ _id: `r${i}`, test_id: "t", timestamp: old + i })), changes: [] });
    const kinds: string[] = [];
    const perform = performOn(fake);
    driveSync(retentionSteps({ resultsDays: 90, batchSize: 2, nowSeconds: NOW, pauseMs: 50 }), (request) => {
      kinds.push(request.kind === "find" ? `find ${request.collection}` : request.kind);
      return perform(request);
    });
    expect(kinds.join(",")).toBe(
      [
        "find results,find changes,deleteMany,progress,pause",
        "find results,find changes,deleteMany,progress,pause",
        "find results,find changes,deleteMany,progress",
      ].join(","),
    );
  });

  it("does not touch anything when nothing is old", () => {
    const fake = new FakeCollections({ results: [{ _id: "r", test_id: "t", timestamp: NOW }], changes: [] });
    const totals = driveSync(retentionSteps({ resultsDays: 90, batchSize: 10, nowSeconds: NOW }), performOn(fake));
    expect(totals).toEqual({ cutoff: NOW - 90 * DAY, dryRun: false, batches: 0, examined: 0, deleted: 0, kept: 0, wouldDelete: 0 });
    expect(fake.calls.map((call) => call.op)).toEqual(["find"]);
  });

  it("fixes the design's manual cleanup: its first delete_many removes results a change refers to", () => {
    const fixture = retentionFixture(7);
    const designs = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    designs.deleteMany("results", { timestamp: { $lt: NOW - 90 * DAY } });
    const lost = fixture.survivors.filter((id) => !designs.docs("results").some((r) => r._id === id));
    expect(lost.length).toBeGreaterThan(0);
    const ours = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    driveSync(retentionSteps({ resultsDays: 90, batchSize: 10, nowSeconds: NOW }), performOn(ours));
    expect(ours.docs("results").map((r) => String(r._id)).sort()).toEqual(fixture.survivors);
  });
});
