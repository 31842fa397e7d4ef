// Whether a restore may write into its target (pure): the facts come from target-probe.ts.
//
// - Data already there: replaying an oplog into data from another moment yields a mix of
//   documents from different times, even where no duplicate key stops it, so a target that holds
//   documents is refused unless --drop was chosen (mongorestore --drop drops each collection the
//   dump holds before restoring it). A restore covers the whole instance (--oplogReplay cannot be
//   combined with namespace filters, DOCS-10944), so every database but admin, local and config
//   counts. (No run resumes into its own earlier data: a restore is one mongorestore process.)
// - mongos: a cluster restore keeps collection UUIDs with --preserveUUID, which creates
//   collections through applyOps (mongo-tools mongorestore/metadata.go createCollectionWithApplyOps);
//   mongos does not serve applyOps, so the UUIDs cannot be kept through it. Refused with the reason;
//   a one-replica-set restore through mongos is refused too: mongorestore --oplogReplay replays
//   with applyOps as well (mongorestore/oplog.go).

/** What target-probe.ts reads from the target. */
export interface TargetFacts {
  /** `hello` answered msg "isdbgrid": a mongos. */
  mongos: boolean;
  /** "db.collection" of every collection outside admin/local/config holding a document, sorted. */
  namespacesWithData: string[];
}

export interface TargetCheckOptions {
  drop: boolean;
  /** A cluster restore (--preserveUUID on every replica set). */
  cluster: boolean;
  /** How the target is named in messages (a redacted URI, "replica set rs0 (...)"). */
  name: string;
}

/** Why the restore must not write into this target, or undefined when it may. */
export function targetRefusal(facts: TargetFacts, options: TargetCheckOptions): string | undefined {
  if (facts.mongos) {
    return options.cluster
      ? `${options.name} is a mongos: a cluster restore keeps collection UUIDs (--preserveUUID), which creates collections through applyOps, and mongos does not serve applyOps. Connect to each replica set's primary directly`
      : `${options.name} is a mongos: mongorestore --oplogReplay replays through applyOps, which mongos does not serve. Connect to the replica set's primary directly`;
  }
  if (options.drop || facts.namespacesWithData.length === 0) return undefined;
  const shown = facts.namespacesWithData.slice(0, 5).join(", ");
  const more = facts.namespacesWithData.length > 5 ? ` and ${facts.namespacesWithData.length - 5} more` : "";
  return (
    `${options.name} already holds documents (${shown}${more}): replaying the backup's oplog into data from another moment gives a mix of both, ` +
    "even where no duplicate key stops it. Restore into an empty replica set, or add --drop to drop each collection the dump holds first"
  );
}
