// Pure planning of schema changes: no database, no I/O.
export { canonicalJson, canonicalize, sameDocument, sameIndexKey } from "./canonical";
export { checksumMatches, checksumVersion, migrationChecksum, migrationChecksumV1 } from "./checksum";
export { COMMIT_QUORUM, commandCollection, commandName, commandsFor } from "./commands";
export type { Command } from "./commands";
export { catalogOf, effectiveValidation, emptyDatabase, findCollection } from "./database-state";
export type { CollectionOptions, DatabaseState, LiveCollection } from "./database-state";
export { applyInMemory, CommandError, planOperations, runCommand } from "./in-memory-database";
export type { PlannedOperations } from "./in-memory-database";
export { ID_INDEX_NAME, IDENTITY_OPTIONS, identityOf, indexOptions, listedForm, specOf } from "./listed-index";
export type { ListedIndex } from "./listed-index";
export { isBlocked, planOperation, planOperationIn } from "./plan-operation";
export type { OperationPlan } from "./plan-operation";
export { compareIndexes, indexDifferences, planIndexes } from "./plan-indexes";
export type { IndexComparison } from "./plan-indexes";
export type { IndexConflict, IndexPlan } from "./plan-indexes";
export { schemaDocument } from "./schema-document";
export type { SchemaDocument } from "./schema-document";
