// The shape of a schema migration and of the catalog. A migration is data: the list of schema
// operations its `up` (and, where possible, `down`) sends. Being data, a migration can be
// planned without a database (`migrate plan`), applied in memory (the proof that all migrations
// yield the catalog), and checksummed.

/** Index key as MongoDB takes it: field order matters. */
export type IndexKey = Record<string, 1 | -1 | "hashed">;

/** One index as `listIndexes` shows it (without `v`), the form the catalog and migrations use. */
export interface IndexSpec {
  key: IndexKey;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Record<string, unknown>;
  expireAfterSeconds?: number;
}

export type ValidationLevel = "off" | "moderate" | "strict";
export type ValidationAction = "warn" | "error";

export interface CollectionSpec {
  name: string;
  validator: { $jsonSchema: Record<string, unknown> };
  validationLevel: ValidationLevel;
  validationAction: ValidationAction;
  indexes: IndexSpec[];
}

export interface Catalog {
  collections: CollectionSpec[];
}

export type SchemaOperation =
  | { op: "createCollection"; collection: string; validator: CollectionSpec["validator"]; validationLevel: ValidationLevel; validationAction: ValidationAction }
  | { op: "collMod"; collection: string; validator: CollectionSpec["validator"]; validationLevel: ValidationLevel; validationAction: ValidationAction }
  | { op: "dropCollection"; collection: string }
  | { op: "createIndexes"; collection: string; indexes: IndexSpec[] }
  | { op: "dropIndex"; collection: string; name: string };

export interface Migration {
  /** Sequence number, from the file name (0001-create-users.ts → 1). */
  id: number;
  /** Short description, from the file name. */
  name: string;
  up: SchemaOperation[];
  /** Absent when a migration cannot be reverted (the runner refuses `down` past it). */
  down?: SchemaOperation[];
}
