import { ClusterState, defaultIndexName, DesiredSharding, normalizeKeyValue, planSharding, sameShardKey, supportsShardKey } from "../../sharding/plan-sharding";

const desired: DesiredSharding = {
  database: "nyrkio",
  shards: [
    { name: "rs0", hosts: ["a0:27017", "a1:27017"] },
    { name: "rs1", hosts: ["b0:27017", "b1:27017"] },
  ],
  collections: [
    { name: "results", key: { test_id: 1, timestamp: 1 } },
    { name: "changes", key: { test_id: "hashed" } },
  ],
};

/** A fresh cluster right after mongos came up: no shard, no database. */
const empty: ClusterState = { shards: [], collections: [] };

/** The converted replica set: rs0 added, the database with data and the design's descending index. */
const converted: ClusterState = {
  shards: [{ _id: "rs0", host: "rs0/a0:27017,a1:27017" }],
  database: {},
  collections: [
    {
      name: "results",
      exists: true,
      holdsData: true,
      indexes: [
        { key: { _id: 1 }, name: "_id_" },
        { key: { test_id: 1, timestamp: -1 }, name: "test_id_1_timestamp_-1" },
      ],
    },
    { name: "changes", exists: true, holdsData: false, indexes: [{ key: { _id: 1 }, name: "_id_" }] },
  ],
};

describe("planSharding", () => {
  it("on a fresh cluster: adds every shard, creates the database, shards each collection (no index: nothing holds data)", () => {
    const plan = planSharding(empty, desired);
    expect(plan.refusals).toEqual([]);
    expect(plan.steps.map((s) => [s.db, s.command])).toEqual([
      ["admin", { addShard: "rs0/a0:27017,a1:27017", name: "rs0" }],
      ["admin", { addShard: "rs1/b0:27017,b1:27017", name: "rs1" }],
      ["admin", { enableSharding: "nyrkio" }],
      ["admin", { shardCollection: "nyrkio.results", key: { test_id: 1, timestamp: 1 } }],
      ["admin", { shardCollection: "nyrkio.changes", key: { test_id: "hashed" } }],
    ]);
  });

  it("after the conversion: adds only the missing shard, keeps the existing database, builds the supporting index before sharding a collection that holds data", () => {
    const plan = planSharding(converted, desired);
    expect(plan.steps.map((s) => s.kind)).toEqual(["addShard", "createIndexes", "shardCollection", "shardCollection"]);
    expect(plan.steps[1]).toEqual({
      kind: "createIndexes",
      db: "nyrkio",
      command: { createIndexes: "results", indexes: [{ key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" }] },
    });
  });

  it("does not build an index that already serves the key", () => {
    const state = structuredClone(converted);
    state.collections[0].indexes.push({ key: { test_id: 1, timestamp: 1, user_id: 1 }, name: "wider" });
    expect(planSharding(state, desired).steps.map((s) => s.kind)).toEqual(["addShard", "shardCollection", "shardCollection"]);
  });

  it("plans nothing once everything is in place", () => {
    const done: ClusterState = {
      shards: [
        { _id: "rs0", host: "rs0/a0:27017,a1:27017" },
        { _id: "rs1", host: "rs1/b0:27017,b1:27017" },
      ],
      database: {},
      collections: [
        { name: "results", exists: true, holdsData: true, shardKey: { test_id: 1, timestamp: 1 }, indexes: [] },
        { name: "changes", exists: true, holdsData: true, shardKey: { test_id: "hashed" }, indexes: [] },
      ],
    };
    expect(planSharding(done, desired)).toEqual({ steps: [], refusals: [], notes: [] });
  });

  it("refuses everything when a collection is sharded on another key: resharding is a manual decision", () => {
    const state = structuredClone(converted);
    state.collections[0].shardKey = { user_id: 1, timestamp: 1 };
    const plan = planSharding(state, desired);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toContain("nyrkio.results is sharded on { user_id: 1, timestamp: 1 }");
    expect(plan.refusals[0]).toContain("{ test_id: 1, timestamp: 1 }");
  });

  it("treats a hashed and a ranged key on the same field as different keys", () => {
    const state = structuredClone(converted);
    state.collections[1].shardKey = { test_id: 1 };
    expect(planSharding(state, desired).refusals).toHaveLength(1);
  });

  it("runs enableSharding on a pre-6.0 database that is not partitioned yet", () => {
    const state = { ...converted, database: { partitioned: false } };
    expect(planSharding(state, desired).steps.map((s) => s.kind)).toContain("enableSharding");
  });

  it("notes a shard the config no longer names, and leaves it alone", () => {
    const state = structuredClone(converted);
    state.shards.push({ _id: "rs9", host: "rs9/z:27017" });
    const plan = planSharding(state, desired);
    expect(plan.notes).toEqual([expect.stringContaining('shard "rs9"')]);
    expect(plan.steps.map((s) => s.kind)).not.toContain("removeShard");
  });

  it("treats a collection missing from the state as not existing", () => {
    const plan = planSharding({ ...empty, database: {} }, { ...desired, shards: [] });
    expect(plan.steps.map((s) => s.kind)).toEqual(["shardCollection", "shardCollection"]);
  });
});

describe("shard key helpers", () => {
  it("normalizes what mongosh hands back (numbers, number wrappers, type names)", () => {
    expect(normalizeKeyValue(1)).toBe(1);
    expect(normalizeKeyValue(1.0)).toBe(1);
    expect(normalizeKeyValue({ valueOf: () => 1 })).toBe(1);
    expect(normalizeKeyValue(-1)).toBe(-1);
    expect(normalizeKeyValue("hashed")).toBe("hashed");
  });

  it("compares keys by field order and kind", () => {
    expect(sameShardKey({ a: 1, b: 1 }, { a: 1, b: 1 })).toBe(true);
    expect(sameShardKey({ a: 1, b: 1 }, { b: 1, a: 1 })).toBe(false);
    expect(sameShardKey({ a: 1 }, { a: 1, b: 1 })).toBe(false);
    expect(sameShardKey({ a: "hashed" }, { a: 1 })).toBe(false);
  });

  it("accepts only ascending or hashed, non-sparse, non-partial, visible, simple-collation indexes as support", () => {
    const key = { a: 1, b: 1 } as const;
    expect(supportsShardKey({ key: { a: 1, b: 1, c: -1 }, name: "x" }, key)).toBe(true);
    expect(supportsShardKey({ key: { a: 1, b: -1 }, name: "x" }, key)).toBe(false);
    expect(supportsShardKey({ key: { a: 1 }, name: "x" }, key)).toBe(false);
    expect(supportsShardKey({ key: { a: 1, b: 1 }, name: "x", sparse: true }, key)).toBe(false);
    expect(supportsShardKey({ key: { a: 1, b: 1 }, name: "x", partialFilterExpression: { a: 1 } }, key)).toBe(false);
    expect(supportsShardKey({ key: { a: 1, b: 1 }, name: "x", hidden: true }, key)).toBe(false);
    expect(supportsShardKey({ key: { a: 1, b: 1 }, name: "x", collation: { locale: "fi" } }, key)).toBe(false);
    expect(supportsShardKey({ key: { a: 1, b: 1 }, name: "x", collation: { locale: "simple" } }, key)).toBe(true);
    expect(supportsShardKey({ key: { a: "hashed" }, name: "x" }, { a: "hashed" })).toBe(true);
  });

  it("names an index the way MongoDB does", () => {
    expect(defaultIndexName({ test_id: 1, timestamp: 1 })).toBe("test_id_1_timestamp_1");
    expect(defaultIndexName({ user_id: "hashed" })).toBe("user_id_hashed");
  });
});
