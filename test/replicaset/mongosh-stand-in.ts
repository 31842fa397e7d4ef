// A recording stand-in for the mongosh globals the reconcile script uses (Mongo, print, sleep,
// quit, require("fs")), to run the generated script in a node:vm sandbox. It is not a MongoDB
// server: it answers the few commands the script sends from a small in-memory replica set, records
// every command, and refuses a replSetReconfig that breaks the rules MongoDB enforces (version + 1,
// one voting member changed at most, votes 0 needs priority 0, no change of the implicit default
// write concern while it is implicit, no term or newlyAdded, replicaSetId kept). Every command
// passes mongod's authorization first (test/support/mongod-authz.ts): the Job connects from
// another pod (no localhost exception) to a set whose root user exists, so until a connection
// authenticates only hello and the other no-auth commands run; the root user may do everything.

import * as vm from "node:vm";
import { implicitDefaultWriteConcern, LiveReplicaSetConfig, rsIsElectable, rsPriority, rsVotes } from "../../replicaset/reconfig-plan";
import type { DefaultRWConcernResponse } from "../../replicaset/rw-concern";
import type { ExistingRole, ExistingUser } from "../../replicaset/user-plan";
import { authorize, AuthzSession } from "../support/mongod-authz";
import { getTlsParameters, setTlsParameter, TlsParameters } from "../support/tls-server-model";

const dbOf = (cmd: Record<string, unknown>) => (typeof cmd.$db === "string" ? cmd.$db : "admin");

type Doc = Record<string, unknown>;

export interface StandInOptions {
  /** The live config; undefined while the bootstrap has not initiated the set. */
  live?: LiveReplicaSetConfig;
  /** hello fails (no primary) this many times before the set answers. */
  unavailableAttempts?: number;
  rwDefaults?: DefaultRWConcernResponse;
  users?: ExistingUser[];
  roles?: ExistingRole[];
  /** Host of the primary (default: member 0's). */
  primary?: string;
  /** replSetGetStatus polls a newly added data member spends in STARTUP2 before it is SECONDARY (then the version goes up by one, as MongoDB's own newlyAdded reconfig does). */
  initialSyncPolls?: number;
  /** Files the script may read: path → content. */
  files: Record<string, string>;
  /** process.env as mongosh shows it to a script (mongosh's global `process` is Node's). */
  env?: Record<string, string>;
  rootCredentials: { user: string; password: string };
  /**
   * Who can log in, with the password the server stores and the roles: by default the root user
   * of rootCredentials (a set whose root user exists). createUser, updateUser (pwd) and dropUser
   * change it as the server does; a new set handed over by the bootstrap starts with the
   * bootstrap user alone.
   */
  logins?: Login[];
  /** A shard's member: no getDefaultRWConcern/setDefaultRWConcern (they run through mongos). */
  shardServer?: boolean;
  /** Someone else reconfigures all the time: every plain replSetGetConfig sees a newer version. */
  concurrentWriter?: boolean;
  /**
   * Each data member's tlsMode and clusterAuthMode (default disabled/keyFile), answered on a
   * direct connection (directConnection=true) as the server does (test/support/tls-server-model.ts).
   * With `restart`, a member that does not yet run those values is down for `downPolls` direct
   * connections (the StatefulSet restarting it), then comes back running them.
   */
  tls?: { params?: Record<string, TlsParameters>; restart?: { into: TlsParameters; downPolls: number }; setParameterFailures?: number };
}

export interface Login {
  user: string;
  password: string;
  roles: { role: string; db: string }[];
}

export interface StandInRun {
  commands: Doc[];
  /** Every printed line, parsed as JSON. */
  lines: Doc[];
  printed: string[];
  exitCode: number;
  uris: string[];
  authUsers: string[];
  config?: LiveReplicaSetConfig;
  users: ExistingUser[];
  roles: ExistingRole[];
  /** Who can log in at the end. */
  logins: Login[];
  rwDefaults: DefaultRWConcernResponse;
  /** Each data member's TLS parameters at the end, and the commands sent on direct connections. */
  tlsParams: Record<string, TlsParameters>;
  tlsCommands: { host: string; command: Doc }[];
}

class Quit {
  constructor(readonly code: number) {}
}

/** Copies plain objects and arrays (of any realm); BSON values and Dates are kept as they are. */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value && typeof value === "object" && !(value as Doc)._bsontype && !(value instanceof Date) && Object.prototype.toString.call(value) === "[object Object]") {
    return Object.fromEntries(Object.entries(value as Doc).map(([k, v]) => [k, copy(v)])) as T;
  }
  return value;
}

/** How a stand-in call hands back its value: as is (plain vm), or as mongosh's API promises do (async rewriter). */
export type Reply = <T>(value: T) => T;

/** The sandbox globals for one run, and the run's record once the script has ended with `exitCode`. */
export function reconcileEnvironment(options: StandInOptions, reply: Reply = (value) => value): { globals: Record<string, unknown>; outcome(exitCode: number): StandInRun } {
  let clock = Date.UTC(2025, 0, 1);
  const commands: Doc[] = [];
  const printed: string[] = [];
  const uris: string[] = [];
  const authUsers: string[] = [];
  let config = options.live ? copy(options.live) : undefined;
  let primary = options.primary ?? config?.members[0].host;
  let unavailable = options.unavailableAttempts ?? (config ? 0 : Infinity);
  let rwDefaults: DefaultRWConcernResponse = options.rwDefaults ?? {
    defaultReadConcern: { level: "local" },
    defaultWriteConcern: { w: "majority", wtimeout: 0 },
    defaultWriteConcernSource: "implicit",
    defaultReadConcernSource: "implicit",
  };
  const users = copy(options.users ?? []);
  const roles = copy(options.roles ?? []);
  const logins: Login[] = copy(options.logins ?? [{ ...options.rootCredentials, roles: [{ role: "root", db: "admin" }] }]);
  const syncPolls = new Map<string, number>();
  const frozen = new Map<string, number>();
  const stepDowns: string[] = [];
  const tlsParams = new Map<string, TlsParameters>(
    (config?.members ?? []).filter((m) => !m.arbiterOnly).map((m) => [m.host, copy(options.tls?.params?.[m.host] ?? { tlsMode: "disabled", clusterAuthMode: "keyFile" })]),
  );
  const downPolls = new Map<string, number>();
  let setParameterFailures = options.tls?.setParameterFailures ?? 0;
  const tlsCommands: { host: string; command: Doc }[] = [];
  const ok = (doc: Doc = {}) => ({ ...doc, ok: 1 });
  const serverError = (message: string) => new Error(message);

  function statusMembers() {
    return config!.members.map((m) => {
      let stateStr = m.arbiterOnly ? "ARBITER" : m.host === primary ? "PRIMARY" : "SECONDARY";
      const remaining = syncPolls.get(m.host);
      if (remaining !== undefined && remaining > 0) {
        stateStr = "STARTUP2";
        syncPolls.set(m.host, remaining - 1);
      } else if (remaining === 0) {
        // As MongoDB does when a new member finishes its initial sync: a reconfig of its own that
        // drops the internal newlyAdded flag, version + 1.
        syncPolls.delete(m.host);
        config = { ...config!, version: config!.version + 1 };
      }
      const optimeDate = m.arbiterOnly ? undefined : new Date(stateStr === "STARTUP2" ? 0 : clock);
      return { _id: m._id, name: m.host, health: 1, stateStr, ...(optimeDate ? { optimeDate } : {}) };
    });
  }

  function reconfig(next: LiveReplicaSetConfig) {
    const current = config!;
    if (next.version !== current.version + 1) throw serverError(`BadValue: version field value of ${next.version} must be ${current.version + 1}`);
    if ("term" in next) throw serverError("term must not be sent in this stand-in (the primary sets it)");
    if (next.members.some((m) => "newlyAdded" in m)) throw serverError("InvalidReplicaSetConfig: newlyAdded is not user-settable");
    if ((next.settings as Doc).replicaSetId !== (current.settings as Doc).replicaSetId) throw serverError("NewReplicaSetConfigurationIncompatible: replicaSetId changed");
    const voter = (c: LiveReplicaSetConfig, id: number) => c.members.some((m) => m._id === id && rsVotes(m) > 0);
    const ids = new Set([...current.members, ...next.members].map((m) => m._id));
    if ([...ids].filter((id) => voter(current, id) !== voter(next, id)).length > 1)
      throw serverError("NewReplicaSetConfigurationIncompatible: Non force replica set reconfig can only add or remove at most 1 voting member.");
    for (const m of next.members) if (rsVotes(m) === 0 && rsPriority(m) !== 0) throw serverError("BadValue: priority must be 0 when non-voting (votes:0)");
    if (!next.members.some(rsIsElectable)) throw serverError("BadValue: no electable member");
    const self = next.members.find((m) => m.host === primary);
    if (!self || !rsIsElectable(self))
      throw serverError(`NewReplicaSetConfigurationIncompatible: This node, ${primary}, with _id ${self?._id} is not electable under the new configuration with version ${next.version}`);
    if (implicitDefaultWriteConcern(current.members) !== implicitDefaultWriteConcern(next.members) && rwDefaults.defaultWriteConcernSource !== "global")
      throw serverError("NewReplicaSetConfigurationIncompatible: Reconfig attempted to install a config that would change the implicit default write concern.");
    for (const m of next.members)
      if (!current.members.some((c) => c._id === m._id) && !m.arbiterOnly) syncPolls.set(m.host, options.initialSyncPolls ?? 2);
    config = { ...copy(next), term: current.term };
  }

  type Session = AuthzSession & { user?: string };
  // At the start of every request the server reloads the session's user; one that was dropped is
  // logged out (AuthorizationSessionImpl::startRequest → _refreshUserInfoAsNeeded, UserNotFound:
  // "Removed deleted user from session cache of user information", src/mongo/db/auth/
  // authorization_session_impl.cpp r8.0); one whose roles changed gets the new ones.
  function refresh(session: Session) {
    if (session.user === undefined) return;
    const login = logins.find((l) => l.user === session.user);
    if (!login) {
      session.user = undefined;
      session.roles = undefined;
    } else session.roles = copy(login.roles);
  }

  // A direct connection to one member: only the commands on that process's own parameters.
  function runOnMember(host: string, session: Session, cmd: Doc): Doc {
    refresh(session);
    commands.push(copy(cmd));
    tlsCommands.push({ host, command: copy(cmd) });
    const name = Object.keys(cmd)[0];
    authorize({ hasUsers: true, arbiter: false }, session, cmd);
    const params = tlsParams.get(host);
    if (!params) throw serverError(`MongoServerSelectionError: getaddrinfo ENOTFOUND ${host}`);
    if (name === "getParameter") return ok(getTlsParameters(params, cmd));
    if (name === "setParameter") {
      if (setParameterFailures > 0) {
        setParameterFailures--;
        throw serverError(`MongoNetworkError: connection to ${host} closed`);
      }
      setTlsParameter(params, cmd);
      return ok();
    }
    throw new Error(`the stand-in answers only getParameter and setParameter on a direct connection, got ${name}`);
  }

  // The member is down while the StatefulSet restarts it: connections fail, then it runs the new values.
  function restartingMember(host: string): boolean {
    const restart = options.tls?.restart;
    const params = tlsParams.get(host);
    if (!restart || !params || (params.tlsMode === restart.into.tlsMode && params.clusterAuthMode === restart.into.clusterAuthMode)) return false;
    const left = downPolls.get(host) ?? restart.downPolls;
    if (left > 0) {
      downPolls.set(host, left - 1);
      return true;
    }
    tlsParams.set(host, copy(restart.into));
    return false;
  }

  function runCommand(session: Session, cmd: Doc): Doc {
    refresh(session);
    commands.push(copy(cmd));
    const name = Object.keys(cmd)[0];
    authorize({ hasUsers: true, arbiter: false }, session, cmd);
    if (options.shardServer && (name === "getDefaultRWConcern" || name === "setDefaultRWConcern")) throw serverError(`MongoServerError: '${name}' is not supported on shard nodes.`);
    switch (name) {
      case "hello":
        if (unavailable > 0) {
          unavailable--;
          throw serverError("MongoServerSelectionError: Server selection timed out after 10000 ms");
        }
        return ok({ isWritablePrimary: true, primary, setName: config!._id });
      case "getDefaultRWConcern":
        return ok(copy(rwDefaults) as Doc);
      case "setDefaultRWConcern":
        rwDefaults = {
          defaultWriteConcern: copy(cmd.defaultWriteConcern) as DefaultRWConcernResponse["defaultWriteConcern"],
          defaultReadConcern: copy(cmd.defaultReadConcern) as DefaultRWConcernResponse["defaultReadConcern"],
          defaultWriteConcernSource: "global",
          defaultReadConcernSource: "global",
        };
        return ok(copy(rwDefaults) as Doc);
      case "replSetGetConfig":
        if (options.concurrentWriter && !cmd.commitmentStatus) config = { ...config!, version: config!.version + 1 };
        return ok({ config: copy(config), ...(cmd.commitmentStatus ? { commitmentStatus: true } : {}) });
      case "replSetGetStatus":
        return ok({ set: config!._id, myState: 1, members: statusMembers() });
      case "replSetReconfig":
        reconfig(cmd.replSetReconfig as LiveReplicaSetConfig);
        return ok();
      case "replSetStepDown": {
        // The old primary may not run for cmd.replSetStepDown seconds; the highest priority among the others wins.
        frozen.set(primary!, clock + (cmd.replSetStepDown as number) * 1000);
        const candidates = config!.members.filter((m) => rsIsElectable(m) && !((frozen.get(m.host) ?? 0) > clock)).sort((a, b) => rsPriority(b) - rsPriority(a));
        if (candidates.length === 0) throw serverError("ExceededTimeLimit: No electable secondaries caught up");
        primary = candidates[0].host;
        stepDowns.push(primary);
        return ok();
      }
      case "usersInfo": {
        // usersInfo: 1 lists the users of the command's database; {forAllDBs: true} every user
        // (the usersInfo command's checkAuthForOperation, r8.0: viewUser on the cluster for forAllDBs).
        // usersInfo: "<name>" that user of the command's database (an empty list when there is none).
        const all = (cmd.usersInfo as Doc | undefined)?.forAllDBs === true;
        if (typeof cmd.usersInfo === "string") return ok({ users: copy(users.filter((u) => u.user === cmd.usersInfo && u.db === dbOf(cmd))) });
        if (!all && cmd.usersInfo !== 1) throw serverError(`the stand-in answers usersInfo: 1, "<name>" or {forAllDBs: true}, got ${JSON.stringify(cmd.usersInfo)}`);
        return ok({ users: copy(users.filter((u) => all || u.db === dbOf(cmd))) });
      }
      case "rolesInfo":
        // rolesInfo: 1 lists the roles defined in the command's database only.
        return ok({ roles: copy(roles.filter((r) => r.db === dbOf(cmd))) });
      case "find": {
        // The server keeps every database's roles in admin.system.roles ({_id: "<db>.<role>", role, db, ...}).
        if (dbOf(cmd) !== "admin" || cmd.find !== "system.roles") throw serverError(`the stand-in answers find on admin.system.roles only, got ${dbOf(cmd)}.${String(cmd.find)}`);
        const filter = cmd.filter as { db?: { $ne?: string } } | undefined;
        const notDb = filter?.db?.$ne;
        if (!filter || Object.keys(filter).length !== 1 || notDb === undefined) throw serverError(`the stand-in answers the filter {db: {$ne: <db>}} only, got ${JSON.stringify(filter)}`);
        const docs = roles.filter((r) => r.db !== notDb).map((r) => ({ _id: `${r.db}.${r.role}`, role: r.role, db: r.db }));
        return ok({ cursor: { id: 0, ns: "admin.system.roles", firstBatch: docs } });
      }
      case "dropUser": {
        const at = users.findIndex((u) => u.user === cmd.dropUser && u.db === dbOf(cmd));
        // UserNotFound (11): dropUser of a user that does not exist (user_management_commands.cpp).
        if (at < 0) throw serverError(`UserNotFound: User '${String(cmd.dropUser)}@${dbOf(cmd)}' not found`);
        users.splice(at, 1);
        const login = logins.findIndex((l) => l.user === cmd.dropUser && dbOf(cmd) === "admin");
        if (login >= 0) logins.splice(login, 1);
        return ok();
      }
      case "dropRole": {
        const at = roles.findIndex((r) => r.role === cmd.dropRole && r.db === dbOf(cmd));
        if (at < 0) throw serverError(`RoleNotFound: Role '${String(cmd.dropRole)}@${dbOf(cmd)}' not found`);
        const [dropped] = roles.splice(at, 1);
        // dropRole also revokes the role from every user and role that holds it.
        for (const u of users) u.roles = u.roles.filter((r) => !(r.role === dropped.role && r.db === dropped.db));
        return ok();
      }
      case "createRole":
      case "updateRole": {
        const role = { role: cmd[name] as string, db: "admin", privileges: copy(cmd.privileges), roles: copy(cmd.roles) } as ExistingRole;
        const at = roles.findIndex((r) => r.role === role.role);
        if ((at >= 0) !== (name === "updateRole")) throw serverError(`${name}: role ${role.role} ${at >= 0 ? "already exists" : "not found"}`);
        roles.splice(at >= 0 ? at : roles.length, at >= 0 ? 1 : 0, role);
        return ok();
      }
      case "createUser":
      case "updateUser": {
        const user = { user: cmd[name] as string, db: "admin", roles: copy(cmd.roles), ...(cmd.customData ? { customData: copy(cmd.customData) } : {}) } as ExistingUser;
        const at = users.findIndex((u) => u.user === user.user);
        if ((at >= 0) !== (name === "updateUser")) throw serverError(`${name}: user ${user.user} ${at >= 0 ? "already exists" : "not found"}`);
        if (typeof cmd.pwd !== "string" || cmd.pwd === "") throw serverError(`${name}: pwd missing`);
        users.splice(at >= 0 ? at : users.length, at >= 0 ? 1 : 0, user);
        const login = logins.findIndex((l) => l.user === user.user);
        logins.splice(login >= 0 ? login : logins.length, login >= 0 ? 1 : 0, { user: user.user, password: cmd.pwd, roles: copy(user.roles) });
        return ok();
      }
      default:
        throw serverError(`CommandNotFound: no such command: '${name}'`);
    }
  }

  function connection(uri: string) {
    const session: Session = { fromLocalhost: false };
    const direct = /[?&]directConnection=true(&|$)/.test(uri) ? uri.replace(/^mongodb:\/\//, "").split("/")[0] : undefined;
    // A database handle; only admin authenticates (the users live there). mongosh's runCommand
    // sends the handle's database as $db.
    function database(name: string): Doc {
      return {
        auth(user: string, password: string) {
          if (name !== "admin") throw new Error(`the script should authenticate on admin, used ${name}`);
          if (direct && restartingMember(direct)) throw serverError(`MongoNetworkError: connect ECONNREFUSED ${direct}`);
          authUsers.push(user);
          // One user per connection: "Each client connection may only be authenticated once"
          // (AuthorizationSessionImpl::addAndAuthorizeUser, 5626701/5626702).
          if (session.user !== undefined && session.user !== user)
            throw serverError(`MongoServerError: Each client connection may only be authenticated once. Previously authenticated as: ${session.user}@admin`);
          const login = logins.find((l) => l.user === user && l.password === password);
          if (!login) throw serverError("MongoServerError: Authentication failed.");
          session.user = user;
          session.roles = copy(login.roles);
          return reply({ ok: 1 });
        },
        runCommand: (cmd: Doc) => {
          const sent = name === "admin" ? cmd : { ...cmd, $db: name };
          return reply(direct ? runOnMember(direct, session, sent) : runCommand(session, sent));
        },
        getSiblingDB: (other: string) => database(other),
      };
    }
    return {
      getDB(name: string) {
        if (name !== "admin") throw new Error(`the script should only use admin, used ${name}`);
        return database(name);
      },
      close: () => reply(undefined),
    };
  }
  class Mongo {
    constructor(uri: string) {
      uris.push(uri);
      return reply(connection(uri));
    }
  }

  class FakeDate extends Date {
    static now() {
      return clock;
    }
  }

  const fs = {
    readFileSync(path: string) {
      if (!(path in options.files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return options.files[path];
    },
  };

  const sandbox = {
    Mongo,
    Date: FakeDate,
    print: (line: string) => printed.push(String(line)),
    sleep: (ms: number) => {
      clock += ms;
      return reply(undefined);
    },
    quit: (code?: number) => {
      throw new Quit(code ?? 0);
    },
    process: { env: { ...options.env } },
    require: (name: string) => {
      if (name !== "fs") throw new Error(`unexpected require(${name})`);
      return fs;
    },
  };

  const outcome = (exitCode: number): StandInRun => ({
    commands,
    printed,
    lines: printed.map((l) => JSON.parse(l) as Doc),
    exitCode,
    uris,
    authUsers,
    config,
    users,
    roles,
    logins,
    rwDefaults,
    tlsParams: Object.fromEntries(tlsParams),
    tlsCommands,
  });
  return { globals: sandbox, outcome };
}

/** The exit code of a script that ended by throwing `e`: quit(n) gives n; anything else is rethrown. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof Quit) return e.code;
  throw e;
}

/** Runs the script in a plain node:vm sandbox (the stand-in answers synchronously). */
export function runReconcileScript(script: string, options: StandInOptions): StandInRun {
  const { globals, outcome } = reconcileEnvironment(options);
  try {
    vm.runInNewContext(script, globals, { filename: "reconcile.js", timeout: 5000 });
    return outcome(0);
  } catch (e) {
    return outcome(exitCodeOf(e));
  }
}
