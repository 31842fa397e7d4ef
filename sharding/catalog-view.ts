// What the shard-key rules need to know of the schema catalog, and the facts they derive from it:
// the indexes (unique ones and possible supporting ones), which field paths run through an array,
// and which fields only grow. A minimal structural interface, so migrations/catalog's Catalog
// fits it as it is and the rules can be tested with small hand-written catalogs.

/** A `$jsonSchema` node, as far as the rules read it. */
export interface JsonSchemaNode {
  bsonType?: string | string[];
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode | JsonSchemaNode[];
  description?: string;
  enum?: unknown[];
}

export interface CatalogIndex {
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: unknown;
}

export interface CatalogCollection {
  name: string;
  indexes: CatalogIndex[];
  validator?: { $jsonSchema?: JsonSchemaNode };
}

export interface ShardingCatalog {
  collections: CatalogCollection[];
}

/**
 * Fields whose values only grow as documents are inserted: the design's event times, stored as
 * epoch seconds (results/changes `timestamp`, `created_at` everywhere). A field the validator types
 * as a date or a BSON timestamp grows too. An ObjectId grows only as the document's own `_id`:
 * a reference to another document (`test_id` typed objectId) is spread over every test's id.
 */
export const MONOTONIC_FIELD_NAMES: readonly string[] = ["timestamp", "created_at"];
const MONOTONIC_BSON_TYPES = ["date", "timestamp"];

function types(node: JsonSchemaNode | undefined): string[] {
  if (!node) return [];
  const t = node.bsonType ?? node.type;
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

/** The schema nodes along a dotted path, and whether one of them (before the last) is an array. */
function walk(collection: CatalogCollection, path: string): { node: JsonSchemaNode | undefined; arrayAt?: string } {
  let node: JsonSchemaNode | undefined = collection.validator?.$jsonSchema;
  const parts = path.split(".");
  for (let i = 0; i < parts.length; i++) {
    const here = parts.slice(0, i + 1).join(".");
    node = node?.properties?.[parts[i]];
    if (!node) return { node: undefined };
    if (types(node).includes("array")) return { node, arrayAt: here };
  }
  return { node };
}

/** The path (or its prefix) that the validator types as an array, if any: a shard key field cannot hold an array. */
export function arrayOnPath(collection: CatalogCollection, path: string): string | undefined {
  return walk(collection, path).arrayAt;
}

/** Why a field only grows, or undefined when nothing says it does. */
export function monotonicReason(collection: CatalogCollection, field: string): string | undefined {
  const { node } = walk(collection, field);
  const bsonTypes = types(node);
  const grows = bsonTypes.find((t) => MONOTONIC_BSON_TYPES.includes(t));
  if (grows) return `the catalog types it as ${grows}, which only grows`;
  if (MONOTONIC_FIELD_NAMES.includes(field)) return "it is an insert time, which only grows";
  // MongoDB gives _id an ObjectId (creation time first) unless the application sets its own value.
  if (field === "_id" && (bsonTypes.length === 0 || bsonTypes.includes("objectId")))
    return "_id may be an ObjectId, and an ObjectId starts with its creation time";
  return undefined;
}

/**
 * Whether a field other than _id may hold ObjectIds (the validator allows objectId, or says
 * nothing). New ObjectIds sort above every existing one (creation time first), so a ranged key
 * led by, e.g., `test_id` sends every NEW test's inserts to the last chunk.
 * https://www.mongodb.com/docs/manual/core/sharding-choose-a-shard-key/#monotonically-changing-shard-keys
 */
export function mayHoldObjectIds(collection: CatalogCollection, field: string): boolean {
  const bsonTypes = types(walk(collection, field).node);
  return bsonTypes.includes("objectId");
}

/**
 * Why a field has few distinct values (a bool, or an enum in the validator), or undefined. A key
 * of such a field alone can be split into at most that many chunks: the rest grow into jumbo
 * chunks the balancer cannot move.
 * https://www.mongodb.com/docs/manual/core/sharding-choose-a-shard-key/#shard-key-cardinality
 */
export function lowCardinalityReason(collection: CatalogCollection, field: string): string | undefined {
  const node = walk(collection, field).node;
  const bsonTypes = types(node);
  if (bsonTypes.length > 0 && bsonTypes.every((t) => t === "bool")) return "it is a bool (two values)";
  if (Array.isArray(node?.enum)) return `the validator allows ${node.enum.length} value(s)`;
  return undefined;
}

/** Unique indexes other than _id's: a sharded collection keeps only those prefixed by the shard key. */
export function uniqueIndexes(collection: CatalogCollection): CatalogIndex[] {
  return collection.indexes.filter((index) => index.unique === true && !isIdOnly(index));
}

function isIdOnly(index: CatalogIndex): boolean {
  const fields = Object.keys(index.key);
  return fields.length === 1 && fields[0] === "_id";
}
