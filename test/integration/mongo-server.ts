// The MongoDB servers integration tests run against, never a fake one:
//   - describeWithMongo: MONGODB_URI when set (it must be a replica set: the runner's fenced
//     writes are transactions), else a one-member replica set from mongodb-memory-server-core,
//     with MONGOD_BINARY when set;
//   - mongod processes started as the pods start them (spawnMongod, startDeployedSet): the
//     synthesized mongod.conf with only this machine's paths moved (localMongodConf), a keyfile
//     as install-keyfile.sh leaves it (writeKeyfile), so access control is on from the first start,
//     and the first user made through the localhost exception, as bootstrap.sh makes it.
// Where no mongod exists every integration file is skipped, and the jest run says so in ONE line
// (noMongodSkip); a file that needs more (tools on PATH) says what in a line of its own.
//
// Jest collects tests synchronously, so whether mongod is available is decided at load time: a
// child process asks mongodb-memory-server for a binary (cached, or downloaded once). Without
// network the download fails at once (name resolution), and the child gets one attempt only.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import type { PlatformConfig } from "../../config/platform-config";
import { processRestoreDeps } from "../../backup/restore/process-deps";
import { runCli as restoreCli } from "../../backup/restore/restore-command";
import { terraformLiteralData } from "../../terraform-check/template-value";
import { closedPort } from "../mongosh/real-shell";
import { podsOf, type MountedContainer, type SynthesizedEnvironment } from "../mongosh/synthesized-pods";
import { synthDatabase } from "../stacks/database-synth";

export interface MongoTarget {
  uri: string;
  source: "MONGODB_URI" | "mongodb-memory-server";
  stop(): Promise<void>;
}

export type MongoAvailability = { available: true; source: MongoTarget["source"] } | { available: false; reason: string };

const PROBE = `
const { MongoBinary } = require("mongodb-memory-server-core");
MongoBinary.getPath().then(
  (path) => { process.stdout.write("MONGOD " + path + "\\n"); },
  (error) => { process.stderr.write(String(error && error.message ? error.message : error).split("\\n").filter(Boolean).pop() + "\\n"); process.exit(3); },
);`;

/** Generous for a first download over a slow link; without network the probe ends in well under a second. */
const PROBE_TIMEOUT_MS = 300_000;

let availability: MongoAvailability | undefined;

/**
 * Shared by the test files of one jest run (workers are children of the jest process): the probe
 * runs once, and the skip line is printed once.
 */
function runMarker(suffix: string): string {
  const jestProcess = process.env.JEST_WORKER_ID ? process.ppid : process.pid;
  const path = join(tmpdir(), `nyrkio-integration-${jestProcess}.${suffix}`);
  try {
    // Left by an earlier run whose process id this one reuses.
    if (Date.now() - statSync(path).mtimeMs > 3_600_000) unlinkSync(path);
  } catch {
    // No marker yet.
  }
  return path;
}

function probedEarlier(): MongoAvailability | undefined {
  try {
    return JSON.parse(readFileSync(runMarker("json"), "utf8")) as MongoAvailability;
  } catch {
    return undefined;
  }
}

/** True for the first caller of a jest run that has this line to say; false for the others. */
function firstToSay(line: string): boolean {
  try {
    closeSync(openSync(runMarker(`said-${createHash("sha256").update(line).digest("hex").slice(0, 16)}`), "wx"));
    return true;
  } catch {
    return false;
  }
}

/** Prints a skip line once per jest run, however many files (and workers) skip for that reason. */
export function sayOnce(line: string): void {
  if (firstToSay(line)) process.stderr.write(`${line}\n`);
}

/**
 * Why no integration test can run here, or undefined when a mongod exists (MONGOD_BINARY, one
 * mongodb-memory-server has or downloads) or, for the files that take one, MONGODB_URI. Every file
 * that skips for this reason prints the same line, so a run without mongod says it once.
 */
export function noMongodSkip(acceptsUri: boolean): string | undefined {
  if (acceptsUri && process.env.MONGODB_URI) return undefined;
  const binary = mongodBinary();
  if ("path" in binary) return undefined;
  const line = `integration: skipped — no mongod: set MONGOD_BINARY to a mongod 8.0 (or MONGODB_URI to a replica set, for the tests that take one): ${binary.reason}`;
  sayOnce(line);
  return line;
}

export function mongoAvailability(): MongoAvailability {
  if (availability) return availability;
  if (process.env.MONGODB_URI) return (availability = { available: true, source: "MONGODB_URI" });
  // mongodb-memory-server runs it (startMongo passes it as binary.systemBinary).
  if (process.env.MONGOD_BINARY) return (availability = { available: true, source: "mongodb-memory-server" });
  const earlier = probedEarlier();
  if (earlier) return (availability = earlier);
  availability = probeMongo();
  try {
    writeFileSync(runMarker("json"), JSON.stringify(availability));
  } catch {
    // Only an optimisation: each file would probe again.
  }
  return availability;
}

function probeMongo(): MongoAvailability {
  const probe = spawnSync(process.execPath, ["-e", PROBE], {
    cwd: __dirname,
    env: { ...process.env, MONGOMS_MAX_RETRIES: "1" },
    encoding: "utf8",
    timeout: PROBE_TIMEOUT_MS,
  });
  if (probe.status === 0 && /^MONGOD /m.test(probe.stdout)) return { available: true, source: "mongodb-memory-server" };
  const reason = probe.error ? probe.error.message : probe.stderr.trim().split("\n").pop() || `probe exited with ${probe.status}`;
  return { available: false, reason };
}

let binaryFound: { path: string } | { reason: string } | undefined;

/**
 * A mongod binary to start processes of our own with: MONGOD_BINARY, else the one
 * mongodb-memory-server has cached or downloads (one attempt; fails at once without network).
 */
export function mongodBinary(): { path: string } | { reason: string } {
  if (binaryFound) return binaryFound;
  if (process.env.MONGOD_BINARY) return (binaryFound = { path: process.env.MONGOD_BINARY });
  const probe = spawnSync(process.execPath, ["-e", PROBE], { cwd: __dirname, env: { ...process.env, MONGOMS_MAX_RETRIES: "1" }, encoding: "utf8", timeout: PROBE_TIMEOUT_MS });
  const path = /^MONGOD (.+)$/m.exec(probe.stdout ?? "")?.[1];
  if (probe.status === 0 && path) return (binaryFound = { path });
  return (binaryFound = { reason: probe.error ? probe.error.message : (probe.stderr ?? "").trim().split("\n").pop() || `probe exited with ${probe.status}` });
}

async function assertReplicaSet(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const hello = await client.db("admin").command({ hello: 1 });
    if (!hello.setName && hello.msg !== "isdbgrid") {
      throw new Error("MONGODB_URI must point to a replica set (the migration runner's changelog writes are transactions)");
    }
  } finally {
    await client.close();
  }
}

export async function startMongo(): Promise<MongoTarget> {
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv) {
    await assertReplicaSet(fromEnv);
    return { uri: fromEnv, source: "MONGODB_URI", stop: async () => undefined };
  }
  const { MongoMemoryReplSet } = await import("mongodb-memory-server-core");
  const binary = process.env.MONGOD_BINARY ? { binary: { systemBinary: process.env.MONGOD_BINARY } } : {};
  const replSet = await MongoMemoryReplSet.create({ ...binary, replSet: { count: 1, storageEngine: "wiredTiger" } });
  await replSet.waitUntilRunning();
  return { uri: replSet.getUri(), source: "mongodb-memory-server", stop: async () => void (await replSet.stop()) };
}

/** A database name no other test (or person) uses; tests drop it when done. */
export function scratchDatabaseName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

/**
 * describe() against a real replica set, or describe.skip() with one line on stderr saying why.
 * `target()` is valid inside tests and hooks.
 */
export function describeWithMongo(name: string, body: (target: () => MongoTarget) => void): void {
  const found = mongoAvailability();
  if (!found.available) {
    noMongodSkip(true);
    describe.skip(name, () => body(() => {
      throw new Error("skipped");
    }));
    return;
  }
  describe(name, () => {
    // Real servers: index builds, lease expiries and lock waits take seconds, not jest's default 5 s.
    jest.setTimeout(120_000);
    let current: MongoTarget | undefined;
    beforeAll(async () => {
      current = await startMongo();
    }, PROBE_TIMEOUT_MS);
    afterAll(async () => {
      await current?.stop();
    });
    body(() => {
      if (!current) throw new Error("the MongoDB target did not start (see beforeAll)");
      return current;
    });
  });
}

/** A mongod a test started, as a pod starts it. */
export interface LocalMongod {
  name: string;
  port: number;
  /** Its log file (mongod's stdout and stderr). */
  log: string;
  process?: ChildProcess;
}

/**
 * A deployed set's members on loopback: each pod host its replicaset.json names runs at
 * 127.0.0.1:<a free port>. layOut() fills `members` (the arbiter named <rs>-arbiter-0, as its
 * StatefulSet names it); toLocal rewrites text that names pod hosts; pointAtLocal rewrites a
 * mounted container's replica-set files, so the pods' scripts reach the local members.
 */
export class LocalMembers {
  readonly members: LocalMongod[] = [];
  private readonly hostMap = new Map<string, string>();

  constructor(
    private readonly rs: string,
    private readonly work: string,
  ) {}

  async layOut(replicasetJson: string): Promise<void> {
    const desired = JSON.parse(replicasetJson) as { members: { _id: number; host: string; arbiterOnly?: boolean }[] };
    for (const m of desired.members) {
      const port = await closedPort();
      this.hostMap.set(m.host, `127.0.0.1:${port}`);
      this.members.push({ name: m.arbiterOnly ? `${this.rs}-arbiter-0` : `${this.rs}-${m._id}`, port, log: join(this.work, `${m._id}.log`) });
    }
  }

  readonly toLocal = (text: string): string => [...this.hostMap].reduce((t, [pod, local]) => t.split(pod).join(local), text);

  pointAtLocal(m: MountedContainer): void {
    for (const file of [m.at("/etc/nyrkio/config/replicaset.json"), m.at("/etc/nyrkio/reconcile/replicaset.json")]) if (existsSync(file)) writeFileSync(file, this.toLocal(readFileSync(file, "utf8")));
  }
}

/**
 * The keyfile as install-keyfile.sh leaves it: base64 text, readable by mongod's user only. mongod
 * refuses a keyfile group or others may read ("permissions on ... are too open",
 * src/mongo/db/auth/security_file.cpp) and one outside 6..1024 base64 characters.
 */
export function writeKeyfile(path: string): void {
  writeFileSync(path, `${randomBytes(756).toString("base64")}\n`, { mode: 0o600 });
  chmodSync(path, 0o400);
}

/** Where the synthesized mongod.conf's paths point on this machine. */
export interface LocalPaths {
  port: number;
  dbPath: string;
  keyFile: string;
  /** With TLS: the server's PEM and the CA, in place of the pod's TLS_SERVER_PEM_FILE and TLS_SERVER_CA_FILE. */
  tls?: { pem: string; ca: string; podPem: string; podCa: string };
}

/** A synthesized mongod.conf with only this machine's paths moved: net.port, storage.dbPath, security.keyFile, the TLS files. */
export function localMongodConf(conf: string, at: LocalPaths): string {
  let local = conf
    .replace(/^( {2}port: )27017$/m, `$1${at.port}`)
    .replace('dbPath: "/data/db"', `dbPath: "${at.dbPath}"`)
    .replace('keyFile: "/etc/nyrkio/keyfile/keyfile"', `keyFile: "${at.keyFile}"`);
  if (at.tls) local = local.split(at.tls.podPem).join(at.tls.pem).split(at.tls.podCa).join(at.tls.ca);
  for (const [what, expected] of [["port", `port: ${at.port}`], ["dbPath", at.dbPath]] as const) {
    if (!local.includes(expected)) throw new Error(`the synthesized mongod.conf did not take this machine's ${what}:\n${local}`);
  }
  if (/keyFile:/.test(conf) && !local.includes(at.keyFile)) throw new Error(`the synthesized mongod.conf did not take this machine's keyFile:\n${local}`);
  return local;
}

/**
 * Starts mongod as run-mongod.sh does: `mongod --config <conf> [--tlsMode <mode>]` (the TLS mode from
 * the ConfigMap's tls-mode key, when the pod has one), plus `args`. The conf is written beside the log.
 */
export function spawnMongod(binary: string, server: LocalMongod, conf: string, dir: string, args: string[] = []): void {
  mkdirSync(dir, { recursive: true });
  const confPath = join(dir, `${server.name}.conf`);
  writeFileSync(confPath, conf);
  const out = openSync(server.log, "a");
  server.process = spawn(binary, ["--config", confPath, ...args], { stdio: ["ignore", out, out] });
}

export async function stopMongod(server: LocalMongod): Promise<void> {
  await new Promise<void>((resolve) => {
    if (!server.process || server.process.exitCode !== null) return resolve();
    server.process.once("exit", () => resolve());
    server.process.kill("SIGTERM");
    setTimeout(() => server.process!.kill("SIGKILL"), 60_000).unref();
  });
}

export const logTail = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-15).join("\n") : "");

/** Polls `check` every 500 ms; on timeout fails with the servers' log tails. */
export async function waitFor(what: string, check: () => Promise<boolean>, servers: LocalMongod[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${servers.map((m) => `${m.name}: ${m.log} (tail)\n${logTail(m.log)}`).join("\n")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Whether a server answers ping at this URI (ping needs no authentication). */
export async function answersPing(uri: string, options: import("mongodb").MongoClientOptions = {}): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, ...options });
  try {
    return (await client.db("admin").command({ ping: 1 })).ok === 1;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** A one-member replica set started as deployed, with its root user. */
export interface DeployedSet {
  server: LocalMongod;
  replicaSet: string;
  root: { user: string; password: string };
  /** mongodb://<root>@127.0.0.1:<port>/?replicaSet=...&authSource=admin */
  rootUri: string;
  /** host:port */
  host: string;
  stop(): Promise<void>;
}

/** How startDeployedSet reaches a set with TLS on: the conf's TLS files here, the mode flag, the clients' URI options. */
export interface DeployedTls {
  files: NonNullable<LocalPaths["tls"]>;
  /** run-mongod.sh's --tlsMode, from the ConfigMap's tls-mode key. */
  mode: string;
  /** Appended to every URI this helper and its callers use, e.g. "&tls=true&tlsCAFile=<ca>". */
  query: string;
}

/**
 * A one-member replica set from a synthesized member mongod.conf, a keyfile of its own, access
 * control on from the first start (and TLS when `tls` is given, as run-mongod.sh passes the mode),
 * then, over 127.0.0.1 through the localhost exception, replSetInitiate (replSetConfigure is one
 * of the exception's privileges) and a root user at once (createUser and grantRole on admin), after
 * which the exception is closed. A shortcut for a restore target: a deployed set gets its root
 * through the bootstrap user's handover, which deployed-replica-set.test.ts runs with the pods'
 * own scripts (AuthorizationSessionImpl::_getDefaultPrivileges,
 * src/mongo/db/auth/authorization_session_impl.cpp; https://www.mongodb.com/docs/manual/core/localhost-exception/).
 */
export async function startDeployedSet(binary: string, conf: string, dir: string, name: string, port: number, tls?: DeployedTls): Promise<DeployedSet> {
  if (/^\s+tls:/m.test(conf) !== (tls !== undefined)) throw new Error("startDeployedSet: a conf with net.tls needs its TLS files and mode, and only such a conf takes them");
  const replicaSet = /replSetName: "([^"]+)"/.exec(conf)?.[1];
  if (!replicaSet) throw new Error("the synthesized mongod.conf names no replication.replSetName");
  mkdirSync(join(dir, name, "db"), { recursive: true });
  const keyFile = join(dir, `${name}.keyfile`);
  writeKeyfile(keyFile);
  const server: LocalMongod = { name, port, log: join(dir, `${name}.log`) };
  spawnMongod(binary, server, localMongodConf(conf, { port, dbPath: join(dir, name, "db"), keyFile, tls: tls?.files }), dir, tls ? ["--tlsMode", tls.mode] : []);
  const host = `127.0.0.1:${port}`;
  const query = tls?.query ?? "";
  const direct = `mongodb://${host}/?directConnection=true${query}`;
  try {
    await waitFor(`${name} to answer ping`, () => answersPing(direct), [server]);
    const root = { user: "it-root", password: randomBytes(12).toString("hex") };
    const anonymous = new MongoClient(direct);
    try {
      const admin = anonymous.db("admin");
      await admin.command({ replSetInitiate: { _id: replicaSet, members: [{ _id: 0, host }] } });
      // hello needs no authentication (requiresAuth() false, src/mongo/db/repl/replication_info.cpp).
      await waitFor(`${name} to become primary`, async () => (await admin.command({ hello: 1 })).isWritablePrimary === true, [server]);
      await admin.command({ createUser: root.user, pwd: root.password, roles: [{ role: "root", db: "admin" }], mechanisms: ["SCRAM-SHA-256"] });
    } finally {
      await anonymous.close();
    }
    const rootUri = `mongodb://${root.user}:${root.password}@${host}/?replicaSet=${encodeURIComponent(replicaSet)}&authSource=admin${query}`;
    return { server, replicaSet, root, rootUri, host, stop: () => stopMongod(server) };
  } catch (error) {
    await stopMongod(server);
    throw error;
  }
}

/**
 * The restore CLI in-process, with exactly the dependencies the deployed command gets
 * (process-deps.ts processRestoreDeps: mongorestore as a process, the target probe, the restored
 * users' listing and the temporary user's drop at the end), its private files under `work`.
 */
export async function runRestoreCli(args: string[], work: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const deps = processRestoreDeps({ stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  const code = await restoreCli(args, { ...deps, tmpdir: work });
  return { code, stdout, stderr };
}

/** The user a `mongodb://user:password@...` URI names (addRestoreUser's). */
export function uriUser(uri: string): string {
  const m = /^mongodb:\/\/([^:@/]+)[:@]/.exec(uri);
  if (!m) throw new Error("the URI names no user");
  return decodeURIComponent(m[1]);
}

/**
 * On a deployed set, as root: the project's custom roles (customRoles, as the reconcile Job makes
 * them; only those missing) and a restore user holding the restore user's roles (restoreUserRoles:
 * nyrkioRestore, anyAction on anyResource). The URI of that user, its password inline.
 */
export async function addRestoreUser(set: DeployedSet, roles: { role: string; db: string; privileges: unknown[]; roles: unknown[] }[], userRoles: { role: string; db: string }[], query = ""): Promise<string> {
  const password = randomBytes(12).toString("hex");
  const user = `restore-${randomBytes(8).toString("hex")}`;
  const root = new MongoClient(set.rootUri);
  try {
    const admin = root.db("admin");
    for (const r of roles) {
      const found = await admin.command({ rolesInfo: { role: r.role, db: r.db } });
      if ((found.roles as unknown[]).length === 0) await admin.command({ createRole: r.role, privileges: r.privileges, roles: r.roles });
    }
    await admin.command({ createUser: user, pwd: password, roles: userRoles, mechanisms: ["SCRAM-SHA-256"] });
  } finally {
    await root.close();
  }
  return `mongodb://${user}:${password}@${set.host}/?replicaSet=${encodeURIComponent(set.replicaSet)}&authSource=admin${query}`;
}

/**
 * The database stack as deployed for `config`: its pods (podsOf, the files as the kubelet mounts
 * them) and its ConfigMaps' data as the pods read it (the values as Terraform evaluates them).
 */
export function deployedDatabase(config: PlatformConfig) {
  const json = JSON.parse(synthDatabase(config).text);
  const env: SynthesizedEnvironment = { environment: config.name, stacks: { db: json } };
  const configMap = (name: string) => {
    const cm = Object.values<{ metadata: { name: string }; data: Record<string, string> }>(json.resource.kubernetes_config_map_v1).find((c) => c.metadata.name === name);
    if (!cm) throw new Error(`the synthesized database stack has no ConfigMap ${name}`);
    return { ...cm, data: terraformLiteralData(cm.data, `ConfigMap ${name}`) };
  };
  return { pods: podsOf([env]), configMap };
}

/** A user's Secret as mounted: files `username` and `password`. */
export function writeSecretFiles(dir: string, user: string, password: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "username"), `${user}\n`);
  writeFileSync(join(dir, "password"), `${password}\n`);
}
