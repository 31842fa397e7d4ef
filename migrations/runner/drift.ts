// Drift: what the applied migrations should have left in the schema and the live schema lacks.
// A `down` killed after dropping a collection but before its changelog write leaves the
// migration recorded as applied while its collection is gone; `status` must not call that
// "applied", and `up` must not build on it. The expected schema is the applied migrations run in
// order on an empty database by the in-memory model (the same planner `up` uses). Only what the
// migrations create is checked: extra collections and indexes are the `indexes` command's drift.
import type { Migration } from "../migration";
import { sameDocument } from "../plan/canonical";
import { effectiveValidation, emptyDatabase, findCollection, type DatabaseState } from "../plan/database-state";
import { applyInMemory } from "../plan/in-memory-database";
import { ID_INDEX_NAME } from "../plan/listed-index";
import { indexDifferences } from "../plan/plan-indexes";
import { RunnerError } from "./errors";

export interface DriftItem {
  collection: string;
  problem: string;
}

/** The schema the applied migrations (in id order) leave on an empty database. */
export function expectedState(applied: readonly Pick<Migration, "id" | "up">[]): DatabaseState {
  let state = emptyDatabase();
  for (const m of [...applied].sort((a, b) => a.id - b.id)) state = applyInMemory(m.up, state);
  return state;
}

export function schemaDrift(expected: DatabaseState, live: DatabaseState): DriftItem[] {
  const drift: DriftItem[] = [];
  for (const want of expected.collections) {
    const have = findCollection(live, want.name);
    if (!have) {
      drift.push({ collection: want.name, problem: `collection "${want.name}" is missing` });
      continue;
    }
    const a = effectiveValidation(want.options);
    const b = effectiveValidation(have.options);
    if (!sameDocument(a.validator, b.validator)) drift.push({ collection: want.name, problem: `collection "${want.name}": the validator differs` });
    if (a.validationLevel !== b.validationLevel || a.validationAction !== b.validationAction) {
      drift.push({ collection: want.name, problem: `collection "${want.name}": validationLevel/validationAction is ${b.validationLevel}/${b.validationAction}, expected ${a.validationLevel}/${a.validationAction}` });
    }
    for (const index of want.indexes) {
      if (index.name === ID_INDEX_NAME) continue;
      const found = have.indexes.find((i) => i.name === index.name);
      if (!found) drift.push({ collection: want.name, problem: `collection "${want.name}": index "${index.name}" is missing` });
      else {
        const differences = indexDifferences(found, index);
        if (differences.length > 0) drift.push({ collection: want.name, problem: `collection "${want.name}": index "${index.name}" differs: ${differences.join("; ")}` });
      }
    }
  }
  return drift;
}

/** Applied migrations that touch a drifted collection: the ones `status` marks "drifted". */
export function driftedMigrations(applied: readonly Pick<Migration, "id" | "up">[], drift: readonly DriftItem[]): Set<number> {
  const collections = new Set(drift.map((d) => d.collection));
  return new Set(applied.filter((m) => m.up.some((op) => collections.has(op.collection))).map((m) => m.id));
}

export function driftError(drift: readonly DriftItem[]): RunnerError {
  return new RunnerError(
    `the live schema lacks what applied migrations created, nothing was sent: ${drift.map((d) => d.problem).join("; ")}. If a \`down\` was interrupted, finish it (\`migrate down --to N\`) and run \`up\` again; otherwise restore the objects or revert the changelog entries deliberately`,
    "drift",
    undefined,
    { drift: drift.map((d) => d.problem) },
  );
}
