import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dev as devEnvironment } from "../../config/environments/dev";
import { withoutTls } from "../support/tls-config";
// These tests pin the users as they are without the exporter's user; test/monitoring/monitor-user.test.ts covers it.
// TLS off: the rotator user (TLS on only) has its own tests in test/replicaset/rotation-user.test.ts.
const dev = { ...withoutTls(devEnvironment), monitoring: { ...devEnvironment.monitoring, enabled: false }, retention: { ...devEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
const sharded = { ...withoutTls(shardedEnvironment), monitoring: { ...shardedEnvironment.monitoring, enabled: false }, retention: { ...shardedEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
import { sharded as shardedEnvironment } from "../../config/environments/sharded";
import { CHANGELOG_COLLECTION } from "../../migrations/runner/changelog";
import { LOCK_COLLECTION } from "../../migrations/runner/lease";
import { CHECKPOINT_COLLECTION } from "../../migrations/runner/data-migration";
import { ExistingRole, ExistingUser, planUserChanges } from "../../replicaset/user-plan";
import {
  BALANCER_WINDOWS_COLLECTION,
  BALANCER_WINDOWS_DB,
  APP_FORBIDDEN_ACTIONS,
  appRole,
  BACKUP_DROPPED_ACTIONS,
  backupRole,
  balancerWindowRole,
  directShardOperationsRequired,
  MIGRATION_CHANGELOG_COLLECTION,
  MIGRATION_CHECKPOINT_COLLECTION,
  MIGRATION_LOCK_COLLECTION,
  MIGRATOR_ROLE,
  migratorRole,
  renderUsersSpec,
  replSetConfigRole,
  restoreRole,
  restoreUserRoles,
  RETENTION_COLLECTIONS,
  retentionRole,
  UserScope,
} from "../../replicaset/users";
import { driveSync, RetentionRequest, retentionSteps } from "../../migrations/retention/retention-steps";

describe("renderUsersSpec (users.json)", () => {
  const spec = renderUsersSpec(dev);
  const user = (name: string) => spec.users.find((u) => u.name === name)!;

  test("three users in admin, each with its Secret mounted at /etc/nyrkio/secrets/<user>/; no permanent restore user (issue 12)", () => {
    expect(spec.users.map((u) => [u.name, u.secretName, u.secretDir, u.db])).toEqual([
      ["app", "nyrkio-mongodb-app", "/etc/nyrkio/secrets/app", "admin"],
      ["migrator", "nyrkio-mongodb-migrator", "/etc/nyrkio/secrets/migrator", "admin"],
      ["backup", "nyrkio-mongodb-backup", "/etc/nyrkio/secrets/backup", "admin"],
    ]);
    expect(spec.mechanisms).toEqual(["SCRAM-SHA-256"]);
  });

  test("least privilege: app CRUD on the Nyrkiö database only; backup a read-only custom role; restore the replay role (anyAction), nothing more", () => {
    expect(user("app").roles).toEqual([{ role: "nyrkioApp", db: "admin" }]);
    expect(user("migrator").roles).toEqual([{ role: MIGRATOR_ROLE, db: "admin" }]);
    // The backup jobs read the commit point from `hello`: no clusterMonitor.
    expect(user("backup").roles).toEqual([
      { role: "nyrkioBackup", db: "admin" },
      { role: "nyrkioReplSetConfig", db: "admin" },
    ]);
    expect(restoreUserRoles(dev)).toEqual([{ role: "nyrkioRestore", db: "admin" }]);
    expect(renderUsersSpec({ ...dev, database: "perf" }).users[0].roles).toEqual([{ role: "nyrkioApp", db: "admin" }]);
    expect(appRole({ ...dev, database: "perf" }).privileges.map((p) => p.resource)).toEqual([{ db: "perf", collection: "" }]);
  });

  // builtin_roles.yml (mongodb/mongo, r8.0): readWrite = read + convertToCapped, createCollection,
  // createIndex, dropCollection, dropIndex, renameCollectionSameDB, ... (the DDL an app must not hold).
  test("the app role: find/insert/update/remove (and listing, closing cursors) on its database, none of readWrite's DDL", () => {
    expect(appRole(dev)).toEqual({
      role: "nyrkioApp",
      db: "admin",
      privileges: [{ resource: { db: "nyrkio", collection: "" }, actions: ["find", "insert", "update", "remove", "listCollections", "listIndexes", "killCursors"] }],
      roles: [],
    });
    const granted = appRole(dev).privileges.flatMap((p) => p.actions);
    for (const ddl of [...APP_FORBIDDEN_ACTIONS, "renameCollectionSameDB", "convertToCapped", "bypassDocumentValidation"]) expect(granted).not.toContain(ddl);
    // No user holds a built-in readWrite, backup or root any more.
    for (const scope of ["replicaset", "cluster", "shard"] as const)
      for (const u of renderUsersSpec(sharded, scope).users) for (const r of u.roles) expect(["readWrite", "backup", "root", "dbAdmin", "dbOwner"]).not.toContain(r.role);
  });

  // builtin_roles.yml: backup = __queryableBackup + (cluster) appendOplogNote, serverStatus,
  // setUserWriteBlockMode + insert/update on config.settings.
  test("the backup role: __queryableBackup's reads (the oplog, every collection, users and roles) and serverStatus; no write, no write blocking, no oplog note", () => {
    const role = backupRole();
    const all = role.privileges.flatMap((p) => p.actions);
    for (const dropped of [...BACKUP_DROPPED_ACTIONS, "insert", "update", "remove", "anyAction", "bypassWriteBlockingMode"]) expect(all).not.toContain(dropped);
    const has = (resource: object, action: string) => role.privileges.some((p) => JSON.stringify(p.resource) === JSON.stringify(resource) && p.actions.includes(action));
    // What mongodump --oplog reads for a whole-instance dump.
    expect(has({ cluster: true }, "listDatabases")).toBe(true);
    expect(has({ anyResource: true }, "listCollections")).toBe(true);
    expect(has({ anyResource: true }, "listIndexes")).toBe(true);
    expect(has({ db: "", collection: "" }, "find")).toBe(true);
    expect(has({ db: "local", collection: "" }, "find")).toBe(true); // local.oplog.rs
    expect(has({ db: "", collection: "system.users" }, "find")).toBe(true); // SCRAM hashes stay readable
    expect(has({ db: "admin", collection: "system.roles" }, "find")).toBe(true);
    expect(has({ db: "admin", collection: "system.version" }, "find")).toBe(true);
    // config.settings: read only (the balancer window's writes are nyrkioBalancerWindow's, cluster only).
    expect(has({ db: "config", collection: "settings" }, "find")).toBe(true);
    expect(role.privileges.filter((p) => JSON.stringify(p.resource).includes('"settings"')).flatMap((p) => p.actions)).toEqual(["find"]);
    expect(role.roles).toEqual([]);
  });

  test("the retention user (retention.enabled): its own Secret and nyrkioRetention, find on results and changes, remove on results, nothing else", () => {
    const withRetention = { ...dev, retention: { ...dev.retention, enabled: true } };
    const users = renderUsersSpec(withRetention).users;
    expect(users.map((u) => u.name)).toEqual(["app", "migrator", "backup", "retention"]);
    expect(users.at(-1)).toEqual({ name: "retention", secretName: "nyrkio-mongodb-retention", secretDir: "/etc/nyrkio/secrets/retention", db: "admin", roles: [{ role: "nyrkioRetention", db: "admin" }] });
    expect(retentionRole(withRetention)).toEqual({
      role: "nyrkioRetention",
      db: "admin",
      privileges: [
        { resource: { db: "nyrkio", collection: "results" }, actions: ["find", "remove"] },
        { resource: { db: "nyrkio", collection: "changes" }, actions: ["find"] },
      ],
      roles: [],
    });
    expect(renderUsersSpec(withRetention).roles.at(-1)).toEqual(retentionRole(withRetention));
    // Through mongos in a cluster (the config servers hold it), never on a shard.
    const shardedWithRetention = { ...sharded, retention: { ...sharded.retention, enabled: true } };
    expect(renderUsersSpec(shardedWithRetention, "cluster").users.map((u) => u.name)).toContain("retention");
    expect(renderUsersSpec(shardedWithRetention, "shard").users.map((u) => u.name)).not.toContain("retention");
    expect(JSON.stringify(renderUsersSpec(shardedWithRetention, "shard"))).not.toContain("nyrkioRetention");
    // Off: neither the user nor its role.
    expect(JSON.stringify(renderUsersSpec(dev))).not.toContain("etention");
  });

  test("the retention role covers exactly the collections and actions the retention run requests", () => {
    // One old result, no change point: the run finds, checks changes, deletes.
    const requests: RetentionRequest[] = [];
    driveSync(retentionSteps({ nowSeconds: 10 * 86400, resultsDays: 1, batchSize: 5, dryRun: false, pauseMs: 0 } as never), (request) => {
      requests.push(request);
      if (request.kind === "find") return request.collection === "results" && requests.length === 1 ? [{ _id: 1, test_id: "t", timestamp: 5 }] : [];
      return request.kind === "deleteMany" ? 1 : undefined;
    });
    const needed = new Set(requests.filter((r) => r.kind === "find" || r.kind === "deleteMany").map((r) => `${(r as { collection: string }).collection}:${r.kind === "deleteMany" ? "remove" : "find"}`));
    expect([...needed].sort()).toEqual(["changes:find", "results:find", "results:remove"]);
    const granted = new Set(retentionRole(dev).privileges.flatMap((p) => p.actions.map((a) => `${(p.resource as { collection: string }).collection}:${a}`)));
    for (const n of needed) expect(granted).toContain(n);
    expect(RETENTION_COLLECTIONS).toEqual({ results: "results", changes: "changes" });
  });

  test("the migrator role: schema and index actions on the database, inprog on the cluster, data access only to its own collections", () => {
    const role = migratorRole(dev);
    expect(spec.roles).toEqual([role, restoreRole(), replSetConfigRole(), appRole(dev), backupRole()]);
    expect(role).toMatchObject({ role: "nyrkioMigrator", db: "admin", roles: [] });
    expect(role.privileges).toEqual([
      {
        resource: { db: "nyrkio", collection: "" },
        actions: ["collMod", "createCollection", "createIndex", "dropCollection", "dropIndex", "indexStats", "listCollections", "listIndexes"],
      },
      { resource: { db: "nyrkio", collection: MIGRATION_CHANGELOG_COLLECTION }, actions: ["find", "insert", "update", "remove"] },
      { resource: { db: "nyrkio", collection: MIGRATION_LOCK_COLLECTION }, actions: ["find", "insert", "update", "remove"] },
      { resource: { db: "nyrkio", collection: MIGRATION_CHECKPOINT_COLLECTION }, actions: ["find", "insert", "update", "remove"] },
      { resource: { cluster: true }, actions: ["inprog", "replSetGetStatus"] },
    ]);
    const dbWide = role.privileges[0].actions;
    for (const dataAction of ["find", "insert", "update", "remove"]) expect(dbWide).not.toContain(dataAction);
  });

  test("the migrator cannot read the application's collections: dropping one needs --allow-data-loss", () => {
    const readable = migratorRole(dev).privileges.filter((p) => p.actions.includes("find")).map((p) => ("collection" in p.resource ? p.resource.collection : "cluster"));
    expect(readable.sort()).toEqual([MIGRATION_LOCK_COLLECTION, MIGRATION_CHANGELOG_COLLECTION, MIGRATION_CHECKPOINT_COLLECTION].sort());
  });

  test("the migrator's own collections are the ones the migration runner uses", () => {
    expect(MIGRATION_CHANGELOG_COLLECTION).toBe(CHANGELOG_COLLECTION);
    expect(MIGRATION_LOCK_COLLECTION).toBe(LOCK_COLLECTION);
    expect(MIGRATION_CHECKPOINT_COLLECTION).toBe(CHECKPOINT_COLLECTION);
  });

  test("no password and no user name appears in the spec", () => {
    expect(JSON.stringify(spec)).not.toMatch(/pwd|password/i);
  });
});

describe("users by scope: unsharded, the cluster (config servers), a shard", () => {
  const spec = (scope: UserScope, config = sharded) => renderUsersSpec(config, scope);
  const rolesOf = (scope: UserScope, name: string, config = sharded) => spec(scope, config).users.find((u) => u.name === name)?.roles;
  const mongo = (tag: string) => ({ ...sharded, image: `mongo:${tag}` });

  test("the default scope is the unsharded replica set", () => {
    expect(renderUsersSpec(dev)).toEqual(renderUsersSpec(dev, "replicaset"));
  });

  test("the cluster holds the three users the application and the jobs authenticate with through mongos", () => {
    expect(spec("cluster").users.map((u) => u.name)).toEqual(["app", "migrator", "backup"]);
    expect(rolesOf("cluster", "app")).toEqual([{ role: "nyrkioApp", db: "admin" }]);
    expect(rolesOf("cluster", "migrator")).toEqual([{ role: MIGRATOR_ROLE, db: "admin" }]);
    expect(restoreUserRoles(sharded, "cluster")).toEqual([{ role: "nyrkioRestore", db: "admin" }]);
  });

  test("the cluster's backup user also holds the balancer window's role, defined beside the migrator's", () => {
    expect(rolesOf("cluster", "backup")).toEqual([
      { role: "nyrkioBackup", db: "admin" },
      { role: "nyrkioReplSetConfig", db: "admin" },
      { role: "nyrkioBalancerWindow", db: "admin" },
    ]);
    expect(spec("cluster").roles).toEqual([migratorRole(sharded, "cluster"), balancerWindowRole(), restoreRole(), replSetConfigRole(), appRole(sharded), backupRole()]);
    // Through mongos the runner checks every shard's indexes (issue 11 defect 9): one more action, there only.
    expect(migratorRole(sharded, "cluster").privileges[0].actions).toContain("checkMetadataConsistency");
    expect(migratorRole(sharded).privileges[0].actions).not.toContain("checkMetadataConsistency");
    // Unsharded there is no balancer: neither the role nor the grant.
    expect(spec("replicaset").roles).toEqual([migratorRole(sharded), restoreRole(), replSetConfigRole(), appRole(sharded), backupRole()]);
    expect(rolesOf("replicaset", "backup")).toEqual([
      { role: "nyrkioBackup", db: "admin" },
      { role: "nyrkioReplSetConfig", db: "admin" },
    ]);
  });

  test("the balancer window's role: find/update on config.settings, the leases' four actions, nothing else", () => {
    expect(balancerWindowRole()).toEqual({
      role: "nyrkioBalancerWindow",
      db: "admin",
      privileges: [
        { resource: { db: "config", collection: "settings" }, actions: ["find", "update"] },
        { resource: { db: "nyrkio_ops", collection: "balancer_windows" }, actions: ["find", "insert", "update", "remove"] },
      ],
      roles: [],
    });
  });

  test("the leases' namespace is the one balancer.js writes (its default holds database, which the backup pods keep)", () => {
    const script = readFileSync(join(__dirname, "..", "..", "sharding", "mongosh", "balancer.js"), "utf8");
    expect(script).toContain(`env.BALANCER_HOLDS_DB || "${BALANCER_WINDOWS_DB}"`);
    expect(script).toContain(`getCollection("${BALANCER_WINDOWS_COLLECTION}")`);
  });

  test("a shard holds only the user of direct backups: nothing the application uses; the temporary restore users' role", () => {
    expect(spec("shard").users.map((u) => [u.name, u.secretName, u.secretDir, u.db])).toEqual([
      ["backup", "nyrkio-mongodb-backup", "/etc/nyrkio/secrets/backup", "admin"],
    ]);
    expect(spec("shard").roles).toEqual([restoreRole(), replSetConfigRole(), backupRole()]);
    expect(JSON.stringify(spec("shard"))).not.toMatch(/readWrite|nyrkioApp|nyrkioMigrator|nyrkioBalancerWindow/);
  });

  test("MongoDB 8.0 and newer: the shard's backup and restore users get directShardOperations", () => {
    expect(sharded.image).toMatch(/^mongo:8\./);
    expect(rolesOf("shard", "backup")).toEqual([
      { role: "nyrkioBackup", db: "admin" },
      { role: "nyrkioReplSetConfig", db: "admin" },
      { role: "directShardOperations", db: "admin" },
    ]);
    expect(restoreUserRoles(sharded, "shard")).toEqual([
      { role: "nyrkioRestore", db: "admin" },
      { role: "directShardOperations", db: "admin" },
    ]);
    expect(rolesOf("shard", "backup", mongo("9.0.1"))).toContainEqual({ role: "directShardOperations", db: "admin" });
  });

  test("before 8.0 a direct connection to a shard is not refused: no directShardOperations", () => {
    for (const tag of ["7.0.14", "6.0.19"]) {
      expect(rolesOf("shard", "backup", mongo(tag))).toEqual([
        { role: "nyrkioBackup", db: "admin" },
        { role: "nyrkioReplSetConfig", db: "admin" },
      ]);
      expect(restoreUserRoles(mongo(tag), "shard")).toEqual([{ role: "nyrkioRestore", db: "admin" }]);
    }
  });

  test("directShardOperations is never granted off a shard, whatever the version", () => {
    for (const scope of ["replicaset", "cluster"] as const) expect(JSON.stringify(spec(scope, mongo("8.0.12")))).not.toContain("directShardOperations");
  });

  test("directShardOperationsRequired reads the major version of the pinned image", () => {
    expect(directShardOperationsRequired("mongo:8.0.12")).toBe(true);
    expect(directShardOperationsRequired("registry.example.com:5000/mirror/mongo:8.0.4-jammy")).toBe(true);
    expect(directShardOperationsRequired("mongo:7.0.14")).toBe(false);
    expect(() => directShardOperationsRequired("mongo:latest")).toThrow('cannot tell the MongoDB version of image "mongo:latest"');
  });
});

describe("planUserChanges", () => {
  const spec = renderUsersSpec(dev);
  const desiredUsers = spec.users.map((u) => ({ name: u.name, user: `nyrkio-${u.name}`, db: u.db, roles: u.roles }));
  const desired = { roles: spec.roles, users: desiredUsers };
  // rolesInfo with showPrivileges returns the actions in the server's order, plus inherited fields.
  const liveRole: ExistingRole & Record<string, unknown> = {
    _id: "admin.nyrkioMigrator",
    role: "nyrkioMigrator",
    db: "admin",
    privileges: [...migratorRole(dev).privileges].reverse().map((p) => ({ ...p, actions: [...p.actions].reverse() })),
    roles: [],
    inheritedRoles: [],
    isBuiltin: false,
  };
  const liveRestoreRole: ExistingRole & Record<string, unknown> = { _id: "admin.nyrkioRestore", ...restoreRole(), inheritedRoles: [], isBuiltin: false };
  const liveConfigRole: ExistingRole & Record<string, unknown> = { _id: "admin.nyrkioReplSetConfig", ...replSetConfigRole(), inheritedRoles: [], isBuiltin: false };
  const liveAppRole: ExistingRole & Record<string, unknown> = { _id: "admin.nyrkioApp", ...appRole(dev), inheritedRoles: [], isBuiltin: false };
  const liveBackupRole: ExistingRole & Record<string, unknown> = { _id: "admin.nyrkioBackup", ...backupRole(), inheritedRoles: [], isBuiltin: false };
  const liveUsers: (ExistingUser & Record<string, unknown>)[] = desiredUsers.map((u) => ({
    _id: `admin.${u.user}`,
    userId: "…",
    user: u.user,
    db: "admin",
    roles: [...u.roles].reverse(),
    mechanisms: ["SCRAM-SHA-256"],
  }));
  const root = { _id: "admin.root", user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] };

  test("a fresh set (only root): the roles first, then three users created", () => {
    const result = planUserChanges({ users: [root], roles: [] }, desired);
    expect(result.ok && result.changes.map((c) => ((c.kind === "createRole" || c.kind === "updateRole") ? `${c.kind} ${c.role.role}` : `${c.kind} ${"name" in c ? c.name : ""}`))).toEqual([
      "createRole nyrkioMigrator",
      "createRole nyrkioRestore",
      "createRole nyrkioReplSetConfig",
      "createRole nyrkioApp",
      "createRole nyrkioBackup",
      "createUser app",
      "createUser migrator",
      "createUser backup",
    ]);
  });

  test("everything in place: the role is left alone, every user gets its password again with unchanged roles", () => {
    const result = planUserChanges({ users: [root, ...liveUsers], roles: [liveRole, liveRestoreRole, liveConfigRole, liveAppRole, liveBackupRole] }, desired);
    if (!result.ok) throw new Error(result.error);
    expect(result.changes.map((c) => c.kind)).toEqual(["updateUser", "updateUser", "updateUser"]);
    expect(result.changes.every((c) => c.kind === "updateUser" && !c.rolesChanged)).toBe(true);
  });

  test("a changed role definition or a user's changed roles are updated", () => {
    const oldRole = { ...liveRole, privileges: liveRole.privileges!.slice(1) };
    const oldApp = { ...liveUsers[0], roles: [{ role: "read", db: "nyrkio" }] };
    const result = planUserChanges({ users: [oldApp, ...liveUsers.slice(1)], roles: [oldRole, liveRestoreRole, liveConfigRole, liveAppRole, liveBackupRole] }, desired);
    if (!result.ok) throw new Error(result.error);
    expect(result.changes[0]).toEqual({ kind: "updateRole", role: migratorRole(dev) });
    expect(result.changes[1]).toMatchObject({ kind: "updateUser", name: "app", rolesChanged: true, roles: [{ role: "nyrkioApp", db: "admin" }] });
    expect(result.changes.slice(2).every((c) => c.kind === "updateUser" && !c.rolesChanged)).toBe(true);
  });

  test("the converted first shard: the former set's backup user gets its shard roles; its app, migrator and role are left as they are", () => {
    const shard = renderUsersSpec(sharded, "shard");
    const shardUsers = shard.users.map((u) => ({ name: u.name, user: `nyrkio-${u.name}`, db: u.db, roles: u.roles }));
    const result = planUserChanges({ users: [root, ...liveUsers], roles: [liveRole, liveRestoreRole, liveConfigRole, liveAppRole, liveBackupRole] }, { roles: shard.roles, users: shardUsers });
    if (!result.ok) throw new Error(result.error);
    expect(result.changes).toEqual([
      { kind: "updateUser", name: "backup", user: "nyrkio-backup", db: "admin", roles: shard.users[0].roles, rolesChanged: true },
    ]);
  });

  test("the permanent restore user of an earlier release is no longer managed: no update, and the prune drops it as unmanaged (issue 12)", () => {
    const earlier = [...liveUsers, { _id: "admin.nyrkio-restore", userId: "…", user: "nyrkio-restore", db: "admin", roles: [{ role: "nyrkioRestore", db: "admin" }], mechanisms: ["SCRAM-SHA-256"] }];
    const result = planUserChanges({ users: [root, ...earlier], roles: [liveRole, liveRestoreRole, liveConfigRole, liveAppRole, liveBackupRole] }, desired);
    if (!result.ok) throw new Error(result.error);
    expect(result.changes.some((c) => "user" in c && c.user === "nyrkio-restore")).toBe(false);
    // anyResource compares as itself, not as a database resource: an equal live role is left alone.
    const again = planUserChanges({ users: [root, ...liveUsers], roles: [liveRole, { ...liveRestoreRole, privileges: [{ resource: { db: "", collection: "" }, actions: ["anyAction"] }] }, liveConfigRole, liveAppRole, liveBackupRole] }, desired);
    expect(again.ok && again.changes[0]).toEqual({ kind: "updateRole", role: restoreRole() });
  });

  test("the restore role grants every action on every resource, exactly (mongorestore --oplogReplay checks each entry's own privileges)", () => {
    expect(restoreRole()).toEqual({ role: "nyrkioRestore", db: "admin", privileges: [{ resource: { anyResource: true }, actions: ["anyAction"] }], roles: [] });
    // ... and no managed user holds it: only the temporary restore users (restoreUserRoles).
    for (const scope of ["replicaset", "cluster", "shard"] as const) {
      const holders = renderUsersSpec(sharded, scope).users.filter((u) => u.roles.some((r) => r.role === "nyrkioRestore")).map((u) => u.name);
      expect(holders).toEqual([]);
      expect(renderUsersSpec(sharded, scope).roles.map((r) => r.role)).toContain("nyrkioRestore");
    }
  });

  test("the backup user's config role: replSetGetConfig on the cluster and nothing else (the replicaSetId of every manifest)", () => {
    expect(replSetConfigRole()).toEqual({ role: "nyrkioReplSetConfig", db: "admin", privileges: [{ resource: { cluster: true }, actions: ["replSetGetConfig"] }], roles: [] });
    for (const scope of ["replicaset", "cluster", "shard"] as const) {
      const holders = renderUsersSpec(sharded, scope).users.filter((u) => u.roles.some((r) => r.role === "nyrkioReplSetConfig")).map((u) => u.name);
      expect(holders).toEqual(["backup"]);
    }
  });

  test("users not in the spec (root, people's own) are never touched", () => {
    const result = planUserChanges({ users: [root, { user: "alice", db: "admin", roles: [] }], roles: [] }, desired);
    expect(result.ok && result.changes.some((c) => "user" in c && (c.user === "root" || c.user === "alice"))).toBe(false);
  });

  test("two Secrets with the same username, or an empty one, are refused", () => {
    const same = desiredUsers.map((u) => ({ ...u, user: u.name === "backup" ? "nyrkio-app" : u.user }));
    expect(planUserChanges({ users: [], roles: [] }, { roles: spec.roles, users: same })).toEqual({
      ok: false,
      error: 'users "app" and "backup" have the same username "nyrkio-app" in their Secrets',
    });
    const empty = desiredUsers.map((u) => ({ ...u, user: u.name === "migrator" ? "" : u.user }));
    expect(planUserChanges({ users: [], roles: [] }, { roles: spec.roles, users: empty })).toEqual({ ok: false, error: 'the Secret of user "migrator" has an empty username' });
  });
});
