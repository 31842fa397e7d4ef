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
  | { op: "dropIndex"; collection: string; name: string }
  | CodeOperation;

/**
 * What a data migration's code gets (runner/data-migration.ts): the database, a checkpoint that
 * survives a crash, and progress. Code is not one transaction (a transaction's lifetime defaults
 * to 60 s): it works in batches, saves a checkpoint after each, and must be idempotent, since a
 * batch may be applied again after a crash between the batch and its checkpoint.
 */
export interface CodeContext {
  /** The driver's Db of the target database. Typed loosely so migrations do not import the driver. */
  db: import("mongodb").Db;
  /** The checkpoint saved by an earlier, interrupted run of this step; undefined on a fresh start. */
  checkpoint: Record<string, unknown> | undefined;
  /** Saves the checkpoint (majority write with wtimeout) after the lease is confirmed; throws when the lease is lost or the run is stopped. */
  save(checkpoint: Record<string, unknown>): Promise<void>;
  progress(line: string): void;
}

/**
 * A step that runs code (backfills, reshaping), in a migration's `up` or `down` beside the
 * declarative operations, under the same lock, checksum and changelog rules. `collection` and
 * `alsoTouches` name every collection it reads or writes (`plan` shows them). The checksum covers
 * `name`, `revision` and the collections, not the function's text (the text differs between the
 * TypeScript source and the built JavaScript): bump `revision` whenever the code changes.
 */
export interface CodeOperation {
  op: "code";
  collection: string;
  alsoTouches?: string[];
  name: string;
  revision: number;
  run(ctx: CodeContext): Promise<void>;
}

export interface Migration {
  /** Sequence number, from the file name (0001-create-users.ts → 1). */
  id: number;
  /** Short description, from the file name. */
  name: string;
  up: SchemaOperation[];
  /** Absent when a migration cannot be reverted (the runner refuses `down` past it). */
  down?: SchemaOperation[];
}
