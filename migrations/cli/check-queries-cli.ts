// `npm run --silent check:queries`: proves on a real server that the catalog's indexes serve the
// design's queries. Progress on stderr; the result on stdout (one JSON document with --json).
// Exit codes: 0 every pattern passes, 1 a pattern fails or the check could not run, 2 usage error,
// 3 the scratch database's migration lock is held.
import type { MongoClient } from "mongodb";
import { queryPatterns, sampleFromSeed } from "../query-patterns";
import { queryCheckReport, renderQueryCheck, type QueryCheckReport } from "../query-check/pattern-report";
import { loadMigrations, type LoadedMigration } from "../registry";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RunnerError, exitCodeOf } from "../runner/errors";
import { serverTime } from "../runner/lock";
import { seedData, type SeedOptions } from "../seed-data";
import { parseCheckQueriesArgs, type CheckQueriesOptions } from "./check-queries-args";
import { createSeededDatabase, explainPatterns, sampleFromDatabase, scratchDatabaseName } from "./check-queries-run";
import { printFailure, runAsProcess, type CliIo } from "./cli-io";
import { scrubMessage } from "./connection-string";
import { connect, openClient, resolveUri } from "./target";

/** What tests may replace. */
export interface CheckQueriesOverrides {
  migrations?: LoadedMigration[];
  seed?: Partial<SeedOptions>;
}

async function run(options: CheckQueriesOptions, client: MongoClient, overrides: CheckQueriesOverrides, progress: (line: string) => void, scratch: { name?: string }): Promise<QueryCheckReport> {
  const thresholds = { maxExaminedPerReturned: options.maxExaminedPerReturned };
  if (options.sampleDb !== undefined) {
    const db = client.db(options.sampleDb);
    const now = Math.floor((await serverTime(db)).getTime() / 1000);
    const sample = await sampleFromDatabase(db, now);
    progress(`sampled query values from ${db.databaseName} (read-only)`);
    return queryCheckReport(db.databaseName, "sampled", thresholds, await explainPatterns(db, queryPatterns(sample), thresholds, progress), false);
  }
  scratch.name = scratchDatabaseName(new Date());
  const db = client.db(scratch.name);
  progress(`creating scratch database ${scratch.name}`);
  const seed = seedData(overrides.seed);
  await createSeededDatabase(client, db, overrides.migrations ?? loadMigrations(), seed, progress);
  const reports = await explainPatterns(db, queryPatterns(sampleFromSeed(seed)), thresholds, progress);
  return queryCheckReport(db.databaseName, "seeded", thresholds, reports, options.keep);
}

export async function runCheckQueriesCli(argv: readonly string[], io: CliIo, overrides: CheckQueriesOverrides = {}): Promise<number> {
  let json = argv.includes("--json");
  let uri: string | undefined;
  const progress = (line: string) => io.stderr(`check:queries: ${line}\n`);
  try {
    const args = parseCheckQueriesArgs(argv);
    if (args.kind === "help") {
      io.stdout(args.text);
      return EXIT_OK;
    }
    json = args.json;
    uri = resolveUri({ uriFile: args.uriFile, envUri: io.env.MONGODB_URI }, io.readFile);
    const connection = openClient(uri, "nyrkio-check-queries", args.tlsCaFile);
    const client = connection.client;
    const scratch: { name?: string } = {};
    try {
      await connect(connection, uri);
      const report = await run(args, client, overrides, progress, scratch);
      io.stdout(json ? JSON.stringify(report) + "\n" : renderQueryCheck(report));
      return report.ok ? EXIT_OK : EXIT_FAILURE;
    } finally {
      if (scratch.name && !args.keep) {
        await client
          .db(scratch.name)
          .dropDatabase()
          .then(() => progress(`dropped ${scratch.name}`))
          .catch((error: unknown) => progress(`could not drop ${scratch.name}: ${(error as Error).message}`));
      } else if (scratch.name) {
        progress(`kept ${scratch.name}`);
      }
      await client.close();
    }
  } catch (error) {
    const code = exitCodeOf(error);
    let message = error instanceof Error ? error.message : String(error);
    message = scrubMessage(message, uri);
    printFailure(io, "check:queries", { code: error instanceof RunnerError ? error.code : "error", message }, code === EXIT_USAGE, json && { command: "check-queries" });
    return code;
  }
}

if (require.main === module) runAsProcess("check:queries", runCheckQueriesCli);
