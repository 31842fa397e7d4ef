// Data migrations: the code steps of a migration (migration.ts, CodeOperation), run under the
// migration lock. Code is not one transaction (a transaction's lifetime defaults to 60 s,
// transactionLifetimeLimitSeconds), so a backfill works in batches and saves a checkpoint after
// each one. Checkpoints live in nyrkio_migration_checkpoints, one document per migration,
// direction and step, written with a fenced write (fencing.ts): a run that lost the lock cannot
// move another run's checkpoint. A crashed run's successor resumes from the last checkpoint; the
// batch after it may be applied twice, so a step must be idempotent. The checkpoints of a
// migration are deleted in the same transaction that records it in the changelog.
import type { ClientSession, Db, Document, MongoClient } from "mongodb";
import type { CodeContext, CodeOperation } from "../migration";
import { fencedWrite } from "./fencing";
import type { MigrationLock } from "./lock";
import type { StopController } from "./stop";

export const CHECKPOINT_COLLECTION = "nyrkio_migration_checkpoints";

export interface CheckpointDocument {
  _id: string;
  migrationId: number;
  direction: "up" | "down";
  step: string;
  state: Record<string, unknown>;
  savedAt: Date;
  owner: string;
  token: number;
}

export function checkpointId(migrationId: number, direction: "up" | "down", step: string): string {
  return `${migrationId}:${direction}:${step}`;
}

/** Inside the changelog's fenced transaction: the recorded migration needs no checkpoint any more. */
export async function clearCheckpoints(db: Db, migrationId: number, session: ClientSession): Promise<void> {
  await db.collection<CheckpointDocument>(CHECKPOINT_COLLECTION).deleteMany({ migrationId }, { session });
}

export interface CodeRunner {
  client: MongoClient;
  db: Db;
  lock: MigrationLock;
  stop?: StopController;
  progress: (line: string) => void;
}

export async function runCodeStep(runner: CodeRunner, migrationId: number, direction: "up" | "down", op: CodeOperation): Promise<void> {
  const id = checkpointId(migrationId, direction, op.name);
  const checkpoints = runner.db.collection<CheckpointDocument>(CHECKPOINT_COLLECTION);
  const saved = await checkpoints.findOne({ _id: id });
  if (saved) runner.progress(`resuming code "${op.name}" from its checkpoint of ${saved.savedAt.toISOString()} (${JSON.stringify(saved.state)})`);
  else runner.progress(`running code "${op.name}" (revision ${op.revision})`);
  const ctx: CodeContext = {
    db: runner.db,
    checkpoint: saved?.state,
    progress: (line) => runner.progress(`  ${op.name}: ${line}`),
    save: async (state) => {
      runner.stop?.throwIfStopped(`code "${op.name}" stopped after its last checkpoint; the next run resumes from it`);
      await runner.lock.ensureFresh();
      await fencedWrite(runner.client, runner.db, runner.lock, `the checkpoint of "${op.name}" was NOT saved`, async (session, now) => {
        await checkpoints.updateOne(
          { _id: id },
          { $set: { migrationId, direction, step: op.name, state, savedAt: now, owner: runner.lock.holder.owner, token: runner.lock.holder.token } },
          { upsert: true, session },
        );
      });
    },
  };
  await op.run(ctx);
}

/**
 * The usual shape of a backfill: documents in ascending key order, `batchSize` at a time, each
 * batch applied and then checkpointed as "everything up to this key is done". Resumes after the
 * checkpoint's key. `apply` must be idempotent: a crash between a batch and its checkpoint applies
 * that batch again.
 */
export async function inBatches<T extends Document>(
  ctx: CodeContext,
  fetch: (after: unknown, limit: number) => Promise<T[]>,
  keyOf: (doc: T) => unknown,
  apply: (batch: T[]) => Promise<void>,
  batchSize = 500,
): Promise<{ batches: number; documents: number }> {
  let after = ctx.checkpoint?.after;
  let done = typeof ctx.checkpoint?.done === "number" ? ctx.checkpoint.done : 0;
  let batches = 0;
  for (;;) {
    const batch = await fetch(after, batchSize);
    if (batch.length === 0) break;
    await apply(batch);
    after = keyOf(batch[batch.length - 1]);
    done += batch.length;
    batches += 1;
    await ctx.save({ after, done });
    ctx.progress(`${done} document(s) done`);
    if (batch.length < batchSize) break;
  }
  return { batches, documents: done };
}
