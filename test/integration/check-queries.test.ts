// check:queries against a real replica set: on a scratch database made by the migrations and
// seeded, every query pattern of the design is served by the catalog's indexes; sampling a
// database reads only; a missing index makes it fail.
import { readFileSync } from "node:fs";
import { MongoClient, type Db } from "mongodb";
import { runCheckQueriesCli } from "../../migrations/cli/check-queries-cli";
import { createSeededDatabase, SCRATCH_PREFIX } from "../../migrations/cli/check-queries-run";
import { queryPatterns, sampleFromSeed } from "../../migrations/query-patterns";
import { loadMigrations } from "../../migrations/registry";
import { seedData } from "../../migrations/seed-data";
import { describeWithMongo, scratchDatabaseName } from "./mongo-server";

describeWithMongo("check:queries against a replica set", (target) => {
  let client: MongoClient;

  beforeAll(async () => {
    client = await new MongoClient(target().uri).connect();
  });
  afterAll(async () => {
    await client?.close();
  });

  async function checkQueries(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runCheckQueriesCli([...args, "--json"], {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { MONGODB_URI: target().uri },
      readFile: (p) => readFileSync(p, "utf8"),
    });
    expect(stdout.trimEnd().split("\n")).toHaveLength(1);
    return { code, json: JSON.parse(stdout), stderr };
  }

  const collectionsOf = async (db: Db) => (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

  it("passes on a seeded scratch database with the catalog's indexes, then drops it", async () => {
    const { code, json, stderr } = await checkQueries([]);
    expect(json.error).toBeUndefined();
    const failing = json.patterns?.filter((p: { ok: boolean }) => !p.ok).map((p: { name: string; problems: string[] }) => `${p.name}: ${p.problems.join("; ")}`);
    expect(failing).toEqual([]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ command: "check-queries", mode: "seeded", ok: true, failed: [], kept: false });
    expect(json.database.startsWith(SCRATCH_PREFIX)).toBe(true);
    const expected = queryPatterns(sampleFromSeed(seedData()));
    expect(json.patterns.map((p: { name: string }) => p.name)).toEqual(expected.map((p) => p.name));
    for (const p of json.patterns) {
      expect(p).toMatchObject({ collectionScan: false, blockingSort: false });
      expect(p.indexes.length).toBeGreaterThan(0);
      expect(p.nReturned).toBeGreaterThan(0);
    }
    expect(stderr).toMatch(new RegExp(`dropped ${json.database}`));
    expect(await collectionsOf(client.db(json.database))).toEqual([]);
  });

  describe("sampling an existing database", () => {
    let db: Db;
    beforeAll(async () => {
      db = client.db(scratchDatabaseName("it_sample"));
      await createSeededDatabase(client, db, loadMigrations(), seedData(), () => undefined);
    });
    afterAll(async () => {
      await db?.dropDatabase();
    });

    it("reads only, and passes while the catalog's indexes are there", async () => {
      const before = await Promise.all(["results", "changes", "users"].map((c) => db.collection(c).countDocuments()));
      const collections = await collectionsOf(db);
      const { code, json } = await checkQueries(["--db", db.databaseName, "--sample"]);
      expect(json.error).toBeUndefined();
      expect(json.failed).toEqual([]);
      expect(code).toBe(0);
      expect(json).toMatchObject({ mode: "sampled", database: db.databaseName, ok: true });
      expect(await Promise.all(["results", "changes", "users"].map((c) => db.collection(c).countDocuments()))).toEqual(before);
      expect(await collectionsOf(db)).toEqual(collections);
    });

    it("fails when an index the queries need is missing", async () => {
      await db.collection("changes").dropIndex("user_id_1_notified_1_timestamp_1");
      try {
        const { code, json } = await checkQueries(["--db", db.databaseName, "--sample"]);
        expect(code).toBe(1);
        expect(json.ok).toBe(false);
        expect(json.failed).toContain("pending-changes");
        const pending = json.patterns.find((p: { name: string }) => p.name === "pending-changes");
        expect(pending.usesExpectedIndex).toBe(false);
        expect(pending.problems.join("\n")).toMatch(/collection scan|examines \d+ keys\/documents for \d+ matched/);
      } finally {
        await db.collection("changes").createIndex({ user_id: 1, notified: 1, timestamp: 1 }, { name: "user_id_1_notified_1_timestamp_1" });
      }
    });
  });
});
