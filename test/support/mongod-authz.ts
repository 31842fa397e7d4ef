// The authorization rules of mongod (8.0) that every stand-in for it applies: what an
// unauthenticated connection may run, what the localhost exception grants, and what a user's
// roles grant. Taken from the MongoDB server source (github.com/mongodb/mongo, the r8.0 branch;
// read at the stored revision c53c0cf of src/mongo/db/auth/authorization_session_impl.cpp) and the
// docs; each rule names its source. A command the model does not know is refused loudly, so a
// stand-in never answers more than the server would.

type Doc = Record<string, unknown>;

/**
 * A privilege: actions on a resource. `{db}` is a database; `{db, collection}` is written the way
 * a role document writes it (src/mongo/db/auth/privilege.cpp, Privilege::resolvePrivilege...: db ""
 * and collection "" = any normal resource, db "" = that collection name in every database,
 * collection "" = the whole database, both set = one namespace); `{anyResource: true}` is
 * everything, system collections and local/config included.
 */
export type Resource = { cluster: true } | { db: string } | { db: string; collection: string } | { anyResource: true };
export interface Privilege {
  resource: Resource;
  actions: readonly string[];
}

/** A role defined on the server (admin.system.roles): its own privileges and inherited roles. */
export interface CustomRole {
  role: string;
  db: string;
  privileges: readonly Privilege[];
  roles: readonly { role: string; db: string }[];
}

/** An error as the server (and so mongosh) reports it. */
export class ServerError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export const UNAUTHORIZED = 13;
export const AUTHENTICATION_FAILED = 18;

/**
 * Commands whose `requiresAuth()` is false: the only ones an unauthenticated connection may run
 * once the localhost exception is closed.
 *   hello, isMaster          src/mongo/db/repl/replication_info.cpp (CmdHello, CmdIsMaster)
 *   ping, listCommands       src/mongo/db/commands/generic.cpp (CmdPing, ListCommandsCmd)
 *   buildInfo                src/mongo/db/commands/generic_servers.cpp (CmdBuildInfo)
 *   saslStart, saslContinue  src/mongo/db/auth/sasl_commands.cpp
 *   authenticate, logout     src/mongo/db/commands/authentication_commands.cpp
 *   connectionStatus         src/mongo/db/commands/connection_status.cpp
 * Command names are matched case-sensitively except for the lower-case aliases the server
 * registers (isMaster/ismaster, buildInfo/buildinfo).
 */
export const NO_AUTH_COMMANDS: ReadonlySet<string> = new Set([
  "hello",
  "isMaster",
  "ismaster",
  "ping",
  "listCommands",
  "buildInfo",
  "buildinfo",
  "saslStart",
  "saslContinue",
  "authenticate",
  "logout",
  "connectionStatus",
]);

/**
 * What the localhost exception grants an unauthenticated connection from loopback while no user
 * exists: exactly AuthorizationSessionImpl::_getDefaultPrivileges
 * (src/mongo/db/auth/authorization_session_impl.cpp). Not createRole, not viewUser (usersInfo).
 */
export function localhostExceptionPrivileges(arbiter: boolean): Privilege[] {
  return [
    { resource: { db: "admin" }, actions: ["createUser", "grantRole"] },
    { resource: { db: "$external" }, actions: ["createUser"] },
    {
      resource: { cluster: true },
      actions: [
        // "If this server is an arbiter, add specific privileges ... See SERVER-5479."
        ...(arbiter ? ["getCmdLineOpts", "getParameter", "serverStatus", "shutdown"] : []),
        "addShard",
        "replSetConfigure",
        "replSetGetStatus",
        "issueDirectShardOperations",
      ],
    },
  ];
}

const cluster = (...actions: string[]): Privilege[] => [{ resource: { cluster: true }, actions }];
const onDb = (db: string, ...actions: string[]): Privilege[] => [{ resource: { db }, actions }];
const onNs = (db: string, collection: string, ...actions: string[]): Privilege[] => [{ resource: { db, collection }, actions }];

function rolesOf(cmd: Doc): { role: string; db: string }[] {
  const roles = (cmd.roles as unknown[] | undefined) ?? [];
  return roles.map((r) => (typeof r === "string" ? { role: r, db: dbOf(cmd) } : (r as { role: string; db: string })));
}
const dbOf = (cmd: Doc) => (typeof cmd.$db === "string" ? cmd.$db : "admin");

/**
 * The privileges a command needs: each command's checkAuthForOperation / doCheckAuthorization.
 *   replSetInitiate, replSetReconfig: replSetConfigure; replSetGetStatus; replSetGetConfig;
 *   replSetStepDown, replSetFreeze: replSetStateChange (src/mongo/db/repl/repl_set_commands.cpp,
 *   repl_set_get_status_cmd.cpp)
 *   getDefaultRWConcern, setDefaultRWConcern: the actions of those names on the cluster
 *   (src/mongo/db/commands/rwc_defaults_commands.cpp)
 *   createUser: createUser on the user's db and grantRole on each granted role's db; usersInfo:
 *   viewUser; rolesInfo: viewRole; createRole: createRole (+ grantRole for inherited roles);
 *   updateUser/updateRole: changePassword, grantRole and revokeRole as they change those
 *   (src/mongo/db/commands/user_management_commands.cpp, src/mongo/db/auth/authorization_checks.cpp)
 *   serverStatus, getParameter, getCmdLineOpts, shutdown: the actions of those names on the cluster.
 *   listShards, addShard: those actions on the cluster; enableSharding and shardCollection:
 *   enableSharding on the database (src/mongo/s/commands/cluster_list_shards_cmd.cpp,
 *   cluster_enable_sharding_cmd.cpp, cluster_shard_collection_cmd.cpp); createIndexes: createIndex;
 *   find: find; listIndexes, listCollections: those actions (the collection's database here).
 */
export function requiredPrivileges(cmd: Doc): Privilege[] {
  const name = Object.keys(cmd)[0];
  const db = dbOf(cmd);
  const grants = rolesOf(cmd).map((r) => ({ resource: { db: r.db }, actions: ["grantRole"] }));
  switch (name) {
    case "replSetInitiate":
    case "replSetReconfig":
      return cluster("replSetConfigure");
    case "replSetGetStatus":
      return cluster("replSetGetStatus");
    case "replSetGetConfig":
      return cluster("replSetGetConfig");
    case "replSetStepDown":
    case "replSetFreeze":
      return cluster("replSetStateChange");
    // setParameter and getParameter: those actions on the cluster (src/mongo/db/commands/parameters.cpp,
    // CmdSetParameter / CmdGetParameter addRequiredPrivileges), whatever the parameter.
    // rotateCertificates: that action on the cluster (src/mongo/db/commands/rotate_certificates_command.cpp,
    // doCheckAuthorization), on mongod and mongos (forRouter().forShard()).
    case "setParameter":
    case "rotateCertificates":
    case "getDefaultRWConcern":
    case "setDefaultRWConcern":
    case "serverStatus":
    case "getParameter":
    case "getCmdLineOpts":
    case "shutdown":
    case "addShard":
      return cluster(name);
    case "listShards":
      return cluster("listShards");
    case "enableSharding":
      return onDb(String(cmd.enableSharding), "enableSharding");
    case "shardCollection":
      return onDb(String(cmd.shardCollection).split(".")[0], "enableSharding");
    case "createIndexes":
      return onNs(db, String(cmd.createIndexes), "createIndex");
    case "find":
    case "count":
      // find, count: find on the namespace (src/mongo/db/commands/find_cmd.cpp,
      // count_cmd.cpp; authorization_checks.cpp checkAuthForFind).
      return onNs(db, String(cmd[name]), "find");
    case "aggregate":
      // A plain pipeline ($match/$count/$sort/$limit, no $out/$merge/$lookup): find on the
      // namespace (src/mongo/db/pipeline/lite_parsed_document_source.cpp, the stages' requiredPrivileges).
      return onNs(db, String(cmd.aggregate), "find");
    case "listIndexes":
      // listIndexes: listIndexes on the exact namespace (src/mongo/db/commands/list_indexes.cpp).
      return onNs(db, String(cmd.listIndexes), "listIndexes");
    case "listCollections":
      return onDb(db, "listCollections");
    case "listDatabases":
      // listDatabases on the cluster (src/mongo/db/commands/list_databases.cpp; without it the
      // server lists only the databases the user holds privileges on, with authorizedDatabases).
      return cluster("listDatabases");
    case "insert":
      // Write commands (src/mongo/db/auth/authorization_checks.cpp checkAuthForInsert /
      // checkAuthForUpdate / checkAuthForDelete): insert; update (and insert when any statement
      // upserts); remove.
      return onNs(db, String(cmd.insert), "insert");
    case "update": {
      const upsert = ((cmd.updates as Doc[] | undefined) ?? []).some((u) => u.upsert === true);
      return onNs(db, String(cmd.update), "update", ...(upsert ? ["insert"] : []));
    }
    case "delete":
      return onNs(db, String(cmd.delete), "remove");
    case "drop":
      // drop: dropCollection on the namespace (https://www.mongodb.com/docs/manual/reference/privilege-actions/#mongodb-authaction-dropCollection:
      // "the drop command").
      return onNs(db, String(cmd.drop), "dropCollection");
    case "create":
      // create: createCollection on the namespace (authorization_checks.cpp checkAuthForCreate;
      // privilege-actions docs, createCollection: "the create command").
      return onNs(db, String(cmd.create), "createCollection");
    case "balancerStatus":
      // balancerStatus: find on config.settings; balancerStart/balancerStop: update on it
      // (src/mongo/s/commands/cluster_control_balancer_cmd.cpp, checkAuthForOperation).
      return onNs("config", "settings", "find");
    case "balancerStart":
    case "balancerStop":
      return onNs("config", "settings", "update");
    case "applyOps":
      // applyOps: the applyOps action on the cluster, then each entry's own privileges
      // (src/mongo/db/repl/oplog_application_checks.cpp checkAuthForCommand); the model asks
      // for an entry's insert/update/remove on its namespace (see applyOpsPrivileges).
      return [...cluster("applyOps"), ...applyOpsPrivileges(cmd.applyOps as Doc[] | undefined)];
    case "createUser":
      return [...onDb(db, "createUser"), ...grants];
    case "usersInfo":
      // {forAllDBs: true}: viewUser on the cluster ("Not authorized to view users from all
      // databases", the usersInfo command's checkAuthForOperation, src/mongo/db/commands/user_management_commands.cpp r8.0).
      if (typeof cmd.usersInfo === "object" && cmd.usersInfo !== null && (cmd.usersInfo as Doc).forAllDBs === true) return cluster("viewUser");
      return onDb(db, "viewUser");
    case "rolesInfo":
      return onDb(db, "viewRole");
    case "createRole":
      // createRole on the db (the localhost exception does not grant it: isAuthorizedToCreateRole,
      // authorization_session_impl.cpp), grantRole on each inherited role's db, and for each
      // privilege grantRole on its database, or on admin for a privilege on the cluster, any
      // resource or many databases (checkAuthForTypedCommand(CreateRoleCommand) and
      // checkAuthorizedToGrantPrivilege, src/mongo/db/commands/user_management_commands_common.cpp).
      return [...onDb(db, "createRole"), ...grants, ...((cmd.privileges as Privilege[] | undefined) ?? []).map(grantPrivilegeNeeds)];
    case "updateRole":
      return [...onDb(db, "grantRole", "revokeRole"), ...grants];
    case "updateUser":
      // customData: changeCustomData (checkAuthForUpdateUserCommand, authorization_checks.cpp).
      return [...onDb(db, ...("pwd" in cmd ? ["changePassword"] : []), ...("customData" in cmd ? ["changeCustomData"] : []), ...("roles" in cmd ? ["grantRole", "revokeRole"] : [])), ...grants];
    case "dropUser":
      return onDb(db, "dropUser");
    case "dropRole":
      return onDb(db, "dropRole");
    default:
      throw new Error(`the mongod authorization model does not know the command ${name}: add its privileges from the server source before a stand-in answers it`);
  }
}

/** checkAuthorizedToGrantPrivilege: grantRole on the privilege's database (a db or a namespace), else on admin. */
function grantPrivilegeNeeds(p: Privilege): Privilege {
  const r = p.resource;
  const db = "db" in r && r.db !== "" ? r.db : "admin";
  return { resource: { db }, actions: ["grantRole"] };
}

/** What each applyOps entry needs (oplog_application_checks.cpp): i → insert, u → update and insert, d → remove. */
function applyOpsPrivileges(entries: Doc[] = []): Privilege[] {
  const need: Record<string, string[]> = { i: ["insert"], u: ["update", "insert"], d: ["remove"] };
  return entries.flatMap((e) => {
    const ns = String(e.ns ?? "");
    const dot = ns.indexOf(".");
    const actions = need[String(e.op)];
    if (!actions || dot < 0) throw new Error(`the mongod authorization model does not know the applyOps entry ${JSON.stringify(e)}`);
    return onNs(ns.slice(0, dot), ns.slice(dot + 1), ...actions);
  });
}

/**
 * Built-in roles, as far as the stand-ins need them: the privileges of src/mongo/db/auth/builtin_roles.yml
 * (r8.0), copied match type by match type for the actions the model knows (read/readWrite are
 * granted on the role's own database; the others are adminOnly and grant nothing from another db).
 * root includes clusterAdmin, userAdminAnyDatabase, readWriteAnyDatabase, dbAdminAnyDatabase,
 * backup and restore: every action the model knows on every resource it knows, so it is modelled
 * as anyAction on anyResource. A role not listed here grants nothing in the model (the stand-in
 * refuses more, never less, than the server).
 */
const READ_ACTIONS = ["changeStream", "collStats", "dbHash", "dbStats", "find", "killCursors", "listCollections", "listIndexes", "listSearchIndexes", "planCacheRead"];
const READ_WRITE_ACTIONS = [...READ_ACTIONS, "convertToCapped", "createCollection", "createIndex", "dropCollection", "dropIndex", "insert", "remove", "renameCollectionSameDB", "update"];
const ANY_NORMAL: Resource = { db: "", collection: "" };
const RESTORE_WRITE_ACTIONS = ["bypassDocumentValidation", "collMod", "convertToCapped", "createCollection", "createIndex", "createSearchIndexes", "dropCollection", "insert", "updateSearchIndex"];
const USER_ADMIN_ACTIONS = ["changeCustomData", "changePassword", "createUser", "createRole", "dropUser", "dropRole", "grantRole", "revokeRole", "setAuthenticationRestriction", "viewUser", "viewRole"];
const BUILTIN_ROLES: Record<string, { adminOnly: boolean; privileges: (db: string) => Privilege[]; roles?: { role: string; db: string }[] }> = {
  read: { adminOnly: false, privileges: (db) => [{ resource: { db }, actions: READ_ACTIONS }] },
  readWrite: { adminOnly: false, privileges: (db) => [{ resource: { db }, actions: READ_WRITE_ACTIONS }] },
  // userAdmin: the user-administration actions on its own database only (matchType database): on
  // admin, createUser and grantRole there, so it may create root; no cluster action at all.
  userAdmin: { adminOnly: false, privileges: (db) => [{ resource: { db }, actions: USER_ADMIN_ACTIONS }] },
  clusterMonitor: {
    adminOnly: true,
    roles: [
      { role: "read", db: "config" },
      { role: "read", db: "local" },
    ],
    privileges: () => [
      {
        resource: { cluster: true },
        actions: ["connPoolStats", "getCmdLineOpts", "getDefaultRWConcern", "getLog", "getParameter", "getShardMap", "hostInfo", "listDatabases", "listShards", "netstat", "replSetGetConfig", "replSetGetStatus", "serverStatus", "top", "inprog", "shardingState"],
      },
      { resource: ANY_NORMAL, actions: ["collStats", "dbStats", "indexStats"] },
    ],
  },
  // __queryableBackup: listCollections/listIndexes on anything, find on normal collections, on
  // all of config and local (local.oplog.rs among them), and on a few system collections.
  __queryableBackup: {
    adminOnly: true,
    privileges: () => [
      { resource: { anyResource: true }, actions: ["collStats", "listCollections", "listIndexes", "listSearchIndexes"] },
      { resource: ANY_NORMAL, actions: ["find"] },
      { resource: { cluster: true }, actions: ["getParameter", "listDatabases", "useUUID"] },
      { resource: { db: "config" }, actions: ["find"] },
      { resource: { db: "local" }, actions: ["find"] },
      { resource: { db: "", collection: "system.js" }, actions: ["find"] },
      { resource: { db: "", collection: "system.users" }, actions: ["find"] },
      { resource: { db: "admin", collection: "system.roles" }, actions: ["find"] },
      { resource: { db: "admin", collection: "system.version" }, actions: ["find"] },
      { resource: { db: "config", collection: "settings" }, actions: ["find"] },
    ],
  },
  backup: {
    adminOnly: true,
    roles: [{ role: "__queryableBackup", db: "admin" }],
    privileges: () => [
      { resource: { cluster: true }, actions: ["appendOplogNote", "serverStatus", "setUserWriteBlockMode"] },
      { resource: { db: "config", collection: "settings" }, actions: ["insert", "update"] },
    ],
  },
  // restore: inserts and DDL (never update or remove) on normal collections and on local and
  // config, applyOps on the cluster, user administration (its own entries in builtin_roles.yml).
  restore: {
    adminOnly: true,
    privileges: () => [
      { resource: { cluster: true }, actions: ["getParameter", "forceUUID", "useUUID", "bypassWriteBlockingMode", "setUserWriteBlockMode", "applyOps"] },
      { resource: { db: "local" }, actions: RESTORE_WRITE_ACTIONS },
      { resource: { db: "config" }, actions: RESTORE_WRITE_ACTIONS },
      { resource: { anyResource: true }, actions: ["listCollections"] },
      { resource: ANY_NORMAL, actions: [...RESTORE_WRITE_ACTIONS, ...USER_ADMIN_ACTIONS] },
      { resource: { db: "", collection: "system.js" }, actions: RESTORE_WRITE_ACTIONS },
      { resource: { db: "admin", collection: "system.version" }, actions: [...RESTORE_WRITE_ACTIONS, "find"] },
      { resource: { db: "", collection: "system.users" }, actions: [...RESTORE_WRITE_ACTIONS, "find", "update", "remove"] },
      { resource: { db: "admin", collection: "system.roles" }, actions: ["createIndex"] },
    ],
  },
  // userAdminAnyDatabase: user administration on any normal resource and on local and config,
  // listDatabases, authSchemaUpgrade, invalidateUserCache and viewUser on the cluster, read (and
  // index) actions on admin.system.users/roles/version (builtin_roles.yml r8.0). No data.
  userAdminAnyDatabase: {
    adminOnly: true,
    privileges: () => [
      { resource: ANY_NORMAL, actions: [...USER_ADMIN_ACTIONS, "listCachedAndActiveUsers"] },
      { resource: { db: "local" }, actions: USER_ADMIN_ACTIONS },
      { resource: { db: "config" }, actions: USER_ADMIN_ACTIONS },
      { resource: { cluster: true }, actions: ["listDatabases", "authSchemaUpgrade", "invalidateUserCache", "viewUser"] },
      { resource: { db: "admin", collection: "system.users" }, actions: [...READ_ACTIONS, "createIndex", "createSearchIndexes", "dropIndex", "dropSearchIndex"] },
      { resource: { db: "admin", collection: "system.roles" }, actions: [...READ_ACTIONS, "createIndex", "createSearchIndexes", "dropIndex", "dropSearchIndex"] },
      { resource: { db: "", collection: "system.users" }, actions: READ_ACTIONS },
      { resource: { db: "admin", collection: "system.version" }, actions: READ_ACTIONS },
    ],
  },
  directShardOperations: { adminOnly: true, privileges: () => [{ resource: { cluster: true }, actions: ["issueDirectShardOperations"] }] },
  root: { adminOnly: true, privileges: () => [{ resource: { anyResource: true }, actions: ["anyAction"] }] },
};

/** Whether a role exists on the server: a built-in role (an adminOnly one only in admin) or a role defined there. */
export function isKnownRole(role: { role: string; db: string }, customRoles: readonly CustomRole[] = []): boolean {
  const builtin = BUILTIN_ROLES[role.role];
  if (builtin) return !builtin.adminOnly || role.db === "admin";
  return customRoles.some((r) => r.role === role.role && r.db === role.db);
}

/** Every privilege a role grants, inherited roles included; a role that does not exist grants nothing. */
export function rolePrivileges(role: { role: string; db: string }, customRoles: readonly CustomRole[] = [], seen = new Set<string>()): Privilege[] {
  const key = `${role.db}.${role.role}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const builtin = BUILTIN_ROLES[role.role];
  if (builtin) {
    // An adminOnly built-in role exists only in admin (builtin_roles.tpl.cpp: fassert isAdminDB).
    if (builtin.adminOnly && role.db !== "admin") return [];
    return [...builtin.privileges(role.db), ...(builtin.roles ?? []).flatMap((r) => rolePrivileges(r, customRoles, seen))];
  }
  const custom = customRoles.find((r) => r.role === role.role && r.db === role.db);
  if (!custom) return [];
  return [...custom.privileges, ...custom.roles.flatMap((r) => rolePrivileges(r, customRoles, seen))];
}

const isSpecialDb = (db: string) => db === "local" || db === "config";

/**
 * Whether a granted resource covers the target: ResourcePatternSearchList
 * (src/mongo/db/auth/resource_pattern_search_list.h). The cluster: anyResource or the cluster. A
 * database: anyResource, any normal resource (not for local or config), the database. A
 * collection: anyResource; if it is a normal one (not system.*) any normal resource (not in
 * local or config) and its database; the collection name in any database; the exact namespace.
 */
function resourceCovers(granted: Resource, target: Resource): boolean {
  if ("anyResource" in granted) return true;
  if ("cluster" in target) return "cluster" in granted;
  if ("cluster" in granted || "anyResource" in target) return false;
  const g = { db: granted.db, collection: "collection" in granted ? granted.collection : "" };
  const anyNormal = g.db === "" && g.collection === "";
  if (!("collection" in target) || target.collection === "") {
    if (anyNormal) return !isSpecialDb(target.db);
    return g.collection === "" && g.db === target.db;
  }
  const normal = !target.collection.startsWith("system.");
  if (anyNormal) return normal && !isSpecialDb(target.db);
  if (g.collection === "") return normal && g.db === target.db;
  if (g.db === "") return g.collection === target.collection;
  return g.db === target.db && g.collection === target.collection;
}

/** ActionSet: anyAction holds every action (src/mongo/db/auth/action_set.cpp, addAction(anyAction) = addAllActions). */
function covered(granted: readonly Privilege[], needed: Privilege): boolean {
  return needed.actions.every((action) => granted.some((g) => (g.actions.includes(action) || g.actions.includes("anyAction")) && resourceCovers(g.resource, needed.resource)));
}

export interface AuthzSession {
  /** Roles of the user this connection authenticated as; undefined while unauthenticated. */
  roles?: { role: string; db: string }[];
  /** The connection comes from 127.0.0.1 or ::1 (the pod's own network namespace). */
  fromLocalhost: boolean;
}

export interface AuthzServer {
  /**
   * Whether any user or role document exists on this member (replicated ones count; an arbiter has
   * none): hasAnyPrivilegeDocuments, authz_manager_external_state_local.cpp, reads admin.system.users
   * and admin.system.roles.
   */
  hasUsers: boolean;
  arbiter: boolean;
  /** The roles defined on the server (admin.system.roles) that users may hold. */
  customRoles?: readonly CustomRole[];
}

/** Throws Unauthorized (13) where mongod would refuse `cmd` on this connection. */
export function authorize(server: AuthzServer, session: AuthzSession, cmd: Doc): void {
  const name = Object.keys(cmd)[0];
  if (NO_AUTH_COMMANDS.has(name)) return;
  // shouldAllowLocalhost(): enableLocalhostAuthBypass (default true), a loopback connection, and no
  // privilege document (src/mongo/db/auth/authz_session_external_state_server_common.cpp): no
  // document in admin.system.users AND none in admin.system.roles, this member's own collections
  // (AuthzManagerExternalStateLocal::hasAnyPrivilegeDocuments, authz_manager_external_state_local.cpp
  // r8.0: findOne on the users collection, then on the roles collection). A role alone closes it,
  // whether the caller counts it in hasUsers or lists it in customRoles.
  const localhostException = session.fromLocalhost && !server.hasUsers && (server.customRoles ?? []).length === 0;
  // "Command ... requires authentication" (src/mongo/db/service_entry_point_shard_role.cpp /
  // commands.cpp: requiresAuth() && !isAuthenticated() && !isUsingLocalhostBypass()).
  if (session.roles === undefined && !localhostException) throw new ServerError(UNAUTHORIZED, "Unauthorized", `Command ${name} requires authentication`);
  const granted = [...(localhostException ? localhostExceptionPrivileges(server.arbiter) : []), ...(session.roles ?? []).flatMap((r) => rolePrivileges(r, server.customRoles))];
  for (const needed of requiredPrivileges(cmd)) {
    if (!covered(granted, needed)) throw new ServerError(UNAUTHORIZED, "Unauthorized", `not authorized on ${dbOf(cmd)} to execute command { ${name}: ${JSON.stringify(cmd[name])} }`);
  }
}
