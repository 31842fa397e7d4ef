import { TLS_CLIENT_CA_FILE, withUriTlsOptions } from "../../config/tls";
import { buildSync } from "esbuild";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vm from "node:vm";
import { dev as devEnvironment } from "../../config/environments/dev";
import { withoutTls } from "../support/tls-config";
// These tests pin the users as they are without the exporter's user; test/monitoring/monitor-user.test.ts covers it.
// TLS off: the rotator user and the TLS steps have their own tests (rotation-user, reconcile-tls).
const dev = { ...withoutTls(devEnvironment), monitoring: { ...devEnvironment.monitoring, enabled: false }, retention: { ...devEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
import type { PlatformConfig, ReplsetConfig } from "../../config/platform-config";
import { reconcileConfigMapData } from "../../replicaset/reconcile-files";
import { RECONCILE_CONFIG_DIR, ROOT_SECRET_DIR, userSecretDir } from "../../replicaset/reconcile-paths";
import { EMBEDDED_FUNCTIONS, reconcileScript } from "../../replicaset/reconcile-script";
import type { LiveReplicaSetConfig } from "../../replicaset/reconfig-plan";
import { appRole, backupRole, migratorRole, renderUsersSpec, replSetConfigRole, restoreRole } from "../../replicaset/users";
import { liveConfig, MemberShape, psa } from "./fixtures";
import { runReconcileScript, StandInOptions } from "./mongosh-stand-in";

const ROOT = { user: "root", password: "r00t-Secret" };
const passwordOf = (user: string) => `pw-${user}-Z9`;

/** The Job's files: the ConfigMap at /etc/nyrkio/reconcile, and the mounted Secrets (with a trailing newline, as an echoed file has). */
function jobFiles(config: PlatformConfig, replset: ReplsetConfig, script: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, content] of Object.entries(reconcileConfigMapData(config, replset))) files[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
  files[`${RECONCILE_CONFIG_DIR}/reconcile.js`] = script;
  files[`${ROOT_SECRET_DIR}/username`] = `${ROOT.user}\n`;
  files[`${ROOT_SECRET_DIR}/password`] = `${ROOT.password}\n`;
  for (const u of ["app", "migrator", "backup", "restore"]) {
    files[`${userSecretDir(u)}/username`] = `nyrkio-${u}`;
    files[`${userSecretDir(u)}/password`] = passwordOf(u);
  }
  return files;
}

const rs0 = dev.replsets[0];
const explicitDefaults = {
  defaultWriteConcern: { w: "majority" as const, wtimeout: 10000 },
  defaultReadConcern: { level: "local" },
  defaultWriteConcernSource: "global" as const,
  defaultReadConcernSource: "global" as const,
};
const usersInPlace = () =>
  renderUsersSpec(dev).users.map((u) => ({ user: `nyrkio-${u.name}`, db: "admin", roles: u.roles }));
const rolesInPlace = () => [
  { role: "nyrkioMigrator", db: "admin", privileges: migratorRole(dev).privileges, roles: [] },
  { role: "nyrkioRestore", db: "admin", privileges: restoreRole().privileges, roles: [] },
  { role: "nyrkioReplSetConfig", db: "admin", privileges: replSetConfigRole().privileges, roles: [] },
  { role: "nyrkioApp", db: "admin", privileges: appRole(dev).privileges, roles: [] },
  { role: "nyrkioBackup", db: "admin", privileges: backupRole().privileges, roles: [] },
];
const names = (commands: Record<string, unknown>[]) => commands.map((c) => Object.keys(c)[0]);
const run = (script: string, replset: ReplsetConfig, opts: Omit<StandInOptions, "files" | "rootCredentials">) =>
  runReconcileScript(script, { ...opts, files: jobFiles(dev, replset, script), rootCredentials: ROOT });

describe("the generated script", () => {
  const script = reconcileScript();

  test("parses, and embeds every pure function by name", () => {
    expect(() => new vm.Script(script)).not.toThrow();
    for (const fn of EMBEDDED_FUNCTIONS) expect(script).toContain(`function ${fn.name}(`);
  });

  test("the embedded functions are self-contained: no module or helper references from the compiler", () => {
    const embedded = EMBEDDED_FUNCTIONS.map((fn) => fn.toString()).join("\n");
    expect(embedded).not.toMatch(/\(0, [\w$]+\.|\b(?:exports|module|require|import_\w+|_\w+_ts)\b|__\w+\(/);
    // Each one runs on its own in an empty context, given only the others.
    const context = vm.createContext({});
    vm.runInContext(EMBEDDED_FUNCTIONS.map((fn) => fn.toString()).join("\n"), context);
    expect(vm.runInContext("implicitDefaultWriteConcern([{votes:1},{votes:1},{votes:1,arbiterOnly:true}])", context)).toBe("w:1");
  });

  test("no credential in the script, the connection string or on a command line", () => {
    const result = run(script, rs0, { live: liveConfig(psa()) });
    expect(script).not.toMatch(/r00t|pw-/);
    expect(result.uris).toEqual([
      "mongodb://mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017,mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017/?replicaSet=rs0&authSource=admin&serverSelectionTimeoutMS=10000",
    ]);
    expect(result.authUsers).toEqual(["root"]);
    expect(result.printed.join("\n")).not.toMatch(/r00t|pw-/);
  });

  test("with clients on TLS (the Job's NYRKIO_TLS_CA_FILE) the connection string verifies every member: tls=true and the CA (config/tls.ts uriTlsOptions)", () => {
    const result = run(script, rs0, { live: liveConfig(psa()), env: { NYRKIO_TLS_CA_FILE: TLS_CLIENT_CA_FILE } });
    expect(result.uris).toEqual([
      withUriTlsOptions(
        "mongodb://mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017,mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017/?replicaSet=rs0&authSource=admin&serverSelectionTimeoutMS=10000",
        { mode: "requireTLS", memberAuth: "keyFile", clientsMigrated: true, certificates: { source: "secret", secretName: "mongodb-tls" } },
      ),
    ]);
    expect(result.exitCode).toBe(0);
  });
});

describe("running the script against a recording stand-in", () => {
  const script = reconcileScript();

  test("a fresh set (initiated by the bootstrap with the full document): RW concern first, no reconfig, role and users created", () => {
    const result = run(script, rs0, { live: liveConfig(psa()), users: [{ user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] }] });
    expect(result.exitCode).toBe(0);
    expect(names(result.commands)).toEqual([
      "hello",
      "getDefaultRWConcern",
      "setDefaultRWConcern",
      "replSetGetConfig",
      "replSetGetStatus",
      "getDefaultRWConcern",
      "usersInfo",
      "rolesInfo",
      "find",
      "createRole",
      "createRole",
      "createRole",
      "createRole",
      "createRole",
      "createUser",
      "createUser",
      "createUser",
    ]);
    expect(result.commands[2]).toEqual({ setDefaultRWConcern: 1, defaultWriteConcern: { w: "majority", wtimeout: 10000 }, defaultReadConcern: { level: "local" } });
    expect(result.commands[9]).toEqual({ createRole: "nyrkioMigrator", privileges: migratorRole(dev).privileges, roles: [] });
    // The restore user's role: every action on every resource (replicaset/users.ts restoreRole says why).
    expect(result.commands[10]).toEqual({ createRole: "nyrkioRestore", privileges: [{ resource: { anyResource: true }, actions: ["anyAction"] }], roles: [] });
    // The application's CRUD-only role and the backup user's read-only one (replicaset/users.ts appRole, backupRole).
    expect(result.commands[12]).toEqual({ createRole: "nyrkioApp", privileges: appRole(dev).privileges, roles: [] });
    expect(result.commands[13]).toEqual({ createRole: "nyrkioBackup", privileges: backupRole().privileges, roles: [] });
    expect(result.commands[14]).toEqual({ createUser: "nyrkio-app", pwd: passwordOf("app"), roles: [{ role: "nyrkioApp", db: "admin" }], mechanisms: ["SCRAM-SHA-256"] });
    expect(result.lines.map((l) => l.event)).toEqual(["start", "connected", "handover", "rwConcern", "plan", "users", "role", "role", "role", "role", "role", "user", "user", "user", "tls", "done"]);
    expect(result.lines[4]).toMatchObject({ event: "plan", steps: [] });
    expect(result.lines.at(-1)).toEqual({ event: "done", replicaSet: "rs0", reconfigSteps: 0, userChanges: 8, tlsSteps: 0 });
  });

  test("a priority change: one replSetReconfig with the live config, version + 1, settings carried over", () => {
    const live = liveConfig(psa(), { version: 5, term: 3 });
    const changed = { ...rs0, members: [{ priority: 1, votes: 1 as const }, { priority: 3, votes: 1 as const }] };
    const result = run(script, changed, { live, rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    const reconfigs = result.commands.filter((c) => "replSetReconfig" in c);
    expect(reconfigs).toHaveLength(1);
    const sent = reconfigs[0].replSetReconfig as LiveReplicaSetConfig;
    expect(sent.version).toBe(6);
    expect(sent.members.map((m) => [m._id, m.priority, m.votes])).toEqual([
      [0, 1, 1],
      [1, 3, 1],
      [100, 0, 1],
    ]);
    expect(sent.settings).toEqual(live.settings);
    expect((sent.settings as Record<string, unknown>).replicaSetId).toBe(live.settings!.replicaSetId);
    expect(sent).not.toHaveProperty("term");
    expect(reconfigs[0].maxTimeMS).toBe(600000);
    // the commit is awaited after the reconfig; the RW concern was already right, so it is not set again
    const after = names(result.commands).slice(names(result.commands).indexOf("replSetReconfig") + 1);
    expect(after[0]).toBe("replSetGetConfig");
    expect(names(result.commands)).not.toContain("setDefaultRWConcern");
    expect(result.lines.find((l) => l.event === "step")).toMatchObject({
      n: 1,
      of: 1,
      kind: "reconfig",
      result: "ok",
      version: 6,
      reason: "priorities: member 0 (mongodb-rs0-0) 2 → 1, member 1 (mongodb-rs0-1) 1 → 3",
    });
    expect(result.config!.members.map((m) => m.priority)).toEqual([1, 3, 0]);
  });

  test("adding a data member to PSA: joins at priority 0, is waited for while in STARTUP2, then gets its priority; the arbiter leaves last", () => {
    const pss: ReplsetConfig = { ...rs0, members: [...rs0.members, { priority: 1, votes: 1 }], arbiter: { ...rs0.arbiter, enabled: false } };
    const result = run(script, pss, { live: liveConfig(psa()), rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace(), initialSyncPolls: 2 });
    expect(result.exitCode).toBe(0);
    const reconfigs = result.commands.filter((c) => "replSetReconfig" in c).map((c) => c.replSetReconfig as LiveReplicaSetConfig);
    expect(reconfigs.map((c) => c.members.map((m) => `${m._id}:${m.priority}/${m.votes}`).join(" "))).toEqual([
      "0:2/1 1:1/1 100:0/1 2:0/1",
      "0:2/1 1:1/1 100:0/1 2:1/1",
      "0:2/1 1:1/1 2:1/1",
    ]);
    // MongoDB's own reconfig when member 2 finishes its initial sync takes version 3: the script
    // notices before its next reconfig, plans again from the live config, and goes on with 4 and 5.
    expect(reconfigs.map((c) => c.version)).toEqual([2, 4, 5]);
    expect(result.lines.filter((l) => l.event === "replan")).toEqual([expect.objectContaining({ round: 1, expectedVersion: 2, liveVersion: 3 })]);
    expect(result.lines.filter((l) => l.event === "plan").map((l) => (l.steps as string[]).length)).toEqual([4, 2, 0]);
    const waits = result.lines.filter((l) => l.event === "waiting" && l.for === "secondary");
    expect(waits).toHaveLength(2);
    expect(waits[0]).toMatchObject({ memberId: 2, state: "STARTUP2" });
    expect(result.lines.filter((l) => l.event === "step").map((l) => l.kind)).toEqual(["reconfig", "waitForSecondary", "reconfig", "reconfig"]);
    expect(result.lines.filter((l) => l.event === "step").at(-1)).toMatchObject({ implicitWriteConcernChange: "w:1 → majority" });
  });

  test("a set the bootstrap initiated with member 0 alone, defaults still implicit: RW concern set first, then member 1 and the arbiter join", () => {
    const result = run(script, rs0, { live: liveConfig([{ id: 0, priority: 2 }]), users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    const order = names(result.commands).filter((n) => n === "setDefaultRWConcern" || n === "replSetReconfig");
    expect(order).toEqual(["setDefaultRWConcern", "replSetReconfig", "replSetReconfig", "replSetReconfig"]);
    expect(result.config!.members.map((m) => `${m._id}:${m.priority}/${m.votes}${m.arbiterOnly ? "A" : ""}`)).toEqual(["0:2/1", "1:1/1", "100:0/1A"]);
  });

  test("nothing to do: no reconfig, no RW concern change, no role change; passwords set again", () => {
    const result = run(script, rs0, { live: liveConfig(psa(), { version: 9 }), rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    expect(names(result.commands)).toEqual([
      "hello",
      "getDefaultRWConcern",
      "replSetGetConfig",
      "replSetGetStatus",
      "getDefaultRWConcern",
      "usersInfo",
      "rolesInfo",
      "find",
      "updateUser",
      "updateUser",
      "updateUser",
    ]);
    expect(result.commands[8]).toEqual({ updateUser: "nyrkio-app", pwd: passwordOf("app"), roles: [{ role: "nyrkioApp", db: "admin" }], mechanisms: ["SCRAM-SHA-256"] });
    expect(result.lines.find((l) => l.event === "rwConcern")).toMatchObject({ result: "unchanged" });
    expect(result.lines.find((l) => l.event === "role")).toMatchObject({ action: "unchanged" });
    expect(result.lines.filter((l) => l.event === "user").map((l) => l.action)).toEqual(Array(3).fill("password set again"));
  });

  test("the primary losing its vote: step-down first (MongoDB refuses to make the primary unelectable), priority 0, then the vote", () => {
    const mitigated: ReplsetConfig = { ...rs0, members: [{ priority: 0, votes: 0 }, { priority: 1, votes: 1 }] };
    const result = run(script, mitigated, { live: liveConfig(psa()), rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    const relevant = names(result.commands).filter((n) => n === "replSetReconfig" || n === "replSetStepDown");
    expect(relevant).toEqual(["replSetStepDown", "replSetReconfig", "replSetReconfig"]);
    expect(result.lines.find((l) => l.kind === "stepDownIfPrimary")).toMatchObject({
      result: "stepped down",
      steppedDown: ["mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017"],
      primary: "mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017",
    });
    expect(result.config!.members.map((m) => `${m._id}:${m.priority}/${m.votes}`)).toEqual(["0:0/0", "1:1/1", "100:0/1"]);
  });

  test("a shard: no RW concern command (the cluster's), its local backup user only, the reconfig still runs", () => {
    const shardFiles = jobFiles(dev, rs0, script);
    const shardData = reconcileConfigMapData(dev, rs0, { users: "shard", manageDefaultRWConcern: false });
    for (const [name, content] of Object.entries(shardData)) shardFiles[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
    const live = liveConfig([{ id: 0, priority: 1 }, { id: 1, priority: 1 }, { id: 100, priority: 0, arbiter: true }]);
    const root = { user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] };
    const result = runReconcileScript(script, { live, files: shardFiles, rootCredentials: ROOT, shardServer: true, users: [root] });
    expect(result.exitCode).toBe(0);
    expect(names(result.commands)).toEqual([
      "hello",
      ...["replSetGetConfig", "replSetGetStatus", "replSetGetConfig", "replSetReconfig", "replSetGetConfig"],
      ...["replSetGetConfig", "replSetGetStatus"],
      ...["usersInfo", "rolesInfo", "find", "createRole", "createRole", "createRole", "createUser"],
    ]);
    const direct = { role: "directShardOperations", db: "admin" };
    expect(result.commands.filter((c) => "createUser" in c)).toEqual([
      { createUser: "nyrkio-backup", pwd: passwordOf("backup"), roles: [{ role: "nyrkioBackup", db: "admin" }, { role: "nyrkioReplSetConfig", db: "admin" }, direct], mechanisms: ["SCRAM-SHA-256"] },
    ]);
    expect(result.lines.find((l) => l.event === "rwConcern")).toMatchObject({ result: "skipped" });
    // The only custom roles on a shard: the temporary restore users' and the backup user's.
    expect(result.lines.filter((l) => l.event === "role").map((l) => [l.role, l.action])).toEqual([
      ["nyrkioRestore", "created"],
      ["nyrkioReplSetConfig", "created"],
      ["nyrkioBackup", "created"],
    ]);
  });

  test("the converted first shard: the former set's backup user gets its shard roles, app and migrator are left alone", () => {
    const shardFiles = jobFiles(dev, rs0, script);
    for (const [name, content] of Object.entries(reconcileConfigMapData(dev, rs0, { users: "shard", manageDefaultRWConcern: false }))) shardFiles[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
    // What the replica set held before the conversion: the four users (backup with its earlier roles) and the migrator's role.
    const formerUsers = usersInPlace().map((u) => (u.user === "nyrkio-backup" ? { ...u, roles: [{ role: "backup", db: "admin" }, { role: "clusterMonitor", db: "admin" }] } : u));
    const result = runReconcileScript(script, { live: liveConfig(psa()), files: shardFiles, rootCredentials: ROOT, shardServer: true, users: formerUsers, roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    const userCommands = result.commands.filter((c) => "createUser" in c || "updateUser" in c || "dropUser" in c || "createRole" in c || "updateRole" in c);
    expect(userCommands.map((c) => `${Object.keys(c)[0]} ${String(Object.values(c)[0])}`)).toEqual(["updateUser nyrkio-backup"]);
    expect(result.lines.filter((l) => l.event === "user").map((l) => [l.name, l.action])).toEqual([
      ["backup", "roles and password updated"],
    ]);
  });

  test("a config that keeps changing under the plan: planned again a bounded number of times, then a clear failure", () => {
    const changed = { ...rs0, members: [{ priority: 1, votes: 1 as const }, { priority: 3, votes: 1 as const }] };
    const result = run(script, changed, { live: liveConfig(psa()), rwDefaults: explicitDefaults, concurrentWriter: true });
    expect(result.exitCode).toBe(1);
    expect(result.lines.filter((l) => l.event === "replan")).toHaveLength(10);
    expect(names(result.commands)).not.toContain("replSetReconfig");
    expect(result.lines.at(-1)!.message).toBe("replica set rs0 has not arrived at the designed config after 10 plans: is something else changing its config?");
  });

  test("PSA mitigation for a lagging secondary (votes 0, priority 0): no step-down needed, two reconfigs", () => {
    const mitigated: ReplsetConfig = { ...rs0, members: [{ priority: 2, votes: 1 }, { priority: 0, votes: 0 }] };
    const result = run(script, mitigated, { live: liveConfig(psa()), rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    expect(names(result.commands)).not.toContain("replSetStepDown");
    expect(result.lines.find((l) => l.kind === "stepDownIfPrimary")).toMatchObject({ result: "not primary" });
    const sent = result.commands.filter((c) => "replSetReconfig" in c).map((c) => (c.replSetReconfig as LiveReplicaSetConfig).members[1]);
    expect(sent.map((m) => [m.priority, m.votes])).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });

  test("before the bootstrap has initiated the set: a progress line per attempt, then it proceeds", () => {
    const result = run(script, rs0, { live: liveConfig(psa()), unavailableAttempts: 3, rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    const waits = result.lines.filter((l) => l.event === "waiting");
    expect(waits.map((l) => [l.attempt, l.waitedSeconds])).toEqual([
      [1, 0],
      [2, 5],
      [3, 10],
    ]);
    expect(waits[0].reason).toMatch(/Server selection timed out/);
    expect(result.lines.find((l) => l.event === "connected")).toMatchObject({ attempts: 4 });
  });

  test("a set that never gets a primary: bounded wait, one clear error line, exit 1", () => {
    const result = run(script, rs0, {});
    expect(result.exitCode).toBe(1);
    const waits = result.lines.filter((l) => l.event === "waiting");
    expect(waits).toHaveLength(900 / 5);
    expect(result.lines.at(-1)).toEqual({
      event: "error",
      message: expect.stringMatching(/^no primary of replica set rs0 to log in to as root after 900 s \(last: .*Server selection timed out.*\); the bootstrap in the first data pod initiates the set/),
    });
    expect(names(result.commands).every((n) => n === "hello")).toBe(true);
  });

  test("a refused plan changes nothing and exits 1 with the reason", () => {
    const handSet: MemberShape[] = [{ id: 0, priority: 2 }, { id: 1, priority: 0, hidden: true }, { id: 100, priority: 0, arbiter: true }];
    const result = run(script, rs0, { live: liveConfig(handSet), rwDefaults: explicitDefaults });
    expect(result.exitCode).toBe(1);
    expect(names(result.commands)).not.toContain("replSetReconfig");
    expect(names(result.commands)).not.toContain("createUser");
    expect(result.lines.at(-1)).toMatchObject({ event: "error", message: expect.stringMatching(/^refusing to reconfigure replica set rs0: member 1 .*hidden or delayed/) });
  });

  test("a wrong root password: the job keeps trying, then fails naming authentication, not the password", () => {
    const files = jobFiles(dev, rs0, script);
    files[`${ROOT_SECRET_DIR}/password`] = "wrong";
    const result = runReconcileScript(script, { live: liveConfig(psa()), files, rootCredentials: ROOT });
    expect(result.exitCode).toBe(1);
    expect(result.lines.at(-1)!.message).toMatch(/Authentication failed/);
    expect(result.printed.join("\n")).not.toContain("wrong");
  });

  test("a missing Secret file is named in the error", () => {
    const files = jobFiles(dev, rs0, script);
    delete files[`${userSecretDir("backup")}/password`];
    const result = runReconcileScript(script, { live: liveConfig(psa()), rwDefaults: explicitDefaults, files, rootCredentials: ROOT });
    expect(result.exitCode).toBe(1);
    expect(result.lines.at(-1)!.message).toMatch(/cannot read \/etc\/nyrkio\/secrets\/backup\/password \(is the Secret mounted\?\)/);
  });
});

describe("the script as the production build emits it (esbuild, node20)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "reconcile-build-"));
    const root = join(__dirname, "..", "..");
    const entryPoints = readdirSync(join(root, "replicaset"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(root, "replicaset", f));
    // reconcile-script.ts reads reconcile.js through the one reader of embedded files.
    entryPoints.push(join(root, "config", "embedded-file.ts"));
    buildSync({ entryPoints, outdir: dir, outbase: root, format: "cjs", platform: "node", target: "node20", logLevel: "silent" });
    mkdirSync(join(dir, "replicaset", "mongosh"));
    copyFileSync(join(root, "replicaset", "mongosh", "reconcile.js"), join(dir, "replicaset", "mongosh", "reconcile.js"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("adds a member to PSA the same way", () => {
    const built = require(join(dir, "replicaset", "reconcile-script.js")) as { reconcileScript(): string };
    const script = built.reconcileScript();
    expect(script).not.toBe(reconcileScript()); // really the other compiler's output
    const pss: ReplsetConfig = { ...rs0, members: [...rs0.members, { priority: 1, votes: 1 }], arbiter: { ...rs0.arbiter, enabled: false } };
    const result = run(script, pss, { live: liveConfig(psa()), rwDefaults: explicitDefaults, users: usersInPlace(), roles: rolesInPlace() });
    expect(result.exitCode).toBe(0);
    expect(result.lines.filter((l) => l.event === "step").map((l) => l.kind)).toEqual(["reconfig", "waitForSecondary", "reconfig", "reconfig"]);
  });
});
