// `npm run --silent migrate -- <command>`: the schema migration runner's command line. Progress
// goes to stderr; the result to stdout (one JSON document with --json). Exit codes: 0 success,
// 1 failure, 2 usage error, 3 lock held by another run, 4 --timeout, 5 stopped with an index
// build not confirmed aborted (lock kept), 130 SIGINT, 143 SIGTERM (runner/stop.ts).
import type { MongoClient } from "mongodb";
import { catalog as defaultCatalog } from "../catalog";
import type { Catalog } from "../migration";
import { schemaDocument } from "../plan/schema-document";
import { loadMigrations, type LoadedMigration } from "../registry";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RunnerError, UsageError, exitCodeOf } from "../runner/errors";
import { classifyIndexes, readIndexUsage } from "../runner/index-report";
import { migrateDown, migrateUp, newRunReport } from "../runner/migrate";
import { planUp } from "../runner/plan-up";
import type { ErrorReport } from "../runner/reports";
import { migrationStatus } from "../runner/status";
import { printFailure, runAsProcess, type CliIo } from "./cli-io";
import { parseMigrateArgs, wantsJson, type MigrateOptions } from "./migrate-args";
import { renderIndexes, renderPlan, renderRun, renderSchema, renderStatus } from "./migrate-output";
import { join } from "node:path";
import { scrubMessage } from "./connection-string";
import { migrationFileName, migrationTemplate, registryWithMigration } from "./create-migration";
import { DEFAULT_DB, chooseDatabase, connect, openClient, resolveUri } from "./target";
import { selectDown, selectUp } from "../runner/targets";
import { StopController, StoppedError, describeStop } from "../runner/stop";

/** What tests may replace: the migration list, the catalog, the lock owner. */
export interface MigrateCliOverrides {
  migrations?: LoadedMigration[];
  catalog?: Catalog;
  owner?: string;
}

function errorReport(error: unknown): ErrorReport {
  if (error instanceof RunnerError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  return { code: "error", message: (error as Error)?.message ?? String(error) };
}

interface Outcome {
  /** Printed with --json; also the partial result when the command fails. */
  report: { ok: boolean } & Record<string, unknown>;
  text: () => string;
}

/** Writes the next numbered migration and lists it in the registry (create-migration.ts). */
function createMigration(dir: string, name: string, io: CliIo): { id: number; name: string; file: string; registry: string } {
  if (!io.writeFile) throw new RunnerError("this CLI cannot write files here", "error");
  const registryPath = join(dir, "migrations", "registry.ts");
  let registry: string;
  try {
    registry = io.readFile(registryPath);
  } catch (error) {
    throw new UsageError(`--dir ${dir}: cannot read ${registryPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run it from the project root or pass --dir`);
  }
  const ids = [...registry.matchAll(/from "\.\/(\d{4})-/g)].map((m) => Number(m[1]));
  const id = (ids.length ? Math.max(...ids) : 0) + 1;
  const file = join("migrations", migrationFileName(id, name));
  try {
    io.writeFile(join(dir, file), migrationTemplate(id, name), { createOnly: true });
  } catch (error) {
    throw new RunnerError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, "error");
  }
  io.writeFile(registryPath, registryWithMigration(registry, id, name));
  return { id, name, file, registry: join("migrations", "registry.ts") };
}

/**
 * `--to N` must name a migration of the registry: checked before connecting (exit 2), with the
 * same rule `up`/`down` apply once they know what is applied.
 */
function checkTarget(options: MigrateOptions, migrations: LoadedMigration[]): void {
  if (options.to === undefined) return;
  if (options.command === "up" || options.command === "plan") selectUp(migrations, [], options.to);
  if (options.command === "down") selectDown(migrations, [], options.to);
}

async function runCommand(
  options: MigrateOptions & { db: string },
  client: MongoClient,
  io: CliIo,
  overrides: MigrateCliOverrides,
  partial: { report?: Outcome["report"] },
  migrations: LoadedMigration[],
  stop: StopController,
): Promise<Outcome> {
  const db = client.db(options.db);
  const progress = (line: string) => io.stderr(`migrate: ${line}\n`);
  switch (options.command) {
    case "status": {
      const r = await migrationStatus(db, migrations);
      return { report: { ...r }, text: () => renderStatus(r) };
    }
    case "plan": {
      const r = await planUp(db, migrations, options.to);
      return { report: { ...r }, text: () => renderPlan(r) };
    }
    case "indexes": {
      const r = classifyIndexes(overrides.catalog ?? defaultCatalog, db.databaseName, await readIndexUsage(db));
      return { report: { ...r }, text: () => renderIndexes(r) };
    }
    case "up":
    case "down": {
      const report = newRunReport(options.command, db.databaseName);
      partial.report = report as unknown as Outcome["report"];
      const ctx = { client, db, migrations, progress, stop };
      const run = { to: options.to, leaseMs: options.leaseMs, waitLockMs: options.waitLockMs, progressIntervalMs: options.progressIntervalMs, allowDataLoss: options.allowDataLoss, owner: overrides.owner };
      const r = options.command === "up" ? await migrateUp(ctx, run, report) : await migrateDown(ctx, run, report);
      return { report: { ...r }, text: () => renderRun(r) };
    }
    case "schema":
    case "create":
      throw new Error(`${options.command} needs no database`);
  }
}

export async function runMigrateCli(argv: readonly string[], io: CliIo, overrides: MigrateCliOverrides = {}): Promise<number> {
  let json = wantsJson(argv);
  let uri: string | undefined;
  const partial: { report?: Outcome["report"] } = {};
  let command: string | undefined;
  let stopper: StopController | undefined;
  try {
    const args = parseMigrateArgs(argv);
    if (args.kind === "help") {
      io.stdout(args.text);
      return EXIT_OK;
    }
    json = args.json;
    command = args.command;
    if (args.command === "create") {
      const created = createMigration(args.dir ?? ".", args.name as string, io);
      io.stdout(json ? JSON.stringify({ command: "create", ok: true, ...created }) + "\n" : `wrote ${created.file} and listed it in ${created.registry}; fill in \`up\` and \`down\`, then change migrations/catalog/ to match\n`);
      return EXIT_OK;
    }
    if (args.command === "schema") {
      const of = overrides.catalog ?? defaultCatalog;
      io.stdout(json ? JSON.stringify(schemaDocument(of)) + "\n" : renderSchema(schemaDocument(of), of));
      return EXIT_OK;
    }
    const migrations = overrides.migrations ?? loadMigrations();
    checkTarget(args, migrations);
    uri = resolveUri({ uriFile: args.uriFile, envUri: io.env.MONGODB_URI }, io.readFile);
    const connection = openClient(uri, "nyrkio-migrate", args.tlsCaFile);
    const options = { ...args, db: chooseDatabase(args.db, connection.parsed, DEFAULT_DB) };
    const client = connection.client;
    const writes = args.command === "up" || args.command === "down";
    const stop = new StopController(writes ? args.timeoutMs : undefined);
    stopper = stop;
    let phase: "connecting" | "running" = "connecting";
    // up/down stop themselves cleanly (runner/stop.ts); anything else has nothing to undo, so
    // the connection is closed at once and the command fails where it stands.
    stop.onStop(() => {
      if (phase === "connecting" || !writes) void client.close(true);
    });
    const unsubscribe = io.onSignal?.((signal) => stop.request(signal));
    try {
      await connect(connection, uri);
      stop.throwIfStopped("nothing was sent");
      phase = "running";
      const outcome = await runCommand(options, client, io, overrides, partial, migrations, stop);
      io.stdout(json ? JSON.stringify(outcome.report) + "\n" : outcome.text());
      return outcome.report.ok ? EXIT_OK : EXIT_FAILURE;
    } finally {
      unsubscribe?.();
      stop.dispose();
      await client.close();
    }
  } catch (caught) {
    // A stop that interrupted the driver (closed connection) is reported as the stop it was.
    const error = stopper?.reason && !(caught instanceof RunnerError) ? new StoppedError(stopper.reason, `${describeStop(stopper.reason, stopper.timeoutMs)}; nothing more was sent`) : caught;
    const code = exitCodeOf(error);
    const report = errorReport(error);
    // A driver message may quote the connection string or its user info: never print them.
    report.message = scrubMessage(report.message, uri);
    printFailure(io, "migrate", report, code === EXIT_USAGE, json && { ...(command ? { command } : {}), ...(partial.report ?? {}) });
    return code;
  }
}

if (require.main === module) runAsProcess("migrate", runMigrateCli);
