// Indexes as `listIndexes` returns them, and the catalog's IndexSpec in that same form.
// Recorded from MongoDB 7.0/8.0 servers and the manual, for example:
//   { v: 2, key: { _id: 1 }, name: '_id_' }
//   { v: 2, key: { email: 1 }, name: 'email_1', unique: true }
//   { v: 2, key: { github_id: 1 }, name: 'github_id_1', unique: true, partialFilterExpression: { github_id: { '$gte': '' } } }
// Servers before 4.4 also return `ns`; indexes built with the legacy option carry `background: true`.
import type { IndexSpec } from "../migration";

export interface ListedIndex {
  key: Record<string, unknown>;
  name: string;
  [option: string]: unknown;
}

export const ID_INDEX_NAME = "_id_";

/** Fields of a listed index that say nothing about what it indexes or how. */
const IGNORED = new Set(["v", "ns", "background", "key", "name"]);

/** The options that matter, normalized: `unique: false` and `sparse: false` are the same as absent. */
export function indexOptions(index: ListedIndex | IndexSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(index)) {
    if (IGNORED.has(option) || value === undefined) continue;
    if ((option === "unique" || option === "sparse" || option === "hidden") && !value) continue;
    out[option] = option === "unique" || option === "sparse" || option === "hidden" ? true : value;
  }
  return out;
}

/** The spec in the form `listIndexes` shows it (without `v`): key, name, then the options that are set. */
export function listedForm(spec: IndexSpec): ListedIndex {
  const out: ListedIndex = { key: { ...spec.key }, name: spec.name };
  if (spec.unique) out.unique = true;
  if (spec.sparse) out.sparse = true;
  if (spec.partialFilterExpression !== undefined) out.partialFilterExpression = spec.partialFilterExpression;
  if (spec.expireAfterSeconds !== undefined) out.expireAfterSeconds = spec.expireAfterSeconds;
  return out;
}

/** A listed index back as an IndexSpec (the options this project models); `v`, `ns`, `background` dropped. */
export function specOf(listed: ListedIndex): IndexSpec {
  const spec: IndexSpec = { key: listed.key as IndexSpec["key"], name: listed.name };
  if (listed.unique) spec.unique = true;
  if (listed.sparse) spec.sparse = true;
  if (listed.partialFilterExpression !== undefined) spec.partialFilterExpression = listed.partialFilterExpression as Record<string, unknown>;
  if (listed.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(listed.expireAfterSeconds);
  return spec;
}

/**
 * The options that are part of an index's identity, besides its key. mongod's
 * IndexDescriptor::compareIndexOptions (src/mongo/db/index/index_descriptor.cpp) returns
 * kDifferent when the key, the normalized wildcardProjection, `unique`, `sparse`, the collation or
 * the partialFilterExpression differ; every other option (expireAfterSeconds, hidden, ...) only
 * makes two indexes kEquivalent instead of kIdentical.
 */
export const IDENTITY_OPTIONS = ["unique", "sparse", "collation", "partialFilterExpression", "wildcardProjection"] as const;

/** The identifying options of an index, normalized as indexOptions does (false = absent). */
export function identityOf(index: ListedIndex | IndexSpec): Record<string, unknown> {
  const options = indexOptions(index);
  const out: Record<string, unknown> = {};
  for (const option of IDENTITY_OPTIONS) if (options[option] !== undefined) out[option] = options[option];
  return out;
}
