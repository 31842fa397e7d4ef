// check:queries against a live server: create and seed a scratch database (the migrations make
// its schema, through the runner, exactly as `migrate up` would), or take sample values from an
// existing database without writing to it; then explain every query pattern.
import { randomBytes } from "node:crypto";
import type { Db, Document, MongoClient } from "mongodb";
import { patternReport, type PatternReport } from "../query-check/pattern-report";
import type { QueryCheckThresholds } from "../query-check/explain-analysis";
import type { QueryPattern, QuerySample } from "../query-patterns";
import type { LoadedMigration } from "../registry";
import type { SeedData } from "../seed-data";
import { DEFAULT_LEASE_MS } from "../runner/lease";
import { migrateUp } from "../runner/migrate";
import { RunnerError } from "../runner/errors";

export const SCRATCH_PREFIX = "nyrkio_querycheck_";

export function scratchDatabaseName(now: Date, suffix = randomBytes(2).toString("hex")): string {
  const ts = now.toISOString().replace(/[-:TZ.]/g, "").slice(0, 14);
  return `${SCRATCH_PREFIX}${ts}_${suffix}`;
}

const INSERT_BATCH = 1000;
/** Parents first, so the data reads naturally in a kept database. */
const SEED_ORDER = ["users", "organizations", "tests", "results", "changes"] as const;

export async function createSeededDatabase(
  client: MongoClient,
  db: Db,
  migrations: LoadedMigration[],
  seed: SeedData,
  progress: (line: string) => void,
): Promise<void> {
  progress(`applying the migrations to ${db.databaseName}`);
  await migrateUp(
    { client, db, migrations, progress },
    { leaseMs: DEFAULT_LEASE_MS, waitLockMs: 0, progressIntervalMs: 5000, allowDataLoss: false },
  );
  for (const name of SEED_ORDER) {
    const docs = seed[name];
    for (let i = 0; i < docs.length; i += INSERT_BATCH) {
      await db.collection(name).insertMany(docs.slice(i, i + INSERT_BATCH) as Document[]);
    }
    progress(`seeded ${docs.length} ${name}`);
  }
}

/**
 * Values for the query patterns, read from an existing database through its indexes. "Now" is the
 * newest result's time (the server's clock when it has none), so the patterns' time windows cover
 * data that exists even in a database that stopped receiving results.
 */
export async function sampleFromDatabase(db: Db, serverNowSeconds: number): Promise<QuerySample> {
  const result = await db.collection("results").find({}, { projection: { test_id: 1, user_id: 1, timestamp: 1, attributes: 1 } }).sort({ timestamp: -1 }).limit(1).next();
  if (!result) throw new RunnerError(`database ${db.databaseName} has no results to sample query values from`, "nothing-to-sample");
  const none = "__check_queries_no_match__";
  const [user, test, withGithub, withToken, org] = await Promise.all([
    db.collection("users").findOne({ _id: result.user_id }, { projection: { email: 1 } }),
    db.collection("tests").findOne({ _id: result.test_id }, { projection: { name: 1 } }),
    db.collection("users").findOne({ github_id: { $gte: "" } }, { projection: { github_id: 1 } }),
    db.collection("users").findOne({ "tokens.token_id": { $gte: "" } }, { projection: { tokens: 1 } }),
    db.collection("organizations").findOne({ github_org: { $gte: "" } }, { projection: { github_org: 1 } }),
  ]);
  const token = (withToken?.tokens as { token_id?: unknown }[] | undefined)?.find((t) => typeof t.token_id === "string");
  return {
    now: typeof result.timestamp === "number" ? Math.floor(result.timestamp) : serverNowSeconds,
    userId: result.user_id,
    email: typeof user?.email === "string" ? user.email : none,
    githubId: typeof withGithub?.github_id === "string" ? withGithub.github_id : none,
    tokenId: typeof token?.token_id === "string" ? token.token_id : none,
    testId: result.test_id,
    testName: typeof test?.name === "string" ? test.name : none,
    orgId: org?._id ?? none,
    githubOrg: typeof org?.github_org === "string" ? org.github_org : none,
    gitCommit: typeof result.attributes?.git_commit === "string" ? result.attributes.git_commit : none,
  };
}

export async function explainPatterns(db: Db, patterns: QueryPattern[], thresholds: QueryCheckThresholds, progress: (line: string) => void): Promise<PatternReport[]> {
  const reports: PatternReport[] = [];
  for (const p of patterns) {
    const explain = await db
      .collection(p.collection)
      .find(p.filter, { ...(p.sort ? { sort: p.sort } : {}), ...(p.projection ? { projection: p.projection } : {}), ...(p.limit !== undefined ? { limit: p.limit } : {}) })
      .explain("executionStats");
    const report = patternReport(p, explain, thresholds);
    progress(`${report.ok ? "ok  " : "FAIL"} ${p.name}: ${report.plan}`);
    reports.push(report);
  }
  return reports;
}
