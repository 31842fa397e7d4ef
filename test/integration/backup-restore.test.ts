// Backups and point-in-time restore end to end, against real servers started as deployed. The
// source is a replica set member from the synthesized mongod.conf (mongo-server.ts
// startDeployedSet: a keyfile, access control on from the first start, the root user through the
// localhost exception, as bootstrap.sh makes it), holding the project's roles and the backup user
// as the reconcile Job gives them. The real pod scripts (backup/scripts/full-dump.sh,
// oplog-slice.sh), with the environment of their synthesized CronJob containers, take a full dump
// while the application writes and oplog slices after it, as the backup user, into a catalog on a
// temporary "claim"; the restore CLI (in-process, as `npm run restore` runs it) plans to the exact
// oplog timestamp of one insert (read from local.oplog.rs) and runs its ONE mongorestore call
// (unpack, merge the oplog, replay) into a SEPARATE, empty set started the same way, as a restore
// user holding only the restore user's roles (nyrkioRestore, anyAction on anyResource). The
// restored collections and their indexes must equal what the source held at that moment
// (snapshots taken right after the write), across:
//   - updates and deletes (a target before them undoes them, one after them keeps them);
//   - a multi-document transaction whose oplog entries fall in two slices: a transaction larger
//     than 16 MB is written as several applyOps entries (partialTxn) and its last one commits it;
//     the test cuts the slice holding them between two of them, as a slice whose end (the
//     majority commit point) fell there would be cut (the slice job's own boundary cannot be
//     steered), and the restore must bring back every document of it, not only the last chunk;
//   - an index dropped and re-created (with other options) in a slice;
//   - a target inside a slice (the slice that holds it ends later).
// `--before` the next insert restores the same as `--to` the insert. And the verification job's
// script (verify.sh) verifies the catalog for real: its own scratch mongod with access control,
// its restore user, the one mongorestore, the counts.
//
// Why a separate mongod: --oplogReplay restores a whole instance (every database, the users), so
// restoring onto the source would clobber it, and a scratch database on it cannot hold it.
//
// Needs (otherwise it is skipped; a run without mongod says so in one line for every file):
//   - a mongod 8.0: MONGOD_BINARY, or the one mongodb-memory-server downloads
//     (test/integration/mongo-server.ts mongodBinary); it runs the source, the restore targets
//     and verify.sh's scratch mongod. MONGODB_URI instead names a running replica set as source.
//   - on PATH, as in the pod: bash, mongosh, mongodump and mongorestore (MongoDB Database Tools),
//     gzip, tar, GNU coreutils (sha256sum, `stat -c`, `date +%3N`, base64): Linux
//
// Run it (the path before --selectProjects, which would take it as a project name):
//   MONGOD_BINARY=/usr/bin/mongod npx jest test/integration/backup-restore --selectProjects integration
//   MONGODB_URI='mongodb://<user>:<password>@<host>:27017/?replicaSet=rs0&authSource=admin' npx jest test/integration/backup-restore --selectProjects integration
// With MONGODB_URI: a disposable replica set, as a user that may create users and roles and read
// `local`; run this file alone (the dump covers the whole instance, other tests' databases
// included). It creates two scratch users and a scratch database and drops them when done.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { deserialize } from "bson";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient, type Collection, type Timestamp as BsonTimestamp } from "mongodb";
import { dev as shippedDev } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { artifactPath, type CatalogEntry, type OplogSliceManifest } from "../../backup/manifest";
import { loadCatalog } from "../../backup/restore/catalog";
import { embeddablePrunerModule } from "../../backup/retention/embeddable-pruner";
import { compareTs, formatTs, type Timestamp } from "../../backup/timestamp";
import { customRoles, managedUserRoles, restoreUserRoles } from "../../replicaset/users";
import { verifyMongodConfText } from "../../stacks/constructs/backup/backup-scripts";
import { synthBackup, type Json } from "../backup/stack/support";
import { closedPort } from "../mongosh/real-shell";
import { withoutTls } from "../support/tls-config";
import { terraformLiteralData } from "../../terraform-check/template-value";
import { addRestoreUser, type DeployedSet, deployedDatabase, mongodBinary, noMongodSkip, sayOnce, runRestoreCli, scratchDatabaseName, startDeployedSet, uriUser } from "./mongo-server";

const NAME = "backups and point-in-time restore against real servers";
const SCRIPTS = join(__dirname, "..", "..", "backup", "scripts");
const MAJORITY = { writeConcern: { w: "majority" as const } };
/**
 * The shipped dev config with TLS off (tls-replica-set.test.ts runs the TLS path): its
 * synthesized mongod.conf starts every server here, its backup CronJobs give the scripts their
 * environment.
 */
const config: PlatformConfig = withoutTls(shippedDev);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the pod scripts and this test need beyond a mongod; empty when everything is there. */
function missingPrerequisites(): string[] {
  const check = spawnSync(
    "bash",
    [
      "-c",
      `for t in "$@"; do command -v "$t" >/dev/null || echo "$t"; done
       { date -u +%3N | grep -qE '^[0-9]{3}$' && stat -c %s / >/dev/null && base64 -w 0 </dev/null; } 2>/dev/null || echo "GNU date, stat and base64 (the pod scripts run on Linux)"`,
      "check",
      "mongosh",
      "mongodump",
      "mongorestore",
      "gzip",
      "tar",
      "sha256sum",
    ],
    { encoding: "utf8" },
  );
  if (check.error) return [`bash (${check.error.message})`];
  return check.stdout.split("\n").filter(Boolean);
}

/** The env of a container of one of the synthesized backup CronJobs (`kind`: full, oplog, verify), as Terraform gives it. */
function deployedEnv(kind: string, container: string): Record<string, string> {
  const cronJob = Object.values<Json>(synthBackup(config).byName).find((cj) => cj.metadata.labels?.["nyrkio.io/backup-kind"] === kind && cj.metadata.labels?.["nyrkio.io/backup-replset"] === "rs0");
  if (!cronJob) throw new Error(`no synthesized ${kind} CronJob for rs0`);
  const c = (cronJob.spec.job_template.spec.template.spec.container as Json[]).find((x) => x.name === container);
  if (!c) throw new Error(`no container ${container} in the ${kind} CronJob`);
  return terraformLiteralData(Object.fromEntries((c.env as { name: string; value: string }[]).map((e) => [e.name, e.value])), `the ${kind} CronJob's env`);
}

/** The synthesized member mongod.conf (TLS off) every server of this test starts from. */
function memberConf(): string {
  return deployedDatabase(config).configMap("mongodb-rs0-config").data["mongod.conf"];
}

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(script: string, env: Record<string, string>): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn("bash", [join(SCRIPTS, script)], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => resolve({ code: null, stdout, stderr: `${stderr}${e.message}\n` }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function succeeded(script: string, run: ScriptRun): void {
  if (run.code !== 0) throw new Error(`${script} exited with ${run.code}\n--- its log (stdout):\n${run.stdout}--- stderr (last lines):\n${run.stderr.slice(-6000)}`);
}

interface Snapshot {
  events: { _id: string; seq: number; changed?: boolean }[];
  /** The transaction's documents, with the size of each blob instead of the blob. */
  txn: { _id: string; blob: number }[];
  indexes: Record<"events" | "txn", { name: string; key: Record<string, unknown>; unique?: boolean }[]>;
}

/** What a database holds of the test's collections: documents in order, and indexes by name. */
async function stateOf(db: import("mongodb").Db): Promise<Snapshot> {
  const indexes = async (c: string) =>
    ((await db.collection(c).listIndexes().toArray()) as { name: string; key: Record<string, unknown>; unique?: boolean }[])
      .map((x) => ({ name: x.name, key: x.key, ...(x.unique ? { unique: true } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  const events = await db.collection<{ _id: string; seq: number; changed?: boolean }>("events").find({}, { sort: { seq: 1 } }).toArray();
  const txn = (await db.collection<{ _id: string; blob: string }>("txn").find({}, { sort: { _id: 1 } }).toArray()).map((d) => ({ _id: d._id, blob: d.blob.length }));
  return { events, txn, indexes: { events: await indexes("events"), txn: await indexes("txn") } };
}

/**
 * Cuts the slice that holds the transaction on `txnNs` into two, between its first two applyOps
 * entries (partialTxn), and writes both with manifests as the slice job writes them: the entries
 * are the job's own, only the boundary is chosen. Throws when the transaction was not written
 * as several entries (then the test proves nothing).
 */
async function cutBetweenTransactionEntries(catalogDir: string, txnNs: string): Promise<void> {
  const { entries } = await loadCatalog(catalogDir);
  for (const slice of entries.filter((e): e is CatalogEntry & OplogSliceManifest => e.kind === "oplog")) {
    const file = join(catalogDir, artifactPath(slice));
    const data = gunzipSync(readFileSync(file));
    const docs: { raw: Buffer; ts: Timestamp; partial: boolean }[] = [];
    for (let at = 0; at < data.length; at += data.readInt32LE(at)) {
      const raw = data.subarray(at, at + data.readInt32LE(at));
      // partialTxn is a field of the entry's command object `o`, beside applyOps (mongo-tools
      // common/txn/meta.go NewMeta reads it from op.Object), not of the entry itself.
      const d = deserialize(raw) as { ts: BsonTimestamp; op: string; o?: { applyOps?: { ns?: string }[]; partialTxn?: boolean } };
      const touches = d.op === "c" && Array.isArray(d.o?.applyOps) && d.o.applyOps.some((x) => x.ns === txnNs);
      docs.push({ raw: Buffer.from(raw), ts: { t: d.ts.t, i: d.ts.i }, partial: touches && d.o?.partialTxn === true });
    }
    const first = docs.findIndex((d) => d.partial);
    if (first < 0) continue;
    const cut = first + 1; // the first part ends with the transaction's first entry, the rest follows
    if (cut >= docs.length) throw new Error(`the transaction's first entry is the last of ${artifactPath(slice)}: nothing to cut`);
    const parts = [docs.slice(0, cut), docs.slice(cut)];
    const dir = join(catalogDir, artifactPath(slice).replace(/\/[^/]*$/, ""));
    let prev = slice.prevTs;
    for (const [k, part] of parts.entries()) {
      const last = part[part.length - 1].ts;
      const name = `${prev.t}-${prev.i}_${last.t}-${last.i}${k === 0 ? "-txncut" : ""}`;
      const bytes = gzipSync(Buffer.concat(part.map((d) => d.raw)));
      writeFileSync(join(dir, `${name}.bson.gz`), bytes);
      const manifest: OplogSliceManifest = {
        ...(({ manifestPath: _m, ...m }) => m)(slice as CatalogEntry & OplogSliceManifest & { manifestPath: string }),
        file: `${name}.bson.gz`,
        bytes: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        firstTs: part[0].ts,
        lastTs: last,
        prevTs: prev,
        entries: part.length,
      };
      delete (manifest as Partial<OplogSliceManifest>).counts;
      writeFileSync(join(dir, `${name}.manifest.json`), JSON.stringify(manifest, null, 2));
      prev = last;
    }
    unlinkSync(join(catalogDir, slice.manifestPath));
    unlinkSync(file);
    return;
  }
  throw new Error(`no slice holds a transaction on ${txnNs} written as several oplog entries (partialTxn): the test proves nothing`);
}

const binary = mongodBinary();
// A mongod runs the restore targets and verify.sh's scratch mongod even with MONGODB_URI as source.
const noMongod = noMongodSkip(false);
const missing = noMongod ? [] : missingPrerequisites();
if (missing.length > 0) sayOnce(`integration: backup-restore skipped — missing: ${missing.join(", ")}`);
const describeBackups = noMongod || missing.length > 0 ? describe.skip : describe;

describeBackups(NAME, () => {
  jest.setTimeout(300_000);
  let work = "";
  const dbName = scratchDatabaseName("it_backup");
  const users = { backup: `it_backup_${randomBytes(4).toString("hex")}`, restore: `it_restore_${randomBytes(4).toString("hex")}` };
  let catalogDir = "";
  let fullDump: CatalogEntry;
  /** Every document written, in order; `seq` is its position here. */
  const written: string[] = [];
  /** The oplog timestamps of the inserts around the restore point. */
  let target: Timestamp;
  let next: Timestamp;
  /** After the update, the delete and the index rebuilt; after the transaction. */
  let afterChanges: Timestamp;
  let afterTxn: Timestamp;
  /** What the source held right after each write the tests restore to: documents and indexes. */
  const snapshots = new Map<string, Snapshot>();
  /** The custom roles this test created on the source (dropped when done). */
  const createdRoles: string[] = [];

  /** The source started here (none with MONGODB_URI). */
  let sourceSet: DeployedSet | undefined;
  /** The pruner module as the stack generates it (the pod's mongosh/pruner.js). */
  let pruner = "";

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "nyrkio-backup-it-"));
    pruner = join(work, "pruner.js");
    writeFileSync(pruner, embeddablePrunerModule());
    if (!process.env.MONGODB_URI) sourceSet = await startDeployedSet((binary as { path: string }).path, memberConf(), work, "source", await closedPort());
    const client = await new MongoClient(process.env.MONGODB_URI ?? sourceSet!.rootUri).connect();
    let stopWriting: (() => Promise<void>) | undefined;
    try {
      const admin = client.db("admin");
      const hello = await admin.command({ hello: 1 });
      if (!hello.setName) throw new Error("the source must be a replica set member, not mongos: the backup jobs dump one replica set");

      // The project's custom roles (the reconcile Job creates them), where the source lacks them.
      for (const r of customRoles(config, "replicaset")) {
        const info = await admin.command({ rolesInfo: { role: r.role, db: r.db } });
        if ((info.roles as unknown[]).length > 0) continue;
        await admin.command({ createRole: r.role, privileges: r.privileges, roles: r.roles });
        createdRoles.push(r.role);
      }
      // The backup user as the reconcile job creates it; its Secret as mounted files.
      const password = randomBytes(16).toString("hex");
      await admin.command({ createUser: users.backup, pwd: password, roles: managedUserRoles(config, "backup") });
      await admin.command({ createUser: users.restore, pwd: password, roles: restoreUserRoles(config) });
      const secretDir = join(work, "secret", "backup");
      mkdirSync(secretDir, { recursive: true });
      writeFileSync(join(secretDir, "username"), users.backup);
      writeFileSync(join(secretDir, "password"), `${password}\n`);
      chmodSync(join(secretDir, "password"), 0o600);

      // The slice job's environment as its CronJob container has it (the full dump's is the same
      // but for the slice settings), with this machine's paths; the pruner module the pod finds
      // beside the mongosh scripts; every slice counts (BACKUP_COUNTS_EVERY_SECONDS 0; the pod
      // counts at most hourly), so verification has checkpoints.
      const credentials = join(work, "credentials");
      mkdirSync(credentials, { mode: 0o700 });
      const paths = {
        BACKUP_MEMBERS: [...((hello.hosts as string[]) ?? []), ...((hello.passives as string[]) ?? [])].join(","),
        BACKUP_DATABASE: dbName,
        BACKUP_USER_DIR: secretDir,
        BACKUP_ROOT: join(work, "claim"),
        BACKUP_WORK: join(work, "scratch"),
        CREDENTIALS_DIR: credentials,
        HOME: join(work, "home"),
        TMPDIR: join(work, "home"),
        BACKUP_PRUNER: pruner,
        HOSTNAME: "mongodb-rs0-backup-full-29000000-it0",
      };
      mkdirSync(paths.HOME, { recursive: true });
      const fullEnv = { ...deployedEnv("full", "full-dump"), ...paths, BACKUP_REPLSET: String(hello.setName) };
      const env = { ...deployedEnv("oplog", "oplog-slice"), ...paths, BACKUP_REPLSET: String(hello.setName), BACKUP_COUNTS_EVERY_SECONDS: "0" };
      catalogDir = join(env.BACKUP_ROOT, env.BACKUP_REPLSET);

      const events: Collection<{ _id: string; seq: number; changed?: boolean }> = client.db(dbName).collection("events");
      const write = async (id: string) => {
        await events.insertOne({ _id: id, seq: written.length }, MAJORITY);
        written.push(id);
      };
      const oplog = client.db("local").collection("oplog.rs");
      const ns = `${dbName}.events`;
      const insertTs = async (id: string): Promise<Timestamp> => {
        // A plain insert entry, or (MongoDB 8.0 batches some inserts) one inside an applyOps entry.
        const entry = await oplog.findOne(
          { $or: [{ op: "i", ns, "o._id": id }, { op: "c", "o.applyOps": { $elemMatch: { op: "i", ns, "o._id": id } } }] },
          { sort: { $natural: -1 }, projection: { ts: 1 } },
        );
        if (!entry) throw new Error(`no oplog entry for the insert of ${id}`);
        const ts = entry.ts as BsonTimestamp;
        return { t: ts.t, i: ts.i };
      };
      const newestSliceEnd = async (): Promise<Timestamp | undefined> => {
        const { entries } = await loadCatalog(catalogDir);
        return entries.filter((e) => e.kind === "oplog").reduce<Timestamp | undefined>((end, e) => (!end || compareTs(e.lastTs, end) > 0 ? e.lastTs : end), undefined);
      };
      // Slices stop at the source member's majority commit point, which may trail a write
      // acknowledged by the primary for a moment (a secondary as source): slice until it is saved.
      const sliceThrough = async (ts: Timestamp) => {
        for (let attempt = 1; ; attempt++) {
          succeeded("oplog-slice.sh", await runScript("oplog-slice.sh", env));
          const end = await newestSliceEnd();
          if (end && compareTs(end, ts) >= 0) return;
          if (attempt === 20) throw new Error(`after ${attempt} slices the catalog still ends at ${end ? formatTs(end) : "no slice"}, before ${formatTs(ts)}`);
          await sleep(500);
        }
      };

      /** The application writing in the background (<prefix>0, <prefix>1, ...) until stopped. */
      const keepWriting = (prefix: string) => {
        let stopped = false;
        const writing = (async () => {
          for (let n = 0; !stopped && n < 2000; n++) {
            await write(`${prefix}${n}`);
            await sleep(20);
          }
        })();
        return async () => {
          stopped = true;
          await writing;
        };
      };

      const txnDocs = client.db(dbName).collection<{ _id: string; blob: string }>("txn");
      const snapshot = async (name: string) => snapshots.set(name, await stateOf(client.db(dbName)));
      for (const id of ["b0", "b1", "b2"]) await write(id);
      // An index the dump holds; a slice drops it and re-creates it unique.
      await events.createIndex({ seq: 1 }, { name: "by_seq" });
      await txnDocs.insertOne({ _id: "t-before", blob: "" }, MAJORITY);
      stopWriting = keepWriting("d");
      const dumped = await runScript("full-dump.sh", fullEnv);
      await stopWriting();
      stopWriting = undefined;
      succeeded("full-dump.sh", dumped);

      await write("s0");
      await sliceThrough(await insertTs("s0"));

      // The restore point is m1: m2, m3, the update and the delete come after it.
      for (const id of ["m0", "m1"]) await write(id);
      await snapshot("m1");
      await write("m2");
      if ((await events.updateOne({ _id: "b0" }, { $set: { changed: true } }, MAJORITY)).modifiedCount !== 1) throw new Error("the update of b0 changed nothing");
      if ((await events.deleteOne({ _id: "b1" }, MAJORITY)).deletedCount !== 1) throw new Error("the delete of b1 deleted nothing");
      await events.dropIndex("by_seq");
      await events.createIndex({ seq: 1 }, { name: "by_seq", unique: true });
      await write("m3");
      await snapshot("m3");
      target = await insertTs("m1");
      next = await insertTs("m2");
      afterChanges = await insertTs("m3");
      // A transaction of three 7 MB documents: more than 16 MB, so the server writes it as
      // several applyOps oplog entries (partialTxn), the last of which commits it
      // (https://www.mongodb.com/docs/manual/core/transactions-production-consideration/#oplog-size-limit).
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          for (const k of [0, 1, 2]) await txnDocs.insertOne({ _id: `t${k}`, blob: String.fromCharCode(97 + k).repeat(7 * 1024 * 1024) }, { session });
        }, MAJORITY);
      } finally {
        await session.endSession();
      }
      await write("m4");
      await snapshot("m4");
      afterTxn = await insertTs("m4");
      stopWriting = keepWriting("w");
      await sliceThrough(afterTxn);
      await stopWriting();
      stopWriting = undefined;
      await cutBetweenTransactionEntries(catalogDir, ns.replace(/\.events$/, ".txn"));

      const fulls = (await loadCatalog(catalogDir)).entries.filter((e) => e.kind === "full");
      if (fulls.length !== 1) throw new Error(`expected one full dump in the catalog, found ${fulls.length}`);
      fullDump = fulls[0];
    } finally {
      await stopWriting?.().catch(() => undefined);
      // The catalog holds everything the tests need: the source is not touched again.
      await client.db(dbName).dropDatabase().catch(() => undefined);
      for (const user of Object.values(users)) await client.db("admin").command({ dropUser: user }).catch(() => undefined);
      for (const role of createdRoles) await client.db("admin").command({ dropRole: role }).catch(() => undefined);
      await client.close();
    }
  }, 600_000);

  afterAll(async () => {
    await sourceSet?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runRestoreCli(args, work);

  /**
   * Restores the catalog to `point` into a new, empty one-member set started as deployed (the
   * synthesized mongod.conf, a keyfile, access control, the root user through the localhost
   * exception), as a restore user holding the restore user's roles (nyrkioRestore, made as the
   * reconcile Job makes it); what the restored database holds, as stateOf reads it.
   */
  async function restoreInto(mode: "--to" | "--before", point: Timestamp) {
    const target = await startDeployedSet((binary as { path: string }).path, memberConf(), work, `target-${randomBytes(3).toString("hex")}`, await closedPort());
    try {
      const uri = await addRestoreUser(target, customRoles(config, "replicaset"), restoreUserRoles(config));
      const uriFile = join(work, `restore-target-${randomBytes(4).toString("hex")}.uri`);
      writeFileSync(uriFile, `${uri}\n`, { mode: 0o600 });
      const run = await cli(["run", "--catalog", catalogDir, mode, formatTs(point), "--uri-file", uriFile, "--yes", "--json"]);
      if (run.code !== 0) throw new Error(`restore run exited with ${run.code}\n${run.stdout}\n${run.stderr.slice(-6000)}`);
      const report = JSON.parse(run.stdout);
      // Read as root: the restore dropped its temporary user at its end, as the deployed CLI does.
      const client = await new MongoClient(target.rootUri).connect();
      try {
        expect((await client.db("admin").command({ usersInfo: uriUser(uri) })).users).toEqual([]);
        const state = await stateOf(client.db(dbName));
        return { report, state, ids: state.events.map((d) => d._id), b0: state.events.find((d) => d._id === "b0") };
      } finally {
        await client.close();
      }
    } finally {
      await target.stop();
    }
  }

  /** Everything written up to and including m1, in order. */
  const expectedIds = () => written.slice(0, written.indexOf("m1") + 1);

  test("the plan to an exact write: the dump, the slices that carry it there, and an inclusive limit", async () => {
    const planned = await cli(["plan", "--catalog", catalogDir, "--to", formatTs(target), "--json"]);
    expect({ code: planned.code, stderr: planned.stderr }).toEqual({ code: 0, stderr: "" });
    const plan = JSON.parse(planned.stdout);
    expect(plan.base).toBe(artifactPath(fullDump));
    expect(plan.oplogLimit).toBe(`${target.t}:${target.i + 1}`);
    expect(plan.slices.length).toBeGreaterThanOrEqual(1);
    // Unpack, merge, and exactly one mongorestore over the unpacked dump and the merged oplog.
    expect(plan.steps.map((st: { kind: string }) => st.kind)).toEqual(["unpack", "merge-oplog", "mongorestore"]);
    expect(plan.steps[2].argv).toEqual(expect.arrayContaining(["--oplogReplay", "--stopOnError", `--oplogLimit=${target.t}:${target.i + 1}`]));
    // The restore point lies after the dump and before the end of the saved oplog: the slices
    // carry the dump there, and the limit cuts off what follows.
    expect(compareTs(fullDump.lastTs, target)).toBeLessThan(0);
    const slices = (await loadCatalog(catalogDir)).entries.filter((e) => e.kind === "oplog");
    expect(slices.some((s) => compareTs(s.lastTs, target) > 0)).toBe(true);
    for (const file of plan.slices) expect(slices.map(artifactPath)).toContain(file);
  });

  test("--to the exact timestamp of a write inside a slice restores everything up to and including it, nothing after: the source's documents and indexes then", async () => {
    const slices = (await loadCatalog(catalogDir)).entries.filter((e) => e.kind === "oplog");
    // The target lies inside a slice: one that starts before it ends after it.
    expect(slices.some((sl) => compareTs((sl as OplogSliceManifest).prevTs, target) < 0 && compareTs(sl.lastTs, target) > 0)).toBe(true);
    const restored = await restoreInto("--to", target);
    expect(restored.report.ok).toBe(true);
    expect(restored.report.steps.filter((st: { kind: string }) => st.kind === "mongorestore")).toHaveLength(1);
    expect(restored.ids).toEqual(expectedIds());
    expect(restored.ids).not.toContain("m2");
    expect(restored.b0).toBeDefined();
    expect(restored.b0).not.toHaveProperty("changed");
    expect(restored.state).toEqual(snapshots.get("m1"));
  }, 300_000);

  test("updates, deletes and an index dropped and re-created in a slice: a target after them holds them, as the source did", async () => {
    const restored = await restoreInto("--to", afterChanges);
    expect(restored.report.ok).toBe(true);
    expect(restored.b0).toMatchObject({ changed: true });
    expect(restored.ids).not.toContain("b1");
    // by_seq came back unique, as re-created, not as the dump held it.
    expect(restored.state.indexes.events.find((x) => x.name === "by_seq")).toMatchObject({ unique: true });
    expect(restored.state).toEqual(snapshots.get("m3"));
  }, 300_000);

  test("a transaction whose oplog entries fall in two slices comes back whole", async () => {
    // The cut is there: a slice ends inside the transaction's entries.
    const plan = JSON.parse((await cli(["plan", "--catalog", catalogDir, "--to", formatTs(afterTxn), "--json"])).stdout);
    expect(plan.slices.some((f: string) => f.includes("-txncut"))).toBe(true);
    const restored = await restoreInto("--to", afterTxn);
    expect(restored.report.ok).toBe(true);
    expect(restored.state.txn.map((d) => d._id)).toEqual(["t-before", "t0", "t1", "t2"]);
    expect(restored.state).toEqual(snapshots.get("m4"));
  }, 600_000);

  test("--before the next write restores the same", async () => {
    const restored = await restoreInto("--before", next);
    expect(restored.report.ok).toBe(true);
    expect(restored.ids).toEqual(expectedIds());
    expect(restored.b0).not.toHaveProperty("changed");
  }, 300_000);

  test("verify.sh (the verification job's script) verifies the catalog: its scratch mongod with access control, its restore user, one mongorestore, the counts", async () => {
    // The verify container's environment as synthesized, with this machine's paths; the scratch
    // mongod is this test's binary on PATH (the pod's image has mongod); its conf is the
    // ConfigMap's verify-mongod.conf (verifyMongodConfText).
    const bin = join(work, "verify-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync((binary as { path: string }).path, join(bin, "mongod"));
    const conf = join(work, "verify-mongod.conf");
    writeFileSync(conf, verifyMongodConfText());
    const credentials = join(work, "verify-credentials");
    mkdirSync(credentials, { mode: 0o700 });
    const home = join(work, "verify-home");
    mkdirSync(home, { recursive: true });
    const deployed = deployedEnv("verify", "verify");
    expect(JSON.parse(deployed.VERIFY_RESTORE_ROLE)).toEqual(customRoles(config, "replicaset").find((r) => r.role === "nyrkioRestore"));
    const env = {
      ...deployed,
      BACKUP_REPLSET: catalogDir.slice(catalogDir.lastIndexOf("/") + 1),
      BACKUP_ROOT: catalogDir.slice(0, catalogDir.lastIndexOf("/")),
      BACKUP_WORK: join(work, "verify-scratch"),
      CREDENTIALS_DIR: credentials,
      HOME: home,
      TMPDIR: home,
      BACKUP_PRUNER: pruner,
      VERIFY_MONGOD_CONF: conf,
      VERIFY_PORT: String(await closedPort()),
      HOSTNAME: "mongodb-rs0-backup-verify-29000000-it0",
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    };
    const run = await runScript("verify.sh", env);
    succeeded("verify.sh", run);
    const lines = run.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const step = (name: string) => lines.find((l) => l.step === name && l.status === "ok");
    expect(step("mongod")).toMatchObject({ authorization: "enabled" });
    expect(step("users")).toMatchObject({ admin: "verify-admin", role: "nyrkioRestore@admin", restoreUser: "verify-restore-it0" });
    expect(step("restore")).toMatchObject({ user: "verify-restore-it0" });
    expect(step("compare")).toMatchObject({ mismatches: 0 });
    expect((step("compare") as { checked: number }).checked).toBeGreaterThan(0);
    // Nothing of the keyfile or the passwords outlives the job.
    expect(readdirSync(credentials)).toEqual([]);
  }, 600_000);
});
