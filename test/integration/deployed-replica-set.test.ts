// A replica set started exactly as the dev stack deploys it, on this machine: the synthesized
// mongod.conf of the data members and the arbiter (only the port, dbPath and keyFile paths moved
// to a temp dir), a keyfile, access control on from the first start, and the pods' own scripts
// laid out from the synthesized ConfigMaps as the kubelet mounts them. The bootstrap runs as the
// sidecar runs it (bootstrap.sh → initiate.js → create-bootstrap-user.js over 127.0.0.1): no
// user exists until create-bootstrap-user.js creates the one-time bootstrap user, and the sidecar
// never sees the root Secret. Then the real reconcile script, from the Job's ConfigMap, logs in as
// the bootstrap user, creates root, drops the bootstrap user (the handover, docs/security.md),
// and applies the users, the default read/write concern and a priority change; the sidecar,
// restarted, finds nothing to do; and the readiness probe reads the members.
//
// TLS is off here (test/support/tls-config.ts withoutTls): the shipped dev config runs requireTLS,
// which tls-replica-set.test.ts starts as deployed; this file is about the members, the users and
// the scripts.
//
// Runs wherever a mongod binary is available: MONGOD_BINARY, or the one mongodb-memory-server
// downloads (`npm run test:integration`). Elsewhere it is skipped; a run without mongod says so in
// one line for every integration file (mongo-server.ts noMongodSkip).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { dev as shippedDev } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { configuredUsers } from "../../replicaset/users";
import { baseEnv, hasMongosh, removeTempDirs, runProgram, tempDir } from "../mongosh/real-shell";
import { findPod, mountContainer, MountedContainer } from "../mongosh/synthesized-pods";
import { devWith } from "../stacks/database-synth";
import { withoutTls } from "../support/tls-config";
import { answersPing, deployedDatabase, localMongodConf, LocalMembers, LocalMongod, mongodBinary, noMongodSkip, sayOnce, spawnMongod, stopMongod, waitFor, writeKeyfile, writeSecretFiles } from "./mongo-server";

const binary = mongodBinary();
const skip = noMongodSkip(false) ?? (!hasMongosh() ? "node_modules/.bin/mongosh is missing (npm ci)" : undefined);
if (skip && !skip.startsWith("integration:")) sayOnce(`integration (deployed replica set): skipped — ${skip}`);
const describeDeployed = skip ? describe.skip : describe;

const RS = "mongodb-rs0";
const ROOT = { user: "nyrkio-root", password: `root-${Date.now().toString(36)}-Pw` };
const dev: PlatformConfig = withoutTls(shippedDev);
const BOOTSTRAP = { user: "nyrkio-bootstrap", password: `boot-${Date.now().toString(36)}-Pw` };
/** The desired config the Job brings the set to: member 0's priority 2 → 3. */
const changed: PlatformConfig = withoutTls(devWith((c) => (c.replsets[0].members[0].priority = 3)));
/** Every user the reconcile Job manages on this set (monitoring and retention are on in dev). */
const MANAGED = configuredUsers(dev, "replicaset");

describeDeployed("a replica set started as deployed: bootstrap, then reconcile", () => {
  jest.setTimeout(300_000);
  const work = tempDir("deployed-rs-");
  const local = new LocalMembers(RS, work);
  const members = local.members;
  const deployed = deployedDatabase(dev);
  const keyfile = join(work, "keyfile");
  const ping = (port: number) => answersPing(`mongodb://127.0.0.1:${port}/?directConnection=true`);
  const until = (what: string, check: () => Promise<boolean>, timeoutMs?: number) => waitFor(what, check, members, timeoutMs);

  /** A pod's container laid out as mounted, with its replicaset.json (and any JSON naming members) pointed at the local ports. */
  function mounted(pods: ReturnType<typeof deployedDatabase>["pods"], workload: string | RegExp, container: string): MountedContainer {
    const m = mountContainer(findPod(pods, "dev", workload), container);
    local.pointAtLocal(m);
    return m;
  }

  beforeAll(async () => {
    const cm = deployed.configMap(`${RS}-config`);
    await local.layOut(cm.data["replicaset.json"]);
    writeKeyfile(keyfile);
    for (const m of members) {
      const arbiter = m.name.endsWith("arbiter-0");
      const dbPath = join(work, m.name, "db");
      mkdirSync(dbPath, { recursive: true });
      // The synthesized file, with only where things are on this machine changed.
      const conf = localMongodConf(cm.data[arbiter ? "mongod-arbiter.conf" : "mongod.conf"] as string, { port: m.port, dbPath, keyFile: keyfile });
      spawnMongod((binary as { path: string }).path, m, conf, work);
    }
    for (const m of members) await until(`${m.name} to answer ping`, () => ping(m.port));
  });

  afterAll(async () => {
    await Promise.all(members.map(stopMongod));
    removeTempDirs();
  });

  test("before the bootstrap, the localhost exception refuses usersInfo and createRole (what the stand-ins model)", async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${members[0].port}/?directConnection=true`);
    try {
      const admin = client.db("admin");
      for (const command of [{ usersInfo: 1 }, { createRole: "probe", privileges: [], roles: [] }, { replSetGetConfig: 1 }]) {
        await expect(admin.command(command)).rejects.toMatchObject({ code: 13 });
      }
      expect((await admin.command({ hello: 1 })).isWritablePrimary).toBe(false);
      // The exception lets createUser past authorization, and the member (no config yet, not
      // primary) refuses it as not primary: create-bootstrap-user.js's "not yet" (its NOT_PRIMARY).
      const refused = await admin.command({ createUser: "probe", pwd: "probe-Pw-1", roles: [] }).then(
        () => undefined,
        (e: { code?: number }) => e.code,
      );
      expect([10107, 13435, 13436]).toContain(refused);
    } finally {
      await client.close();
    }
  });

  /** Runs the bootstrap sidecar as the pod runs it (its env, the bootstrap Secret and no root Secret) until it idles; its output. */
  async function runSidecar(port = members[0].port): Promise<string> {
    const sidecar = mounted(deployed.pods, RS, "bootstrap");
    expect(existsSync(sidecar.at("/etc/nyrkio/secrets/root"))).toBe(false);
    writeSecretFiles(sidecar.at("/etc/nyrkio/secrets/bootstrap"), BOOTSTRAP.user, BOOTSTRAP.password);
    const env = { ...sidecar.env, POD_NAME: `${RS}-0`, MONGODB_PORT: String(port), HOME: sidecar.at("/tmp"), BOOTSTRAP_RETRY_SECONDS: "2" };
    const child = spawn("bash", [sidecar.command[1]], { env: { ...baseEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    try {
      await until("bootstrap complete", async () => output.includes("bootstrap complete; idle"), 180_000);
    } finally {
      child.kill("SIGTERM");
    }
    return output;
  }

  const userUri = (who: { user: string; password: string }, hosts = `127.0.0.1:${members[0].port}/?directConnection=true`) =>
    `mongodb://${encodeURIComponent(who.user)}:${encodeURIComponent(who.password)}@${hosts}&authSource=admin`;

  /** Whether the credentials log in (AuthenticationFailed, 18, otherwise). */
  async function logsIn(who: { user: string; password: string }): Promise<boolean> {
    const client = new MongoClient(userUri(who), { serverSelectionTimeoutMS: 5000 });
    try {
      await client.db("admin").command({ ping: 1 });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 18 || /Authentication failed/.test(String(e))) return false;
      throw e;
    } finally {
      await client.close();
    }
  }

  test("bootstrap.sh on ordinal 0 initiates the set and creates the bootstrap user (userAdmin); no root user exists yet", async () => {
    const output = await runSidecar();
    expect(output).toMatch(/initiated rs0 with 3 members/);
    expect(output).toMatch(/created the bootstrap user nyrkio-bootstrap/);
    const client = new MongoClient(userUri(BOOTSTRAP));
    try {
      const { users } = await client.db("admin").command({ usersInfo: 1 });
      expect(users.map((u: { user: string; roles: unknown[] }) => [u.user, u.roles])).toEqual([[BOOTSTRAP.user, [{ role: "userAdmin", db: "admin" }]]]);
      // userAdmin on admin: no cluster action (what the stand-ins model, mongod-authz.ts).
      await expect(client.db("admin").command({ replSetGetConfig: 1 })).rejects.toMatchObject({ code: 13 });
    } finally {
      await client.close();
    }
    expect(await logsIn(ROOT)).toBe(false);
    // Once the user exists the exception is closed: an unauthenticated createUser is refused.
    const anonymous = new MongoClient(`mongodb://127.0.0.1:${members[0].port}/?directConnection=true`);
    try {
      await expect(anonymous.db("admin").command({ createUser: "late", pwd: "x", roles: [] })).rejects.toMatchObject({ code: 13 });
    } finally {
      await anonymous.close();
    }
  });

  test("the reconcile Job's script creates root as the bootstrap user, drops it, and applies the users, the default read/write concern and a priority change", async () => {
    const job = mounted(deployedDatabase(changed).pods, new RegExp(`^${RS}-reconcile-`), "reconcile");
    writeSecretFiles(job.at("/etc/nyrkio/secrets/root"), ROOT.user, ROOT.password);
    writeSecretFiles(job.at("/etc/nyrkio/secrets/bootstrap"), BOOTSTRAP.user, BOOTSTRAP.password);
    const users: Record<string, string> = {};
    for (const name of MANAGED) {
      users[name] = `nyrkio-${name}`;
      writeSecretFiles(job.at(`/etc/nyrkio/secrets/${name}`), users[name], `${name}-${Date.now().toString(36)}-Pw`);
    }
    const run = await runProgram(job.command, { env: { ...job.env, HOME: job.at("/tmp"), MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: job.at("/etc/mongosh.conf") }, timeoutMs: 240_000 });
    const events = run.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; step?: string });
    if (run.code !== 0) throw new Error(`reconcile exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    expect(events.filter((e) => e.event === "handover").map((e) => e.step)).toEqual(["created the root user", "dropped the bootstrap user"]);
    expect(events.at(-1)?.event).toBe("done");
    const client = new MongoClient(userUri(ROOT, `127.0.0.1:${members[0].port},127.0.0.1:${members[1].port}/?replicaSet=rs0`));
    try {
      const admin = client.db("admin");
      const { config } = await admin.command({ replSetGetConfig: 1 });
      expect(config.members.map((m: { priority: number }) => m.priority)).toEqual([3, 1, 0]);
      const rw = await admin.command({ getDefaultRWConcern: 1 });
      expect(rw.defaultWriteConcern).toMatchObject({ w: "majority", wtimeout: dev.readWriteConcern.write.wtimeoutMS });
      expect(rw.defaultWriteConcernSource).toBe("global");
      const { users: present } = await admin.command({ usersInfo: 1 });
      expect(present.map((u: { user: string }) => u.user).sort()).toEqual([ROOT.user, ...Object.values(users)].sort());
    } finally {
      await client.close();
    }
    // The bootstrap password left in the data pods opens nothing now.
    expect(await logsIn(BOOTSTRAP)).toBe(false);
  });

  test("the sidecar restarted after the handover creates nothing; the next reconcile run logs in as root at once", async () => {
    const output = await runSidecar();
    expect(output).toMatch(/already initiated/);
    expect(output).toMatch(/the reconcile Job has handed over to root/);
    expect(await logsIn(BOOTSTRAP)).toBe(false);
    const job = mounted(deployedDatabase(changed).pods, new RegExp(`^${RS}-reconcile-`), "reconcile");
    writeSecretFiles(job.at("/etc/nyrkio/secrets/root"), ROOT.user, ROOT.password);
    writeSecretFiles(job.at("/etc/nyrkio/secrets/bootstrap"), BOOTSTRAP.user, BOOTSTRAP.password);
    for (const name of MANAGED) writeSecretFiles(job.at(`/etc/nyrkio/secrets/${name}`), `nyrkio-${name}`, `${name}-again-Pw`);
    const run = await runProgram(job.command, { env: { ...job.env, HOME: job.at("/tmp"), MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: job.at("/etc/mongosh.conf") }, timeoutMs: 240_000 });
    if (run.code !== 0) throw new Error(`reconcile exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === "connected")).toMatchObject({ attempts: 1 });
    expect(lines.filter((l) => l.event === "handover")).toEqual([{ event: "handover", result: "done", reason: `the bootstrap user ${BOOTSTRAP.user} does not exist` }]);
  });

  test("the sidecar's steps on a SECONDARY after the handover end at once: createUser is Unauthorized before any primary check", async () => {
    // Member 1 is SECONDARY: a first pod restarted after the primary moved sees the same.
    const output = await runSidecar(members[1].port);
    expect(output).toMatch(/already initiated/);
    expect(output).toMatch(/the reconcile Job has handed over to root/);
    expect(output).not.toMatch(/not done yet/);
  });

  test("the readiness probe reads each member as deployed: PRIMARY, SECONDARY within the lag bound, ARBITER", async () => {
    const probe = mounted(deployed.pods, RS, "mongod");
    const readiness = async (m: LocalMongod) =>
      runProgram(["bash", probe.at("/etc/nyrkio/scripts/probe.sh"), "readiness"], {
        env: { ...probe.env, MONGODB_PORT: String(m.port), HOME: probe.at("/tmp"), MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: probe.at("/etc/mongosh.conf") },
        timeoutMs: 30_000,
      });
    const [primary, secondary, arbiter] = await Promise.all(members.map(readiness));
    expect(primary.stdout).toMatch(/ready: PRIMARY of rs0/);
    expect(secondary.stdout).toMatch(/ready: SECONDARY of rs0, \d+(\.\d+)? s behind the primary/);
    expect(arbiter.stdout).toMatch(/ready: ARBITER of rs0/);
    for (const r of [primary, secondary, arbiter]) expect(r.code).toBe(0);
  });
});
