import { catalog, collectionSpec } from "../../migrations/catalog";
import { compareIndexes, indexDifferences, ListedIndex, planIndexes } from "../../migrations/plan";

// listIndexes output as MongoDB 7.0/8.0 returns it through the Node.js driver (v: 2, options after name).
const usersOnServer: ListedIndex[] = [
  { v: 2, key: { _id: 1 }, name: "_id_" },
  { v: 2, key: { email: 1 }, name: "email_1", unique: true },
  { v: 2, key: { github_id: 1 }, name: "github_id_1", unique: true, partialFilterExpression: { github_id: { $gte: "" } } },
];
const users = collectionSpec(catalog, "users").indexes;

describe("planIndexes", () => {
  it("plans every index of a fresh collection (only _id_ exists) as missing", () => {
    const plan = planIndexes([{ v: 2, key: { _id: 1 }, name: "_id_" }], users);
    expect(plan.missing.map((i) => i.name)).toEqual(["email_1", "github_id_1", "tokens.token_id_1"]);
    expect(plan.equal).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.extra).toEqual([]);
  });

  it("finds existing equal indexes and plans only the missing one", () => {
    const plan = planIndexes(usersOnServer, users);
    expect(plan.equal.map((e) => e.existing.name)).toEqual(["email_1", "github_id_1"]);
    expect(plan.missing.map((i) => i.name)).toEqual(["tokens.token_id_1"]);
    expect(plan.conflicts).toEqual([]);
  });

  it("ignores v, ns and the legacy background flag; unique: false is the same as absent", () => {
    const legacy: ListedIndex[] = [
      { v: 1, key: { org_id: 1 }, name: "org_id_1", ns: "nyrkio.tests", background: true },
      { v: 2, key: { public: 1.0 }, name: "public_1", unique: false, sparse: false },
    ];
    const plan = planIndexes(legacy, [{ key: { org_id: 1 }, name: "org_id_1" }, { key: { public: 1 }, name: "public_1" }]);
    expect(plan.equal).toHaveLength(2);
    expect(plan.conflicts).toEqual([]);
  });

  it("treats a partial filter with its fields in another order as the same filter", () => {
    const existing: ListedIndex[] = [{ v: 2, key: { a: 1 }, name: "a_1", partialFilterExpression: { b: { $lt: 5, $gt: 1 } } }];
    expect(planIndexes(existing, [{ key: { a: 1 }, name: "a_1", partialFilterExpression: { b: { $gt: 1, $lt: 5 } } }]).equal).toHaveLength(1);
  });

  it("reports the same name with other options as a conflict naming both definitions", () => {
    // The design's sparse index, created by hand on an old database.
    const existing: ListedIndex[] = [{ v: 2, key: { github_id: 1 }, name: "github_id_1", unique: true, sparse: true }];
    const plan = planIndexes(existing, users);
    expect(plan.conflicts).toHaveLength(1);
    const [conflict] = plan.conflicts;
    expect(conflict.name).toBe("github_id_1");
    expect(conflict.existing).toBe(existing[0]);
    expect(conflict.desired).toBe(users[1]);
    expect(conflict.reason).toBe(
      'an index named "github_id_1" exists with another definition: partialFilterExpression: existing absent, desired {"github_id":{"$gte":""}}; sparse: existing true, desired absent',
    );
  });

  it("reports the same name with another key as a conflict", () => {
    const existing: ListedIndex[] = [{ v: 2, key: { test_id: 1, timestamp: -1 }, name: "test_id_1_timestamp_1" }];
    const plan = planIndexes(existing, collectionSpec(catalog, "results").indexes);
    expect(plan.conflicts.map((c) => c.reason)).toEqual([
      'an index named "test_id_1_timestamp_1" exists with another definition: key {"test_id":1,"timestamp":-1} is not {"test_id":1,"timestamp":1}',
    ]);
  });

  it("reports the design's TTL on timestamp as a conflict: it must be replaced by a plain index", () => {
    const existing: ListedIndex[] = [{ v: 2, key: { timestamp: 1 }, name: "timestamp_1", expireAfterSeconds: 7776000 }];
    const [conflict] = planIndexes(existing, collectionSpec(catalog, "results").indexes).conflicts;
    expect(conflict.reason).toContain("expireAfterSeconds: existing 7776000, desired absent");
  });

  it("reports the same key under another name as a conflict (MongoDB refuses the second index)", () => {
    const existing: ListedIndex[] = [{ v: 2, key: { email: 1 }, name: "email_unique", unique: true }];
    const plan = planIndexes(existing, users);
    expect(plan.conflicts.map((c) => [c.name, c.existing.name])).toEqual([["email_1", "email_unique"]]);
    expect(plan.conflicts[0].reason).toContain('index "email_unique" already has the key {"email":1}');
    expect(plan.extra).toEqual([]);
  });

  it("plans the same key under another name with another identifying option as a build, not a conflict", () => {
    // Issue 11 defect 8: the old planner refused this; mongod builds it (compareIndexOptions: kDifferent).
    const existing: ListedIndex[] = [{ v: 2, key: { email: 1 }, name: "email_plain" }];
    const plan = planIndexes(existing, [{ key: { email: 1 }, name: "email_1", unique: true }]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.missing.map((i) => i.name)).toEqual(["email_1"]);
    expect(plan.extra.map((i) => i.name)).toEqual(["email_plain"]);
    const partial = planIndexes([{ v: 2, key: { github_id: 1 }, name: "old", unique: true, partialFilterExpression: { github_id: { $gte: "" } } }], [
      { key: { github_id: 1 }, name: "new", unique: true, partialFilterExpression: { github_id: { $type: "number" } } },
    ]);
    expect(partial.missing.map((i) => i.name)).toEqual(["new"]);
  });

  it("compares indexes as mongod does: different, equivalent, identical", () => {
    expect(compareIndexes({ key: { a: 1 }, name: "x" }, { key: { a: 1 }, name: "y", v: 2 })).toBe("identical");
    expect(compareIndexes({ key: { a: 1 }, name: "x", expireAfterSeconds: 5 }, { key: { a: 1 }, name: "y" })).toBe("equivalent");
    expect(compareIndexes({ key: { a: 1 }, name: "x", sparse: true }, { key: { a: 1 }, name: "y" })).toBe("different");
    expect(compareIndexes({ key: { a: 1 }, name: "x", unique: false }, { key: { a: 1 }, name: "y" })).toBe("identical");
  });

  it("reports indexes the catalog does not know as extra, never _id_", () => {
    const existing: ListedIndex[] = [...usersOnServer, { v: 2, key: { name: 1 }, name: "name_1" }];
    expect(planIndexes(existing, users).extra.map((i) => i.name)).toEqual(["name_1"]);
  });

  it("compares key order: {a, b} is not {b, a}", () => {
    expect(indexDifferences({ key: { a: 1, b: 1 }, name: "x" }, { key: { b: 1, a: 1 }, name: "x" })).toEqual(['key {"a":1,"b":1} is not {"b":1,"a":1}']);
    expect(indexDifferences({ key: { a: 1, b: 1 }, name: "x" }, { key: { a: 1, b: 1 }, name: "x" })).toEqual([]);
  });

  it("reports options this project does not model (collation, hidden) as differences", () => {
    const existing = { v: 2, key: { name: 1 }, name: "name_1", collation: { locale: "en", strength: 2 }, hidden: true };
    expect(indexDifferences(existing, { key: { name: 1 }, name: "name_1" })).toEqual([
      'collation: existing {"locale":"en","strength":2}, desired absent',
      "hidden: existing true, desired absent",
    ]);
  });
});
