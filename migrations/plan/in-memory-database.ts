// An in-memory model of a MongoDB database's schema: runs the schema commands with the server's
// semantics (and its error codes), so migrations can be planned and proven without a server.
// Modelled on MongoDB 7.0+: `create` of an existing collection with identical options succeeds
// (SERVER-60064) and `drop` of a missing collection succeeds.
import type { SchemaOperation } from "../migration";
import { sameDocument } from "./canonical";
import { Command, commandName } from "./commands";
import { CollectionOptions, DatabaseState, effectiveValidation, findCollection, LiveCollection } from "./database-state";
import { ID_INDEX_NAME, ListedIndex } from "./listed-index";
import { isBlocked, OperationPlan, planOperationIn } from "./plan-operation";
import { compareIndexes } from "./plan-indexes";

/** A command error as the server reports it: `code` and `codeName` are MongoDB's. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(`${message} (${codeName}, code ${code})`);
    this.name = "CommandError";
  }
}

function newCollection(name: string, options: CollectionOptions): LiveCollection {
  return { name, options, indexes: [{ v: 2, key: { _id: 1 }, name: ID_INDEX_NAME }] };
}

function validationOptions(command: Command): CollectionOptions {
  const options: CollectionOptions = {};
  if (command.validator !== undefined) options.validator = command.validator as CollectionOptions["validator"];
  if (command.validationLevel !== undefined) options.validationLevel = command.validationLevel as CollectionOptions["validationLevel"];
  if (command.validationAction !== undefined) options.validationAction = command.validationAction as CollectionOptions["validationAction"];
  return options;
}

function withCollection(state: DatabaseState, collection: LiveCollection): DatabaseState {
  const exists = state.collections.some((c) => c.name === collection.name);
  return { collections: exists ? state.collections.map((c) => (c.name === collection.name ? collection : c)) : [...state.collections, collection] };
}

function requireCollection(state: DatabaseState, name: string): LiveCollection {
  const found = findCollection(state, name);
  if (!found) throw new CommandError(26, "NamespaceNotFound", `collection "${name}" does not exist`);
  return found;
}

function createIndexes(state: DatabaseState, name: string, specs: ListedIndex[]): DatabaseState {
  const collection = findCollection(state, name) ?? newCollection(name, {});
  const added: ListedIndex[] = [];
  for (const spec of specs) {
    // IndexCatalogImpl::_doesSpecConflictWithExisting (src/mongo/db/catalog/index_catalog_impl.cpp):
    // first by name, then by key pattern and identifying options.
    const byName = [...collection.indexes, ...added].find((index) => index.name === spec.name);
    if (byName) {
      const comparison = compareIndexes(spec, byName);
      if (comparison === "identical") continue;
      if (comparison === "different") throw new CommandError(86, "IndexKeySpecsConflict", `An existing index has the same name as the requested index: "${spec.name}"`);
      throw new CommandError(85, "IndexOptionsConflict", `An equivalent index already exists with the same name but different options: "${spec.name}"`);
    }
    const byKey = [...collection.indexes, ...added].find((index) => compareIndexes(spec, index) !== "different");
    if (byKey) {
      const comparison = compareIndexes(spec, byKey);
      throw new CommandError(
        85,
        "IndexOptionsConflict",
        comparison === "identical" ? `Index already exists with a different name: ${byKey.name}` : `An equivalent index already exists with a different name and options: "${byKey.name}"`,
      );
    }
    added.push({ v: 2, ...spec });
  }
  return withCollection(state, { ...collection, indexes: [...collection.indexes, ...added] });
}

/** The state after the server ran `command`; throws CommandError where the server would fail. */
export function runCommand(state: DatabaseState, command: Command): DatabaseState {
  const name = String(Object.values(command)[0]);
  switch (commandName(command)) {
    case "create": {
      const options = validationOptions(command);
      const existing = findCollection(state, name);
      if (!existing) return withCollection(state, newCollection(name, options));
      const have = effectiveValidation(existing.options);
      const want = effectiveValidation(options);
      const same = sameDocument(have.validator, want.validator) && have.validationLevel === want.validationLevel && have.validationAction === want.validationAction;
      if (same) return state;
      throw new CommandError(48, "NamespaceExists", `collection "${name}" already exists with different options`);
    }
    case "collMod": {
      const existing = requireCollection(state, name);
      return withCollection(state, { ...existing, options: { ...existing.options, ...validationOptions(command) } });
    }
    case "drop":
      return { collections: state.collections.filter((c) => c.name !== name) };
    case "createIndexes":
      return createIndexes(state, name, command.indexes as ListedIndex[]);
    case "dropIndexes": {
      const existing = requireCollection(state, name);
      const index = String(command.index);
      if (index === ID_INDEX_NAME) throw new CommandError(72, "InvalidOptions", "cannot drop _id index");
      if (!existing.indexes.some((i) => i.name === index)) throw new CommandError(27, "IndexNotFound", `index not found with name [${index}]`);
      return withCollection(state, { ...existing, indexes: existing.indexes.filter((i) => i.name !== index) });
    }
    default:
      throw new CommandError(59, "CommandNotFound", `no such command: "${commandName(command)}"`);
  }
}

export interface PlannedOperations {
  plans: OperationPlan[];
  /** The state after every planned command ran (up to the first blocked operation). */
  state: DatabaseState;
  /** The first operation that stops the run, if any; nothing after it is planned. */
  blocked?: OperationPlan;
}

/** Plans operations one after the other, each against the state the previous ones leave. */
export function planOperations(operations: readonly SchemaOperation[], state: DatabaseState): PlannedOperations {
  const plans: OperationPlan[] = [];
  let current = state;
  for (const operation of operations) {
    const plan = planOperationIn(current, operation);
    plans.push(plan);
    if (isBlocked(plan)) return { plans, state: current, blocked: plan };
    for (const command of plan.commands) current = runCommand(current, command);
  }
  return { plans, state: current };
}

/** The state after the operations, as the runner would leave it; throws at the first one that stops the run. */
export function applyInMemory(operations: readonly SchemaOperation[], state: DatabaseState): DatabaseState {
  const planned = planOperations(operations, state);
  if (planned.blocked) {
    const { operation, problems } = planned.blocked;
    throw new Error(`${operation.op} on "${operation.collection}" stops the run: ${problems.join("; ")}`);
  }
  return planned.state;
}
