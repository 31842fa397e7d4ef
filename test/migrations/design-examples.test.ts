// The design's example documents satisfy the catalog's validators: proved offline with the
// $jsonSchema-subset evaluator (migrations/plan/json-schema.ts). The integration variant
// (test/integration/migrate.test.ts) inserts them into a migrated database and checks that
// find({$nor: [validator]}) returns nothing.
import { existsSync, readFileSync } from "node:fs";
import { catalog, collectionSpec } from "../../migrations/catalog";
import { bsonTypeOf, validateDocument } from "../../migrations/plan/json-schema";
import { seedData } from "../../migrations/seed-data";
import { Decimal128, Int32, Long, ObjectId } from "mongodb";
import { DESIGN_EXAMPLES, DESIGN_PATH, designExamples } from "./support/design-examples";

describe("the design's example documents", () => {
  const examples = DESIGN_EXAMPLES;

  (existsSync(DESIGN_PATH) ? it : it.skip)("the fixture is the design's examples, as written there", () => {
    expect(designExamples(readFileSync(DESIGN_PATH, "utf8"))).toEqual(examples);
  });

  it("has one example per catalog collection", () => {
    expect(Object.keys(examples).sort()).toEqual(catalog.collections.map((c) => c.name).sort());
  });

  it.each(catalog.collections.map((c) => [c.name]))("%s: the example satisfies the validator", (name) => {
    expect(validateDocument(collectionSpec(catalog, name).validator, examples[name])).toEqual([]);
  });

  it("a numeric github_id (what GitHub's API returns) does not", () => {
    const user = { ...examples.users, github_id: 12345 };
    expect(validateDocument(collectionSpec(catalog, "users").validator, user)).toEqual([{ path: "github_id", rule: 'bsonType ["string","null"], found int' }]);
  });
});

describe("the seed data of check:queries satisfies the validators (it is inserted with validationAction error)", () => {
  const seed = seedData({ users: 12, testsPerUser: 2, resultsPerTest: 5 });
  it.each(catalog.collections.map((c) => [c.name]))("%s", (name) => {
    const docs = seed[name as keyof typeof seed] as Record<string, unknown>[];
    const violations = docs.flatMap((d) => validateDocument(collectionSpec(catalog, name).validator, d).map((v) => ({ _id: d._id, ...v })));
    expect(violations).toEqual([]);
  });
});

describe("the $jsonSchema evaluator", () => {
  const v = (schema: Record<string, unknown>) => ({ $jsonSchema: schema });

  it("knows MongoDB's type aliases: number is int, long, double or decimal", () => {
    expect([1, 2 ** 40, 1.5, new Int32(1), Long.fromNumber(1), Decimal128.fromString("1.0"), new ObjectId(), new Date(0), null, true].map(bsonTypeOf)).toEqual([
      "int",
      "long",
      "double",
      "int",
      "long",
      "decimal",
      "objectId",
      "date",
      "null",
      "bool",
    ]);
    expect(validateDocument(v({ properties: { n: { bsonType: "number" } } }), { n: Decimal128.fromString("2") })).toEqual([]);
    expect(validateDocument(v({ properties: { n: { bsonType: "number" } } }), { n: "2" })).toEqual([{ path: "n", rule: 'bsonType "number", found string' }]);
  });

  it("required fields (null counts as present), nested objects and array items", () => {
    const schema = v({ bsonType: "object", required: ["a"], properties: { a: { bsonType: ["string", "null"] }, list: { bsonType: "array", items: { bsonType: "object", required: ["id"], properties: { id: { bsonType: "string" } } } } } });
    expect(validateDocument(schema, { a: null })).toEqual([]);
    expect(validateDocument(schema, {})).toEqual([{ path: "a", rule: "required" }]);
    expect(validateDocument(schema, { a: "x", list: [{ id: "1" }, { id: 2 }, {}] })).toEqual([
      { path: "list.1.id", rule: 'bsonType "string", found int' },
      { path: "list.2.id", rule: "required" },
    ]);
  });

  it("pattern applies to strings only; extra fields are allowed unless additionalProperties is false", () => {
    const schema = v({ properties: { id: { bsonType: ["string", "null"], pattern: "^[0-9]+$" } } });
    expect(validateDocument(schema, { id: "123", extra: 1 })).toEqual([]);
    expect(validateDocument(schema, { id: null })).toEqual([]);
    expect(validateDocument(schema, { id: "12a" })).toEqual([{ path: "id", rule: 'pattern "^[0-9]+$"' }]);
    expect(validateDocument(v({ properties: { a: {} }, additionalProperties: false }), { a: 1, b: 2 })).toEqual([{ path: "b", rule: "additionalProperties false" }]);
  });

  it("refuses a keyword it does not implement rather than ignoring it", () => {
    expect(() => validateDocument(v({ properties: { a: { oneOf: [] } } }), { a: 1 })).toThrow(/keyword "oneOf" \(at a\) is outside the subset/);
  });
});
