// A fenced write: one transaction that first updates the lock document through a filter matching
// only this run's owner, token and an unexpired lease (judged by the server's `$$NOW`), then does
// the changelog write. Either both commit or neither does:
// - a run whose lease was taken over no longer matches (the token changed): nothing is written;
// - a takeover that races the transaction writes the same lock document, so one of the two gets a
//   write conflict: the takeover waits or retries, the transaction retries and then no longer
//   matches. Two runs can therefore never both record one migration.
import type { ClientSession, Db, MongoClient } from "mongodb";
import { LOCK_COLLECTION, fenceUpdate, heldByFilter, type LockDocument } from "./lease";
import { LeaseLostError } from "./errors";
import type { MigrationLock } from "./lock";
import { performance } from "node:perf_hooks";
import { MAJORITY } from "./write-concern";

export async function fencedWrite<T>(
  client: MongoClient,
  db: Db,
  lock: MigrationLock,
  context: string,
  write: (session: ClientSession, serverNow: Date) => Promise<T>,
): Promise<T> {
  return lock.exclusive(async () => {
    lock.assertHeld();
    const session = client.startSession();
    const sentAt = performance.now();
    try {
      const result = await session.withTransaction(
        async () => {
          const fenced = await db
            .collection<LockDocument>(LOCK_COLLECTION)
            .findOneAndUpdate(heldByFilter(lock.holder), fenceUpdate(), { session, returnDocument: "after" });
          if (!fenced?.fencedAt) throw lock.leaseLost(context);
          return write(session, fenced.fencedAt);
        },
        // wtimeout: an explicit write concern replaces the cluster default's (write-concern.ts).
        { readConcern: { level: "snapshot" }, writeConcern: MAJORITY, readPreference: "primary" },
      );
      lock.confirmed(sentAt);
      return result;
    } catch (error) {
      throw error instanceof LeaseLostError ? await lock.explainLoss(error) : error;
    } finally {
      await session.endSession();
    }
  });
}
