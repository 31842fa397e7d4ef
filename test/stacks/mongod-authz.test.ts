// The authorization model every mongod stand-in applies (test/support/mongod-authz.ts), checked
// rule by rule against the server behaviour it cites.
import { restoreRole, replSetConfigRole, balancerWindowRole } from "../../replicaset/users";
import { authorize, AuthzServer, localhostExceptionPrivileges, NO_AUTH_COMMANDS, UNAUTHORIZED } from "../support/mongod-authz";

type Doc = Record<string, unknown>;
const fresh = { hasUsers: false, arbiter: false };
const withUsers = { hasUsers: true, arbiter: false };
const arbiter = { hasUsers: false, arbiter: true };
const localhost = { fromLocalhost: true };
const remote = { fromLocalhost: false };

function refusal(server: AuthzServer, session: { fromLocalhost: boolean; roles?: { role: string; db: string }[] }, cmd: Doc): number | undefined {
  try {
    authorize(server, session, cmd);
    return undefined;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

describe("mongod authorization model", () => {
  it("localhost exception: exactly _getDefaultPrivileges (createUser/grantRole on admin, createUser on $external, four cluster actions)", () => {
    expect(localhostExceptionPrivileges(false)).toEqual([
      { resource: { db: "admin" }, actions: ["createUser", "grantRole"] },
      { resource: { db: "$external" }, actions: ["createUser"] },
      { resource: { cluster: true }, actions: ["addShard", "replSetConfigure", "replSetGetStatus", "issueDirectShardOperations"] },
    ]);
    expect(localhostExceptionPrivileges(true)[2].actions).toEqual(expect.arrayContaining(["getCmdLineOpts", "getParameter", "serverStatus", "shutdown"]));
  });

  it.each([
    ["createUser with the root role", { createUser: "root", pwd: "x", roles: [{ role: "root", db: "admin" }] }],
    ["replSetInitiate", { replSetInitiate: {} }],
    ["replSetGetStatus", { replSetGetStatus: 1 }],
  ])("localhost, no user: %s is allowed", (_, cmd) => {
    expect(refusal(fresh, localhost, cmd)).toBeUndefined();
  });

  it.each([
    ["usersInfo (needs viewUser)", { usersInfo: 1 }],
    ["createRole", { createRole: "r", privileges: [], roles: [] }],
    ["replSetGetConfig", { replSetGetConfig: 1 }],
    ["serverStatus on a data member", { serverStatus: 1 }],
    ["createUser on another database", { createUser: "u", pwd: "x", roles: [], $db: "app" }],
  ])("localhost, no user: %s is Unauthorized", (_, cmd) => {
    expect(refusal(fresh, localhost, cmd)).toBe(UNAUTHORIZED);
  });

  it("a role without any user closes the exception too (hasAnyPrivilegeDocuments: admin.system.users, then admin.system.roles)", () => {
    const rolesOnly: AuthzServer = { hasUsers: false, arbiter: false, customRoles: [{ role: "r", db: "admin", privileges: [], roles: [] }] };
    expect(refusal(rolesOnly, localhost, { createUser: "nyrkio-bootstrap", pwd: "x", roles: [{ role: "userAdmin", db: "admin" }] })).toBe(UNAUTHORIZED);
    expect(refusal(rolesOnly, localhost, { replSetGetStatus: 1 })).toBe(UNAUTHORIZED);
    expect(refusal(fresh, localhost, { createUser: "nyrkio-bootstrap", pwd: "x", roles: [{ role: "userAdmin", db: "admin" }] })).toBeUndefined();
  });

  it("an arbiter (never any user) keeps its exception, with serverStatus and shutdown besides", () => {
    expect(refusal(arbiter, localhost, { serverStatus: 1 })).toBeUndefined();
    expect(refusal(arbiter, localhost, { shutdown: 1 })).toBeUndefined();
    expect(refusal(arbiter, remote, { serverStatus: 1 })).toBe(UNAUTHORIZED);
  });

  it("once a user exists, or from another host, only commands that do not require auth run unauthenticated", () => {
    for (const server of [withUsers, fresh]) {
      const session = server === withUsers ? localhost : remote;
      for (const name of NO_AUTH_COMMANDS) expect(refusal(server, session, { [name]: 1 })).toBeUndefined();
      expect(refusal(server, session, { createUser: "root", pwd: "x", roles: [{ role: "root", db: "admin" }] })).toBe(UNAUTHORIZED);
      expect(refusal(server, session, { replSetGetStatus: 1 })).toBe(UNAUTHORIZED);
    }
  });

  it("a user gets what its roles grant: root everything modelled, clusterMonitor reads only", () => {
    const root = { fromLocalhost: false, roles: [{ role: "root", db: "admin" }] };
    for (const cmd of [{ usersInfo: 1 }, { createRole: "r", privileges: [], roles: [] }, { replSetReconfig: {} }, { setDefaultRWConcern: 1 }]) expect(refusal(withUsers, root, cmd)).toBeUndefined();
    const monitor = { fromLocalhost: false, roles: [{ role: "clusterMonitor", db: "admin" }] };
    expect(refusal(withUsers, monitor, { replSetGetStatus: 1 })).toBeUndefined();
    expect(refusal(withUsers, monitor, { replSetReconfig: {} })).toBe(UNAUTHORIZED);
    const app = { fromLocalhost: false, roles: [{ role: "readWrite", db: "nyrkio" }] };
    expect(refusal(withUsers, app, { replSetGetStatus: 1 })).toBe(UNAUTHORIZED);
  });

  it("mongos' sharding commands need authentication; root may run them", () => {
    const root = { fromLocalhost: false, roles: [{ role: "root", db: "admin" }] };
    for (const cmd of [{ listShards: 1 }, { enableSharding: "nyrkio" }, { shardCollection: "nyrkio.results", key: { test_id: 1 } }, { createIndexes: "results", indexes: [], $db: "nyrkio" }]) {
      expect(refusal(withUsers, remote, cmd)).toBe(UNAUTHORIZED);
      expect(refusal(withUsers, root, cmd)).toBeUndefined();
    }
  });

  // Resource matching (resource_pattern_search_list.h) and the roles of builtin_roles.yml.
  const withRoles = { hasUsers: true, arbiter: false, customRoles: [restoreRole(), replSetConfigRole(), balancerWindowRole()] };
  const as = (...roles: string[]) => ({ fromLocalhost: false, roles: roles.map((role) => (role.includes(".") ? { db: role.split(".")[0], role: role.split(".")[1] } : { role, db: "admin" })) });

  it("backup (via __queryableBackup) reads every normal collection, all of local (the oplog) and config, but writes nothing but config.settings", () => {
    const backup = as("backup");
    for (const cmd of [{ find: "oplog.rs", $db: "local" }, { find: "results", $db: "nyrkio" }, { find: "chunks", $db: "config" }, { listDatabases: 1 }, { listCollections: 1, $db: "local" }, { listIndexes: "results", $db: "nyrkio" }, { aggregate: "results", pipeline: [], $db: "nyrkio" }])
      expect(refusal(withRoles, backup, cmd)).toBeUndefined();
    expect(refusal(withRoles, backup, { update: "settings", updates: [{ upsert: false }], $db: "config" })).toBeUndefined();
    for (const cmd of [{ insert: "results", $db: "nyrkio" }, { replSetGetConfig: 1 }, { insert: "balancer_windows", $db: "nyrkio_ops" }, { applyOps: [] }]) expect(refusal(withRoles, backup, cmd)).toBe(UNAUTHORIZED);
    // nyrkioReplSetConfig adds replSetGetConfig, nothing else.
    expect(refusal(withRoles, as("backup", "nyrkioReplSetConfig"), { replSetGetConfig: 1 })).toBeUndefined();
    expect(refusal(withRoles, as("nyrkioReplSetConfig"), { find: "oplog.rs", $db: "local" })).toBe(UNAUTHORIZED);
  });

  it("any-normal-resource and database grants stop at local and config, and at system collections", () => {
    const readAll = { ...withRoles, customRoles: [{ role: "r", db: "admin", privileges: [{ resource: { db: "", collection: "" }, actions: ["find"] }], roles: [] }] };
    expect(refusal(readAll, as("r"), { find: "results", $db: "nyrkio" })).toBeUndefined();
    expect(refusal(readAll, as("r"), { find: "oplog.rs", $db: "local" })).toBe(UNAUTHORIZED);
    expect(refusal(readAll, as("r"), { find: "settings", $db: "config" })).toBe(UNAUTHORIZED);
    expect(refusal(readAll, as("r"), { find: "system.users", $db: "admin" })).toBe(UNAUTHORIZED);
    // readWrite on the app database: its collections only, and an adminOnly role from another db is no role.
    expect(refusal(withRoles, as("nyrkio.readWrite"), { insert: "results", $db: "nyrkio" })).toBeUndefined();
    expect(refusal(withRoles, as("nyrkio.readWrite"), { find: "oplog.rs", $db: "local" })).toBe(UNAUTHORIZED);
    expect(refusal(withRoles, as("nyrkio.backup"), { find: "oplog.rs", $db: "local" })).toBe(UNAUTHORIZED);
  });

  it("nyrkioRestore (anyAction on anyResource) may replay any entry; the built-in restore only inserts (users.ts restoreRole says why)", () => {
    const entries = [{ op: "u", ns: "nyrkio.results", o: {}, o2: {} }, { op: "d", ns: "nyrkio.results", o: {} }];
    expect(refusal(withRoles, as("nyrkioRestore"), { applyOps: entries })).toBeUndefined();
    expect(refusal(withRoles, as("restore"), { applyOps: [entries[0]] })).toBe(UNAUTHORIZED);
    expect(refusal(withRoles, as("restore"), { applyOps: [entries[1]] })).toBe(UNAUTHORIZED);
    expect(refusal(withRoles, as("restore"), { applyOps: [{ op: "i", ns: "nyrkio.results", o: {} }] })).toBeUndefined();
    expect(refusal(withRoles, as("restore"), { create: "results", $db: "nyrkio" })).toBeUndefined();
    expect(refusal(withRoles, as("restore"), { find: "results", $db: "nyrkio" })).toBe(UNAUTHORIZED);
    // An upsert needs insert besides update (authorization_checks.cpp checkAuthForUpdate).
    const updateOnly = { ...withRoles, customRoles: [{ role: "u", db: "admin", privileges: [{ resource: { db: "nyrkio", collection: "" }, actions: ["update"] }], roles: [] }] };
    expect(refusal(updateOnly, as("u"), { update: "results", updates: [{ upsert: false }], $db: "nyrkio" })).toBeUndefined();
    expect(refusal(updateOnly, as("u"), { update: "results", updates: [{ upsert: true }], $db: "nyrkio" })).toBe(UNAUTHORIZED);
  });

  it("verification's bootstrap: the localhost exception makes the first user but no role; userAdminAnyDatabase makes the anyResource role (grantRole on admin) but reads no data", () => {
    const role = restoreRole();
    const createRole = { createRole: role.role, privileges: role.privileges, roles: [], $db: "admin" };
    // isAuthorizedToCreateRole: createRole on the db; the exception holds createUser and grantRole only.
    expect(refusal(fresh, localhost, createRole)).toBe(UNAUTHORIZED);
    expect(refusal(fresh, localhost, { createUser: "verify-admin", roles: [{ role: "userAdminAnyDatabase", db: "admin" }], $db: "admin" })).toBeUndefined();
    const admin = { fromLocalhost: true, roles: [{ role: "userAdminAnyDatabase", db: "admin" }] };
    expect(refusal(withUsers, admin, createRole)).toBeUndefined();
    expect(refusal(withUsers, admin, { createUser: "r", roles: [{ role: role.role, db: "admin" }], $db: "admin" })).toBeUndefined();
    expect(refusal(withUsers, admin, { find: "results", $db: "nyrkio" })).toBe(UNAUTHORIZED);
    expect(refusal(withUsers, admin, { applyOps: [{ op: "i", ns: "nyrkio.results", o: {} }] })).toBe(UNAUTHORIZED);
    // Granting a privilege on anyResource needs grantRole on admin (checkAuthorizedToGrantPrivilege):
    // createRole on another database alone is not enough.
    const dbAdmin = { ...withUsers, customRoles: [{ role: "c", db: "admin", privileges: [{ resource: { db: "nyrkio" }, actions: ["createRole", "grantRole"] }], roles: [] }] };
    const as_c = { fromLocalhost: false, roles: [{ role: "c", db: "admin" }] };
    expect(refusal(dbAdmin, as_c, { ...createRole, $db: "nyrkio" })).toBe(UNAUTHORIZED);
    expect(refusal(dbAdmin, as_c, { createRole: "n", privileges: [{ resource: { db: "nyrkio", collection: "results" }, actions: ["find"] }], roles: [], $db: "nyrkio" })).toBeUndefined();
  });

  it("userAdmin on admin (the bootstrap user, builtin_roles.yml: user administration on its database only) may create and drop users and grant root, and nothing on the cluster or the data", () => {
    const bootstrap = { fromLocalhost: false, roles: [{ role: "userAdmin", db: "admin" }] };
    // The localhost exception grants the role: createUser and grantRole on admin.
    expect(refusal(fresh, localhost, { createUser: "nyrkio-bootstrap", pwd: "x", roles: [{ role: "userAdmin", db: "admin" }], $db: "admin" })).toBeUndefined();
    expect(refusal(withUsers, bootstrap, { createUser: "root", pwd: "x", roles: [{ role: "root", db: "admin" }], $db: "admin" })).toBeUndefined();
    expect(refusal(withUsers, bootstrap, { dropUser: "someone", $db: "admin" })).toBeUndefined();
    for (const cmd of [{ replSetGetConfig: 1 }, { replSetReconfig: {} }, { getDefaultRWConcern: 1 }, { usersInfo: { forAllDBs: true } }, { find: "results", $db: "nyrkio" }, { createUser: "x", pwd: "x", roles: [], $db: "nyrkio" }])
      expect(refusal(withUsers, bootstrap, cmd)).toBe(UNAUTHORIZED);
  });

  it("refuses to guess about a command it does not model", () => {
    expect(() => authorize(withUsers, { fromLocalhost: false, roles: [{ role: "root", db: "admin" }] }, { compact: "c" })).toThrow(/does not know the command compact/);
  });
});
