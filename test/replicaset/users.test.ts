import { dev } from "../../config/environments/dev";
import { CHANGELOG_COLLECTION } from "../../migrations/runner/changelog";
import { LOCK_COLLECTION } from "../../migrations/runner/lease";
import { ExistingRole, ExistingUser, planUserChanges } from "../../replicaset/user-plan";
import { MIGRATION_CHANGELOG_COLLECTION, MIGRATION_LOCK_COLLECTION, MIGRATOR_ROLE, migratorRole, renderUsersSpec } from "../../replicaset/users";

describe("renderUsersSpec (users.json)", () => {
  const spec = renderUsersSpec(dev);
  const user = (name: string) => spec.users.find((u) => u.name === name)!;

  test("four users in admin, each with its Secret mounted at /etc/nyrkio/secrets/<user>/", () => {
    expect(spec.users.map((u) => [u.name, u.secretName, u.secretDir, u.db])).toEqual([
      ["app", "nyrkio-mongodb-app", "/etc/nyrkio/secrets/app", "admin"],
      ["migrator", "nyrkio-mongodb-migrator", "/etc/nyrkio/secrets/migrator", "admin"],
      ["backup", "nyrkio-mongodb-backup", "/etc/nyrkio/secrets/backup", "admin"],
      ["restore", "nyrkio-mongodb-restore", "/etc/nyrkio/secrets/restore", "admin"],
    ]);
    expect(spec.mechanisms).toEqual(["SCRAM-SHA-256"]);
  });

  test("least privilege: app readWrite on the Nyrkiö database only; backup and restore the built-in roles", () => {
    expect(user("app").roles).toEqual([{ role: "readWrite", db: "nyrkio" }]);
    expect(user("migrator").roles).toEqual([{ role: MIGRATOR_ROLE, db: "admin" }]);
    expect(user("backup").roles).toEqual([
      { role: "backup", db: "admin" },
      { role: "clusterMonitor", db: "admin" },
    ]);
    expect(user("restore").roles).toEqual([{ role: "restore", db: "admin" }]);
    expect(renderUsersSpec({ ...dev, database: "perf" }).users[0].roles).toEqual([{ role: "readWrite", db: "perf" }]);
  });

  test("the migrator role: schema and index actions on the database, inprog on the cluster, data access only to its own collections", () => {
    const role = migratorRole(dev);
    expect(spec.roles).toEqual([role]);
    expect(role).toMatchObject({ role: "nyrkioMigrator", db: "admin", roles: [] });
    expect(role.privileges).toEqual([
      {
        resource: { db: "nyrkio", collection: "" },
        actions: ["collMod", "createCollection", "createIndex", "dropCollection", "dropIndex", "indexStats", "listCollections", "listIndexes"],
      },
      { resource: { db: "nyrkio", collection: MIGRATION_CHANGELOG_COLLECTION }, actions: ["find", "insert", "update", "remove"] },
      { resource: { db: "nyrkio", collection: MIGRATION_LOCK_COLLECTION }, actions: ["find", "insert", "update", "remove"] },
      { resource: { cluster: true }, actions: ["inprog"] },
    ]);
    const dbWide = role.privileges[0].actions;
    for (const dataAction of ["find", "insert", "update", "remove"]) expect(dbWide).not.toContain(dataAction);
  });

  test("the migrator's own collections are the ones the migration runner uses", () => {
    expect(MIGRATION_CHANGELOG_COLLECTION).toBe(CHANGELOG_COLLECTION);
    expect(MIGRATION_LOCK_COLLECTION).toBe(LOCK_COLLECTION);
  });

  test("no password and no user name appears in the spec", () => {
    expect(JSON.stringify(spec)).not.toMatch(/pwd|password/i);
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
  const liveUsers: (ExistingUser & Record<string, unknown>)[] = desiredUsers.map((u) => ({
    _id: `admin.${u.user}`,
    userId: "…",
    user: u.user,
    db: "admin",
    roles: [...u.roles].reverse(),
    mechanisms: ["SCRAM-SHA-256"],
  }));
  const root = { _id: "admin.root", user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] };

  test("a fresh set (only root): the role first, then four users created", () => {
    const result = planUserChanges({ users: [root], roles: [] }, desired);
    expect(result.ok && result.changes.map((c) => (c.kind.endsWith("Role") ? `${c.kind} nyrkioMigrator` : `${c.kind} ${"name" in c ? c.name : ""}`))).toEqual([
      "createRole nyrkioMigrator",
      "createUser app",
      "createUser migrator",
      "createUser backup",
      "createUser restore",
    ]);
  });

  test("everything in place: the role is left alone, every user gets its password again with unchanged roles", () => {
    const result = planUserChanges({ users: [root, ...liveUsers], roles: [liveRole] }, desired);
    if (!result.ok) throw new Error(result.error);
    expect(result.changes.map((c) => c.kind)).toEqual(["updateUser", "updateUser", "updateUser", "updateUser"]);
    expect(result.changes.every((c) => c.kind === "updateUser" && !c.rolesChanged)).toBe(true);
  });

  test("a changed role definition or a user's changed roles are updated", () => {
    const oldRole = { ...liveRole, privileges: liveRole.privileges!.slice(1) };
    const oldApp = { ...liveUsers[0], roles: [{ role: "read", db: "nyrkio" }] };
    const result = planUserChanges({ users: [oldApp, ...liveUsers.slice(1)], roles: [oldRole] }, desired);
    if (!result.ok) throw new Error(result.error);
    expect(result.changes[0]).toEqual({ kind: "updateRole", role: migratorRole(dev) });
    expect(result.changes[1]).toMatchObject({ kind: "updateUser", name: "app", rolesChanged: true, roles: [{ role: "readWrite", db: "nyrkio" }] });
    expect(result.changes.slice(2).every((c) => c.kind === "updateUser" && !c.rolesChanged)).toBe(true);
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
    const empty = desiredUsers.map((u) => ({ ...u, user: u.name === "restore" ? "" : u.user }));
    expect(planUserChanges({ users: [], roles: [] }, { roles: spec.roles, users: empty })).toEqual({ ok: false, error: 'the Secret of user "restore" has an empty username' });
  });
});
