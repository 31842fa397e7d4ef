// The MongoDB replica set integration tests run against: MONGODB_URI when set (it must be a
// replica set: the runner's fenced writes are transactions), else a one-member replica set from
// mongodb-memory-server-core. Where neither is possible the suite is skipped with one line
// saying why. Never a fake server.
//
// Jest collects tests synchronously, so whether mongod is available is decided at load time: a
// child process asks mongodb-memory-server for a binary (cached, or downloaded once). Without
// network the download fails at once (name resolution), and the child gets one attempt only.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";

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

/** True for the first caller of a jest run only. */
function firstToSay(): boolean {
  try {
    closeSync(openSync(runMarker("said"), "wx"));
    return true;
  } catch {
    return false;
  }
}

export function mongoAvailability(): MongoAvailability {
  if (availability) return availability;
  if (process.env.MONGODB_URI) return (availability = { available: true, source: "MONGODB_URI" });
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
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: "wiredTiger" } });
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
    if (firstToSay()) process.stderr.write(`integration: skipped — no MONGODB_URI and no mongod binary could be downloaded (${found.reason})\n`);
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
