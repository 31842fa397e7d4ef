// Which of a collection's desired indexes exist, which are missing, and which clash with an
// existing index: compared by name AND by key, with MongoDB's option semantics.
import type { IndexSpec } from "../migration";
import { canonicalJson, sameDocument, sameIndexKey } from "./canonical";
import { ID_INDEX_NAME, identityOf, indexOptions, ListedIndex } from "./listed-index";

export interface IndexConflict {
  /** The desired index's name. */
  name: string;
  existing: ListedIndex;
  desired: IndexSpec;
  reason: string;
}

export interface IndexPlan {
  /** To build, all in one createIndexes command. */
  missing: IndexSpec[];
  equal: { desired: IndexSpec; existing: ListedIndex }[];
  /** Any of these stops the run: MongoDB would refuse the build, or the index is not what it should be. */
  conflicts: IndexConflict[];
  /** Existing indexes (other than _id_) that no desired index matches: drift, never dropped here. */
  extra: ListedIndex[];
}

function show(value: unknown): string {
  return value === undefined ? "absent" : canonicalJson(value);
}

/** How `existing` differs from `desired` (key and options); empty when they are the same index. */
export function indexDifferences(existing: ListedIndex | IndexSpec, desired: ListedIndex | IndexSpec): string[] {
  const differences: string[] = [];
  if (!sameIndexKey(existing.key, desired.key)) differences.push(`key ${JSON.stringify(existing.key)} is not ${JSON.stringify(desired.key)}`);
  const a = indexOptions(existing);
  const b = indexOptions(desired);
  for (const option of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!sameDocument(a[option], b[option])) differences.push(`${option}: existing ${show(a[option])}, desired ${show(b[option])}`);
  }
  return differences;
}

/**
 * How mongod compares a requested index with an existing one (IndexDescriptor::compareIndexOptions,
 * src/mongo/db/index/index_descriptor.cpp): "different" when the key or an identifying option
 * differs, "equivalent" when only other options differ, "identical" otherwise. The partial filter
 * is compared in canonical form; the server normalizes the parsed expression, so a filter written
 * differently but equal after normalization is "different" here and "equivalent" there: the
 * planner then expects a build the server refuses (85), which stops the run rather than passing.
 */
export type IndexComparison = "different" | "equivalent" | "identical";

export function compareIndexes(candidate: ListedIndex | IndexSpec, existing: ListedIndex | IndexSpec): IndexComparison {
  if (!sameIndexKey(candidate.key, existing.key)) return "different";
  if (!sameDocument(identityOf(candidate), identityOf(existing))) return "different";
  return indexDifferences(existing, candidate).length === 0 ? "identical" : "equivalent";
}

export function planIndexes(current: readonly ListedIndex[], desired: readonly IndexSpec[]): IndexPlan {
  const plan: IndexPlan = { missing: [], equal: [], conflicts: [], extra: [] };
  const matched = new Set<string>();
  for (const want of desired) {
    const byName = current.find((index) => index.name === want.name);
    if (byName) {
      matched.add(byName.name);
      const differences = indexDifferences(byName, want);
      if (differences.length === 0) plan.equal.push({ desired: want, existing: byName });
      else plan.conflicts.push({ name: want.name, existing: byName, desired: want, reason: `an index named "${want.name}" exists with another definition: ${differences.join("; ")}` });
      continue;
    }
    // The same key under another name is allowed when an identifying option differs: the
    // zero-downtime way to change one (build the new index, then drop the old).
    const byKey = current.find((index) => compareIndexes(want, index) !== "different");
    if (byKey) {
      matched.add(byKey.name);
      plan.conflicts.push({
        name: want.name,
        existing: byKey,
        desired: want,
        reason: `index "${byKey.name}" already has the key ${JSON.stringify(want.key)} with the same unique, sparse, collation and partialFilterExpression; MongoDB refuses a second such index under the name "${want.name}" (IndexOptionsConflict, 85): drop or rename it in a migration, or change an identifying option`,
      });
      continue;
    }
    plan.missing.push(want);
  }
  plan.extra = current.filter((index) => index.name !== ID_INDEX_NAME && !matched.has(index.name));
  return plan;
}
