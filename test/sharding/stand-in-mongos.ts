// A stand-in for the connection a mongosh script gets to mongos: it records every command and
// keeps just enough cluster state to answer the job's reads the way mongos would (listShards,
// config.databases, config.collections, listIndexes, a document or none). It refuses
// shardCollection on a collection that holds data without a supporting index, as MongoDB does,
// so a test catches a wrong step order. Every command and read passes mongod's authorization
// model first (test/support/mongod-authz.ts): the job connects from another pod, so until it has
// authenticated only the commands that need no authentication run; the root user, with its one
// password (SCRAM fails any other with AuthenticationFailed, 18), may do the rest.
// It is not a MongoDB server and claims nothing more.

import { supportsShardKey } from "../../sharding/plan-sharding";
import { authorize, AuthzSession, ServerError } from "../support/mongod-authz";

export interface RecordedCommand {
  db: string;
  command: Record<string, unknown>;
}

interface CollectionState {
  documents: number;
  indexes: { key: Record<string, unknown>; name: string }[];
  shardKey?: Record<string, unknown>;
}

export class StandInMongos {
  readonly commands: RecordedCommand[] = [];
  readonly auths: { user: string; password: string }[] = [];
  /** The job's one connection: remote, and root once it has authenticated. */
  private readonly session: AuthzSession = { fromLocalhost: false };
  shards: { _id: string; host: string }[] = [];
  databases = new Map<string, { partitioned?: boolean }>();
  collections = new Map<string, CollectionState>();
  /** Command name → error reply, to simulate a failing server. */
  failing = new Map<string, Record<string, unknown>>();

  /**
   * How a server call's result is handed back: as is (a plain vm run), or as a promise that
   * mongosh's async rewriter awaits implicitly (the way mongosh's API returns it in the pod).
   */
  constructor(
    private readonly reply: <T>(value: T) => T = (value) => value,
    /** The cluster's users and their passwords: root, whose password the job's Secret holds. */
    private readonly users: Record<string, { pwd: string; roles: { role: string; db: string }[] }> = { root: { pwd: "s3cret-pw", roles: [{ role: "root", db: "admin" }] } },
  ) {}

  addCollection(ns: string, state: Partial<CollectionState> = {}): void {
    const [database] = ns.split(".");
    if (!this.databases.has(database)) this.databases.set(database, {});
    this.collections.set(ns, { documents: 0, indexes: [{ key: { _id: 1 }, name: "_id_" }], ...state });
  }

  /** Commands that change something (everything but the reads the job makes). */
  get writes(): RecordedCommand[] {
    return this.commands.filter((c) => !("listShards" in c.command));
  }

  getSiblingDB(name: string) {
    const reply = this.reply;
    const runCommand = (command: Record<string, unknown>) => reply(this.run(name, command));
    if (name === "config") {
      return {
        getCollection: (coll: string) => ({
          findOne: (filter: { _id: string }) => {
            this.authorize("config", { find: coll });
            if (coll === "databases") return reply(this.databases.has(filter._id) ? { _id: filter._id, ...this.databases.get(filter._id) } : null);
            if (coll === "collections") {
              const state = this.collections.get(filter._id);
              return reply(state?.shardKey ? { _id: filter._id, key: state.shardKey } : null);
            }
            throw new Error(`stand-in: config.${coll} is not modelled`);
          },
        }),
        runCommand,
      };
    }
    return {
      runCommand,
      auth: (user: string, password: string) => {
        this.auths.push({ user, password });
        const known = Object.hasOwn(this.users, user) ? this.users[user] : undefined;
        if (!known || known.pwd !== password) throw new ServerError(18, "AuthenticationFailed", "Authentication failed.");
        this.session.roles = known.roles;
        return reply({ ok: 1 });
      },
      getCollectionInfos: (filter: { name: string }) => (this.authorize(name, { listCollections: 1 }), reply(this.collections.has(`${name}.${filter.name}`) ? [{ name: filter.name, type: "collection" }] : [])),
      getCollection: (coll: string) => {
        const state = () => this.collections.get(`${name}.${coll}`);
        return {
          findOne: () => (this.authorize(name, { find: coll }), reply((state()?.documents ?? 0) > 0 ? { _id: "x" } : null)),
          getIndexes: () => {
            this.authorize(name, { listIndexes: coll });
            const s = state();
            if (!s) throw new Error(`stand-in: ns does not exist: ${name}.${coll}`);
            return reply(structuredClone(s.indexes));
          },
        };
      },
    };
  }

  /** Unauthorized (13) where mongos would refuse it on this connection. */
  private authorize(db: string, command: Record<string, unknown>): void {
    authorize({ hasUsers: true, arbiter: false }, this.session, { ...command, $db: db });
  }

  private run(db: string, command: Record<string, unknown>): Record<string, unknown> {
    this.commands.push({ db, command: structuredClone(command) });
    const name = Object.keys(command)[0];
    this.authorize(db, command);
    const failure = this.failing.get(name);
    if (failure) return failure;
    switch (name) {
      case "listShards":
        return { ok: 1, shards: structuredClone(this.shards) };
      case "addShard": {
        if (db !== "admin") return { ok: 0, errmsg: "addShard may only be run against the admin database" };
        this.shards.push({ _id: command.name as string, host: command.addShard as string });
        return { ok: 1, shardAdded: command.name };
      }
      case "enableSharding":
        this.databases.set(command.enableSharding as string, {});
        return { ok: 1 };
      case "createIndexes": {
        const ns = `${db}.${command.createIndexes}`;
        if (!this.collections.has(ns)) this.addCollection(ns);
        this.collections.get(ns)!.indexes.push(...(command.indexes as CollectionState["indexes"]));
        return { ok: 1 };
      }
      case "shardCollection": {
        const ns = command.shardCollection as string;
        const key = command.key as Record<string, unknown>;
        if (!this.collections.has(ns)) this.addCollection(ns);
        const state = this.collections.get(ns)!;
        const supported = state.indexes.some((i) => supportsShardKey(i, key));
        if (!supported && state.documents > 0)
          return { ok: 0, code: 72, errmsg: "Please create an index that starts with the proposed shard key before sharding the collection" };
        if (!supported) state.indexes.push({ key, name: Object.entries(key).map(([f, v]) => `${f}_${v}`).join("_") });
        state.shardKey = key;
        return { ok: 1, collectionsharded: ns };
      }
      default:
        return { ok: 0, errmsg: `stand-in: no such command: ${name}` };
    }
  }
}
