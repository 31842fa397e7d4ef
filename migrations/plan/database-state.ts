// A database's schema as MongoDB reports it: each collection's options (listCollections) and
// indexes (listIndexes). The runner reads it from a live server; the in-memory model keeps one.
import type { Catalog, CollectionSpec, ValidationAction, ValidationLevel } from "../migration";
import { ID_INDEX_NAME, ListedIndex, specOf } from "./listed-index";

export interface CollectionOptions {
  validator?: Record<string, unknown>;
  validationLevel?: ValidationLevel;
  validationAction?: ValidationAction;
}

export interface LiveCollection {
  name: string;
  /** `options` of the collection's listCollections entry. */
  options: CollectionOptions;
  /** listIndexes output, `_id_` included. */
  indexes: ListedIndex[];
}

export interface DatabaseState {
  /** In creation order. */
  collections: LiveCollection[];
}

export function emptyDatabase(): DatabaseState {
  return { collections: [] };
}

export function findCollection(state: DatabaseState, name: string): LiveCollection | undefined {
  return state.collections.find((c) => c.name === name);
}

/** MongoDB's defaults for a collection created without validation options. */
export function effectiveValidation(options: CollectionOptions): Required<CollectionOptions> {
  return { validator: options.validator ?? {}, validationLevel: options.validationLevel ?? "strict", validationAction: options.validationAction ?? "error" };
}

/** The state in the catalog's form, to compare with the catalog: indexes without `_id_` and `v`. */
export function catalogOf(state: DatabaseState): Catalog {
  return {
    collections: state.collections.map((c): CollectionSpec => {
      const validation = effectiveValidation(c.options);
      return {
        name: c.name,
        // A collection created without a validator shows `{}` here, and so differs from any catalog entry.
        validator: validation.validator as CollectionSpec["validator"],
        validationLevel: validation.validationLevel,
        validationAction: validation.validationAction,
        indexes: c.indexes.filter((index) => index.name !== ID_INDEX_NAME).map(specOf),
      };
    }),
  };
}
