import { examinedPerReturned, planProblems, summarizeExplain } from "../../../migrations/query-check/explain-analysis";
import * as fx from "./fixtures/explain-outputs";

describe("explain analysis", () => {
  it("classic find read in index order: the index, the counts, no problem", () => {
    const s = summarizeExplain(fx.classicRangeSortedByIndex);
    expect(s).toEqual({
      engine: "classic",
      plan: "FETCH > IXSCAN(test_id_1_timestamp_1, backward)",
      stages: ["FETCH", "IXSCAN"],
      indexes: ["test_id_1_timestamp_1"],
      collectionScan: false,
      blockingSort: false,
      keysExamined: 30,
      docsExamined: 30,
      nReturned: 30,
      matched: 30,
    });
    expect(planProblems(s)).toEqual([]);
  });

  it("flags a blocking SORT stage", () => {
    const s = summarizeExplain(fx.classicBlockingSort);
    expect(s.plan).toBe("SORT > FETCH > IXSCAN(user_id_1)");
    expect(s.blockingSort).toBe(true);
    expect(planProblems(s)).toEqual(["blocking sort: the results are sorted in memory, not read in index order"]);
  });

  it("flags a collection scan and the documents it examines per document returned", () => {
    const s = summarizeExplain(fx.classicCollectionScan);
    expect(s).toMatchObject({ plan: "COLLSCAN", indexes: [], collectionScan: true, docsExamined: 5000, nReturned: 40 });
    expect(planProblems(s)).toEqual([
      "collection scan (COLLSCAN): no index serves this query",
      "examines 5000 keys/documents for 40 matched (125.0 per document, limit 10)",
    ]);
  });

  it("flags an index that leaves a range to a FETCH filter (the design's pending-changes index)", () => {
    const s = summarizeExplain(fx.classicFetchFilter);
    expect(examinedPerReturned(s)).toBe(40);
    expect(planProblems(s)).toEqual(["examines 200 keys/documents for 5 matched (40.0 per document, limit 10)"]);
    expect(planProblems(s, { maxExaminedPerReturned: 50 })).toEqual([]);
  });

  it("reads MongoDB 8.0's express path", () => {
    const s = summarizeExplain(fx.expressIndexScan);
    expect(s).toMatchObject({ plan: "EXPRESS_IXSCAN(email_1)", indexes: ["email_1"], keysExamined: 1, docsExamined: 1, nReturned: 1 });
    expect(planProblems(s)).toEqual([]);
  });

  it("reads the slot-based engine's queryPlan, not its execution tree", () => {
    const s = summarizeExplain(fx.sbeFind);
    expect(s).toMatchObject({ engine: "sbe", plan: "FETCH > IXSCAN(user_id_1_notified_1_timestamp_1)", stages: ["FETCH", "IXSCAN"], nReturned: 12, matched: 12 });
    expect(planProblems(s)).toEqual([]);
  });

  it("a $group pushed into the slot-based engine: the ratio uses the documents fed to the group", () => {
    const s = summarizeExplain(fx.sbeGroupInCursor);
    expect(s).toMatchObject({
      engine: "sbe",
      plan: "[GROUP > PROJECTION_SIMPLE > FETCH > IXSCAN(test_id_1_timestamp_1)]",
      indexes: ["test_id_1_timestamp_1"],
      keysExamined: 300,
      docsExamined: 300,
      // 3 groups out, 300 documents in: the ratio is 1 per document, not 100.
      nReturned: 3,
      matched: 300,
    });
    expect(planProblems(s)).toEqual([]);
  });

  it("a classic pipeline: the $cursor part, then the stages above it", () => {
    const s = summarizeExplain(fx.classicPipeline);
    expect(s).toMatchObject({
      engine: "classic",
      plan: "[PROJECTION_SIMPLE > FETCH > IXSCAN(test_id_1_timestamp_1)] | $unwind | $group",
      stages: ["PROJECTION_SIMPLE", "FETCH", "IXSCAN", "$unwind", "$group"],
      nReturned: 3,
      matched: 300,
    });
    expect(planProblems(s)).toEqual([]);
  });

  it("a $sort stage in a pipeline is a blocking sort", () => {
    const s = summarizeExplain(fx.pipelineWithSortStage);
    expect(s.plan).toBe("[FETCH > IXSCAN(test_id_1_timestamp_1)] | $group | $sort");
    expect(s.blockingSort).toBe(true);
  });

  it("a sharded find: every shard's plan under the merge", () => {
    const s = summarizeExplain(fx.shardedFind);
    expect(s.plan).toBe(
      "SHARD_MERGE[FETCH > SHARDING_FILTER > IXSCAN(test_id_1_timestamp_1) ; FETCH > SHARDING_FILTER > IXSCAN(test_id_1_timestamp_1)]",
    );
    expect(s).toMatchObject({ indexes: ["test_id_1_timestamp_1"], keysExamined: 31, docsExamined: 30, nReturned: 30, collectionScan: false, blockingSort: false });
  });

  it("a sharded aggregate: one explain per shard, counts added up", () => {
    const s = summarizeExplain({ shards: { rs0: fx.classicPipeline, rs1: fx.classicCollectionScan } });
    expect(s.collectionScan).toBe(true);
    expect(s.docsExamined).toBe(5300);
    expect(s.plan).toBe("[PROJECTION_SIMPLE > FETCH > IXSCAN(test_id_1_timestamp_1)] | $unwind | $group ; COLLSCAN");
  });

  it("says when the collection does not exist", () => {
    expect(planProblems(summarizeExplain(fx.missingCollection))).toEqual(["the collection does not exist (EOF plan)"]);
  });

  it("refuses something that is not an explain reply", () => {
    expect(() => summarizeExplain({ ok: 1 })).toThrow("not an explain reply");
  });
});
