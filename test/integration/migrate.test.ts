// The migration runner against a real replica set: the commands it sends, the lock, the fenced
// changelog, checksums, index conflicts, and retention on the schema the migrations create.
import { DESIGN_EXAMPLES } from "../migrations/support/design-examples";
import { CHECKPOINT_COLLECTION, inBatches } from "../../migrations/runner/data-migration";
import { readFileSync } from "node:fs";
import { MongoClient, type Db } from "mongodb";
import { catalog } from "../../migrations/catalog";
import { runMigrateCli, type MigrateCliOverrides } from "../../migrations/cli/migrate-cli";
import type { Catalog, Migration } from "../../migrations/migration";
import { canonicalJson } from "../../migrations/plan/canonical";
import { catalogOf } from "../../migrations/plan/database-state";
import { loadMigrations } from "../../migrations/registry";
import { runRetention } from "../../migrations/retention";
import { CHANGELOG_COLLECTION, ensureChangelogCollection, readChangelog, recordApplied } from "../../migrations/runner/changelog";
import { LeaseLostError } from "../../migrations/runner/errors";
import { RUNNER_COLLECTIONS } from "../../migrations/runner/index-report";
import { LOCK_COLLECTION, LOCK_ID } from "../../migrations/runner/lease";
import { readDatabaseState } from "../../migrations/runner/live-state";
import { acquireMigrationLock } from "../../migrations/runner/lock";
import { describeWithMongo, scratchDatabaseName } from "./mongo-server";

const migrations = loadMigrations();
const ALL = migrations.map((m) => m.migration.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The catalog with collections and indexes in name order, index keys kept in field order. */
function normalized(of: Catalog): string {
  const collections = [...of.collections]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => ({ ...c, indexes: [...c.indexes].sort((a, b) => a.name.localeCompare(b.name)) }));
  return canonicalJson({ collections }, new Set(["key"]));
}

describeWithMongo("migrate against a replica set", (target) => {
  let client: MongoClient;
  let dbName: string;
  let db: Db;

  beforeAll(async () => {
    client = await new MongoClient(target().uri).connect();
  });
  afterAll(async () => {
    await client?.close();
  });
  beforeEach(() => {
    dbName = scratchDatabaseName("it_migrate");
    db = client.db(dbName);
  });
  afterEach(async () => {
    await db.dropDatabase();
  });

  async function migrate(args: string[], overrides: MigrateCliOverrides = {}) {
    let stdout = "";
    let stderr = "";
    const code = await runMigrateCli(
      [...args, "--db", dbName, "--json"],
      { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: { MONGODB_URI: target().uri }, readFile: (p) => readFileSync(p, "utf8") },
      overrides,
    );
    // Exactly one JSON document on stdout, whatever happened.
    expect(stdout.trimEnd().split("\n")).toHaveLength(1);
    return { code, json: JSON.parse(stdout), stderr };
  }

  const changelogIds = async () => (await readChangelog(db)).map((e) => e.id);
  const collectionNames = async () => (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !RUNNER_COLLECTIONS.includes(n)).sort();

  it("up from an empty database creates exactly the catalog: collections, validators, indexes", async () => {
    const { code, json } = await migrate(["up"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ command: "up", database: dbName, ok: true, lastApplied: ALL[ALL.length - 1] });
    expect(json.migrations.map((m: { id: number }) => m.id)).toEqual(ALL);

    const state = await readDatabaseState(db);
    const schema = catalogOf({ collections: state.collections.filter((c) => !RUNNER_COLLECTIONS.includes(c.name)) });
    expect(normalized(schema)).toBe(normalized(catalog));

    const changelog = await readChangelog(db);
    expect(changelog.map((e) => [e._id, e.name, e.checksum])).toEqual(migrations.map((m) => [m.migration.id, m.migration.name, m.checksum]));
    for (const entry of changelog) {
      expect(entry.appliedAt).toBeInstanceOf(Date);
      expect(entry.lockToken).toBe(json.lock.token);
      expect(entry.appliedBy).toBe(json.lock.owner);
    }
    // Released at the end: the next run does not wait.
    expect(await db.collection(LOCK_COLLECTION).findOne({ _id: LOCK_ID as never })).toMatchObject({ owner: null });
  });

  it("a re-run builds nothing; a run that died before recording re-applies by sending nothing", async () => {
    expect((await migrate(["up"])).code).toBe(0);
    const indexesBefore = normalized(catalogOf(await readDatabaseState(db)));

    const again = await migrate(["up"]);
    expect(again.code).toBe(0);
    expect(again.json.migrations).toEqual([]);
    expect((await migrate(["plan"])).json).toMatchObject({ ok: true, commandCount: 0, migrations: [] });

    // As if the run had died after migration 5's commands but before its changelog write.
    expect((await migrate(["down", "--to", "5"])).code).toBe(0);
    expect((await migrate(["up", "--to", "5"])).code).toBe(0);
    await db.collection(CHANGELOG_COLLECTION).deleteOne({ _id: 5 as never });
    const resumed = await migrate(["up", "--to", "5"]);
    expect(resumed.code).toBe(0);
    expect(resumed.json.migrations.map((m: { id: number }) => m.id)).toEqual([5]);
    expect(resumed.json.migrations[0].steps.flatMap((s: { commands: unknown[] }) => s.commands)).toEqual([]);
    expect((await migrate(["up"])).code).toBe(0);
    expect(normalized(catalogOf(await readDatabaseState(db)))).toBe(indexesBefore);
    expect(await changelogIds()).toEqual(ALL);
  });

  it("plan sends nothing and lists the commands up sends", async () => {
    const plan = await migrate(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.json.commandCount).toBe(12);
    expect(await collectionNames()).toEqual([]);
    const up = await migrate(["up"]);
    const sent = up.json.migrations.flatMap((m: { steps: { commands: unknown[] }[] }) => m.steps.flatMap((s) => s.commands));
    const planned = plan.json.migrations.flatMap((m: { steps: { commands: unknown[] }[] }) => m.steps.flatMap((s) => s.commands));
    expect(sent).toEqual(planned);
  });

  it("status shows applied and pending migrations and the lock", async () => {
    expect((await migrate(["up", "--to", "2"])).code).toBe(0);
    const { code, json } = await migrate(["status"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, lastApplied: 2, lock: { state: "free" } });
    expect(json.migrations.map((m: { state: string }) => m.state)).toEqual(["applied", "applied", ...ALL.slice(2).map(() => "pending")]);
  });

  it("down reverts the last applied migration; down --to N keeps N; data is not dropped without --allow-data-loss", async () => {
    expect((await migrate(["up", "--to", "5"])).code).toBe(0);

    const one = await migrate(["down"]);
    expect(one.code).toBe(0);
    expect(one.json.migrations.map((m: { id: number }) => m.id)).toEqual([5]);
    expect(await changelogIds()).toEqual([1, 2, 3, 4]);
    expect(await collectionNames()).toEqual(["changes", "results", "tests", "users"]);

    const toTwo = await migrate(["down", "--to", "2"]);
    expect(toTwo.json.migrations.map((m: { id: number }) => m.id)).toEqual([4, 3]);
    expect(toTwo.json.lastApplied).toBe(2);
    expect(await collectionNames()).toEqual(["tests", "users"]);

    expect((await migrate(["up", "--to", "3"])).json.lastApplied).toBe(3);
    await db.collection("tests").insertOne({ _id: "test_1" as never, name: "bench", user_id: "user_1", created_at: 1_700_000_000 });
    const refused = await migrate(["down", "--to", "1"]);
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe("data-loss-refused");
    expect(refused.json.error.message).toMatch(/migrations\/0002-create-tests\.ts: collection "tests" holds documents/);
    // Refused before anything was sent: migration 3 was not reverted either.
    expect(await changelogIds()).toEqual([1, 2, 3]);
    expect(await collectionNames()).toEqual(["results", "tests", "users"]);
  });

  it("refuses to run when an applied migration's file changed, naming the file", async () => {
    expect((await migrate(["up", "--to", "3"])).code).toBe(0);
    const edited: Migration = structuredClone(migrations[1].migration);
    const op = edited.up.find((o) => o.op === "createIndexes");
    if (op?.op !== "createIndexes") throw new Error("migration 2 has no createIndexes");
    op.indexes.push({ key: { created_at: 1 }, name: "created_at_1" });
    const changed = loadMigrations(migrations.map((m) => (m.migration.id === 2 ? edited : m.migration)));

    const up = await migrate(["up"], { migrations: changed });
    expect(up.code).toBe(1);
    expect(up.json.error.code).toBe("checksum-mismatch");
    expect(up.json.error.message).toMatch(/^migrations\/0002-create-tests\.ts changed after it was applied/);
    expect(await changelogIds()).toEqual([1, 2, 3]);
    expect((await db.collection("tests").listIndexes().toArray()).map((i) => i.name)).not.toContain("created_at_1");

    const status = await migrate(["status"], { migrations: changed });
    expect(status.code).toBe(1);
    expect(status.json.migrations[1].state).toBe("changed");
  });

  it("an existing index with other options stops the run before anything is sent, naming both definitions", async () => {
    // The application created users.email_1 itself, without `unique`.
    await db.collection("users").createIndex({ email: 1 }, { name: "email_1" });
    const { code, json } = await migrate(["up"]);
    expect(code).toBe(1);
    expect(json.error.code).toBe("index-conflict");
    expect(json.error.message).toMatch(/^migrations\/0001-create-users\.ts: users: an index named "email_1" exists with another definition: unique: existing absent, desired true/);
    expect(json.error.message).toMatch(/email_1: existing \{"v":2,"key":\{"email":1\},"name":"email_1"\}/);
    expect(json.error.message).toMatch(/email_1: desired {2}\{"key":\{"email":1\},"name":"email_1","unique":true\}/);
    expect(await changelogIds()).toEqual([]);
    expect(await collectionNames()).toEqual(["users"]);
    const [users] = await db.listCollections({ name: "users" }).toArray();
    expect((users as { options: object }).options).toEqual({});
  });

  it("two concurrent runs: the lock admits one, the other exits 3, nothing is applied twice", async () => {
    const runs = await Promise.all([migrate(["up"]), migrate(["up"]), migrate(["up"])]);
    const codes = runs.map((r) => r.code);
    for (const c of codes) expect([0, 3]).toContain(c);
    expect(codes).toContain(0);
    for (const r of runs.filter((x) => x.code === 3)) expect(r.json.error.code).toBe("lock-held");
    // Every migration applied by exactly one run, recorded once.
    const applied = runs.flatMap((r) => r.json.migrations.map((m: { id: number }) => m.id)).sort();
    expect(applied).toEqual(ALL);
    expect(await changelogIds()).toEqual(ALL);
  });

  it("a run started while another holds the lock exits 3 and names the holder", async () => {
    const holder = await acquireMigrationLock(db, { command: "up", leaseMs: 60_000, waitMs: 0, owner: "ci-job-41:123:abcd" });
    try {
      const blocked = await migrate(["up"]);
      expect(blocked.code).toBe(3);
      expect(blocked.json.error).toMatchObject({ code: "lock-held", details: { owner: "ci-job-41:123:abcd", command: "up" } });
      expect(blocked.stderr).toMatch(/the migration lock is held by ci-job-41:123:abcd running `up`/);
      expect(await changelogIds()).toEqual([]);
    } finally {
      await holder.release();
    }
    expect((await migrate(["up"])).code).toBe(0);
  });

  it("a crashed run's lock blocks the next run only until its lease ends", async () => {
    const crashed = await acquireMigrationLock(db, { command: "up", leaseMs: 2_000, waitMs: 0, owner: "crashed-job:1:dead" });
    // Never renewed, never released: the process is gone.
    expect((await migrate(["up"])).code).toBe(3);
    const next = await migrate(["up", "--wait-lock", "20"]);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/waiting for the lock/);
    expect(next.json.lock.token).toBe(crashed.holder.token + 1);
    expect(await changelogIds()).toEqual(ALL);
  });

  it("a fenced write fails once the lease expired, and after another run took the lock over", async () => {
    await ensureChangelogCollection(db);
    const stale = await acquireMigrationLock(db, { command: "up", leaseMs: 1_000, waitMs: 0, owner: "stale:1:aaaa" });
    await sleep(1_500);
    // Expired, nobody else yet: the server's $$NOW check inside the transaction refuses.
    await expect(recordApplied(client, db, stale, migrations[0], 10)).rejects.toThrow(/the lease expired at/);

    const stale2 = await acquireMigrationLock(db, { command: "up", leaseMs: 1_000, waitMs: 0, owner: "stale:2:bbbb" });
    await sleep(1_500);
    const successor = await acquireMigrationLock(db, { command: "up", leaseMs: 60_000, waitMs: 0, owner: "successor:3:cccc" });
    try {
      expect(successor.holder.token).toBe(stale2.holder.token + 1);
      const refused = recordApplied(client, db, stale2, migrations[0], 10);
      await expect(refused).rejects.toBeInstanceOf(LeaseLostError);
      await expect(refused).rejects.toThrow(`successor:3:cccc took the lock over (token ${successor.holder.token}, this run had ${stale2.holder.token})`);
      await expect(stale2.renew()).rejects.toBeInstanceOf(LeaseLostError);
      expect(await changelogIds()).toEqual([]);
      // The holder's own fenced write goes through.
      const entry = await recordApplied(client, db, successor, migrations[0], 10);
      expect(entry).toMatchObject({ id: 1, lockToken: successor.holder.token, appliedBy: "successor:3:cccc" });
      expect(await changelogIds()).toEqual([1]);
    } finally {
      await successor.release();
    }
  });

  it("indexes: usage per index, drift against the catalog", async () => {
    expect((await migrate(["up"])).code).toBe(0);
    const clean = await migrate(["indexes"]);
    expect(clean.code).toBe(0);
    expect(clean.json.summary).toMatchObject({ drift: 0, missing: 0 });
    expect(clean.json.missingCollections).toEqual([]);

    await db.collection("results").createIndex({ "attributes.branch": 1 }, { name: "attributes.branch_1" });
    await db.collection("results").insertOne({ _id: "r1" as never, test_id: "t1", user_id: "u1", timestamp: 1_700_000_000, metrics: [] });
    await db.collection("results").find({ test_id: "t1" }).toArray();
    const drifted = await migrate(["indexes"]);
    const results = drifted.json.collections.find((c: { name: string }) => c.name === "results");
    const byName = (n: string) => results.indexes.find((i: { name: string }) => i.name === n);
    expect(byName("attributes.branch_1")).toMatchObject({ status: "unknown", ops: 0, neverUsed: true });
    expect(byName("test_id_1_timestamp_1")).toMatchObject({ status: "catalog", neverUsed: false });
    expect(drifted.json.summary.drift).toBe(1);
  });

  it("retention deletes old results and keeps those a change refers to", async () => {
    expect((await migrate(["up"])).code).toBe(0);
    const now = 1_767_225_600; // 2026-01-01
    const old = now - 100 * 86_400;
    const result = (id: string, test: string, timestamp: number, extra: object = {}) => ({
      _id: id as never,
      test_id: test,
      user_id: "user_1",
      timestamp,
      metrics: [{ name: "latency", value: 1.5 }],
      ...extra,
    });
    await db.collection("results").insertMany([
      result("old-plain", "test_a", old),
      result("old-referenced", "test_a", old + 60),
      result("old-same-time-other-test", "test_b", old + 60),
      result("old-flagged", "test_b", old + 120, { has_change: true }),
      result("old-plain-2", "test_b", old + 180),
      result("recent", "test_a", now - 86_400),
    ]);
    await db.collection("changes").insertOne({ _id: "change_1" as never, test_id: "test_a", user_id: "user_1", timestamp: old + 60, metric: "latency", notified: false });

    const totals = await runRetention(db, { resultsDays: 90, batchSize: 2, pauseMs: 0, nowSeconds: now });
    const left = (await db.collection("results").find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();
    expect(left).toEqual(["old-flagged", "old-referenced", "recent"]);
    expect(totals.deleted).toBe(3);
  });
  it("a numeric github_id is refused instead of escaping the unique index (issue 11 defect 11)", async () => {
    expect((await migrate(["up"])).code).toBe(0);
    const users = db.collection("users");
    await users.insertOne({ _id: "u1" as never, email: "a@example.com", created_at: 1, github_id: "12345" });
    await expect(users.insertOne({ _id: "u2" as never, email: "b@example.com", created_at: 1, github_id: "12345" })).rejects.toMatchObject({ code: 11000 });
    // Document failed validation (121): before migration 6 this was only a warning, and the partial
    // index ({$gte: ""}) did not cover it, so a second user could hold the same GitHub id.
    await expect(users.insertOne({ _id: "u3" as never, email: "c@example.com", created_at: 1, github_id: 12345 })).rejects.toMatchObject({ code: 121 });
  });

  it("a killed down (collection dropped, changelog not written) shows as drift; up refuses; down then up repairs (issue 11 defect 10)", async () => {
    // `down --to 4` killed after migration 5's drop, before its changelog write.
    expect((await migrate(["up", "--to", "5"])).code).toBe(0);
    await db.collection("organizations").drop();
    const status = await migrate(["status"]);
    expect(status.code).toBe(1);
    expect(status.json.migrations.find((m: { id: number }) => m.id === 5).state).toBe("drifted");
    const up = await migrate(["up"]);
    expect(up.code).toBe(1);
    expect(up.json.error.code).toBe("drift");
    expect((await migrate(["down", "--to", "4"])).code).toBe(0);
    expect((await migrate(["up"])).code).toBe(0);
    expect((await migrate(["status"])).code).toBe(0);
  });
  it("the design's example documents satisfy the validators on a real server: find({$nor: [validator]}) is empty", async () => {
    expect((await migrate(["up"])).code).toBe(0);
    for (const spec of catalog.collections) {
      const example = DESIGN_EXAMPLES[spec.name];
      await db.collection(spec.name).insertOne(structuredClone(example) as never);
      const [info] = await db.listCollections({ name: spec.name }).toArray();
      const validator = (info as unknown as { options: { validator: Record<string, unknown> } }).options.validator;
      expect([spec.name, await db.collection(spec.name).find({ $nor: [validator] }).toArray()]).toEqual([spec.name, []]);
      expect([spec.name, await db.collection(spec.name).countDocuments({})]).toEqual([spec.name, 1]);
    }
  });
  it("a data migration runs under the lock, resumes from its checkpoint after a crash, and clears it when recorded", async () => {
    expect((await migrate(["up"])).code).toBe(0);
    await db.collection("results").insertMany(Array.from({ length: 25 }, (_, i) => ({ _id: `r${String(i).padStart(3, "0")}` as never, test_id: "t", user_id: "u", timestamp: i, metrics: [] })));
    let crashes = 1;
    const backfill: Migration = {
      id: ALL.length + 1,
      name: "backfill-branch",
      up: [
        {
          op: "code",
          collection: "results",
          name: "set-branch",
          revision: 1,
          run: async (ctx) => {
            const results = ctx.db.collection<{ _id: string }>("results");
            await inBatches(
              ctx,
              (after, limit) => results.find(after === undefined ? {} : { _id: { $gt: after as string } }).sort({ _id: 1 }).limit(limit).toArray(),
              (d) => d._id,
              async (batch) => {
                await results.updateMany({ _id: { $in: batch.map((d) => d._id) } }, { $set: { branch: "main" } });
                if (batch[0]._id === "r010" && crashes-- > 0) throw new Error("killed mid-backfill");
              },
              5,
            );
          },
        },
      ],
    };
    const list = loadMigrations([...migrations.map((m) => m.migration), backfill]);
    const first = await migrate(["up"], { migrations: list });
    expect(first.code).toBe(1);
    expect(await db.collection(CHECKPOINT_COLLECTION).findOne({})).toMatchObject({ migrationId: backfill.id, state: { after: "r009", done: 10 } });
    const second = await migrate(["up"], { migrations: list });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming code "set-branch" from its checkpoint/);
    expect(await db.collection("results").countDocuments({ branch: { $ne: "main" } })).toBe(0);
    expect(await db.collection(CHECKPOINT_COLLECTION).countDocuments({})).toBe(0);
    expect(await changelogIds()).toEqual([...ALL, backfill.id]);
  });
});
