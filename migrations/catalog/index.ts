// The schema catalog: every collection of Nyrkiö's database with its validator and indexes, as
// they should be now. Sharding checks, query checks and `migrate schema` read it; migrations do
// NOT (each carries its own copy), and a test proves that the migrations together yield it.
import type { Catalog, CollectionSpec, IndexSpec } from "../migration";
import { changes } from "./changes";
import { organizations } from "./organizations";
import { results } from "./results";
import { tests } from "./tests";
import { users } from "./users";

export const catalog: Catalog = { collections: [users, tests, results, changes, organizations] };

export function collectionNames(of: Catalog): string[] {
  return of.collections.map((c) => c.name);
}

/** The collection's spec; throws naming the known collections when there is none. */
export function collectionSpec(of: Catalog, name: string): CollectionSpec {
  const found = of.collections.find((c) => c.name === name);
  if (!found) throw new Error(`the catalog has no collection "${name}" (it has: ${collectionNames(of).join(", ")})`);
  return found;
}

/**
 * Unique indexes of a collection (besides _id). A ranged sharded collection may keep a unique index
 * only when the shard key is a prefix of it: the sharding checks refuse keys that break one.
 */
export function uniqueIndexes(of: Catalog, collection: string): IndexSpec[] {
  return collectionSpec(of, collection).indexes.filter((index) => index.unique === true);
}
