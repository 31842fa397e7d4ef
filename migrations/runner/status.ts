// `migrate status`: every migration file with its state, applied entries without a file, and who
// holds the lock. Reads only; takes no lock.
import type { Db } from "mongodb";
import type { LoadedMigration } from "../registry";
import { checksumMatches } from "../plan/checksum";
import { readChangelog } from "./changelog";
import { checksumProblems, describeChecksumProblem } from "./checksums";
import { leaseState } from "./lease";
import { readLock, serverTime } from "./lock";
import { driftedMigrations, expectedState, schemaDrift } from "./drift";
import { readDatabaseState } from "./live-state";
import type { DatabaseState } from "../plan/database-state";
import type { ChangelogEntry } from "./changelog";
import type { LockDocument } from "./lease";
import type { MigrationState, StatusReport } from "./reports";

export async function migrationStatus(db: Db, migrations: LoadedMigration[]): Promise<StatusReport> {
  const [changelog, lock, now, live] = await Promise.all([readChangelog(db), readLock(db), serverTime(db), readDatabaseState(db)]);
  return buildStatusReport(db.databaseName, changelog, migrations, lock, now, live);
}

/** The status from what was read; pure. Applied migrations are planned against the live schema. */
export function buildStatusReport(
  database: string,
  changelog: Pick<ChangelogEntry, "id" | "name" | "checksum" | "appliedAt" | "durationMs">[],
  migrations: LoadedMigration[],
  lock: LockDocument | null,
  now: Date,
  live: DatabaseState,
): StatusReport {
  const byId = new Map(changelog.map((e) => [e.id, e]));
  const known = new Set(migrations.map((m) => m.migration.id));
  const problems = checksumProblems(changelog, migrations).map(describeChecksumProblem);
  const applied = migrations.filter((m) => byId.has(m.migration.id)).map((m) => m.migration);
  let drifted = new Set<number>();
  try {
    const drift = schemaDrift(expectedState(applied), live);
    drifted = driftedMigrations(applied, drift);
    problems.push(...drift.map((d) => `drift: ${d.problem}`));
  } catch (error) {
    problems.push(`drift: the applied migrations cannot be replayed in memory: ${(error as Error).message}`);
  }
  const state = leaseState(lock, now);
  return {
    command: "status",
    database,
    ok: problems.length === 0,
    lastApplied: changelog.length ? Math.max(...changelog.map((e) => e.id)) : 0,
    migrations: migrations.map((m) => {
      const entry = byId.get(m.migration.id);
      const migrationState: MigrationState = !entry ? "pending" : !checksumMatches(entry.checksum, m.migration) ? "changed" : drifted.has(m.migration.id) ? "drifted" : "applied";
      return {
        id: m.migration.id,
        name: m.migration.name,
        file: m.file,
        checksum: m.checksum,
        state: migrationState,
        ...(entry ? { appliedAt: entry.appliedAt, durationMs: entry.durationMs } : {}),
      };
    }),
    unknownApplied: changelog.filter((e) => !known.has(e.id)).map((e) => ({ id: e.id, name: e.name, appliedAt: e.appliedAt })),
    problems,
    lock: {
      state: state === "ours" ? "held" : state,
      owner: state === "free" ? null : (lock?.owner ?? null),
      command: state === "free" ? null : (lock?.command ?? null),
      expiresAt: state === "free" ? null : (lock?.expiresAt ?? null),
      serverTime: now,
    },
  };
}
