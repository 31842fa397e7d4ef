// Issue 12, high 3: after a restore the reconcile Job re-asserts the managed users and drops every
// other user and role, except root, the config's external ones, the project's users another scope
// manages, and a temporary restore user still in use. The pure planner first, then the script
// against the stand-in, whose every command passes mongod's authorization model.

import { dev as devEnvironment } from "../../config/environments/dev";
import { sharded } from "../../config/environments/sharded";
import type { PlatformConfig } from "../../config/platform-config";
import { serverTlsOn } from "../../config/tls";
import { formatProblem, validateConfig } from "../../config/validate";
import { reconcileConfigMapData, reconcileUsernameSecrets } from "../../replicaset/reconcile-files";
import { RECONCILE_CONFIG_DIR, ROOT_SECRET_DIR, userSecretDir } from "../../replicaset/reconcile-paths";
import { reconcileScript } from "../../replicaset/reconcile-script";
import { ExistingRole, ExistingUser, planPrune, planUserChanges, RESTORE_USER_EXPIRES_FIELD, RESTORE_USER_PREFIX, restoreUserInUse } from "../../replicaset/user-plan";
import { appRole, backupRole, keptProjectUsers, migratorRole, renderUsersSpec, replSetConfigRole, restoreRole, rotationRole, UserScope } from "../../replicaset/users";
import { Json, synthDatabase } from "../stacks/database-synth";
import { liveConfig, psa } from "./fixtures";
import { runReconcileScript } from "./mongosh-stand-in";

const dev: PlatformConfig = { ...devEnvironment, monitoring: { ...devEnvironment.monitoring, enabled: false }, retention: { ...devEnvironment.retention, enabled: false } };
const NOW = Date.UTC(2025, 0, 1);
const admin = (role: string) => ({ role, db: "admin" });
const expiresIn = (ms: number) => ({ [RESTORE_USER_EXPIRES_FIELD]: new Date(NOW + ms).toISOString() });

describe("planPrune (pure)", () => {
  const desired = { users: [{ user: "nyrkio-app", db: "admin" }], roles: [admin("nyrkioApp")] };
  const keep = { keepUsers: [{ user: "root", db: "admin" }, { user: "alice", db: "reporting" }], keepRoles: [{ role: "auditor", db: "reporting" }], now: NOW };

  test("drops what is neither managed nor kept, users and roles of any database", () => {
    const existing = {
      users: [
        { user: "nyrkio-app", db: "admin", roles: [] },
        { user: "root", db: "admin", roles: [admin("root")] },
        { user: "alice", db: "reporting", roles: [] },
        { user: "mallory", db: "admin", roles: [admin("root")] },
        { user: "alice", db: "admin", roles: [] },
        { user: "bob", db: "nyrkio", roles: [] },
      ],
      roles: [admin("nyrkioApp"), { role: "auditor", db: "reporting" }, admin("auditor"), { role: "legacy", db: "nyrkio" }],
    };
    expect(planPrune(existing, desired, keep)).toEqual([
      { kind: "dropUser", user: "mallory", db: "admin", reason: "not managed here and not in accessControl.externalUsers" },
      // A kept name in another database is another user.
      { kind: "dropUser", user: "alice", db: "admin", reason: "not managed here and not in accessControl.externalUsers" },
      { kind: "dropUser", user: "bob", db: "nyrkio", reason: "not managed here and not in accessControl.externalUsers" },
      { kind: "dropRole", role: "auditor", db: "admin", reason: "not managed here and not in accessControl.externalRoles" },
      { kind: "dropRole", role: "legacy", db: "nyrkio", reason: "not managed here and not in accessControl.externalRoles" },
    ]);
  });

  test("a temporary restore user stays until its expiry; an expired, unreadable or missing expiry is stale", () => {
    const restoreUser = (user: string, customData?: Record<string, unknown>): ExistingUser => ({ user, db: "admin", roles: [admin("nyrkioRestore")], ...(customData ? { customData } : {}) });
    const users = [
      restoreUser("restore-inuse", expiresIn(60_000)),
      restoreUser("restore-expired", expiresIn(-1)),
      restoreUser("restore-now", expiresIn(0)),
      restoreUser("restore-garbage", { [RESTORE_USER_EXPIRES_FIELD]: "soon" }),
      restoreUser("restore-number", { [RESTORE_USER_EXPIRES_FIELD]: NOW + 60_000 }),
      restoreUser("restore-none"),
    ];
    expect(planPrune({ users, roles: [] }, desired, keep).map((d) => (d.kind === "dropUser" ? [d.user, d.reason] : [d.kind]))).toEqual(
      ["restore-expired", "restore-now", "restore-garbage", "restore-number", "restore-none"].map((u) => [u, "a temporary restore user past its expiry"]),
    );
    expect(restoreUserInUse(users[0], NOW)).toBe(true);
    expect(restoreUserInUse(users[0], NOW + 60_000)).toBe(false);
  });

  test("planUserChanges: creates and updates first, then the drops; no prune spec, no drops (the old behaviour, for callers that do not ask)", () => {
    const existing = { users: [{ user: "mallory", db: "admin", roles: [admin("root")] }], roles: [] as ExistingRole[] };
    const want = { roles: [], users: [{ name: "app", user: "nyrkio-app", db: "admin", roles: [admin("nyrkioApp")] }] };
    const plan = planUserChanges(existing, want, keep);
    expect(plan.ok && plan.changes.map((c) => c.kind)).toEqual(["createUser", "dropUser"]);
    const old = planUserChanges(existing, want);
    expect(old.ok && old.changes.map((c) => c.kind)).toEqual(["createUser"]);
  });

  test("a managed user's Secret may not name a restore-* user: the prune would treat it as temporary", () => {
    const plan = planUserChanges({ users: [], roles: [] }, { roles: [], users: [{ name: "backup", user: "restore-x", db: "admin", roles: [] }] }, keep);
    expect(plan).toEqual({ ok: false, error: 'the Secret of user "backup" names "restore-x": names starting with "restore-" belong to the temporary restore users' });
  });

  test("the embedded functions spell the prefix and the customData field as the module's constants", () => {
    expect(planPrune.toString()).toContain(JSON.stringify(RESTORE_USER_PREFIX));
    expect(restoreUserInUse.toString()).toContain(JSON.stringify(RESTORE_USER_EXPIRES_FIELD));
  });
});

describe("users.json keep (config.accessControl, other scopes' users)", () => {
  test("external users and roles from the config; none without accessControl", () => {
    const config = { ...dev, accessControl: { externalUsers: [{ user: "alice", db: "reporting" }], externalRoles: [{ role: "auditor", db: "admin" }] } };
    expect(renderUsersSpec(config).keep).toEqual({ users: [{ user: "alice", db: "reporting" }], roles: [{ role: "auditor", db: "admin" }], usernameSecrets: [] });
    expect(renderUsersSpec({ ...dev, accessControl: undefined }).keep).toEqual({ users: [], roles: [], usernameSecrets: [] });
  });

  test("a shard keeps the application's users while clients may still reach it directly, and only their usernames are mounted", () => {
    const converting = { ...sharded, sharding: { ...sharded.sharding, clientsOnMongosOnly: false } };
    expect(keptProjectUsers(converting, "shard")).toEqual(["app", "migrator", "retention"]);
    expect(renderUsersSpec(converting, "shard").keep.usernameSecrets).toEqual([
      { name: "app", secretDir: "/etc/nyrkio/secrets/app", secretName: "nyrkio-mongodb-app" },
      { name: "migrator", secretDir: "/etc/nyrkio/secrets/migrator", secretName: "nyrkio-mongodb-migrator" },
      { name: "retention", secretDir: "/etc/nyrkio/secrets/retention", secretName: "nyrkio-mongodb-retention" },
    ]);
    expect(reconcileUsernameSecrets(converting, { users: "shard" })).toEqual({ app: "nyrkio-mongodb-app", migrator: "nyrkio-mongodb-migrator", retention: "nyrkio-mongodb-retention" });
    // Once the application connects through mongos they are dropped like any other user.
    expect(keptProjectUsers(sharded, "shard")).toEqual([]);
    for (const scope of ["replicaset", "cluster"] as UserScope[]) expect(keptProjectUsers(converting, scope)).toEqual([]);
  });

  test("the validation names the field and the rule", () => {
    const bad = { ...dev, accessControl: { externalUsers: [{ user: "", db: "a.b" }], externalRoles: [] } };
    const result = validateConfig(bad);
    const errors = result.ok ? "" : result.problems.map(formatProblem).join("\n");
    expect(errors).toMatch(/accessControl\.externalUsers\[0\]\.user: must be a user name/);
    expect(errors).toMatch(/accessControl\.externalUsers\[0\]\.db: must be a MongoDB database name/);
  });
});

describe("the reconcile script after a restore (stand-in with mongod's authorization)", () => {
  const script = reconcileScript();
  const ROOT = { user: "root", password: "r00t-Secret" };
  const rs0 = dev.replsets[0];

  function files(config: PlatformConfig, scope: UserScope = "replicaset"): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, content] of Object.entries(reconcileConfigMapData(config, rs0, { users: scope, manageDefaultRWConcern: scope !== "shard" }))) out[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
    out[`${ROOT_SECRET_DIR}/username`] = `${ROOT.user}\n`;
    out[`${ROOT_SECRET_DIR}/password`] = `${ROOT.password}\n`;
    // rotator: a managed user while TLS is on (users.ts), as in every shipped environment.
    for (const u of ["app", "migrator", "backup", "restore", "retention", "monitor", "rotator"]) {
      out[`${userSecretDir(u)}/username`] = `nyrkio-${u}`;
      out[`${userSecretDir(u)}/password`] = `pw-${u}`;
    }
    return out;
  }
  const managedRoles = (): ExistingRole[] => [migratorRole(dev), restoreRole(), replSetConfigRole(), appRole(dev), backupRole(), ...(serverTlsOn(dev.tls) ? [rotationRole()] : [])].map((r) => ({ ...r }));

  // What a restore leaves: the dump's users and roles (mongorestore restores admin.system.users and
  // system.roles when no --db is given), among them some the project never made.
  const restored: ExistingUser[] = [
    { user: "root", db: "admin", roles: [admin("root")] },
    { user: "nyrkio-app", db: "admin", roles: [admin("readWrite"), admin("root")] },
    { user: "nyrkio-migrator", db: "admin", roles: [admin("nyrkioMigrator")] },
    { user: "nyrkio-backup", db: "admin", roles: [admin("nyrkioBackup"), admin("nyrkioReplSetConfig")] },
    // The permanent restore user of earlier releases (issue 12): no longer managed, so dropped.
    { user: "nyrkio-restore", db: "admin", roles: [admin("nyrkioRestore")] },
    // The TLS rotation sidecars' user, restored with a role it no longer has: re-asserted, never dropped.
    { user: "nyrkio-rotator", db: "admin", roles: [admin("root")] },
    { user: "mallory", db: "admin", roles: [admin("root")] },
    { user: "eve", db: "nyrkio", roles: [{ role: "readWrite", db: "nyrkio" }] },
    { user: "alice", db: "reporting", roles: [{ role: "read", db: "reporting" }] },
    { user: "restore-a1b2c3", db: "admin", roles: [admin("nyrkioRestore")], customData: { [RESTORE_USER_EXPIRES_FIELD]: "2024-12-31T00:00:00.000Z" } },
    { user: "restore-d4e5f6", db: "admin", roles: [admin("nyrkioRestore")], customData: { [RESTORE_USER_EXPIRES_FIELD]: "2025-01-01T06:00:00.000Z" } },
  ];
  const restoredRoles = (): ExistingRole[] => [...managedRoles(), { role: "backdoor", db: "admin", privileges: [], roles: [admin("root")] }, { role: "auditor", db: "reporting", privileges: [], roles: [] }, { role: "legacy", db: "nyrkio", privileges: [], roles: [] }];
  // The members run the TLS mode dev deploys (requireTLS, keyFile), so the Job's TLS phase has
  // nothing to step and the test is about the users (reconcile-tls.test.ts covers the steps).
  const tls = { params: Object.fromEntries(liveConfig(psa()).members.filter((m) => !m.arbiterOnly).map((m) => [m.host, { tlsMode: dev.tls.mode, clusterAuthMode: dev.tls.memberAuth }])) };
  const withExternal: PlatformConfig = { ...dev, accessControl: { externalUsers: [{ user: "alice", db: "reporting" }], externalRoles: [{ role: "auditor", db: "reporting" }] } };

  test("re-asserts the managed users (roles and password), drops the rest, keeps root, the external ones and the restore user in use", () => {
    const result = runReconcileScript(script, { live: liveConfig(psa()), files: files(withExternal), rootCredentials: ROOT, tls, users: restored, roles: restoredRoles() });
    expect(result.exitCode).toBe(0);
    expect(result.users.map((u) => `${u.user}@${u.db}`).sort()).toEqual(
      ["alice@reporting", "nyrkio-app@admin", "nyrkio-backup@admin", "nyrkio-migrator@admin", "nyrkio-rotator@admin", "restore-d4e5f6@admin", "root@admin"].sort(),
    );
    expect(serverTlsOn(dev.tls)).toBe(true);
    expect(result.users.find((u) => u.user === "nyrkio-rotator")!.roles).toEqual([admin(rotationRole().role)]);
    expect(result.users.find((u) => u.user === "nyrkio-app")!.roles).toEqual([admin("nyrkioApp")]);
    expect(result.roles.map((r) => `${r.role}@${r.db}`).sort()).toEqual(["auditor@reporting", ...managedRoles().map((r) => `${r.role}@admin`)].sort());
    // Each drop runs in the user's or role's own database.
    const drops = result.commands.filter((c) => "dropUser" in c || "dropRole" in c);
    expect(drops).toEqual([{ dropUser: "nyrkio-restore" }, { dropUser: "mallory" }, { dropUser: "eve", $db: "nyrkio" }, { dropUser: "restore-a1b2c3" }, { dropRole: "backdoor" }, { dropRole: "legacy", $db: "nyrkio" }]);
    // The log names every user found in the restored data, and every drop with its reason.
    expect(result.lines.find((l) => l.event === "users")).toMatchObject({ found: restored.map((u) => `${u.user}@${u.db}`) });
    expect(result.lines.filter((l) => l.action === "dropped").map((l) => [l.user ?? l.role, l.reason])).toEqual([
      ["nyrkio-restore", "not managed here and not in accessControl.externalUsers"],
      ["mallory", "not managed here and not in accessControl.externalUsers"],
      ["eve", "not managed here and not in accessControl.externalUsers"],
      ["restore-a1b2c3", "a temporary restore user past its expiry"],
      ["backdoor", "not managed here and not in accessControl.externalRoles"],
      ["legacy", "not managed here and not in accessControl.externalRoles"],
    ]);
    // The passwords are the Secrets' again.
    expect(result.commands.filter((c) => "updateUser" in c).map((c) => [c.updateUser, c.pwd])).toContainEqual(["nyrkio-app", "pw-app"]);
  });

  test("a second run finds nothing to drop", () => {
    const first = runReconcileScript(script, { live: liveConfig(psa()), files: files(withExternal), rootCredentials: ROOT, tls, users: restored, roles: restoredRoles() });
    const second = runReconcileScript(script, { live: liveConfig(psa()), files: files(withExternal), rootCredentials: ROOT, tls, users: first.users, roles: first.roles });
    expect(second.exitCode).toBe(0);
    expect(second.commands.filter((c) => "dropUser" in c || "dropRole" in c)).toEqual([]);
  });

  test("a shard during a conversion keeps the application's users (their usernames from the Secrets); after it, they go", () => {
    // The converted first shard (dev's rs0, now a shard; as reconcile-script.test.ts's conversion test).
    const converting: PlatformConfig = { ...dev, sharding: { ...dev.sharding, enabled: true, clientsOnMongosOnly: false } };
    const shardUsers = restored.filter((u) => (u.db === "admin" && u.user.startsWith("nyrkio-") && u.user !== "nyrkio-restore") || u.user === "root");
    const during = runReconcileScript(script, { live: liveConfig(psa()), files: files(converting, "shard"), rootCredentials: ROOT, tls, shardServer: true, users: shardUsers, roles: managedRoles() });
    // Nor their roles: dropping nyrkioApp would revoke it from the application's user.
    expect(during.commands.filter((c) => "dropRole" in c)).toEqual([]);
    expect(during.users.find((u) => u.user === "nyrkio-migrator")!.roles).toEqual([admin("nyrkioMigrator")]);
    expect(during.lines.filter((l) => l.event === "error")).toEqual([]);
    expect(during.exitCode).toBe(0);
    expect(during.commands.filter((c) => "dropUser" in c)).toEqual([]);
    const after = runReconcileScript(script, { live: liveConfig(psa()), files: files({ ...converting, sharding: { ...converting.sharding, clientsOnMongosOnly: true } }, "shard"), rootCredentials: ROOT, tls, shardServer: true, users: shardUsers, roles: managedRoles() });
    expect(after.exitCode).toBe(0);
    expect(after.commands.filter((c) => "dropUser" in c || "dropRole" in c)).toEqual([{ dropUser: "nyrkio-app" }, { dropUser: "nyrkio-migrator" }, { dropRole: "nyrkioMigrator" }, { dropRole: "nyrkioApp" }]);
  });
});

describe("the shard's reconcile Job during a conversion (synthesized)", () => {
  it("mounts the application's users' Secrets with the username only: no password reaches the Job", () => {
    const converting: PlatformConfig = { ...sharded, sharding: { ...sharded.sharding, clientsOnMongosOnly: false } };
    const json = synthDatabase(converting).json;
    const jobs = Object.values(json.resource.kubernetes_job_v1 as Record<string, Json>).filter((j) => /^mongodb-rs\d-reconcile-/.test(j.metadata.name));
    expect(jobs.length).toBe(2);
    for (const job of jobs) {
      const volumes = job.spec.template.spec.volume as Json[];
      const app = volumes.find((v) => v.secret?.secret_name === converting.secrets.app);
      expect(app.secret.items).toEqual([{ key: "username", path: "username" }]);
      const mount = job.spec.template.spec.container[0].volume_mount.find((m: Json) => m.name === app.name);
      expect(mount).toMatchObject({ mount_path: "/etc/nyrkio/secrets/app", read_only: true });
    }
    // After the conversion, nothing of the application's.
    const after = synthDatabase(sharded).json;
    const secretsOf = (j: Json) => (j.spec.template.spec.volume as Json[]).map((v) => v.secret?.secret_name);
    for (const job of Object.values(after.resource.kubernetes_job_v1 as Record<string, Json>).filter((j) => /^mongodb-rs\d-reconcile-/.test(j.metadata.name)))
      expect(secretsOf(job)).not.toContain(sharded.secrets.app);
  });
});
