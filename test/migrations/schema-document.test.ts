import { catalog } from "../../migrations/catalog";
import { schemaDocument } from "../../migrations/plan";

describe("schemaDocument (migrate schema --json)", () => {
  const doc = schemaDocument(catalog);

  it("lists every collection with name, validator, validationLevel, validationAction and indexes, and nothing else", () => {
    expect(doc.collections.map((c) => c.name)).toEqual(["users", "tests", "results", "changes", "organizations"]);
    for (const c of doc.collections) expect(Object.keys(c)).toEqual(["name", "validator", "validationLevel", "validationAction", "indexes"]);
    expect(doc.collections.map((c) => [c.name, c.validationLevel, c.validationAction])).toEqual(catalog.collections.map((c) => [c.name, c.validationLevel, c.validationAction]));
    expect(Object.keys(doc)).toEqual(["collections"]);
  });

  it("shows indexes as listIndexes does, without v and _id_, options only where set", () => {
    const users = doc.collections[0];
    expect(users.indexes).toEqual([
      { key: { email: 1 }, name: "email_1", unique: true },
      { key: { github_id: 1 }, name: "github_id_1", unique: true, partialFilterExpression: { github_id: { $gte: "" } } },
      { key: { "tokens.token_id": 1 }, name: "tokens.token_id_1", unique: true, partialFilterExpression: { "tokens.token_id": { $gte: "" } } },
    ]);
    for (const c of doc.collections) {
      for (const index of c.indexes) {
        expect(index.name).not.toBe("_id_");
        expect(Object.keys(index).filter((k) => !["key", "name", "unique", "sparse", "partialFilterExpression", "expireAfterSeconds"].includes(k))).toEqual([]);
        expect(Object.keys(index).slice(0, 2)).toEqual(["key", "name"]);
      }
    }
  });

  it("survives JSON (what the CLI prints is what a consumer parses)", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.collections[2].indexes.find((i) => i.name === "timestamp_1")).toEqual({ key: { timestamp: 1 }, name: "timestamp_1" });
  });
});
