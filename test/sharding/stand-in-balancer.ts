// A stand-in for what balancer.js talks to through mongos: the balancer commands, the balancer's
// settings document in config.settings, and the leases collection, with the filters the script
// uses. Server calls can hand their results back as promises that mongosh's async rewriter
// awaits. It is not a MongoDB server; what it models is taken from the server's source:
//  - balancerStart / balancerStop / balancerStatus are refused without `update` / `update` /
//    `find` on config.settings (src/mongo/s/commands/cluster_control_balancer_cmd.cpp,
//    BalancerControlCommand::checkAuthForOperation);
//  - start and stop upsert {_id: "balancer"} in config.settings with $set {stopped, mode}
//    (src/mongo/s/balancer_configuration.cpp, BalancerConfiguration::setBalancerMode); stop
//    then waits for the current round (configsvr_control_balancer_command.cpp, joinCurrentRound);
//  - the mode is read back from that document: `stopped: true` means off whatever `mode` says,
//    no document or no `mode` means "full", an unknown mode means off
//    (BalancerSettingsType::fromBSON); balancerStatus reports mode and inBalancerRound
//    (src/mongo/db/s/balancer/balancer.cpp, Balancer::report);
//  - a second insert of the same _id fails with code 11000 (E11000 duplicate key);
//  - authorization: every command and collection operation passes mongod's authorization model
//    (test/support/mongod-authz.ts, each rule cited there) for the user the connection
//    authenticated as, with that user's roles and the custom roles the reconcile Job defines
//    (replicaset/users.ts); unauthenticated, nothing but the no-auth commands runs. The users are
//    the cluster's backup user (backup, nyrkioReplSetConfig, nyrkioBalancerWindow, as
//    managedUserRoles gives it for a cluster) and root, each with its one password.

import { balancerWindowRole, replSetConfigRole, restoreRole, BALANCER_WINDOWS_COLLECTION, BALANCER_WINDOWS_DB, BALANCER_WINDOW_ROLE, REPLSET_CONFIG_ROLE, AUTH_SOURCE } from "../../replicaset/users";
import { authorize, AuthzSession, CustomRole, ServerError } from "../support/mongod-authz";

export interface Hold {
  _id: string;
  since?: Date;
  expiresAt: Date;
  restart?: boolean;
  holder?: string;
}
type Filter = Record<string, unknown>;
type Doc = Record<string, unknown>;

export class StandInError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = "MongoServerError";
  }
}

/** A Date from any realm (the scripts run in node:vm contexts, whose Date is another class). */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

/** Enough of a query for the filters balancer.js uses: equality, $ne, $in, $nin, $gt, $lte. */
function matches(doc: Doc, filter: Filter): boolean {
  return Object.entries(filter).every(([field, cond]) => {
    const value = doc[field];
    if (isDate(cond)) return isDate(value) && value.getTime() === cond.getTime();
    if (cond === null || typeof cond !== "object") return value === cond;
    return Object.entries(cond as Record<string, unknown>).every(([op, arg]) => {
      if (op === "$ne") return value !== arg;
      if (op === "$in") return (arg as unknown[]).includes(value);
      if (op === "$nin") return !(arg as unknown[]).includes(value);
      // Comparison operators match only values of the same BSON type (a missing field never).
      if (!isDate(value) || !isDate(arg)) return false;
      if (op === "$gt") return value.getTime() > arg.getTime();
      if (op === "$lte") return value.getTime() <= arg.getTime();
      throw new Error(`stand-in: unsupported operator ${op} in ${JSON.stringify(filter)}`);
    });
  });
}

/** The balancer mode a settings document means (BalancerSettingsType::fromBSON). */
export function modeOf(settings: Doc | null): "full" | "off" {
  if (!settings) return "full";
  if (settings.stopped === true) return "off";
  const mode = settings.mode ?? "full";
  return mode === "full" ? "full" : "off";
}

export interface StandInUser {
  pwd: string;
  roles: { role: string; db: string }[];
}

/** The cluster's backup user's roles (managedUserRoles(config, "backup", "cluster")). */
export const CLUSTER_BACKUP_ROLES = [
  { role: "backup", db: AUTH_SOURCE },
  { role: REPLSET_CONFIG_ROLE, db: AUTH_SOURCE },
  { role: BALANCER_WINDOW_ROLE, db: AUTH_SOURCE },
];

/** The users the stand-in holds by default: the backup user (password "pw") and root (its own). */
export const DEFAULT_USERS: Record<string, StandInUser> = {
  backup: { pwd: "pw", roles: CLUSTER_BACKUP_ROLES },
  root: { pwd: "root-secret", roles: [{ role: "root", db: AUTH_SOURCE }] },
};

export interface StandInOptions {
  /** The users auth() knows, each with its one password and its roles (default DEFAULT_USERS). */
  users?: Record<string, StandInUser>;
  /** The custom roles defined on the cluster (default: those users.ts defines for a cluster's backup user and restore). */
  customRoles?: CustomRole[];
}

export class StandInCluster {
  /** config.settings {_id: "balancer"}, as the config server stores it; null when never written. */
  settings: Doc | null = null;
  rounds: boolean[] = [];
  holds: Hold[] = [];
  commands: string[] = [];
  /** One connection for every script run (the tests share it); the cluster is reached through mongos, never from localhost. */
  private readonly session: AuthzSession = { fromLocalhost: false };
  private readonly users: Record<string, StandInUser>;
  private readonly customRoles: CustomRole[];

  constructor(
    private readonly reply: <T>(value: T) => T = (value) => value,
    options: StandInOptions = {},
  ) {
    this.users = options.users ?? DEFAULT_USERS;
    this.customRoles = options.customRoles ?? [balancerWindowRole(), replSetConfigRole(), restoreRole()];
  }

  get mode(): "full" | "off" {
    return modeOf(this.settings);
  }

  /** What an operator's sh.stopBalancer() / sh.startBalancer() leaves behind. */
  set mode(mode: "full" | "off") {
    this.settings = { ...(this.settings ?? {}), _id: "balancer", stopped: mode === "off", mode };
  }

  /** Unauthorized (13) where mongos would refuse the command on this connection (the model throws). */
  private authorize(command: Doc): void {
    authorize({ hasUsers: true, arbiter: false, customRoles: this.customRoles }, this.session, command);
  }

  /** A collection operation as the command the shell sends for it, authorized first; a refusal throws as mongosh does. */
  private check(command: Doc): void {
    try {
      this.authorize(command);
    } catch (error) {
      if (error instanceof ServerError) throw new StandInError(error.message, error.code);
      throw error;
    }
  }

  admin() {
    return {
      auth: (username: string, password: string) => {
        // SCRAM: the one stored password of an existing user, or AuthenticationFailed (18).
        const user = Object.hasOwn(this.users, username) ? this.users[username] : undefined;
        if (!user || user.pwd !== password) throw new StandInError("Authentication failed.", 18);
        this.session.roles = user.roles;
        return this.reply({ ok: 1 });
      },
      runCommand: (command: Record<string, unknown>) => this.reply(this.run(command)),
    };
  }

  private run(command: Doc): Record<string, unknown> {
    const name = Object.keys(command)[0];
    this.commands.push(name);
    if (!["balancerStatus", "balancerStop", "balancerStart"].includes(name)) return { ok: 0, code: 59, codeName: "CommandNotFound", errmsg: `no such command: '${name}'` };
    try {
      this.authorize({ ...command, $db: "admin" });
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      return { ok: 0, code: error.code, codeName: error.codeName, errmsg: error.message };
    }
    if (name === "balancerStatus") return { ok: 1, mode: this.mode, inBalancerRound: this.rounds.shift() ?? false, numBalancerRounds: 0 };
    const off = name === "balancerStop";
    this.settings = { ...(this.settings ?? {}), _id: "balancer", stopped: off, mode: off ? "off" : "full" };
    // balancerStop returns once the current round has ended (joinCurrentRound).
    if (off) this.rounds = [];
    return { ok: 1 };
  }

  collection(db = BALANCER_WINDOWS_DB, name = BALANCER_WINDOWS_COLLECTION) {
    const reply = this.reply;
    const copy = (h: Hold) => ({ ...h });
    // The command each shell method sends (insert, find, delete, update without upsert).
    const check = (command: string) => this.check({ [command]: name, ...(command === "update" ? { updates: [{ upsert: false }] } : {}), $db: db });
    return {
      insertOne: (doc: Hold) => {
        check("insert");
        if (this.holds.some((h) => h._id === doc._id))
          throw new StandInError(`E11000 duplicate key error collection: ${db}.${name} index: _id_ dup key: { _id: ${JSON.stringify(doc._id)} }`, 11000);
        this.holds.push(copy(doc));
        return reply({ acknowledged: true, insertedId: doc._id });
      },
      findOne: (filter: Filter) => {
        check("find");
        return reply(this.holds.filter((h) => matches(h as unknown as Doc, filter)).map(copy)[0] ?? null);
      },
      find: (filter: Filter) => {
        check("find");
        return { toArray: () => reply(this.holds.filter((h) => matches(h as unknown as Doc, filter)).map(copy)) };
      },
      deleteOne: (filter: Filter) => {
        check("delete");
        const i = this.holds.findIndex((h) => matches(h as unknown as Doc, filter));
        if (i >= 0) this.holds.splice(i, 1);
        return reply({ acknowledged: true, deletedCount: i >= 0 ? 1 : 0 });
      },
      deleteMany: (filter: Filter) => {
        check("delete");
        const before = this.holds.length;
        this.holds = this.holds.filter((h) => !matches(h as unknown as Doc, filter));
        return reply({ acknowledged: true, deletedCount: before - this.holds.length });
      },
      updateOne: (filter: Filter, update: { $set: Partial<Hold> }) => {
        check("update");
        const h = this.holds.find((h) => matches(h as unknown as Doc, filter));
        if (h) Object.assign(h, update.$set);
        return reply({ acknowledged: true, matchedCount: h ? 1 : 0, modifiedCount: h ? 1 : 0 });
      },
      updateMany: (filter: Filter, update: { $set: Partial<Hold> }) => {
        check("update");
        const hit = this.holds.filter((h) => matches(h as unknown as Doc, filter));
        hit.forEach((h) => Object.assign(h, update.$set));
        return reply({ acknowledged: true, matchedCount: hit.length, modifiedCount: hit.length });
      },
    };
  }
}
