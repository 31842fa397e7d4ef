// The backup stack's object names live in config/backup-names.ts (pure code reads them too) and
// are re-exported here, so every construct keeps reading its names from the stacks.
export * from "../../../config/backup-names";
