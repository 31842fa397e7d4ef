// Issue 15, every client with TLS, against real servers: a replica set started as the dev stack
// deploys it (as deployed-replica-set.test.ts does), with requireTLS and certificates in
// cert-manager's layout made by test/support/tls-certs.sh (the openssl steps issue 15 specifies for
// `scripts/create-secrets.sh --tls`; switch to that script once it is on main). Then, each as it
// runs in its pod or on an operator's machine, with the CA alone:
//   - bootstrap.sh (initiate and the root user over 127.0.0.1, TLS, the localhost exception);
//   - the probes: liveness through openssl s_client, readiness through mongosh;
//   - the reconcile Job's script;
//   - the migrate CLI with --tls-ca-file, and refused without it;
//   - full-dump.sh with the backup job's environment (mongodump --ssl --sslCAFile);
//   - the restore CLI into a second requireTLS set started as deployed (keyfile, access control,
//     the root user through the localhost exception), as a restore user with the restore role,
//     its URI file carrying tls=true&tlsCAFile.
// And a plaintext client is refused by every member.
//
// The servers' TLS settings come from the synthesized mongod.conf (net.tls, its paths moved to the
// test's files) and the ConfigMap's tls-mode key, passed as --tlsMode as run-mongod.sh does
// (https://www.mongodb.com/docs/manual/reference/program/mongod/#tls-options).
//
// Needs a mongod (MONGOD_BINARY or mongodb-memory-server's), node_modules/.bin/mongosh, openssl,
// and for the backup and restore steps mongodump and mongorestore on PATH; otherwise skipped with
// one line saying what is missing (without mongod, the one line every integration file shares).

import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { dev } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { TLS_CA_FILE_ENV, TLS_CLIENT_CA_FILE, TLS_SERVER_CA_FILE, TLS_SERVER_PEM_FILE, type TlsConfig } from "../../config/tls";
import { loadCatalog } from "../../backup/restore/catalog";
import { embeddablePrunerModule } from "../../backup/retention/embeddable-pruner";
import { formatTs } from "../../backup/timestamp";
import { runMigrateCli } from "../../migrations/cli/migrate-cli";
import { synthBackup } from "../backup/stack/support";
import { baseEnv, closedPort, hasMongosh, removeTempDirs, runProgram, tempDir } from "../mongosh/real-shell";
import { findPod, mountContainer, MountedContainer } from "../mongosh/synthesized-pods";
import { configuredUsers, customRoles, restoreUserRoles } from "../../replicaset/users";
import { addRestoreUser, answersPing, deployedDatabase, localMongodConf, LocalMembers, LocalMongod, mongodBinary, noMongodSkip, runRestoreCli, sayOnce, spawnMongod, startDeployedSet, stopMongod, waitFor, writeKeyfile, writeSecretFiles } from "./mongo-server";

const REPO = join(__dirname, "..", "..");
const onPath = (tool: string) => spawnSync("bash", ["-c", `command -v ${tool}`]).status === 0;
const binary = mongodBinary();
const skip = noMongodSkip(false) ?? (!hasMongosh() ? "node_modules/.bin/mongosh is missing (npm ci)" : !onPath("openssl") ? "openssl is missing" : undefined);
if (skip && !skip.startsWith("integration:")) sayOnce(`integration (replica set with requireTLS): skipped — ${skip}`);
const describeTls = skip ? describe.skip : describe;
const toolsMissing = ["mongodump", "mongorestore"].filter((t) => !onPath(t));
const testWithTools = toolsMissing.length ? test.skip : test;
if (!skip && toolsMissing.length) sayOnce(`integration (replica set with requireTLS): backup and restore skipped — ${toolsMissing.join(", ")} not on PATH`);

const RS = "mongodb-rs0";
const TLS: TlsConfig = { mode: "requireTLS", certificates: { source: "secret", secretName: "mongodb-tls" }, memberAuth: "keyFile", clientsMigrated: true };
const config: PlatformConfig = { ...structuredClone(dev), tls: TLS };
const ROOT = { user: "nyrkio-root", password: `root-${Date.now().toString(36)}-Pw` };
/** The one-time bootstrap user: the sidecar creates it, the reconcile Job creates root with it and drops it. */
const BOOTSTRAP = { user: "nyrkio-bootstrap", password: `boot-${Date.now().toString(36)}-Pw` };
/** Every user the reconcile Job manages on this set (dev: monitoring and retention on; TLS adds the rotator). */
const PASSWORDS: Record<string, string> = Object.fromEntries(configuredUsers(config, "replicaset").map((u) => [u, `${u}-${Date.now().toString(36)}-Pw`]));

describeTls("a replica set with requireTLS: every client verifies the server", () => {
  jest.setTimeout(300_000);
  const work = tempDir("tls-rs-");
  const certs = join(work, "certs");
  const local = new LocalMembers(RS, work);
  const members = local.members;
  const toLocal = local.toLocal;
  const deployed = deployedDatabase(config);
  const keyfile = join(work, "keyfile");
  const ca = join(certs, "ca.crt");
  const tlsUri = (hosts: string, query = "") => `mongodb://${hosts}/?tls=true&tlsCAFile=${encodeURIComponent(ca)}${query}`;

  const answers = (uri: string) => answersPing(uri);
  const until = (what: string, check: () => Promise<boolean>, timeoutMs?: number) => waitFor(what, check, members, timeoutMs);
  const tlsFiles = { pem: join(certs, "server.pem"), ca, podPem: TLS_SERVER_PEM_FILE, podCa: TLS_SERVER_CA_FILE };

  /** A container as mounted, the CA (and any secret) written where the pod has it, member hosts pointed at the local ports. */
  function mounted(workload: string | RegExp, container: string): MountedContainer {
    const m = mountContainer(findPod(deployed.pods, "dev", workload), container);
    local.pointAtLocal(m);
    // The CA volume holds ca.crt alone (tls-client.ts); the test puts the real one there.
    copyFileSync(ca, m.at(TLS_CLIENT_CA_FILE));
    return m;
  }

  /** mongod as deployed, with requireTLS: the synthesized conf (its net.tls) and run-mongod.sh's --tlsMode from the ConfigMap. */
  function startMongod(server: LocalMongod, conf: string, dbPath: string) {
    mkdirSync(dbPath, { recursive: true });
    const local = localMongodConf(conf, { port: server.port, dbPath, keyFile: keyfile, tls: tlsFiles });
    spawnMongod((binary as { path: string }).path, server, local, work, ["--tlsMode", deployed.configMap(`${RS}-config`).data["tls-mode"]]);
  }

  const rootUri = (query = "") =>
    tlsUri(`${encodeURIComponent(ROOT.user)}:${encodeURIComponent(ROOT.password)}@${members.filter((m) => !m.name.endsWith("arbiter-0")).map((m) => `127.0.0.1:${m.port}`).join(",")}`, `&replicaSet=rs0&authSource=admin${query}`);

  beforeAll(async () => {
    const made = spawnSync("bash", [join(REPO, "test/support/tls-certs.sh"), certs], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`tls-certs.sh failed: ${made.stderr}`);
    const cm = deployed.configMap(`${RS}-config`);
    await local.layOut(cm.data["replicaset.json"]);
    writeKeyfile(keyfile);
    for (const m of members) startMongod(m, cm.data[m.name.endsWith("arbiter-0") ? "mongod-arbiter.conf" : "mongod.conf"], join(work, m.name, "db"));
    for (const m of members) await until(`${m.name} to answer over TLS`, () => answers(tlsUri(`127.0.0.1:${m.port}`, "&directConnection=true")));
  });

  afterAll(async () => {
    await Promise.all(members.map(stopMongod));
    removeTempDirs();
  });

  test("every member refuses a plaintext client and one that does not know the CA", async () => {
    for (const m of members) {
      expect(await answers(`mongodb://127.0.0.1:${m.port}/?directConnection=true`)).toBe(false);
      expect(await answers(`mongodb://127.0.0.1:${m.port}/?directConnection=true&tls=true`)).toBe(false);
    }
  });

  test("liveness (openssl s_client) and startup answer over TLS with the CA the pod mounts", async () => {
    const probe = mounted(RS, "mongod");
    expect(probe.env[TLS_CA_FILE_ENV]).toBe(probe.at(TLS_CLIENT_CA_FILE));
    for (const m of members) {
      for (const mode of ["startup", "liveness"]) {
        const run = await runProgram(["bash", probe.at("/etc/nyrkio/scripts/probe.sh"), mode], { env: { ...probe.env, MONGODB_PORT: String(m.port), HOME: probe.at("/tmp") }, timeoutMs: 20_000 });
        expect({ member: m.name, mode, code: run.code, stderr: run.stderr }).toEqual({ member: m.name, mode, code: 0, stderr: "" });
      }
    }
  });

  test("bootstrap.sh initiates the set and creates the bootstrap user over TLS (127.0.0.1, the localhost exception)", async () => {
    const sidecar = mounted(RS, "bootstrap");
    // As the pod has it: the bootstrap Secret, no root Secret.
    writeSecretFiles(sidecar.at("/etc/nyrkio/secrets/bootstrap"), BOOTSTRAP.user, BOOTSTRAP.password);
    const env = { ...sidecar.env, POD_NAME: `${RS}-0`, MONGODB_PORT: String(members[0].port), HOME: sidecar.at("/tmp"), BOOTSTRAP_RETRY_SECONDS: "2" };
    const child = spawn("bash", [sidecar.command[1]], { env: { ...baseEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    try {
      await until("bootstrap complete", async () => output.includes("bootstrap complete; idle"), 180_000);
    } finally {
      child.kill("SIGTERM");
    }
    expect(output).toMatch(/created the bootstrap user nyrkio-bootstrap/);
    // ping needs no authentication; the set has a primary once a replicaSet connection answers.
    await until("a primary", () => answers(tlsUri(members.filter((m) => !m.name.endsWith("arbiter-0")).map((m) => `127.0.0.1:${m.port}`).join(","), "&replicaSet=rs0")));
  });

  test("the reconcile Job's script reaches every member over TLS, creates root as the bootstrap user, drops it, and applies the users", async () => {
    const job = mounted(new RegExp(`^${RS}-reconcile-`), "reconcile");
    expect(job.env[TLS_CA_FILE_ENV]).toBe(job.at(TLS_CLIENT_CA_FILE));
    writeSecretFiles(job.at("/etc/nyrkio/secrets/root"), ROOT.user, ROOT.password);
    writeSecretFiles(job.at("/etc/nyrkio/secrets/bootstrap"), BOOTSTRAP.user, BOOTSTRAP.password);
    for (const [name, password] of Object.entries(PASSWORDS)) writeSecretFiles(job.at(`/etc/nyrkio/secrets/${name}`), `nyrkio-${name}`, password);
    const run = await runProgram(job.command, { env: { ...job.env, HOME: job.at("/tmp"), MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: job.at("/etc/mongosh.conf") }, timeoutMs: 240_000 });
    if (run.code !== 0) throw new Error(`reconcile exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    const client = new MongoClient(rootUri());
    try {
      const { users } = await client.db("admin").command({ usersInfo: 1 });
      expect(users.map((u: { user: string }) => u.user).sort()).toEqual([ROOT.user, ...Object.keys(PASSWORDS).map((n) => `nyrkio-${n}`)].sort());
    } finally {
      await client.close();
    }
  });

  test("readiness (mongosh with tls=true and the CA) reads PRIMARY, SECONDARY and ARBITER", async () => {
    const probe = mounted(RS, "mongod");
    const runs = await Promise.all(
      members.map((m) =>
        runProgram(["bash", probe.at("/etc/nyrkio/scripts/probe.sh"), "readiness"], {
          env: { ...probe.env, MONGODB_PORT: String(m.port), HOME: probe.at("/tmp"), MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: probe.at("/etc/mongosh.conf") },
          timeoutMs: 30_000,
        }),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(runs[0].stdout).toMatch(/ready: PRIMARY of rs0/);
    expect(runs[2].stdout).toMatch(/ready: ARBITER of rs0/);
  });

  test("migrate with --tls-ca-file applies the migrations; without a CA it cannot connect", async () => {
    const hosts = members.filter((m) => !m.name.endsWith("arbiter-0")).map((m) => `127.0.0.1:${m.port}`).join(",");
    const uri = `mongodb://nyrkio-migrator:${encodeURIComponent(PASSWORDS.migrator)}@${hosts}/nyrkio?replicaSet=rs0&authSource=admin&serverSelectionTimeoutMS=5000`;
    const cli = async (argv: string[]) => {
      let stdout = "";
      let stderr = "";
      const code = await runMigrateCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: { MONGODB_URI: uri }, readFile: (p) => readFileSync(p, "utf8") });
      return { code, stdout, stderr };
    };
    const refused = await cli(["status", "--json"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: "unreachable" } });
    const up = await cli(["up", "--json", "--tls-ca-file", ca]);
    if (up.code !== 0) throw new Error(`migrate up exited ${up.code}\n${up.stdout}\n${up.stderr}`);
    const status = await cli(["status", "--json", "--tls-ca-file", ca]);
    expect(status.code).toBe(0);
  });

  describe("backup and restore", () => {
    const claim = join(work, "claim");
    let catalogDir = "";

    testWithTools("full-dump.sh with the backup job's environment dumps over TLS (mongodump --ssl --sslCAFile)", async () => {
      const full = Object.values<Record<string, unknown>>(synthBackup(config).byName).find((cj) => /full/.test(String((cj as { metadata: { name: string } }).metadata.name)));
      const spec = (full as { spec: { job_template: { spec: { template: { spec: { container: { name: string; env: { name: string; value: string }[] }[] } } } } } }).spec.job_template.spec.template.spec;
      const dump = spec.container.find((c) => c.name === "full-dump")!;
      const deployedEnv = Object.fromEntries(dump.env.map((e) => [e.name, e.value]));
      expect(deployedEnv[TLS_CA_FILE_ENV]).toBe(TLS_CLIENT_CA_FILE);
      const secretDir = join(work, "backup-user");
      writeSecretFiles(secretDir, "nyrkio-backup", PASSWORDS.backup);
      // This machine's paths for the pod's: the container's own credentials volume (the tools'
      // --config file goes there, lib.sh prepare_credentials), and the pruner module the pod finds
      // beside the mongosh scripts (the majority confirmation and the prune after the dump use it).
      const pruner = join(work, "pruner.js");
      writeFileSync(pruner, embeddablePrunerModule());
      const env = {
        ...deployedEnv,
        BACKUP_MEMBERS: toLocal(deployedEnv.BACKUP_MEMBERS),
        BACKUP_USER_DIR: secretDir,
        BACKUP_ROOT: claim,
        BACKUP_WORK: join(work, "scratch"),
        CREDENTIALS_DIR: join(work, "credentials"),
        BACKUP_PRUNER: pruner,
        HOME: join(work, "home"),
        TMPDIR: join(work, "home"),
        [TLS_CA_FILE_ENV]: ca,
      };
      expect(deployedEnv.CREDENTIALS_DIR).toBe("/credentials");
      mkdirSync(env.HOME, { recursive: true });
      mkdirSync(env.CREDENTIALS_DIR, { mode: 0o700 });
      const run = await runProgram(["bash", join(REPO, "backup/scripts/full-dump.sh")], { env, timeoutMs: 240_000 });
      if (run.code !== 0) throw new Error(`full-dump.sh exited ${run.code}\n${run.stdout}\n${run.stderr}`);
      catalogDir = join(claim, deployedEnv.BACKUP_REPLSET);
      expect((await loadCatalog(catalogDir)).entries.filter((e) => e.kind === "full")).toHaveLength(1);
    });

    testWithTools("the restore CLI restores it into another requireTLS set, as deployed, as a restore user, its URI file carrying tls=true&tlsCAFile", async () => {
      // The same synthesized mongod.conf and TLS mode, a keyfile of its own, access control on, the
      // root user through the localhost exception (mongo-server.ts startDeployedSet); then, as the
      // reconcile Job would, the restore role and a restore user holding it.
      const query = `&tls=true&tlsCAFile=${encodeURIComponent(ca)}`;
      const cm = deployed.configMap(`${RS}-config`);
      const target = await startDeployedSet((binary as { path: string }).path, cm.data["mongod.conf"], work, "restore-target", await closedPort(), { files: tlsFiles, mode: cm.data["tls-mode"], query });
      try {
        const uriFile = join(work, "target.uri");
        writeFileSync(uriFile, `${await addRestoreUser(target, customRoles(config, "replicaset"), restoreUserRoles(config), query)}\n`, { mode: 0o600 });
        const [fullDump] = (await loadCatalog(catalogDir)).entries.filter((e) => e.kind === "full");
        const { code, stdout, stderr } = await runRestoreCli(["run", "--catalog", catalogDir, "--to", formatTs(fullDump.lastTs), "--uri-file", uriFile, "--yes", "--json"], work);
        if (code !== 0) throw new Error(`restore run exited ${code}\n${stdout}\n${stderr.slice(-4000)}`);
      } finally {
        await target.stop();
      }
    });
  });
});
