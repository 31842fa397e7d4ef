import type { Db } from "mongodb";
import { RetentionProgress, runRetention } from "../../migrations/retention";
import { FakeCollections } from "./support/fake-collections";
import { NOW, retentionFixture } from "./support/retention-fixture";

describe("runRetention (Node.js driver)", () => {
  it("runs the same steps through db.collection(): old results go, referred ones stay", async () => {
    const fixture = retentionFixture(11);
    const fake = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    const progress: RetentionProgress[] = [];
    const db = fake.driverDatabase() as unknown as Pick<Db, "collection">;
    const totals = await runRetention(db, { resultsDays: 90, batchSize: 6, nowSeconds: NOW, pauseMs: 1 }, (p) => progress.push(p));
    expect(fake.docs("results").map((r) => String(r._id)).sort()).toEqual(fixture.survivors);
    expect(totals.deleted).toBe(fixture.results.length - fixture.survivors.length);
    expect(progress.length).toBe(totals.batches);
    const finds = fake.calls.filter((call) => call.op === "find" && call.collection === "results");
    expect(finds[0]).toMatchObject({ sort: { timestamp: 1 }, limit: 6, projection: { _id: 1, test_id: 1, timestamp: 1 } });
  });

  it("uses the clock when no time is given", async () => {
    const fake = new FakeCollections({ results: [{ _id: "old", test_id: "t", timestamp: 1 }], changes: [] });
    const totals = await runRetention(fake.driverDatabase() as unknown as Pick<Db, "collection">, { resultsDays: 90, batchSize: 10 });
    expect(totals.deleted).toBe(1);
    expect(Math.abs(totals.cutoff - (Date.now() / 1000 - 90 * 86400))).toBeLessThan(60);
  });
});
