import { catalog } from "../../../migrations/catalog";
import { listedForm } from "../../../migrations/plan/listed-index";
import { classifyIndexes, usageByName } from "../../../migrations/runner/index-report";

const since = new Date("2025-01-01T00:00:00Z");
const users = catalog.collections.find((c) => c.name === "users");
if (!users) throw new Error("catalog has no users");

describe("indexes against the catalog", () => {
  // listIndexes as a server returns it for users: the catalog's indexes, one edited by hand
  // (unique dropped), and one created by hand.
  const listed = [
    { v: 2, key: { _id: 1 }, name: "_id_" },
    { v: 2, ...listedForm(users.indexes[0]) },
    { v: 2, ...listedForm({ ...users.indexes[1], unique: false }) },
    { v: 2, key: { name: 1 }, name: "name_1" },
  ];
  const report = classifyIndexes(catalog, "nyrkio", [
    {
      name: "users",
      indexes: listed,
      usage: [
        { name: "_id_", ops: 10, since },
        { name: users.indexes[0].name, ops: 250, since },
        { name: users.indexes[1].name, ops: 0, since },
        { name: "name_1", ops: 0, since },
      ],
    },
    { name: "scratch", indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }, { v: 2, key: { a: 1 }, name: "a_1" }], usage: [] },
  ]);

  it("marks catalog indexes, drift and never-used ones", () => {
    const [u] = report.collections;
    expect(u.indexes.map((i) => [i.name, i.status, i.ops, i.neverUsed])).toEqual([
      ["_id_", "id", 10, false],
      [users.indexes[0].name, "catalog", 250, false],
      [users.indexes[1].name, "differs", 0, true],
      ["name_1", "unknown", 0, true],
    ]);
    expect(u.indexes[2].reason).toMatch(/unique: existing absent, desired true/);
  });

  it("lists catalog indexes and collections the database lacks", () => {
    expect(report.collections[0].missing.map((m) => m.name)).toEqual(users.indexes.slice(2).map((i) => i.name));
    expect(report.missingCollections).toEqual(catalog.collections.map((c) => c.name).filter((n) => n !== "users"));
  });

  it("a collection the catalog does not know: its indexes are drift", () => {
    const scratch = report.collections[1];
    expect(scratch.inCatalog).toBe(false);
    expect(scratch.indexes.map((i) => [i.name, i.status, i.ops, i.neverUsed])).toEqual([
      ["_id_", "id", null, false],
      ["a_1", "unknown", null, false],
    ]);
  });

  it("adds up the entries of every shard", () => {
    const later = new Date("2025-02-01T00:00:00Z");
    expect(usageByName([{ name: "a", ops: 2, since: later }, { name: "b", ops: 9, since }, { name: "a", ops: 3, since, building: true }], "a")).toEqual({ name: "a", ops: 5, since, building: true });
    expect(usageByName([], "a")).toBeUndefined();
  });

  it("sums it up", () => {
    expect(report.summary).toEqual({ indexes: 6, drift: 3, neverUsed: 2, missing: users.indexes.length - 2 });
  });
});
