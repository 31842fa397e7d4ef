// What one schema operation must send to a database in a given state. Every operation is
// idempotent here, so that a run that died halfway through a migration can simply run again:
// what is already there is not sent again, and what clashes stops the run before anything is sent.
import type { SchemaOperation } from "../migration";
import { sameDocument } from "./canonical";
import { Command, commandsFor } from "./commands";
import { CollectionOptions, DatabaseState, effectiveValidation, findCollection, LiveCollection } from "./database-state";
import { ID_INDEX_NAME } from "./listed-index";
import { IndexConflict, planIndexes } from "./plan-indexes";

export interface OperationPlan {
  operation: SchemaOperation;
  /** To send, in order; empty when the database already is as the operation wants. */
  commands: Command[];
  /** What is already in place, said so the output explains why less is sent. */
  notes: string[];
  /** Non-empty: the run must stop before sending anything for this operation. */
  problems: string[];
  conflicts: IndexConflict[];
}

function sameValidation(live: CollectionOptions, wanted: Required<CollectionOptions>): boolean {
  const have = effectiveValidation(live);
  return sameDocument(have.validator, wanted.validator) && have.validationLevel === wanted.validationLevel && have.validationAction === wanted.validationAction;
}

export function planOperation(operation: SchemaOperation, live: LiveCollection | undefined): OperationPlan {
  const plan: OperationPlan = { operation, commands: [], notes: [], problems: [], conflicts: [] };
  const name = operation.collection;
  switch (operation.op) {
    case "createCollection": {
      if (!live) {
        plan.commands = commandsFor(operation);
      } else if (sameValidation(live.options, operation)) {
        plan.notes.push(`collection "${name}" exists with these validation options`);
      } else {
        // Typically created implicitly by the application: adopt it rather than fail.
        plan.notes.push(`collection "${name}" exists with other validation options: setting them with collMod`);
        plan.commands = commandsFor({ ...operation, op: "collMod" });
      }
      break;
    }
    case "collMod": {
      if (!live) plan.problems.push(`collection "${name}" does not exist: collMod needs it`);
      else if (sameValidation(live.options, operation)) plan.notes.push(`collection "${name}" already has these validation options`);
      else plan.commands = commandsFor(operation);
      break;
    }
    case "dropCollection": {
      if (!live) plan.notes.push(`collection "${name}" does not exist`);
      else plan.commands = commandsFor(operation);
      break;
    }
    case "createIndexes": {
      const indexes = planIndexes(live?.indexes ?? [], operation.indexes);
      plan.conflicts = indexes.conflicts;
      plan.problems = indexes.conflicts.map((c) => `${name}: ${c.reason}`);
      for (const { desired } of indexes.equal) plan.notes.push(`index "${desired.name}" on "${name}" exists`);
      if (plan.problems.length === 0) plan.commands = commandsFor({ ...operation, indexes: indexes.missing });
      break;
    }
    case "code": {
      plan.notes.push(`runs code "${operation.name}" (revision ${operation.revision}), touching ${[operation.collection, ...(operation.alsoTouches ?? [])].join(", ")}; batched, resumable from its checkpoint`);
      break;
    }
    case "dropIndex": {
      if (operation.name === ID_INDEX_NAME) plan.problems.push(`the _id_ index of "${name}" cannot be dropped`);
      else if (!live?.indexes.some((index) => index.name === operation.name)) plan.notes.push(`index "${operation.name}" on "${name}" does not exist`);
      else plan.commands = commandsFor(operation);
      break;
    }
  }
  return plan;
}

/** True when the plan stops the run. */
export function isBlocked(plan: OperationPlan): boolean {
  return plan.problems.length > 0;
}

/** The operation's plan against the state: the caller applies `plan.commands` to move on. */
export function planOperationIn(state: DatabaseState, operation: SchemaOperation): OperationPlan {
  return planOperation(operation, findCollection(state, operation.collection));
}
