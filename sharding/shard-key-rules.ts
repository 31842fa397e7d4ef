// The config rules for sharding that need the schema catalog: a shard key must be one MongoDB can
// use for that collection, and one that does not send every insert to one shard. Checked before
// anything is written (registered with config/validate.ts by sharding/index.ts).

import type { PlatformConfig } from "../config/platform-config";
import type { ConfigProblem } from "../config/schema";
import { CONFIG_SERVER_REPLSET } from "../config/hosts";
import { arrayOnPath, CatalogCollection, CatalogIndex, lowCardinalityReason, mayHoldObjectIds, monotonicReason, ShardingCatalog, uniqueIndexes } from "./catalog-view";
import { defaultIndexName, formatKey, keyEntries, normalizeKeyValue, ShardKey, supportsShardKey } from "./plan-sharding";

export interface RuleFindings {
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Whether the unique index's fields start with the shard key's fields (MongoDB compares field names only). */
function uniqueIndexFits(indexKey: Record<string, unknown>, shardKey: ShardKey): boolean {
  const indexFields = Object.keys(indexKey);
  return Object.keys(shardKey).every((field, i) => indexFields[i] === field);
}

/** A compound key that puts a higher-cardinality field before `field`, taken from the catalog's own indexes when one does. */
function prefixedAlternative(collection: CatalogCollection, field: string): string {
  for (const index of collection.indexes) {
    const fields = Object.keys(index.key);
    const at = fields.indexOf(field);
    if (at > 0 && fields.slice(0, at).every((f) => !monotonicReason(collection, f))) {
      return formatKey(Object.fromEntries([...fields.slice(0, at), field].map((f) => [f, 1])));
    }
  }
  return `{ <a field your queries match by equality>: 1, ${field}: 1 }`;
}

/** Why an index with the key's fields cannot be its supporting index. */
function unfitReason(index: CatalogIndex, key: ShardKey): string {
  if (index.sparse) return "it is sparse";
  if (index.partialFilterExpression) return "it is partial";
  const indexValues = Object.values(index.key).map(normalizeKeyValue);
  const mismatch = keyEntries(key).find(([, value], i) => indexValues[i] !== value);
  if (!mismatch) return "MongoDB cannot use it";
  const [field, wanted] = mismatch;
  const has = indexValues[Object.keys(key).indexOf(field)];
  const describe = (v: unknown) => (v === "hashed" ? "hashed" : v === 1 ? "ascending" : v === -1 ? "descending" : String(v));
  return `it indexes ${field} ${describe(has)}, the key needs it ${describe(wanted)} (a shard key index is ascending or hashed, never descending)`;
}

function keyFindings(collection: CatalogCollection, key: ShardKey, allowMonotonicPrefix: boolean, path: string): RuleFindings {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const fields = Object.keys(key);
  if (fields.length === 0) {
    problems.push({ path, rule: `must name at least one field, e.g. { "test_id": 1, "timestamp": 1 }` });
    return { problems, warnings };
  }

  const hashed = fields.filter((f) => normalizeKeyValue(key[f]) === "hashed");
  if (hashed.length > 1)
    problems.push({ path, rule: `a shard key can have at most one hashed field, ${formatKey(key)} has ${hashed.length} (${hashed.join(", ")})` });

  for (const field of fields) {
    const array = arrayOnPath(collection, field);
    if (!array) continue;
    const what = normalizeKeyValue(key[field]) === "hashed" ? "a hashed index cannot index an array, and a shard key field cannot hold one" : "a shard key field cannot hold an array (its index would be multikey)";
    problems.push({ path, rule: `"${field}" of ${collection.name} runs through "${array}", an array in the catalog's validator: ${what}` });
  }

  for (const index of uniqueIndexes(collection)) {
    if (uniqueIndexFits(index.key, key)) continue;
    problems.push({
      path,
      rule:
        `the unique index "${index.name}" ${formatKey(index.key)} of ${collection.name} does not start with the shard key ${formatKey(key)}: ` +
        `a sharded collection can keep only unique indexes that start with the shard key (or _id's); shard on a key that "${index.name}" starts with, or drop its uniqueness with a migration first`,
    });
  }

  const [first, firstValue] = keyEntries(key)[0];
  const grows = firstValue === "hashed" ? undefined : monotonicReason(collection, first);
  if (grows && !allowMonotonicPrefix) {
    problems.push({
      path,
      rule:
        `the ranged key ${formatKey(key)} starts with "${first}" and ${grows}: every insert lands in the last chunk, on one shard. ` +
        `Use the hashed key { ${first}: "hashed" } (spreads inserts, loses range queries on ${first}) or a high-cardinality prefix such as ${prefixedAlternative(collection, first)}; ` +
        `or set allowMonotonicPrefix: true to accept one hot shard`,
    });
  }

  // A reference typed objectId: every new test's id sorts above all existing ones, so with a
  // ranged key the new tests' inserts all go to the last chunk (the _id case is refused above).
  if (!grows && firstValue !== "hashed" && first !== "_id" && mayHoldObjectIds(collection, first)) {
    const rest = keyEntries(key).slice(1).map(([f, v]) => `${f}: ${JSON.stringify(v)}`);
    warnings.push({
      path,
      rule:
        `"${first}" of ${collection.name} may hold ObjectIds (the catalog allows objectId): new ObjectIds sort above every existing one, so with the ranged key ${formatKey(key)} ` +
        `every new ${first.replace(/_id$/, "")}'s inserts land in the last chunk. Consider { ${[`${first}: "hashed"`, ...rest].join(", ")} }`,
    });
  }

  // One field with few values alone: at most that many chunks, the rest jumbo.
  const fewValues = fields.length === 1 ? lowCardinalityReason(collection, first) : undefined;
  if (fewValues)
    warnings.push({
      path,
      rule: `the key ${formatKey(key)} is one low-cardinality field ("${first}": ${fewValues}): chunks cannot be split below one value, so they grow into jumbo chunks the balancer cannot move. Add a high-cardinality field after it`,
    });

  // A field the validator does not know is missing from every document: one value, one chunk.
  const schemaFields = collection.validator?.$jsonSchema?.properties;
  for (const field of fields) {
    const top = field.split(".")[0];
    if (schemaFields && top !== "_id" && !(top in schemaFields))
      warnings.push({ path, rule: `"${field}" is not a field of ${collection.name} in the catalog's validator: documents without it all share one shard key value (null), so they can never be split across shards` });
  }

  // The catalog lists indexes without _id's, which every collection has.
  const indexes: CatalogIndex[] = [{ key: { _id: 1 }, name: "_id_" }, ...collection.indexes];
  if (problems.length === 0 && !indexes.some((index) => supportsShardKey(index, key))) {
    const sameFields = indexes.find((index) => Object.keys(index.key).slice(0, fields.length).join() === fields.join());
    const why = sameFields ? ` ("${sameFields.name}" ${formatKey(sameFields.key)} starts with the fields but cannot serve: ${unfitReason(sameFields, key)})` : "";
    warnings.push({
      path,
      rule:
        `no index of ${collection.name} in the catalog starts with ${formatKey(key)}${why}; the sharding job creates "${defaultIndexName(key)}" before shardCollection when the collection holds data. ` +
        `Add that index to the catalog with a migration, so "migrate indexes" does not report it as drift`,
    });
  }
  return { problems, warnings };
}

/** All sharding findings of a config against the catalog. */
export function shardingFindings(config: PlatformConfig, catalog: ShardingCatalog): RuleFindings {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const known = catalog.collections.map((c) => c.name);

  config.sharding.collections.forEach((entry, i) => {
    const path = `sharding.collections[${i}]`;
    const first = config.sharding.collections.findIndex((c) => c.name === entry.name);
    if (first !== i) {
      problems.push({ path: `${path}.name`, rule: `"${entry.name}" is already sharded by sharding.collections[${first}]; a collection has one shard key` });
      return;
    }
    const collection = catalog.collections.find((c) => c.name === entry.name);
    if (!collection) {
      problems.push({
        path: `${path}.name`,
        rule: `"${entry.name}" is not a collection of the schema catalog (${known.join(", ")}): the shard-key checks read the catalog, so create the collection with a migration first`,
      });
      return;
    }
    const found = keyFindings(collection, entry.key, entry.allowMonotonicPrefix === true, `${path}.key`);
    problems.push(...found.problems);
    warnings.push(...found.warnings);
  });

  if (config.sharding.enabled) {
    config.replsets.forEach((rs, i) => {
      if (rs.name === CONFIG_SERVER_REPLSET.name)
        problems.push({ path: `replsets[${i}].name`, rule: `"${rs.name}" is the config server replica set's name; a shard needs another` });
    });
  }
  return { problems, warnings };
}
