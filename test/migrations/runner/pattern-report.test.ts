import { patternReport, queryCheckReport, renderQueryCheck } from "../../../migrations/query-check/pattern-report";
import type { QueryPattern } from "../../../migrations/query-patterns";
import * as fx from "./fixtures/explain-outputs";

const thresholds = { maxExaminedPerReturned: 10 };
const recent: QueryPattern = {
  name: "recent-results",
  source: "design: get_recent_results",
  collection: "results",
  filter: { test_id: "test_0003", timestamp: { $gte: 1735689600 } },
  sort: { timestamp: -1 },
  expectedIndex: "test_id_1_timestamp_1",
};
const byUser: QueryPattern = { ...recent, name: "results-by-user", filter: { user_id: "user_01" }, expectedIndex: "user_id_1_timestamp_1" };

describe("query pattern reports", () => {
  it("a pattern served by its index passes", () => {
    const r = patternReport(recent, fx.classicRangeSortedByIndex, thresholds);
    expect(r).toMatchObject({ name: "recent-results", ok: true, usesExpectedIndex: true, problems: [], notes: [], examinedPerReturned: 1, plan: "FETCH > IXSCAN(test_id_1_timestamp_1, backward)" });
  });

  it("a blocking sort fails the pattern; another index than the catalog's is a note", () => {
    const r = patternReport(byUser, fx.classicBlockingSort, thresholds);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(["blocking sort: the results are sorted in memory, not read in index order"]);
    expect(r.notes).toEqual(["the catalog meant index user_id_1_timestamp_1 for this query; the winning plan reads user_id_1"]);
  });

  it("the whole check fails when one pattern fails, and says which", () => {
    const report = queryCheckReport("nyrkio_querycheck_x", "seeded", thresholds, [patternReport(recent, fx.classicRangeSortedByIndex, thresholds), patternReport(byUser, fx.classicCollectionScan, thresholds)], false);
    expect(report).toMatchObject({ ok: false, failed: ["results-by-user"], mode: "seeded", kept: false });
    const text = renderQueryCheck(report);
    expect(text).toMatch(/^ok {3}recent-results \(results\)$/m);
    expect(text).toMatch(/^FAIL results-by-user \(results\)$/m);
    expect(text).toMatch(/problem: collection scan \(COLLSCAN\)/);
    expect(text.trimEnd().split("\n").pop()).toBe("1 of 2 query patterns fail: results-by-user");
  });
});
