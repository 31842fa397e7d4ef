// Aborting the index builds this run started, and confirming they are gone.
//
// - dropIndexes with the names of an in-progress build aborts it (MongoDB 4.4+), and must name
//   every index of that build (https://www.mongodb.com/docs/manual/reference/command/dropIndexes/,
//   "Aborts In-Progress Index Builds"). The runner sends all of a collection's missing indexes in
//   one createIndexes, so it names exactly that command's indexes.
// - Confirmation: no `$currentOp` operation on the namespace is still building one of them: neither
//   the client's createIndexes nor the build thread ("IndexBuildsCoordinatorMongod", `msg`
//   "Index Build: ..."), which carries the createIndexes command too (index-build-progress.ts).
import type { Db, Document, MongoClient } from "mongodb";
import { indexBuildOpsPipeline } from "./index-build-progress";
import { withWriteConcern } from "./write-concern";

const INDEX_NOT_FOUND = 27;

/** The operations of `ops` that still build one of `names` on `collection`. */
export function buildsStillRunning(ops: readonly Document[], collection: string, names: readonly string[]): Document[] {
  const wanted = new Set(names);
  return ops.filter((op) => {
    const command = (op.command ?? {}) as Document;
    const indexes = Array.isArray(command.indexes) ? command.indexes.map((i: Document) => String(i?.name)) : [];
    if (command.createIndexes === collection && (indexes.length === 0 || indexes.some((n) => wanted.has(n)))) return true;
    // A build thread whose command is not shown: any index build on the namespace counts.
    return typeof op.msg === "string" && op.msg.startsWith("Index Build") && indexes.length === 0;
  });
}

export interface AbortOutcome {
  confirmed: boolean;
  /** Why it could not be confirmed. */
  reason?: string;
}

export async function abortIndexBuilds(
  client: MongoClient,
  db: Db,
  collection: string,
  names: readonly string[],
  progress: (line: string) => void,
  confirmWithinMs = 30_000,
  pollMs = 500,
): Promise<AbortOutcome> {
  progress(`aborting the index build of ${names.join(", ")} on ${collection} (dropIndexes)`);
  try {
    await db.command(withWriteConcern({ dropIndexes: collection, index: [...names] }));
  } catch (error) {
    // Not found: the build had not registered yet, or was already gone; $currentOp decides.
    if ((error as { code?: number }).code !== INDEX_NOT_FOUND) {
      return { confirmed: false, reason: `dropIndexes failed: ${(error as Error).message}` };
    }
  }
  const deadline = Date.now() + confirmWithinMs;
  for (;;) {
    let ops: Document[];
    try {
      ops = await client.db("admin").aggregate(indexBuildOpsPipeline(`${db.databaseName}.${collection}`, collection)).toArray();
    } catch (error) {
      return { confirmed: false, reason: `$currentOp failed: ${(error as Error).message}` };
    }
    const running = buildsStillRunning(ops, collection, names);
    if (running.length === 0) {
      progress(`confirmed: no build of ${names.join(", ")} on ${collection} is running`);
      return { confirmed: true };
    }
    if (Date.now() >= deadline) return { confirmed: false, reason: `${running.length} build operation(s) still running after ${confirmWithinMs / 1000} s` };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
