import { LiveCollection, planOperation } from "../../migrations/plan";

const validator = { $jsonSchema: { bsonType: "object", required: ["name"] } };
const createTests = { op: "createCollection" as const, collection: "tests", validator, validationLevel: "moderate" as const, validationAction: "warn" as const };
const idIndex = { v: 2, key: { _id: 1 }, name: "_id_" };

describe("planOperation (what the runner sends to a live database)", () => {
  it("creates a missing collection", () => {
    expect(planOperation(createTests, undefined).commands).toEqual([{ create: "tests", validator, validationLevel: "moderate", validationAction: "warn" }]);
  });

  it("sends nothing for a collection that already has these options", () => {
    const live: LiveCollection = { name: "tests", options: { validator, validationLevel: "moderate", validationAction: "warn" }, indexes: [idIndex] };
    const plan = planOperation(createTests, live);
    expect(plan.commands).toEqual([]);
    expect(plan.notes).toEqual(['collection "tests" exists with these validation options']);
  });

  it("adopts a collection the application created implicitly: collMod instead of a failing create", () => {
    const plan = planOperation(createTests, { name: "tests", options: {}, indexes: [idIndex] });
    expect(plan.commands).toEqual([{ collMod: "tests", validator, validationLevel: "moderate", validationAction: "warn" }]);
    expect(plan.problems).toEqual([]);
  });

  it("builds only the missing indexes, in one command", () => {
    const live: LiveCollection = { name: "tests", options: {}, indexes: [idIndex, { v: 2, key: { org_id: 1 }, name: "org_id_1" }] };
    const plan = planOperation(
      { op: "createIndexes", collection: "tests", indexes: [{ key: { org_id: 1 }, name: "org_id_1" }, { key: { public: 1 }, name: "public_1" }, { key: { user_id: 1, name: 1 }, name: "user_id_1_name_1", unique: true }] },
      live,
    );
    expect(plan.commands).toEqual([
      { createIndexes: "tests", indexes: [{ key: { public: 1 }, name: "public_1" }, { key: { user_id: 1, name: 1 }, name: "user_id_1_name_1", unique: true }], commitQuorum: "votingMembers" },
    ]);
    expect(plan.notes).toEqual(['index "org_id_1" on "tests" exists']);
  });

  it("sends nothing at all when one desired index conflicts", () => {
    const live: LiveCollection = { name: "tests", options: {}, indexes: [idIndex, { v: 2, key: { org_id: 1 }, name: "org_id_1", sparse: true }] };
    const plan = planOperation({ op: "createIndexes", collection: "tests", indexes: [{ key: { public: 1 }, name: "public_1" }, { key: { org_id: 1 }, name: "org_id_1" }] }, live);
    expect(plan.commands).toEqual([]);
    expect(plan.problems).toEqual(['tests: an index named "org_id_1" exists with another definition: sparse: existing true, desired absent']);
    expect(plan.conflicts[0].existing).toEqual(live.indexes[1]);
  });

  it("makes drops idempotent: a missing collection or index is a note, not an error", () => {
    expect(planOperation({ op: "dropCollection", collection: "tests" }, undefined)).toMatchObject({ commands: [], notes: ['collection "tests" does not exist'] });
    expect(planOperation({ op: "dropIndex", collection: "tests", name: "public_1" }, { name: "tests", options: {}, indexes: [idIndex] })).toMatchObject({
      commands: [],
      notes: ['index "public_1" on "tests" does not exist'],
    });
    expect(planOperation({ op: "dropIndex", collection: "tests", name: "_id_" }, { name: "tests", options: {}, indexes: [idIndex] }).problems).toEqual([
      'the _id_ index of "tests" cannot be dropped',
    ]);
  });

  it("refuses collMod on a missing collection", () => {
    expect(planOperation({ ...createTests, op: "collMod" }, undefined).problems).toEqual(['collection "tests" does not exist: collMod needs it']);
  });
});
