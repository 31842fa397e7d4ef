// The changelog: one document per applied migration, keyed by the migration's id so a second
// record of the same migration is impossible even outside the lock. Writes are fenced.
import type { Db, MongoClient } from "mongodb";
import { ensureCollection } from "./ensure-collection";
import { RunnerError } from "./errors";
import { fencedWrite } from "./fencing";
import type { MigrationLock } from "./lock";
import type { LoadedMigration } from "../registry";
import { label } from "./migration-label";

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
  return fencedWrite(client, db, lock, `migration ${label(migration)} ran but was NOT recorded`, async (session, now) => {
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
    return entry;
  });
}

export async function recordReverted(client: MongoClient, db: Db, lock: MigrationLock, loaded: LoadedMigration): Promise<void> {
  const { migration } = loaded;
  await fencedWrite(client, db, lock, `migration ${label(migration)} was reverted but is still recorded as applied`, async (session) => {
    const result = await db.collection<ChangelogEntry>(CHANGELOG_COLLECTION).deleteOne({ _id: migration.id }, { session });
    if (result.deletedCount !== 1) {
      throw new RunnerError(`migration ${label(migration)} is not in the changelog any more: another run reverted it`, "changelog-changed");
    }
  });
}
