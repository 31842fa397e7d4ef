import { readdirSync } from "node:fs";
import path from "node:path";
import { catalog } from "../../migrations/catalog";
import type { Migration } from "../../migrations/migration";
import { applyInMemory, catalogOf, emptyDatabase, migrationChecksum } from "../../migrations/plan";
import { loadMigrations, migrationProblems, MIGRATIONS } from "../../migrations/registry";

describe("the migrations", () => {
  it("applied in order to an empty database yield exactly the catalog", () => {
    let state = emptyDatabase();
    for (const { migration } of loadMigrations()) state = applyInMemory(migration.up, state);
    expect(catalogOf(state)).toEqual(catalog);
  });

  it("reverted in reverse order leave an empty database", () => {
    let state = emptyDatabase();
    const loaded = loadMigrations();
    for (const { migration } of loaded) state = applyInMemory(migration.up, state);
    for (const { migration } of [...loaded].reverse()) {
      expect(migration.down).toBeDefined();
      state = applyInMemory(migration.down!, state);
    }
    expect(state).toEqual(emptyDatabase());
  });

  it("applied twice change nothing the second time (a re-run builds nothing)", () => {
    let state = emptyDatabase();
    for (const { migration } of loadMigrations()) state = applyInMemory(migration.up, state);
    let again = state;
    for (const { migration } of loadMigrations()) again = applyInMemory(migration.up, again);
    expect(again).toEqual(state);
  });

  it("never import the live catalog (each carries its own definitions)", () => {
    const dir = path.join(__dirname, "../../migrations");
    for (const file of readdirSync(dir).filter((f) => /^\d{4}-.*\.ts$/.test(f))) {
      const text = require("node:fs").readFileSync(path.join(dir, file), "utf8") as string;
      expect([file, /from "\.\/catalog|require\(/.test(text)]).toEqual([file, false]);
    }
  });

  it("are all listed in the registry, in file-name order", () => {
    const onDisk = readdirSync(path.join(__dirname, "../../migrations"))
      .filter((f) => /^\d{4}-.*\.ts$/.test(f))
      .sort()
      .map((f) => `migrations/${f}`);
    expect(loadMigrations().map((m) => m.file)).toEqual(onDisk);
  });

  it("have stable checksums that change with what they send, not with how they are written", () => {
    const [first] = loadMigrations();
    expect(first.checksum).toMatch(/^v2:[0-9a-f]{64}$/);
    const m = first.migration;
    // Same operations with object keys in another order: same checksum.
    const reordered: Migration = JSON.parse(JSON.stringify(m), (k, v) =>
      v && typeof v === "object" && !Array.isArray(v) && k !== "key" ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(m));
    expect(migrationChecksum(reordered)).toBe(first.checksum);
    // Another index option: another checksum.
    const changed = structuredClone(m);
    const op = changed.up[1];
    if (op.op !== "createIndexes") throw new Error("expected createIndexes");
    op.indexes[0].unique = false;
    expect(migrationChecksum(changed)).not.toBe(first.checksum);
    // Index key field order is meaning: swapping it changes the checksum.
    const swapped = structuredClone(MIGRATIONS[2]);
    const results = swapped.up[1];
    if (results.op !== "createIndexes") throw new Error("expected createIndexes");
    results.indexes[0].key = { timestamp: 1, test_id: 1 };
    expect(migrationChecksum(swapped)).not.toBe(loadMigrations()[2].checksum);
  });

  it("refuses a malformed list, one line per problem", () => {
    const bad: Migration[] = [
      { ...MIGRATIONS[0], id: 2, name: "Create Users" },
      { id: 3, name: "empty", up: [] },
      { id: 3, name: "dup-index", up: [{ op: "createIndexes", collection: "x", indexes: [{ key: { a: 1 }, name: "a_1" }, { key: { b: 1 }, name: "a_1" }] }] },
    ];
    expect(migrationProblems(bad)).toEqual([
      "migration #1 (migrations/0002-Create Users.ts): id is 2, expected 1 (ids run 1, 2, 3... without gaps, in list order)",
      'migration #1 (migrations/0002-Create Users.ts): name "Create Users" must be lower-case words joined by "-"',
      "migration #2 (migrations/0003-empty.ts): id is 3, expected 2 (ids run 1, 2, 3... without gaps, in list order)",
      "migration #2 (migrations/0003-empty.ts): up has no operations",
      'migration #3 (migrations/0003-dup-index.ts): up[0] createIndexes: index name "a_1" appears twice',
    ]);
    expect(() => loadMigrations(bad)).toThrow("the migration list is malformed");
  });
});
