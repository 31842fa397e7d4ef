// Sends one migration's operations to the database. Each operation is planned against the
// collection as it is right now (so a run that died halfway through can simply run again), and a
// planned conflict stops the run before that operation sends anything. While an index builds,
// progress lines say which index, on which collection, for how long.
import type { Db, MongoClient } from "mongodb";
import type { CodeOperation, SchemaOperation } from "../migration";
import { commandCollection, commandName, type Command } from "../plan/commands";
import { planOperation, type OperationPlan } from "../plan/plan-operation";
import { RunnerError } from "./errors";
import { describeIndexBuild, indexBuildOp, indexBuildOpsPipeline, mostInformative } from "./index-build-progress";
import { dataLossRefusal, hasDocuments, readCollection } from "./live-state";
import { abortIndexBuilds } from "./index-build-abort";
import { AbortUnconfirmedError, StoppedError, describeStop, type StopController } from "./stop";
import { isWriteConcernTimeout, withWriteConcern } from "./write-concern";

export interface ExecuteOptions {
  progressIntervalMs: number;
  allowDataLoss: boolean;
  progress: (line: string) => void;
  /** Called before each operation; throws to stop (the lease is gone). */
  beforeOperation?: () => Promise<void>;
  /** A --timeout or signal: between operations it stops the run; during a build it aborts the build. */
  stop?: StopController;
  /** Runs a code step (data-migration.ts); absent: a code step is refused. */
  runCode?: (operation: CodeOperation) => Promise<void>;
}

export interface ExecutedOperation {
  operation: SchemaOperation;
  commands: Command[];
  notes: string[];
}

const UNAUTHORIZED = 13;

export function planProblemError(plan: OperationPlan, file: string): RunnerError {
  const definitions = plan.conflicts.map((c) => `  ${c.name}: existing ${JSON.stringify(c.existing)}\n  ${c.name}: desired  ${JSON.stringify(c.desired)}`);
  return new RunnerError(
    [`${file}: ${plan.problems.join("; ")}`, ...definitions, "nothing was sent for this operation; the migration is not recorded"].join("\n"),
    plan.conflicts.length > 0 ? "index-conflict" : "plan-problem",
    undefined,
    { file, problems: plan.problems, conflicts: plan.conflicts.map((c) => ({ name: c.name, existing: c.existing, desired: c.desired, reason: c.reason })) },
  );
}

/** Sends a command with its write concern; a wtimeout stops the run (the outcome is unknown). */
async function send(db: Db, command: Command): Promise<void> {
  try {
    await db.command(withWriteConcern(command));
  } catch (error) {
    if (isWriteConcernTimeout(error)) {
      throw new RunnerError(
        `${commandName(command)} ${commandCollection(command)}: the write concern timed out, so its outcome is unknown; nothing more is sent. Run again: the next run re-reads the schema and plans from what exists`,
        "outcome-unknown",
      );
    }
    throw error;
  }
}

/**
 * Sends createIndexes and waits for it, unless the run is stopped first: then the build is
 * aborted and the abort confirmed (index-build-abort.ts) before the stop is reported.
 */
async function buildOrAbort(client: MongoClient, db: Db, command: Command, names: string[], options: ExecuteOptions): Promise<void> {
  const building = send(db, command);
  const stop = options.stop;
  if (!stop) return building;
  const outcome = await Promise.race([building.then(() => "built" as const), stop.stopped]);
  if (outcome === "built") return;
  const collection = commandCollection(command);
  options.progress(`${describeStop(outcome, stop.timeoutMs)} while building ${names.join(", ")} on ${collection}`);
  const aborted = await abortIndexBuilds(client, db, collection, names, options.progress);
  // Never awaited when unconfirmed: a build that still runs would keep the command waiting.
  building.catch(() => undefined);
  if (!aborted.confirmed) {
    throw new AbortUnconfirmedError(
      `${describeStop(outcome, stop.timeoutMs)}; the index build of ${names.join(", ")} on ${collection} could not be confirmed aborted (${aborted.reason}). The migration lock is kept until its lease ends, so that no other run starts while the build may still be running`,
      { collection, indexes: names },
    );
  }
  // Confirmed gone: the createIndexes command fails (IndexBuildAborted) or has just finished.
  await building.catch(() => undefined);
  throw new StoppedError(outcome, `${describeStop(outcome, stop.timeoutMs)}; the index build of ${names.join(", ")} on ${collection} was aborted and confirmed gone; the migration is not recorded`, {
    collection,
    abortedIndexes: names,
  });
}

/** Polls $currentOp while `command` runs and reports the build every interval. */
async function sendWithProgress(client: MongoClient, db: Db, command: Command, options: ExecuteOptions): Promise<void> {
  if (commandName(command) !== "createIndexes") {
    await send(db, command);
    return;
  }
  const collection = commandCollection(command);
  const names = ((command.indexes as { name: string }[]) ?? []).map((i) => i.name);
  const started = Date.now();
  let allUsers = true;
  let polling = false;
  options.progress(`building ${names.join(", ")} on ${collection} (one createIndexes command)`);
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const pipeline = indexBuildOpsPipeline(`${db.databaseName}.${collection}`, collection);
      (pipeline[0].$currentOp as { allUsers: boolean }).allUsers = allUsers;
      const ops = await client.db("admin").aggregate(pipeline).toArray();
      options.progress(describeIndexBuild(collection, names, Date.now() - started, mostInformative(ops.map(indexBuildOp))));
    } catch (error) {
      // Without the inprog privilege only our own operations are visible: still enough for a duration.
      if ((error as { code?: number }).code === UNAUTHORIZED && allUsers) allUsers = false;
      options.progress(describeIndexBuild(collection, names, Date.now() - started, undefined));
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), options.progressIntervalMs);
  try {
    await buildOrAbort(client, db, command, names, options);
  } finally {
    clearInterval(timer);
  }
  options.progress(`built ${names.join(", ")} on ${collection} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function executeOperations(
  client: MongoClient,
  db: Db,
  operations: readonly SchemaOperation[],
  file: string,
  options: ExecuteOptions,
): Promise<ExecutedOperation[]> {
  const executed: ExecutedOperation[] = [];
  for (const operation of operations) {
    options.stop?.throwIfStopped(`stopped before ${operation.op} ${operation.collection}; nothing of it was sent`);
    await options.beforeOperation?.();
    if (operation.op === "code") {
      if (!options.runCode) throw new RunnerError(`${file}: code step "${operation.name}" cannot run here`, "plan-problem");
      await options.runCode(operation);
      executed.push({ operation, commands: [], notes: [`ran code "${operation.name}"`] });
      continue;
    }
    const plan = planOperation(operation, await readCollection(db, operation.collection));
    if (plan.problems.length > 0) throw planProblemError(plan, file);
    for (const command of plan.commands) {
      if (commandName(command) === "drop" && !options.allowDataLoss) {
        const refusal = dataLossRefusal(file, operation.collection, await hasDocuments(db, operation.collection));
        if (refusal) throw new RunnerError(refusal, "data-loss-refused");
      }
      options.progress(`${commandName(command)} ${commandCollection(command)}`);
      await sendWithProgress(client, db, command, options);
    }
    for (const note of plan.notes) options.progress(`  ${note}`);
    executed.push({ operation, commands: plan.commands, notes: plan.notes });
  }
  return executed;
}
