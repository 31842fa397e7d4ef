// The authorization rules of mongod (8.0) that every stand-in for it applies: what an
// unauthenticated connection may run, what the localhost exception grants, and what a user's
// roles grant. Taken from the MongoDB server source (github.com/mongodb/mongo, the r8.0 branch;
// read at the stored revision c53c0cf of src/mongo/db/auth/authorization_session_impl.cpp) and the
// docs; each rule names its source. A command the model does not know is refused loudly, so a
// stand-in never answers more than the server would.

type Doc = Record<string, unknown>;

/** A privilege: actions on the cluster or on one database. */
export interface Privilege {
  resource: { cluster: true } | { db: string };
  actions: readonly string[];
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
      return onDb(db, "createIndex");
    case "find":
    case "listIndexes":
    case "listCollections":
      return onDb(db, name === "find" ? "find" : name);
    case "createUser":
      return [...onDb(db, "createUser"), ...grants];
    case "usersInfo":
      return onDb(db, "viewUser");
    case "rolesInfo":
      return onDb(db, "viewRole");
    case "createRole":
      return [...onDb(db, "createRole"), ...grants];
    case "updateRole":
      return [...onDb(db, "grantRole", "revokeRole"), ...grants];
    case "updateUser":
      return [...onDb(db, ...("pwd" in cmd ? ["changePassword"] : []), ...("roles" in cmd ? ["grantRole", "revokeRole"] : [])), ...grants];
    case "dropUser":
      return onDb(db, "dropUser");
    case "dropRole":
      return onDb(db, "dropRole");
    default:
      throw new Error(`the mongod authorization model does not know the command ${name}: add its privileges from the server source before a stand-in answers it`);
  }
}

/**
 * Built-in roles, as far as the stand-ins need them (src/mongo/db/auth/builtin_roles.yml).
 * root includes clusterAdmin, userAdminAnyDatabase, readWriteAnyDatabase, dbAdminAnyDatabase,
 * backup and restore: every action above on every resource. A role not listed here grants
 * nothing in the model (the stand-in refuses more, never less, than the server).
 */
const ROLE_GRANTS: Record<string, (p: Privilege) => boolean> = {
  root: () => true,
  // clusterMonitor: replSetGetStatus, replSetGetConfig, serverStatus, getCmdLineOpts,
  // getParameter, getDefaultRWConcern on the cluster (builtin_roles.yml, clusterMonitor).
  clusterMonitor: (p) =>
    "cluster" in p.resource && p.actions.every((a) => ["replSetGetStatus", "replSetGetConfig", "serverStatus", "getCmdLineOpts", "getParameter", "getDefaultRWConcern"].includes(a)),
};

export interface AuthzSession {
  /** Roles of the user this connection authenticated as; undefined while unauthenticated. */
  roles?: { role: string; db: string }[];
  /** The connection comes from 127.0.0.1 or ::1 (the pod's own network namespace). */
  fromLocalhost: boolean;
}

export interface AuthzServer {
  /** Whether any user exists on this member (replicated users count; an arbiter has none). */
  hasUsers: boolean;
  arbiter: boolean;
}

function covered(granted: Privilege[], needed: Privilege): boolean {
  return needed.actions.every((action) =>
    granted.some((g) => g.actions.includes(action) && ("cluster" in g.resource ? "cluster" in needed.resource : "db" in needed.resource && g.resource.db === needed.resource.db)),
  );
}

/** Throws Unauthorized (13) where mongod would refuse `cmd` on this connection. */
export function authorize(server: AuthzServer, session: AuthzSession, cmd: Doc): void {
  const name = Object.keys(cmd)[0];
  if (NO_AUTH_COMMANDS.has(name)) return;
  // shouldAllowLocalhost(): enableLocalhostAuthBypass (default true), a loopback connection, and no
  // user document (src/mongo/db/auth/authz_session_external_state_server_common.cpp).
  const localhostException = session.fromLocalhost && !server.hasUsers;
  // "Command ... requires authentication" (src/mongo/db/service_entry_point_shard_role.cpp /
  // commands.cpp: requiresAuth() && !isAuthenticated() && !isUsingLocalhostBypass()).
  if (session.roles === undefined && !localhostException) throw new ServerError(UNAUTHORIZED, "Unauthorized", `Command ${name} requires authentication`);
  const defaults = localhostException ? localhostExceptionPrivileges(server.arbiter) : [];
  for (const needed of requiredPrivileges(cmd)) {
    const byRole = (session.roles ?? []).some((r) => ROLE_GRANTS[r.role]?.(needed) === true);
    if (!byRole && !covered(defaults, needed)) throw new ServerError(UNAUTHORIZED, "Unauthorized", `not authorized on ${dbOf(cmd)} to execute command { ${name}: ... }`);
  }
}
