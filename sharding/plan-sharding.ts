// The sharding job's decisions: from the cluster as it is (read through mongos) and the cluster
// as the config wants it, the commands to send, in order.
//
// These functions are embedded into the job's mongosh script with Function.prototype.toString()
// (sharding-script.ts lists them), so the code unit-tested here is the code that runs in the pod.
// That is why each one may use only its arguments, the language's globals and the other
// embedded functions: no imports, no module-level constants.

export type ShardKeyValue = 1 | "hashed";
/** A shard key as shardCollection takes it: field order matters. */
export type ShardKey = Record<string, ShardKeyValue>;

/** One index as listIndexes / getIndexes() shows it (only what matters for a shard key). */
export interface IndexDescription {
  key: Record<string, unknown>;
  name: string;
  sparse?: boolean;
  partialFilterExpression?: unknown;
  hidden?: boolean;
  collation?: { locale?: string };
}

/** What the job wants: rendered from the environment config at synth time (desired-sharding.ts). */
export interface DesiredSharding {
  database: string;
  /** Replica sets to be shards, in config order; the first is the converted replica set. */
  shards: { name: string; hosts: string[] }[];
  collections: { name: string; key: ShardKey }[];
}

/** What the job found, read through mongos before planning (mongosh/shard-cluster.js). */
export interface ClusterState {
  /** listShards: `host` is "rs0/host0:27017,host1:27017". */
  shards: { _id: string; host: string }[];
  /** config.databases: absent when the database does not exist yet; `partitioned` only before 6.0. */
  database?: { partitioned?: boolean };
  /** One entry per desired collection. */
  collections: {
    name: string;
    exists: boolean;
    /** config.collections `key` when the collection is sharded. */
    shardKey?: Record<string, unknown>;
    holdsData: boolean;
    indexes: IndexDescription[];
  }[];
}

export type ShardingStep =
  | { kind: "addShard"; db: "admin"; command: { addShard: string; name: string } }
  | { kind: "enableSharding"; db: "admin"; command: { enableSharding: string } }
  | { kind: "createIndexes"; db: string; command: { createIndexes: string; indexes: { key: ShardKey; name: string }[] } }
  | { kind: "shardCollection"; db: "admin"; command: { shardCollection: string; key: ShardKey } };

export interface ShardingPlan {
  /** Commands to send in this order; each is run with db.getSiblingDB(step.db).runCommand(step.command). */
  steps: ShardingStep[];
  /** Reasons to change nothing at all (a collection sharded on another key). */
  refusals: string[];
  /** Things the job saw and leaves to a person (a shard in the cluster that the config no longer names). */
  notes: string[];
}

/** An index or shard key value as 1, -1 or its type name; mongosh may hand numbers over as wrappers (Double, Int32, Long). */
export function normalizeKeyValue(value: unknown): 1 | -1 | string {
  if (typeof value === "string") return value;
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  return n < 0 ? -1 : 1;
}

/** The key's fields and normalized values, in order. */
export function keyEntries(key: Record<string, unknown>): [string, 1 | -1 | string][] {
  return Object.keys(key).map((field) => [field, normalizeKeyValue(key[field])]);
}

/** Same fields, same order, same kinds (ranged or hashed). */
export function sameShardKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ea = keyEntries(a);
  const eb = keyEntries(b);
  return ea.length === eb.length && ea.every(([field, value], i) => eb[i][0] === field && eb[i][1] === value);
}

/**
 * Whether an index can be the shard key's supporting index: it starts with the key's fields in
 * order with the same kind (ascending for a ranged field, hashed for the hashed one), and is not
 * sparse, partial, hidden, or under a non-simple collation (MongoDB cannot use those).
 */
export function supportsShardKey(index: IndexDescription, key: Record<string, unknown>): boolean {
  if (index.sparse || index.partialFilterExpression || index.hidden) return false;
  if (index.collation && index.collation.locale !== "simple") return false;
  const ie = keyEntries(index.key);
  const ke = keyEntries(key);
  return ie.length >= ke.length && ke.every(([field, value], i) => ie[i][0] === field && ie[i][1] === value);
}

/** MongoDB's default index name for a key ({test_id: 1, timestamp: 1} → "test_id_1_timestamp_1"): the name shardCollection itself would give it. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return keyEntries(key)
    .map(([field, value]) => `${field}_${value}`)
    .join("_");
}

export function formatKey(key: Record<string, unknown>): string {
  return `{ ${keyEntries(key)
    .map(([field, value]) => `${/^[A-Za-z_$][\w$]*$/.test(field) ? field : JSON.stringify(field)}: ${JSON.stringify(value)}`)
    .join(", ")} }`;
}

/**
 * Plans the job: add each missing shard; create the database where it is missing (or, before
 * 6.0, not yet partitioned); for each collection not yet sharded, create the supporting index
 * first when the collection holds data (shardCollection creates it only on an empty
 * collection), then shard it. A collection already sharded on the configured key needs
 * nothing; one sharded on another key stops the whole plan: resharding is a person's decision.
 */
export function planSharding(current: ClusterState, desired: DesiredSharding): ShardingPlan {
  const steps: ShardingStep[] = [];
  const refusals: string[] = [];
  const notes: string[] = [];

  const present = current.shards.map((s) => s._id);
  for (const shard of desired.shards) {
    if (!present.includes(shard.name)) steps.push({ kind: "addShard", db: "admin", command: { addShard: `${shard.name}/${shard.hosts.join(",")}`, name: shard.name } });
  }
  for (const shard of current.shards) {
    if (!desired.shards.some((d) => d.name === shard._id))
      notes.push(`shard "${shard._id}" (${shard.host}) is in the cluster but not in the config: removing a shard drains its data (removeShard) and is a manual step; nothing was done`);
  }

  if (!current.database || current.database.partitioned === false) {
    steps.push({ kind: "enableSharding", db: "admin", command: { enableSharding: desired.database } });
  }

  for (const wanted of desired.collections) {
    const ns = `${desired.database}.${wanted.name}`;
    const found = current.collections.find((c) => c.name === wanted.name) ?? { name: wanted.name, exists: false, holdsData: false, indexes: [] };
    if (found.shardKey) {
      if (!sameShardKey(found.shardKey, wanted.key))
        refusals.push(
          `${ns} is sharded on ${formatKey(found.shardKey)} but the config asks for ${formatKey(wanted.key)}: changing a shard key is a resharding (reshardCollection or refineCollectionShardKey), a manual decision; put the live key back in the config or reshard by hand`,
        );
      continue;
    }
    if (found.holdsData && !found.indexes.some((index) => supportsShardKey(index, wanted.key))) {
      steps.push({ kind: "createIndexes", db: desired.database, command: { createIndexes: wanted.name, indexes: [{ key: wanted.key, name: defaultIndexName(wanted.key) }] } });
    }
    steps.push({ kind: "shardCollection", db: "admin", command: { shardCollection: ns, key: wanted.key } });
  }

  return refusals.length > 0 ? { steps: [], refusals, notes } : { steps, refusals, notes };
}

/** Every function planSharding needs, in the order the mongosh script defines them. */
export const EMBEDDED_FUNCTIONS = [normalizeKeyValue, keyEntries, sameShardKey, supportsShardKey, defaultIndexName, formatKey, planSharding] as const;
