import { catalog, collectionSpec } from "../../migrations/catalog";
import { commandCollection, commandName, commandsFor } from "../../migrations/plan";

const results = collectionSpec(catalog, "results");

describe("commandsFor", () => {
  it("creates a collection with its validator, level and action", () => {
    const [command] = commandsFor({ op: "createCollection", collection: "results", validator: results.validator, validationLevel: "moderate", validationAction: "warn" });
    expect(command).toEqual({ create: "results", validator: results.validator, validationLevel: "moderate", validationAction: "warn" });
    expect(Object.keys(command)[0]).toBe("create");
  });

  it("builds all of a collection's indexes with one createIndexes command and votingMembers commit quorum", () => {
    const commands = commandsFor({ op: "createIndexes", collection: "results", indexes: results.indexes });
    expect(commands).toHaveLength(1);
    expect(commands[0]).toEqual({
      createIndexes: "results",
      indexes: [
        { key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" },
        { key: { user_id: 1, timestamp: 1 }, name: "user_id_1_timestamp_1" },
        { key: { "attributes.git_commit": 1 }, name: "attributes.git_commit_1" },
        { key: { timestamp: 1 }, name: "timestamp_1" },
      ],
      commitQuorum: "votingMembers",
    });
    expect(Object.keys(commands[0])).toEqual(["createIndexes", "indexes", "commitQuorum"]);
  });

  it("sends the index options that are set, and only those", () => {
    const [command] = commandsFor({ op: "createIndexes", collection: "users", indexes: [{ key: { github_id: 1 }, name: "github_id_1", unique: true, sparse: false, partialFilterExpression: { github_id: { $gte: "" } } }] });
    expect(command.indexes).toEqual([{ key: { github_id: 1 }, name: "github_id_1", unique: true, partialFilterExpression: { github_id: { $gte: "" } } }]);
  });

  it("sends nothing for an empty index list", () => {
    expect(commandsFor({ op: "createIndexes", collection: "results", indexes: [] })).toEqual([]);
  });

  it("modifies validation with collMod, drops with drop and dropIndexes", () => {
    expect(commandsFor({ op: "collMod", collection: "tests", validator: { $jsonSchema: {} }, validationLevel: "strict", validationAction: "error" })).toEqual([
      { collMod: "tests", validator: { $jsonSchema: {} }, validationLevel: "strict", validationAction: "error" },
    ]);
    expect(commandsFor({ op: "dropCollection", collection: "tests" })).toEqual([{ drop: "tests" }]);
    expect(commandsFor({ op: "dropIndex", collection: "tests", name: "public_1" })).toEqual([{ dropIndexes: "tests", index: "public_1" }]);
  });

  it("names a command and its collection", () => {
    const command = { dropIndexes: "tests", index: "public_1" };
    expect([commandName(command), commandCollection(command)]).toEqual(["dropIndexes", "tests"]);
  });
});
