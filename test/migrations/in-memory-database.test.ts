import { applyInMemory, CommandError, DatabaseState, emptyDatabase, planOperations, runCommand } from "../../migrations/plan";

const schema = { $jsonSchema: { bsonType: "object" } };
const create = { create: "tests", validator: schema, validationLevel: "moderate", validationAction: "warn" };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandError) return `${e.code} ${e.codeName}`;
    throw e;
  }
  return undefined;
}

describe("the in-memory database (MongoDB's command semantics)", () => {
  const withTests = runCommand(emptyDatabase(), create);

  it("creates a collection with its options and the _id_ index", () => {
    expect(withTests).toEqual({
      collections: [{ name: "tests", options: { validator: schema, validationLevel: "moderate", validationAction: "warn" }, indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }] }],
    });
  });

  it("accepts create of an existing collection with identical options, refuses other options (NamespaceExists)", () => {
    expect(runCommand(withTests, create)).toEqual(withTests);
    expect(codeOf(() => runCommand(withTests, { ...create, validationAction: "error" }))).toBe("48 NamespaceExists");
  });

  it("creates the collection implicitly on createIndexes, with MongoDB's default validation", () => {
    const state = runCommand(emptyDatabase(), { createIndexes: "results", indexes: [{ key: { timestamp: 1 }, name: "timestamp_1" }] });
    expect(state.collections[0]).toEqual({
      name: "results",
      options: {},
      indexes: [
        { v: 2, key: { _id: 1 }, name: "_id_" },
        { v: 2, key: { timestamp: 1 }, name: "timestamp_1" },
      ],
    });
  });

  it("treats an equal index as a no-op and refuses conflicting ones with the server's codes", () => {
    const state = runCommand(withTests, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }] });
    expect(runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }] })).toEqual(state);
    // Same name, an identifying option (unique) differs: kDifferent, so 86 (the model said 85).
    expect(codeOf(() => runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1", unique: true }] }))).toBe("86 IndexKeySpecsConflict");
    expect(codeOf(() => runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: -1 }, name: "org_id_1" }] }))).toBe("86 IndexKeySpecsConflict");
    // Same name, only a non-identifying option differs: kEquivalent, 85.
    expect(codeOf(() => runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1", expireAfterSeconds: 60 }] }))).toBe("85 IndexOptionsConflict");
    // Another name, same key and identity: 85, identical or equivalent.
    expect(codeOf(() => runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "by_org" }] }))).toBe("85 IndexOptionsConflict");
    expect(codeOf(() => runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "by_org", expireAfterSeconds: 60 }] }))).toBe("85 IndexOptionsConflict");
  });

  // Issue 11 defect 8: IndexDescriptor::compareIndexOptions (index_descriptor.cpp) makes unique,
  // sparse, collation and partialFilterExpression part of the identity; jstests/core/index_signature.js
  // builds {a: 1} under "basic_index", "sparse_index", "unique_index" and "unique_sparse_index".
  it.each([
    ["unique", { unique: true }],
    ["sparse", { sparse: true }],
    ["a partial filter", { partialFilterExpression: { org_id: { $type: "string" } } }],
    ["a collation", { collation: { locale: "en", strength: 2 } }],
  ])("builds the same key under another name with %s (the zero-downtime pattern)", (_what, options) => {
    const state = runCommand(withTests, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }] });
    const after = runCommand(state, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1_v2", ...options }] });
    expect(after.collections[0].indexes.map((i) => i.name)).toEqual(["_id_", "org_id_1", "org_id_1_v2"]);
    // ...then the old one is dropped.
    expect(runCommand(after, { dropIndexes: "tests", index: "org_id_1" }).collections[0].indexes.map((i) => i.name)).toEqual(["_id_", "org_id_1_v2"]);
  });

  it("builds nothing when one index of the command conflicts (all or nothing)", () => {
    const state = runCommand(withTests, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }] });
    expect(() =>
      runCommand(state, { createIndexes: "tests", indexes: [{ key: { public: 1 }, name: "public_1" }, { key: { org_id: 1 }, name: "org_id_1", sparse: true }] }),
    ).toThrow(CommandError);
    expect(state.collections[0].indexes.map((i) => i.name)).toEqual(["_id_", "org_id_1"]);
  });

  it("drops indexes (not _id_, not missing ones) and collections (a missing one is fine since 7.0)", () => {
    const state = runCommand(withTests, { createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }] });
    expect(runCommand(state, { dropIndexes: "tests", index: "org_id_1" })).toEqual(withTests);
    expect(codeOf(() => runCommand(state, { dropIndexes: "tests", index: "public_1" }))).toBe("27 IndexNotFound");
    expect(codeOf(() => runCommand(state, { dropIndexes: "tests", index: "_id_" }))).toBe("72 InvalidOptions");
    expect(codeOf(() => runCommand(emptyDatabase(), { dropIndexes: "tests", index: "x" }))).toBe("26 NamespaceNotFound");
    expect(runCommand(state, { drop: "tests" })).toEqual(emptyDatabase());
    expect(runCommand(emptyDatabase(), { drop: "tests" })).toEqual(emptyDatabase());
  });

  it("changes validation with collMod, only on an existing collection", () => {
    const strict = runCommand(withTests, { collMod: "tests", validator: schema, validationLevel: "strict", validationAction: "error" });
    expect(strict.collections[0].options).toEqual({ validator: schema, validationLevel: "strict", validationAction: "error" });
    expect(codeOf(() => runCommand(emptyDatabase(), { collMod: "tests", validationLevel: "strict" }))).toBe("26 NamespaceNotFound");
  });

  it("does not change the state it was given", () => {
    const before = JSON.stringify(withTests);
    runCommand(withTests, { createIndexes: "tests", indexes: [{ key: { a: 1 }, name: "a_1" }] });
    runCommand(withTests, { drop: "tests" });
    expect(JSON.stringify(withTests)).toBe(before);
  });
});

describe("applyInMemory and planOperations", () => {
  const ops = [
    { op: "createCollection" as const, collection: "tests", validator: schema, validationLevel: "moderate" as const, validationAction: "warn" as const },
    { op: "createIndexes" as const, collection: "tests", indexes: [{ key: { org_id: 1 as const }, name: "org_id_1" }] },
  ];

  it("plans each operation against the state the previous ones leave", () => {
    const planned = planOperations(ops, emptyDatabase());
    expect(planned.plans.map((p) => p.commands)).toEqual([
      [create],
      [{ createIndexes: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }], commitQuorum: "votingMembers" }],
    ]);
    expect(planned.blocked).toBeUndefined();
  });

  it("stops at the first operation that conflicts, planning nothing after it", () => {
    const state: DatabaseState = applyInMemory(ops, emptyDatabase());
    const conflicting = [
      { op: "createIndexes" as const, collection: "tests", indexes: [{ key: { org_id: 1 as const }, name: "org_id_1", unique: true }] },
      { op: "dropCollection" as const, collection: "tests" },
    ];
    const planned = planOperations(conflicting, state);
    expect(planned.plans).toHaveLength(1);
    expect(planned.blocked?.conflicts.map((c) => c.name)).toEqual(["org_id_1"]);
    expect(planned.state).toEqual(state);
    expect(() => applyInMemory(conflicting, state)).toThrow('createIndexes on "tests" stops the run: tests: an index named "org_id_1" exists with another definition: unique: existing absent, desired true');
  });
});
