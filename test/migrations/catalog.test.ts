import { catalog, collectionNames, collectionSpec, uniqueIndexes } from "../../migrations/catalog";
import type { IndexSpec } from "../../migrations/migration";

function index(collection: string, name: string): IndexSpec {
  const found = collectionSpec(catalog, collection).indexes.find((i) => i.name === name);
  if (!found) throw new Error(`no index ${name} on ${collection}`);
  return found;
}

describe("the schema catalog", () => {
  it("has the design's five collections", () => {
    expect(collectionNames(catalog)).toEqual(["users", "tests", "results", "changes", "organizations"]);
  });

  it("has every index of the design, each named, with its key (corrected where the facts say so)", () => {
    const keys = Object.fromEntries(catalog.collections.map((c) => [c.name, c.indexes.map((i) => i.key)]));
    expect(keys).toEqual({
      users: [{ email: 1 }, { github_id: 1 }, { "tokens.token_id": 1 }],
      tests: [{ user_id: 1, name: 1 }, { org_id: 1 }, { public: 1 }],
      results: [{ test_id: 1, timestamp: 1 }, { user_id: 1, timestamp: 1 }, { "attributes.git_commit": 1 }, { timestamp: 1 }],
      changes: [{ test_id: 1, timestamp: 1 }, { user_id: 1, notified: 1, timestamp: 1 }, { timestamp: 1 }],
      organizations: [{ github_org: 1 }, { "members.user_id": 1 }],
    });
    for (const c of catalog.collections) {
      for (const i of c.indexes) {
        // MongoDB's default naming, so an index the application created by hand matches by name.
        const defaultName = Object.entries(i.key).map(([f, d]) => `${f}_${d}`).join("_");
        expect(i.name).toBe(defaultName);
      }
    }
  });

  it("keeps field order in compound keys (ESR for pending changes, ascending for shard keys)", () => {
    expect(Object.keys(index("changes", "user_id_1_notified_1_timestamp_1").key)).toEqual(["user_id", "notified", "timestamp"]);
    expect(Object.keys(index("results", "test_id_1_timestamp_1").key)).toEqual(["test_id", "timestamp"]);
    for (const c of catalog.collections) for (const i of c.indexes) expect(Object.values(i.key).every((d) => d === 1)).toBe(true);
  });

  it("has no TTL anywhere: a TTL index never expires an epoch-seconds number", () => {
    for (const c of catalog.collections) for (const i of c.indexes) expect(i.expireAfterSeconds).toBeUndefined();
    expect(index("results", "timestamp_1")).toEqual({ key: { timestamp: 1 }, name: "timestamp_1" });
  });

  it("makes the optional unique fields partial (not sparse), on string values only", () => {
    expect(index("users", "github_id_1")).toEqual({ key: { github_id: 1 }, name: "github_id_1", unique: true, partialFilterExpression: { github_id: { $gte: "" } } });
    expect(index("users", "tokens.token_id_1")).toEqual({
      key: { "tokens.token_id": 1 },
      name: "tokens.token_id_1",
      unique: true,
      partialFilterExpression: { "tokens.token_id": { $gte: "" } },
    });
    expect(index("organizations", "github_org_1").partialFilterExpression).toEqual({ github_org: { $gte: "" } });
    for (const c of catalog.collections) for (const i of c.indexes) expect(i.sparse).toBeUndefined();
  });

  it("lists the unique indexes a shard key must respect", () => {
    expect(uniqueIndexes(catalog, "users").map((i) => i.name)).toEqual(["email_1", "github_id_1", "tokens.token_id_1"]);
    expect(uniqueIndexes(catalog, "tests").map((i) => i.name)).toEqual(["user_id_1_name_1"]);
    expect(uniqueIndexes(catalog, "results")).toEqual([]);
    expect(() => uniqueIndexes(catalog, "metrics")).toThrow('the catalog has no collection "metrics" (it has: users, tests, results, changes, organizations)');
  });

  it("validates without breaking a running application: moderate level, extra fields allowed; error only where a type protects a unique index", () => {
    // users and organizations refuse a github_id/github_org of another type (migration 6): the
    // partial unique indexes cover strings only, so a number would escape them.
    const enforced = ["users", "organizations"];
    for (const c of catalog.collections) {
      expect([c.name, c.validationLevel, c.validationAction]).toEqual([c.name, "moderate", enforced.includes(c.name) ? "error" : "warn"]);
      expect(c.validator.$jsonSchema.bsonType).toBe("object");
      expect(c.validator.$jsonSchema.additionalProperties).toBeUndefined();
    }
  });

  it("makes github_id and github_org the type their unique index covers (issue 11 defect 11)", () => {
    const users = collectionSpec(catalog, "users");
    const github = (users.validator.$jsonSchema.properties as Record<string, Record<string, unknown>>).github_id;
    // The partial filter {$gte: ""} selects strings only; the validator admits nothing else but null, and refuses.
    expect(users.indexes.find((i) => i.name === "github_id_1")?.partialFilterExpression).toEqual({ github_id: { $gte: "" } });
    expect(github.bsonType).toEqual(["string", "null"]);
    expect(github.pattern).toBe("^[0-9]+$");
    expect(users.validationAction).toBe("error");
    const orgs = collectionSpec(catalog, "organizations");
    expect((orgs.validator.$jsonSchema.properties as Record<string, Record<string, unknown>>).github_org.bsonType).toEqual(["string", "null"]);
    expect(orgs.validationAction).toBe("error");
  });

  it("types the fields as the design's examples show them", () => {
    const props = (name: string) => collectionSpec(catalog, name).validator.$jsonSchema.properties as Record<string, Record<string, unknown>>;
    for (const [collection, field] of [["users", "created_at"], ["tests", "created_at"], ["results", "timestamp"], ["changes", "timestamp"], ["organizations", "created_at"]]) {
      expect(props(collection)[field].bsonType).toBe("number");
    }
    expect(props("changes").notified.bsonType).toBe("bool");
    expect(props("tests").public.bsonType).toBe("bool");
    expect(props("results").metrics).toMatchObject({ bsonType: "array", items: { bsonType: "object", properties: { value: { bsonType: "number" } } } });
    expect(collectionSpec(catalog, "results").validator.$jsonSchema.required).toEqual(["test_id", "user_id", "timestamp", "metrics"]);
    expect(collectionSpec(catalog, "changes").validator.$jsonSchema.required).toContain("notified");
  });
});
