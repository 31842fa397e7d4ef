// The changelog: one document per applied migration, keyed by the migration's id so a second
// record of the same migration is impossible even outside the lock. Writes are fenced.
import type { Db, MongoClient } from "mongodb";
import { ensureCollection } from "./ensure-collection";
import { clearCheckpoints } from "./data-migration";
import { RunnerError } from "./errors";
import { fencedWrite } from "./fencing";
import type { MigrationLock } from "./lock";
import type { LoadedMigration } from "../registry";
import { label } from "./migration-label";
import { isWriteConcernTimeout } from "./write-concern";

/**
 * A fenced changelog write whose write concern timed out: it may or may not have committed. The
 * entry is read again (what a retry would have to do first): `recorded` says what the server holds.
 */
async function afterOutcomeUnknown<T>(write: () => Promise<T>, reread: () => Promise<T | undefined>, what: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isWriteConcernTimeout(error)) throw error;
    const seen = await reread();
    if (seen !== undefined) return seen;
    throw new RunnerError(`${what}: the write concern timed out and the changelog does not show the write; run again (the next run re-reads the state)`, "outcome-unknown");
  }
}

export const CHANGELOG_COLLECTION = "nyrkio_migrations";

export interface ChangelogEntry {
  _id: number;
  id: number;
  name: string;
  checksum: string;
  /** Server time of the fenced write that recorded it. */
  appliedAt: Date;
  durationMs: number;
  appliedBy: string;
  lockToken: number;
}

export async function readChangelog(db: Db): Promise<ChangelogEntry[]> {
  return db.collection<ChangelogEntry>(CHANGELOG_COLLECTION).find({}).sort({ _id: 1 }).toArray();
}

/** The changelog collection must exist before the first transaction writes to it. */
export function ensureChangelogCollection(db: Db): Promise<void> {
  return ensureCollection(db, CHANGELOG_COLLECTION);
}

export async function recordApplied(
  client: MongoClient,
  db: Db,
  lock: MigrationLock,
  loaded: LoadedMigration,
  durationMs: number,
): Promise<ChangelogEntry> {
  const { migration } = loaded;
  const reread = async () => {
    const entry = await db.collection<ChangelogEntry>(CHANGELOG_COLLECTION).findOne({ _id: migration.id });
    return entry && entry.appliedBy === lock.holder.owner && entry.lockToken === lock.holder.token ? entry : undefined;
  };
  return afterOutcomeUnknown(() => fencedWrite(client, db, lock, `migration ${label(migration)} ran but was NOT recorded`, async (session, now) => {
    const entry: ChangelogEntry = {
      _id: migration.id,
      id: migration.id,
      name: migration.name,
      checksum: loaded.checksum,
      appliedAt: now,
      durationMs,
      appliedBy: lock.holder.owner,
      lockToken: lock.holder.token,
    };
    await db.collection<ChangelogEntry>(CHANGELOG_COLLECTION).insertOne(entry, { session });
    await clearCheckpoints(db, migration.id, session);
    return entry;
  }), reread, `recording migration ${label(migration)}`);
}

export async function recordReverted(client: MongoClient, db: Db, lock: MigrationLock, loaded: LoadedMigration): Promise<void> {
  const { migration } = loaded;
  const reread = async () => ((await db.collection<ChangelogEntry>(CHANGELOG_COLLECTION).findOne({ _id: migration.id })) === null ? true : undefined);
  await afterOutcomeUnknown(async () => {
    await fencedWrite(client, db, lock, `migration ${label(migration)} was reverted but is still recorded as applied`, async (session) => {
      const result = await db.collection<ChangelogEntry>(CHANGELOG_COLLECTION).deleteOne({ _id: migration.id }, { session });
      await clearCheckpoints(db, migration.id, session);
      if (result.deletedCount !== 1) {
        throw new RunnerError(`migration ${label(migration)} is not in the changelog any more: another run reverted it`, "changelog-changed");
      }
    });
    return true;
  }, reread, `removing migration ${label(migration)} from the changelog`);
}
