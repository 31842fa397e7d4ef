// `up` and `down`: under the migration lock, read the changelog, refuse changed files, choose the
// migrations, plan all of them against the live schema (nothing is sent when any would stop the
// run), then send each migration's commands and record it with a fenced changelog write.
import type { Db, MongoClient } from "mongodb";
import type { SchemaOperation } from "../migration";
import { commandName } from "../plan/commands";
import { planOperations } from "../plan/in-memory-database";
import type { LoadedMigration } from "../registry";
import { ensureChangelogCollection, readChangelog, recordApplied, recordReverted } from "./changelog";
import { assertChecksumsMatch } from "./checksums";
import { assertHealthy, assertTransactionsSupported } from "./deployment";
import { RunnerError } from "./errors";
import { executeOperations, planProblemError } from "./executor";
import { dataLossRefusal, hasDocuments, readDatabaseState } from "./live-state";
import { driftError, expectedState, schemaDrift } from "./drift";
import { assertIndexesOnEveryShard } from "./shard-index-check";
import { CHECKPOINT_COLLECTION, runCodeStep } from "./data-migration";
import { ensureCollection } from "./ensure-collection";
import { acquireMigrationLock, type MigrationLock } from "./lock";
import { label } from "./migration-label";
import type { RunReport } from "./reports";
import { selectDown, selectUp } from "./targets";
import { AbortUnconfirmedError, type StopController } from "./stop";

export interface RunnerContext {
  client: MongoClient;
  db: Db;
  migrations: LoadedMigration[];
  progress: (line: string) => void;
  /** --timeout and signals; absent: the run is never stopped from outside. */
  stop?: StopController;
}

export interface LockedRunOptions {
  to?: number;
  leaseMs: number;
  waitLockMs: number;
  progressIntervalMs: number;
  allowDataLoss: boolean;
  /** Fixed lock owner (tests); default host:pid:random. */
  owner?: string;
}

type Direction = "up" | "down";

function operationsOf(m: LoadedMigration, direction: Direction): readonly SchemaOperation[] {
  return direction === "up" ? m.migration.up : (m.migration.down ?? []);
}

/** Plans every selected migration in order against the live schema; throws before anything is sent. */
async function preflight(ctx: RunnerContext, selected: LoadedMigration[], direction: Direction, allowDataLoss: boolean): Promise<void> {
  const live = await readDatabaseState(ctx.db);
  let state = live;
  for (const m of selected) {
    const planned = planOperations(operationsOf(m, direction), state);
    if (planned.blocked) throw planProblemError(planned.blocked, m.file);
    if (!allowDataLoss) {
      for (const plan of planned.plans) {
        const drops = plan.commands.some((c) => commandName(c) === "drop");
        const existedBefore = live.collections.some((c) => c.name === plan.operation.collection);
        if (drops && existedBefore) {
          const refusal = dataLossRefusal(m.file, plan.operation.collection, await hasDocuments(ctx.db, plan.operation.collection));
          if (refusal) throw new RunnerError(refusal, "data-loss-refused");
        }
      }
    }
    state = planned.state;
  }
}

async function lockedRun(
  ctx: RunnerContext,
  direction: Direction,
  options: LockedRunOptions,
  report: RunReport,
  select: (applied: number[]) => LoadedMigration[],
): Promise<RunReport> {
  await assertTransactionsSupported(ctx.db);
  await assertHealthy(ctx.db, ctx.progress);
  ctx.stop?.throwIfStopped("nothing was sent");
  const lock = await acquireMigrationLock(ctx.db, {
    command: direction,
    leaseMs: options.leaseMs,
    waitMs: options.waitLockMs,
    owner: options.owner,
    onProgress: ctx.progress,
    stop: ctx.stop,
  });
  report.lock = { ...lock.holder };
  ctx.progress(`lock acquired (token ${lock.holder.token})`);
  lock.startRenewing(ctx.progress);
  let keepLock = false;
  try {
    ctx.stop?.throwIfStopped("nothing was sent");
    await ensureChangelogCollection(ctx.db);
    // Created outside any transaction, so that checkpoint and changelog writes can run in one.
    await ensureCollection(ctx.db, CHECKPOINT_COLLECTION);
    const changelog = await readChangelog(ctx.db);
    assertChecksumsMatch(changelog, ctx.migrations);
    const applied = changelog.map((e) => e.id);
    // Plan every applied migration against the live schema: building on a schema that lacks what
    // they created (an interrupted down) would record a state that is not there. `down` is how
    // such drift is finished, so only `up` refuses.
    if (direction === "up") {
      const drift = schemaDrift(expectedState(ctx.migrations.filter((m) => applied.includes(m.migration.id)).map((m) => m.migration)), await readDatabaseState(ctx.db));
      if (drift.length > 0) throw driftError(drift);
    }
    report.lastApplied = applied.length ? Math.max(...applied) : 0;
    const selected = select(applied);
    if (selected.length === 0) {
      ctx.progress(direction === "up" ? "nothing to apply: the database is up to date" : "nothing to revert");
      return report;
    }
    await preflight(ctx, selected, direction, options.allowDataLoss);
    await runSelected(ctx, lock, direction, selected, options, report, applied);
    return report;
  } catch (error) {
    // A build that may still run keeps the lock: no other run may start until the lease ends.
    if (error instanceof AbortUnconfirmedError) keepLock = true;
    throw error;
  } finally {
    if (keepLock) {
      lock.abandon();
      ctx.progress(`the migration lock is kept (token ${lock.holder.token}); it is free again when its lease of ${options.leaseMs / 1000} s ends`);
    } else {
      await lock.release().catch((error: unknown) => ctx.progress(`could not release the lock (it expires by itself): ${(error as Error).message}`));
    }
  }
}

async function runSelected(
  ctx: RunnerContext,
  lock: MigrationLock,
  direction: Direction,
  selected: LoadedMigration[],
  options: LockedRunOptions,
  report: RunReport,
  applied: number[],
): Promise<void> {
  const remaining = new Set(applied);
  for (const m of selected) {
    ctx.stop?.throwIfStopped(`${label(m.migration)} and later migrations were not started`);
    await lock.renew();
    ctx.progress(`${direction === "up" ? "applying" : "reverting"} ${label(m.migration)} (${m.file})`);
    const started = Date.now();
    const steps = await executeOperations(ctx.client, ctx.db, operationsOf(m, direction), m.file, {
      progressIntervalMs: options.progressIntervalMs,
      allowDataLoss: options.allowDataLoss,
      progress: ctx.progress,
      // The server must have confirmed the lease moments ago, with enough of it left (lease.ts).
      beforeOperation: () => lock.ensureFresh(),
      stop: ctx.stop,
      runCode: (op) => runCodeStep({ client: ctx.client, db: ctx.db, lock, stop: ctx.stop, progress: ctx.progress }, m.migration.id, direction, op),
    });
    // Through mongos: every shard must hold the indexes before the migration is recorded.
    await assertIndexesOnEveryShard(ctx.db, operationsOf(m, direction), m.file, ctx.progress);
    const durationMs = Date.now() - started;
    if (direction === "up") {
      await recordApplied(ctx.client, ctx.db, lock, m, durationMs);
      remaining.add(m.migration.id);
    } else {
      await recordReverted(ctx.client, ctx.db, lock, m);
      remaining.delete(m.migration.id);
    }
    report.lastApplied = remaining.size ? Math.max(...remaining) : 0;
    report.migrations.push({ id: m.migration.id, name: m.migration.name, file: m.file, checksum: m.checksum, durationMs, steps });
    ctx.progress(`${direction === "up" ? "applied" : "reverted"} ${label(m.migration)} in ${(durationMs / 1000).toFixed(1)} s`);
  }
}

export function newRunReport(command: Direction, database: string): RunReport {
  return { command, database, ok: true, migrations: [], lastApplied: 0 };
}

/** Applies pending migrations (up to `options.to`). Fills `report` as it goes, so a failure still shows what was applied. */
export function migrateUp(ctx: RunnerContext, options: LockedRunOptions, report = newRunReport("up", ctx.db.databaseName)): Promise<RunReport> {
  return lockedRun(ctx, "up", options, report, (applied) => selectUp(ctx.migrations, applied, options.to));
}

/** Reverts the last applied migration, or every one after `options.to`. */
export function migrateDown(ctx: RunnerContext, options: LockedRunOptions, report = newRunReport("down", ctx.db.databaseName)): Promise<RunReport> {
  return lockedRun(ctx, "down", options, report, (applied) => selectDown(ctx.migrations, applied, options.to));
}
