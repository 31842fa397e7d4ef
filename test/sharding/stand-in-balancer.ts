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
//  - a second insert of the same _id fails with code 11000 (E11000 duplicate key), and every
//    collection operation needs its action (find, insert, update, remove) on the collection.

import { balancerWindowRole, BALANCER_WINDOWS_COLLECTION, BALANCER_WINDOWS_DB, type Privilege } from "../../replicaset/users";

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

export interface StandInOptions {
  /** The authenticated user's privileges; default: the role the backup user gets for windows. */
  privileges?: Privilege[];
  /** The only credentials auth() accepts. */
  username?: string;
  password?: string;
}

export class StandInCluster {
  /** config.settings {_id: "balancer"}, as the config server stores it; null when never written. */
  settings: Doc | null = null;
  rounds: boolean[] = [];
  holds: Hold[] = [];
  commands: string[] = [];
  private authenticated = false;
  private readonly privileges: Privilege[];

  constructor(
    private readonly reply: <T>(value: T) => T = (value) => value,
    private readonly options: StandInOptions = {},
  ) {
    this.privileges = options.privileges ?? balancerWindowRole().privileges;
  }

  get mode(): "full" | "off" {
    return modeOf(this.settings);
  }

  /** What an operator's sh.stopBalancer() / sh.startBalancer() leaves behind. */
  set mode(mode: "full" | "off") {
    this.settings = { ...(this.settings ?? {}), _id: "balancer", stopped: mode === "off", mode };
  }

  private allowed(db: string, collection: string, action: string): boolean {
    return this.privileges.some((p) => "db" in p.resource && p.resource.db === db && (p.resource.collection === collection || p.resource.collection === "") && p.actions.includes(action));
  }

  private authorize(db: string, collection: string, action: string): void {
    if (!this.authenticated || !this.allowed(db, collection, action))
      throw new StandInError(`not authorized on ${db} to execute ${action} on ${collection}`, 13);
  }

  admin() {
    return {
      auth: (username: string, password: string) => {
        if ((this.options.username ?? "backup") !== username || (this.options.password ?? "pw") !== password) throw new StandInError("Authentication failed.", 18);
        this.authenticated = true;
        return this.reply({ ok: 1 });
      },
      runCommand: (command: Record<string, unknown>) => this.reply(this.run(Object.keys(command)[0])),
    };
  }

  private run(name: string): Record<string, unknown> {
    this.commands.push(name);
    const need: Record<string, string> = { balancerStatus: "find", balancerStop: "update", balancerStart: "update" };
    if (!(name in need)) return { ok: 0, code: 59, codeName: "CommandNotFound", errmsg: `no such command: '${name}'` };
    if (!this.authenticated || !this.allowed("config", "settings", need[name])) return { ok: 0, code: 13, codeName: "Unauthorized", errmsg: "Unauthorized" };
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
    const check = (action: string) => this.authorize(db, name, action);
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
        check("remove");
        const i = this.holds.findIndex((h) => matches(h as unknown as Doc, filter));
        if (i >= 0) this.holds.splice(i, 1);
        return reply({ acknowledged: true, deletedCount: i >= 0 ? 1 : 0 });
      },
      deleteMany: (filter: Filter) => {
        check("remove");
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
