// Sharded clusters: before a migration is recorded, every shard must hold its indexes. Through
// mongos, listIndexes answers from one shard, so after an interrupted build a migration could be
// recorded as applied while other shards lack the index. `checkMetadataConsistency` with
// `checkIndexes: true` (MongoDB 7.0+, mongos only) compares the indexes of a collection across
// the shards that own its data and reports each difference as an inconsistency of type
// "InconsistentIndex" (https://www.mongodb.com/docs/manual/reference/command/checkMetadataConsistency/,
// "Check Indexes", "Inconsistency Types"). It needs the `checkMetadataConsistency` action, which
// the migrator's role holds in the cluster scope (replicaset/users.ts).
import type { Db, Document } from "mongodb";
import type { SchemaOperation } from "../migration";
import { RunnerError } from "./errors";

/** The collections whose indexes a migration's operations change. */
export function indexCollections(operations: readonly SchemaOperation[]): string[] {
  return [...new Set(operations.filter((o) => o.op === "createIndexes" || o.op === "dropIndex").map((o) => o.collection))];
}

/** One line per index inconsistency among `inconsistencies` (the command's cursor documents). */
export function describeIndexInconsistencies(inconsistencies: readonly Document[]): string[] {
  return inconsistencies
    .filter((i) => i.type === "InconsistentIndex")
    .map((i) => {
      const details = (i.details ?? {}) as Document;
      return `${String(details.namespace ?? "?")}: ${String(i.description ?? "the shards hold different indexes")} ${JSON.stringify(details.info ?? {})}`;
    });
}

async function allInconsistencies(db: Db, collection: string): Promise<Document[]> {
  const reply = await db.command({ checkMetadataConsistency: 1, coll: collection, checkIndexes: true });
  const cursor = reply.cursor as { id: unknown; ns: string; firstBatch: Document[] };
  const out = [...cursor.firstBatch];
  let id = cursor.id;
  const ns = cursor.ns.slice(cursor.ns.indexOf(".") + 1);
  while (id !== undefined && id !== null && String(id) !== "0") {
    const more = await db.command({ getMore: id, collection: ns });
    out.push(...((more.cursor?.nextBatch as Document[]) ?? []));
    id = more.cursor?.id;
  }
  return out;
}

/** Through mongos: refuses (exit 1, migration not recorded) when a shard lacks or differs in an index. */
export async function assertIndexesOnEveryShard(db: Db, operations: readonly SchemaOperation[], file: string, progress: (line: string) => void): Promise<void> {
  const collections = indexCollections(operations);
  if (collections.length === 0) return;
  const hello = await db.admin().command({ hello: 1 });
  if (hello.msg !== "isdbgrid") return;
  const problems: string[] = [];
  for (const collection of collections) {
    problems.push(...describeIndexInconsistencies(await allInconsistencies(db, collection)));
  }
  if (problems.length > 0) {
    throw new RunnerError(
      `${file}: the shards do not hold the same indexes, so the migration is NOT recorded: ${problems.join("; ")}. Run \`up\` again: it plans against what exists and builds what is missing`,
      "shard-index-inconsistent",
      undefined,
      { file, problems },
    );
  }
  progress(`every shard holds the indexes of ${collections.join(", ")} (checkMetadataConsistency)`);
}
