import { catalog, collectionSpec } from "../../migrations/catalog";
import { queryPatterns, sampleFromSeed } from "../../migrations/query-patterns";
import { retentionSteps } from "../../migrations/retention";
import { SEED_DEFAULTS, SeedData, seedData } from "../../migrations/seed-data";
import { FakeCollections, matches } from "./support/fake-collections";

const seed = seedData();
const sample = sampleFromSeed(seed);
const patterns = queryPatterns(sample);
const collections = (data: SeedData) => ({ users: data.users, tests: data.tests, results: data.results, changes: data.changes, organizations: data.organizations });

describe("the query patterns", () => {
  it("name every query of the design, each once", () => {
    expect(patterns.map((p) => p.name)).toEqual([
      "results-by-test-range",
      "recent-results",
      "results-of-test",
      "results-by-user",
      "results-by-commit",
      "pending-changes",
      "changes-by-test",
      "recent-changes",
      "user-by-email",
      "user-by-github-id",
      "user-by-token",
      "test-by-user-and-name",
      "tests-of-user",
      "tests-by-org",
      "public-tests",
      "org-by-github-org",
      "orgs-of-member",
      "retention-candidates",
      "retention-change-lookup",
    ]);
  });

  it("expect only indexes the catalog has, and every catalog index serves at least one pattern", () => {
    for (const p of patterns) expect([p.name, collectionSpec(catalog, p.collection).indexes.some((i) => i.name === p.expectedIndex)]).toEqual([p.name, true]);
    for (const c of catalog.collections) {
      for (const index of c.indexes) {
        expect([c.name, index.name, patterns.some((p) => p.collection === c.name && p.expectedIndex === index.name)]).toEqual([c.name, index.name, true]);
      }
    }
  });

  it("lead with the expected index's first field (in the filter or the sort)", () => {
    for (const p of patterns) {
      const index = collectionSpec(catalog, p.collection).indexes.find((i) => i.name === p.expectedIndex)!;
      const first = Object.keys(index.key)[0];
      expect([p.name, first in p.filter || first in (p.sort ?? {})]).toEqual([p.name, true]);
    }
  });

  it("find documents in the seed data (so explain has something to examine)", () => {
    const fake = new FakeCollections(collections(seed));
    for (const p of patterns) {
      const found = fake.find(p.collection, p.filter, { sort: p.sort, limit: p.limit });
      expect([p.name, found.length > 0]).toEqual([p.name, true]);
    }
  });

  it("are selective where the design's queries are (a scan would examine far more than they return)", () => {
    const fake = new FakeCollections(collections(seed));
    for (const name of ["results-by-test-range", "pending-changes", "user-by-token", "results-by-commit"]) {
      const p = patterns.find((x) => x.name === name)!;
      const returned = fake.find(p.collection, p.filter, {}).length;
      expect([name, returned * 20 < fake.docs(p.collection).length]).toEqual([name, true]);
    }
  });

  it("use retention's own filter for the retention query", () => {
    const first = retentionSteps({ resultsDays: 90, batchSize: 1000, nowSeconds: sample.now }).next().value;
    const p = patterns.find((x) => x.name === "retention-candidates")!;
    expect(first).toMatchObject({ kind: "find", collection: "results", filter: p.filter, sort: p.sort, projection: p.projection, limit: p.limit });
  });
});

describe("the seed data", () => {
  it("is deterministic", () => {
    const small = { users: 6, resultsPerTest: 20 };
    expect(seedData(small)).toEqual(seedData(small));
    expect(seedData({ ...small, seed: 2 }).results[0]).not.toEqual(seedData(small).results[0]);
  });

  it("has the configured sizes", () => {
    expect(seed.users).toHaveLength(SEED_DEFAULTS.users);
    expect(seed.tests).toHaveLength(SEED_DEFAULTS.users * SEED_DEFAULTS.testsPerUser);
    expect(seed.results).toHaveLength(SEED_DEFAULTS.users * SEED_DEFAULTS.testsPerUser * SEED_DEFAULTS.resultsPerTest);
    expect(seed.changes.length).toBeGreaterThan(0);
  });

  it("satisfies every unique index of the catalog, partial filters included", () => {
    for (const c of catalog.collections) {
      for (const index of c.indexes.filter((i) => i.unique)) {
        const docs = (collections(seed) as Record<string, Record<string, unknown>[]>)[c.name].filter((d) => matches(d, index.partialFilterExpression ?? {}));
        // One key per (document, array element): a multikey unique index forbids a value in two documents.
        const owners = new Map<string, unknown>();
        for (const d of docs) {
          for (const key of keysOf(d, Object.keys(index.key))) {
            expect([index.name, key, owners.get(key) ?? d._id]).toEqual([index.name, key, d._id]);
            owners.set(key, d._id);
          }
        }
        expect([index.name, owners.size > 0]).toEqual([index.name, true]);
      }
    }
  });

  it("contains the documents a plain unique index would reject: null github_id, no tokens, empty tokens", () => {
    expect(seed.users.filter((u) => u.github_id === null).length).toBeGreaterThanOrEqual(2);
    expect(seed.users.filter((u) => !("github_id" in u)).length).toBeGreaterThanOrEqual(2);
    expect(seed.users.filter((u) => !("tokens" in u)).length).toBeGreaterThanOrEqual(2);
    expect(seed.users.filter((u) => Array.isArray(u.tokens) && u.tokens.length === 0).length).toBeGreaterThanOrEqual(2);
    expect(seed.organizations.filter((o) => !("github_org" in o)).length).toBeGreaterThanOrEqual(1);
  });

  it("has every required field of the validators, with the validators' top-level types", () => {
    const problems = new Set<string>();
    for (const c of catalog.collections) {
      const schema = c.validator.$jsonSchema as { required: string[]; properties: Record<string, { bsonType: string | string[] }> };
      for (const d of (collections(seed) as Record<string, Record<string, unknown>[]>)[c.name]) {
        for (const field of schema.required) if (!(field in d)) problems.add(`${c.name}.${field} missing`);
        for (const [field, value] of Object.entries(d)) {
          const allowed = [schema.properties[field]?.bsonType ?? []].flat();
          if (allowed.length > 0 && !allowed.includes(bsonTypeOf(value))) problems.add(`${c.name}.${field} is ${bsonTypeOf(value)}, not ${allowed.join("/")}`);
        }
      }
    }
    expect([...problems]).toEqual([]);
  });

  it("has old results (for retention), both kinds of kept ones, and pending changes for the sample user", () => {
    const cutoff = seed.now - 90 * 86400;
    const old = seed.results.filter((r) => (r.timestamp as number) < cutoff);
    expect(old.length).toBeGreaterThan(seed.results.length / 3);
    expect(old.some((r) => r.has_change === true)).toBe(true);
    const referred = new Set(seed.changes.map((ch) => `${ch.test_id}@${ch.timestamp}`));
    expect(old.some((r) => r.has_change !== true && referred.has(`${r.test_id}@${r.timestamp}`))).toBe(true);
    expect(seed.changes.some((ch) => ch.user_id === sample.userId && ch.notified === false)).toBe(true);
  });
});

function keysOf(doc: Record<string, unknown>, fields: string[]): string[] {
  // Enough for this catalog: one field per unique index or compound keys of scalars.
  const [first, ...rest] = fields;
  const values = first.includes(".")
    ? ([doc[first.split(".")[0]]].flat() as Record<string, unknown>[]).filter((e) => e && typeof e === "object").map((e) => e[first.split(".")[1]])
    : [doc[first]];
  return values.map((v) => JSON.stringify([v, ...rest.map((f) => doc[f])]));
}

function bsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "number":
      return "number";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    default:
      return "object";
  }
}
