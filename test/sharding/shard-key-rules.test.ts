import { sharded } from "../../config/environments/sharded";
import type { PlatformConfig } from "../../config/platform-config";
import { shardingFindings } from "../../sharding/shard-key-rules";
import { designLikeCatalog } from "./fixtures";

type Entry = PlatformConfig["sharding"]["collections"][number];

function withCollections(...collections: Entry[]): PlatformConfig {
  const config = structuredClone(sharded);
  config.sharding.collections = collections;
  return config;
}

function findings(...collections: Entry[]) {
  return shardingFindings(withCollections(...collections), designLikeCatalog);
}

describe("shard keys the catalog allows", () => {
  it("accepts results on {test_id, timestamp}, backed by the catalog's ascending index (warning only that test_id may be an ObjectId)", () => {
    const { problems, warnings } = findings({ name: "results", key: { test_id: 1, timestamp: 1 } });
    expect(problems).toEqual([]);
    expect(warnings.map((w) => w.rule)).toEqual([expect.stringContaining("may hold ObjectIds")]);
  });

  it("accepts a unique index that starts with the key (tests on {name}, unique {name, user_id})", () => {
    expect(findings({ name: "tests", key: { name: 1 } }).problems).toEqual([]);
  });

  it("accepts _id as a key when the validator says _id is not an ObjectId, served by the implicit _id_ index", () => {
    expect(findings({ name: "results", key: { _id: 1 } })).toEqual({ problems: [], warnings: [] });
  });
});

describe("unique indexes", () => {
  it("refuses users by user_id with a unique email, naming collection, index and key", () => {
    const { problems } = findings({ name: "users", key: { user_id: 1 } });
    const emailProblem = problems.find((p) => p.rule.includes('"email_1"'));
    expect(emailProblem).toEqual({ path: "sharding.collections[0].key", rule: expect.stringContaining("users") });
    expect(emailProblem!.rule).toContain("{ user_id: 1 }");
    expect(emailProblem!.rule).toContain("{ email: 1 }");
    // every unique index of users is named, partial ones too
    expect(problems.map((p) => p.rule.match(/unique index "([^"]+)"/)?.[1])).toEqual(["email_1", "github_id_1", "tokens.token_id_1"]);
  });

  it("refuses tests by user_id: the unique {name, user_id} does not start with it", () => {
    const { problems } = findings({ name: "tests", key: { user_id: 1 } });
    expect(problems).toHaveLength(1);
    expect(problems[0].rule).toContain('"name_1_user_id_1"');
  });

  it("applies the same rule to a hashed key (MongoDB compares field names)", () => {
    const { problems } = findings({ name: "users", key: { email: "hashed" } });
    expect(problems.map((p) => p.rule.match(/unique index "([^"]+)"/)?.[1])).toEqual(["github_id_1", "tokens.token_id_1"]);
  });
});

describe("keys that only grow", () => {
  it("refuses a ranged key that starts with timestamp, naming the hashed and the prefixed alternatives", () => {
    const { problems } = findings({ name: "results", key: { timestamp: 1, test_id: 1 } });
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("sharding.collections[0].key");
    expect(problems[0].rule).toContain('{ timestamp: "hashed" }');
    expect(problems[0].rule).toContain("{ test_id: 1, timestamp: 1 }");
    expect(problems[0].rule).toContain("allowMonotonicPrefix");
  });

  it("accepts it when allowMonotonicPrefix is true", () => {
    expect(findings({ name: "results", key: { timestamp: 1 }, allowMonotonicPrefix: true })).toEqual({ problems: [], warnings: [] });
  });

  it("accepts the hashed form of the same field", () => {
    expect(findings({ name: "results", key: { timestamp: "hashed" } }).problems).toEqual([]);
  });

  it("finds a date-typed field from the validator, and suggests a generic prefix when no index has one", () => {
    const { problems } = findings({ name: "results", key: { recorded: 1 } });
    expect(problems).toHaveLength(1);
    expect(problems[0].rule).toContain("date");
    expect(problems[0].rule).toContain("{ <a field your queries match by equality>: 1, recorded: 1 }");
  });

  it("treats _id as growing where it may be an ObjectId", () => {
    const { problems } = findings({ name: "changes", key: { _id: 1 } });
    expect(problems).toHaveLength(1);
    expect(problems[0].rule).toContain("ObjectId");
  });

  it("treats _id as growing where the catalog has no validator (MongoDB's default _id is an ObjectId)", () => {
    const catalog = { collections: [{ name: "results", indexes: [] }] };
    const { problems } = shardingFindings(withCollections({ name: "results", key: { _id: 1 } }), catalog);
    expect(problems).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining("ObjectId") }]);
  });

  it("does not treat a reference typed objectId (test_id) as growing: it spreads over every test", () => {
    expect(findings({ name: "results", key: { test_id: 1 } }).problems).toEqual([]);
  });

  it("only looks at the first field", () => {
    expect(findings({ name: "results", key: { user_id: 1, timestamp: 1 } }).problems).toEqual([]);
  });
});

describe("malformed keys and collections", () => {
  it("refuses an empty key", () => {
    expect(findings({ name: "results", key: {} }).problems).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining("at least one field") }]);
  });

  it("refuses more than one hashed field", () => {
    const { problems } = findings({ name: "results", key: { test_id: "hashed", user_id: "hashed" } });
    expect(problems).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining("at most one hashed field") }]);
  });

  it("refuses hashed on an array field", () => {
    const { problems } = findings({ name: "results", key: { "metrics.name": "hashed" } });
    expect(problems).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining('"metrics", an array') }]);
    expect(problems[0].rule).toContain("hashed index cannot index an array");
  });

  it("refuses a ranged key on an array field too", () => {
    const { problems } = findings({ name: "results", key: { metrics: 1 } });
    expect(problems).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining("multikey") }]);
  });

  it("refuses a collection that is not in the catalog, listing the known ones", () => {
    const { problems } = findings({ name: "result", key: { test_id: 1 } });
    expect(problems).toEqual([{ path: "sharding.collections[0].name", rule: expect.stringContaining("users, tests, results, changes") }]);
  });

  it("refuses a collection sharded twice", () => {
    const { problems } = findings({ name: "results", key: { test_id: 1, timestamp: 1 } }, { name: "results", key: { user_id: 1 } });
    expect(problems).toEqual([{ path: "sharding.collections[1].name", rule: expect.stringContaining("sharding.collections[0]") }]);
  });

  it("refuses a shard named like the config server replica set", () => {
    const config = withCollections();
    config.replsets[1].name = "cfg";
    expect(shardingFindings(config, designLikeCatalog).problems).toEqual([{ path: "replsets[1].name", rule: expect.stringContaining("config server") }]);
  });
});

describe("the supporting index", () => {
  it("warns when the catalog has no index that starts with the key, naming the one the job creates", () => {
    const { problems, warnings } = findings({ name: "results", key: { user_id: 1, test_id: 1 } });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining('creates "user_id_1_test_id_1"') }]);
  });

  it("says why a descending index with the same fields does not serve", () => {
    const { warnings } = findings({ name: "changes", key: { test_id: 1, timestamp: 1 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0].rule).toContain('"test_id_1_timestamp_-1"');
    expect(warnings[0].rule).toContain("never descending");
  });

  it("needs a hashed index for a hashed key: an ascending one does not serve", () => {
    expect(findings({ name: "results", key: { user_id: "hashed" } }).warnings).toHaveLength(1);
  });

  it("does not accept a partial index as the supporting index, and says so", () => {
    const catalog = { collections: [{ name: "results", indexes: [{ key: { test_id: 1 }, name: "test_id_1", partialFilterExpression: { test_id: { $type: "string" } } }] }] };
    const { warnings } = shardingFindings(withCollections({ name: "results", key: { test_id: 1 } }), catalog);
    expect(warnings).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining('creates "test_id_1"') }]);
    expect(warnings[0].rule).toContain("it is partial");
  });

  it("explains that a hashed key needs a hashed index, not the ascending one with the same field", () => {
    const { warnings } = findings({ name: "results", key: { test_id: "hashed" } });
    expect(warnings).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining("indexes test_id ascending, the key needs it hashed") }]);
  });

  it("does not pile a supporting-index warning on a refused key", () => {
    expect(findings({ name: "users", key: { github_id: 1 } }).warnings).toEqual([]);
  });
});

describe("fields the catalog does not know", () => {
  it("warns that a key field missing from the validator puts every document on one key value", () => {
    const { problems, warnings } = findings({ name: "results", key: { test_idd: 1 } });
    expect(problems).toEqual([]);
    expect(warnings[0]).toEqual({ path: "sharding.collections[0].key", rule: expect.stringContaining('"test_idd" is not a field of results') });
  });
});

describe("keys that concentrate inserts or cannot split (issue 13, item 8)", () => {
  it("warns about a ranged leading field that may hold ObjectIds, suggesting it hashed", () => {
    // The catalog allows results.test_id as objectId: a new test's id sorts above all others.
    const { problems, warnings } = findings({ name: "results", key: { test_id: 1, timestamp: 1 } });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([{ path: "sharding.collections[0].key", rule: expect.stringContaining('may hold ObjectIds') }]);
    expect(warnings[0].rule).toContain('{ test_id: "hashed", timestamp: 1 }');
  });

  it("does not warn when the field is hashed, or typed without objectId", () => {
    expect(findings({ name: "results", key: { test_id: "hashed", timestamp: 1 } }).warnings.filter((w) => w.rule.includes("ObjectIds"))).toEqual([]);
    expect(findings({ name: "changes", key: { user_id: 1, timestamp: 1 } }).warnings.filter((w) => w.rule.includes("ObjectIds"))).toEqual([]);
  });

  it("warns about a key of one low-cardinality field alone (jumbo chunks)", () => {
    const { warnings } = findings({ name: "changes", key: { notified: 1 } });
    expect(warnings).toContainEqual({ path: "sharding.collections[0].key", rule: expect.stringContaining("jumbo chunks") });
    expect(findings({ name: "changes", key: { notified: 1, test_id: 1 } }).warnings.filter((w) => w.rule.includes("jumbo"))).toEqual([]);
  });
});
