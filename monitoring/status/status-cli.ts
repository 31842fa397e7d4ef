// `npm run --silent status -- [--catalog <dir|s3://bucket/prefix>] [--env <name>] [--json]`: is
// the replica set healthy, and how much data would a loss now cost. Reads the database through
// MONGODB_URI or --uri-file (never a connection string on the command line), the catalog from a
// directory or an S3 prefix, and prints one screen (or one JSON document with --json).
// Exit codes: 0 healthy, 1 degraded (the reasons listed), 2 usage error, 3 could not connect.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient, type Db } from "mongodb";
import { environments } from "../../config/environments";
import type { PlatformConfig, ReplsetConfig } from "../../config/platform-config";
import { loadCatalog } from "../../backup/restore/catalog";
import { catalog as schemaCatalog } from "../../migrations/catalog";
import { runAsProcess, type CliIo } from "../../migrations/cli/cli-io";
import { redactUri, refuseUriArguments, resolveUri } from "../../migrations/cli/target";
import { UsageError } from "../../migrations/runner/errors";
import { classifyIndexes, readIndexUsage } from "../../migrations/runner/index-report";
import { renderReplicaSetConfig } from "../../replicaset/replica-set-config";
import { cronMaxGapSeconds } from "../cron-interval";
import { renderStatus, statusReport, type LiveConfig, type LiveRWConcern, type LiveStatus, type StatusInput } from "./status-report";
import { parseOptions } from "../../migrations/cli/parse-options";

export const EXIT_HEALTHY = 0;
export const EXIT_DEGRADED = 1;
export const EXIT_USAGE = 2;
export const EXIT_NO_CONNECTION = 3;

export const STATUS_HELP = `Usage: npm run --silent status -- [options]

Shows, live, whether a replica set is healthy and how much data a loss now would cost: each
member's state, health, priority and votes (desired and live) and lag; the oplog window; the
default read and write concern; the newest full dump and slice, the recovery point, the last
verification; index drift against the schema catalog. Connect to a member of the replica set
(or to mongos for a sharded cluster's router-level checks: run it per shard for members).

Target:
  MONGODB_URI=<connection string>   or   --uri-file <path>   (first line of the file)
  A connection string on the command line (--uri, mongodb://...) is refused.
  The monitor user (clusterMonitor, read on local) is enough; index drift also needs listIndexes.
Options:
  --catalog <dir|s3://bucket/prefix>   the backup catalog: a directory (one replica set's, or the
                       root above several), or an S3 prefix read with the aws CLI (manifests and
                       status files only)
  --env <name>         the environment whose config holds the desired priorities, votes and
                       backup schedules (default: NYRKIO_DB_ENV, else dev)
  --json               one JSON document on stdout
  -h, --help           this help
Exit codes: 0 healthy, 1 degraded (the reasons are listed), 2 usage error, 3 could not connect.
`;

export interface StatusOptions {
  json: boolean;
  uriFile?: string;
  catalog?: string;
  env: string;
}

export function parseStatusArgs(argv: readonly string[], io: Pick<CliIo, "env">): { kind: "help" } | ({ kind: "run" } & StatusOptions) {
  refuseUriArguments(argv);
  const v = parseOptions(argv, {
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      "uri-file": { type: "string" },
      catalog: { type: "string" },
      env: { type: "string" },
    });
  if (v.help) return { kind: "help" };
  const env = v.env ?? io.env.NYRKIO_DB_ENV ?? "dev";
  if (!(env in environments)) throw new UsageError(`--env ${JSON.stringify(env)}: not a built-in environment (one of ${Object.keys(environments).join(", ")})`);
  if (v.catalog !== undefined && v.catalog.trim() === "") throw new UsageError("--catalog needs a directory or s3://bucket/prefix");
  return { kind: "run", json: v.json ?? false, env, ...(v["uri-file"] !== undefined ? { uriFile: v["uri-file"] } : {}), ...(v.catalog !== undefined ? { catalog: v.catalog } : {}) };
}

/** What status reads from the live database; the CLI's tests replace it with recordings. */
export interface StatusSource {
  replSetGetStatus(): Promise<LiveStatus>;
  replSetGetConfig(): Promise<LiveConfig>;
  getDefaultRWConcern(): Promise<LiveRWConcern>;
  /** Seconds between the first and the last entry of local.oplog.rs. */
  oplogWindowSeconds(): Promise<number>;
  indexes(database: string): Promise<{ drift: number; missing: number; missingCollections: number }>;
  close(): Promise<void>;
}

export class CouldNotConnect extends Error {}

/** The real source: one MongoClient, direct to the member named (no discovery, no failover). */
export async function mongoSource(uri: string): Promise<StatusSource> {
  const client = new MongoClient(uri, { appName: "nyrkio-status", serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    await client.db("admin").command({ ping: 1 });
  } catch (e) {
    await client.close().catch(() => undefined);
    throw new CouldNotConnect((e as Error).message);
  }
  const admin: Db = client.db("admin");
  const ts = (doc: { ts?: { getHighBits?: () => number; t?: number } } | null) => (doc?.ts?.getHighBits ? doc.ts.getHighBits() : (doc?.ts?.t ?? NaN));
  return {
    replSetGetStatus: async () => (await admin.command({ replSetGetStatus: 1 })) as unknown as LiveStatus,
    replSetGetConfig: async () => ((await admin.command({ replSetGetConfig: 1 })) as { config: LiveConfig }).config,
    getDefaultRWConcern: async () => (await admin.command({ getDefaultRWConcern: 1 })) as LiveRWConcern,
    oplogWindowSeconds: async () => {
      const oplog = client.db("local").collection("oplog.rs");
      // The same two reads as mongodb_exporter's oplogStatus: $natural order, first and last.
      const [first] = await oplog.find({}, { projection: { ts: 1 } }).sort({ $natural: 1 }).limit(1).toArray();
      const [last] = await oplog.find({}, { projection: { ts: 1 } }).sort({ $natural: -1 }).limit(1).toArray();
      return ts(last as never) - ts(first as never);
    },
    indexes: async (database) => {
      const r = classifyIndexes(schemaCatalog, database, await readIndexUsage(client.db(database)));
      return { drift: r.summary.drift, missing: r.summary.missing, missingCollections: r.missingCollections.length };
    },
    close: () => client.close(),
  };
}

/** A catalog directory, or an S3 prefix copied (manifests and status files only) with the aws CLI. */
export function catalogDirectory(location: string, env: Readonly<Record<string, string | undefined>>): { dir: string; cleanup: () => void } {
  if (!location.startsWith("s3://")) return { dir: location, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), "nyrkio-status-catalog-"));
  // aws s3 sync with filters: only the small JSON files, never the artifacts themselves.
  const r = spawnSync("aws", ["s3", "sync", location, dir, "--only-show-errors", "--exclude", "*", "--include", "*manifest.json", "--include", "*status/*.json"], { encoding: "utf8", env: { ...env } });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot copy the catalog from ${location}: ${r.error ? r.error.message : r.stderr.trim() || `aws exited ${r.status}`}`);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** status/verify.json of the replica set: at <dir>/status/ or <dir>/<rs>/status/. */
function readVerifyStatus(dir: string, replicaSet: string, read: (p: string) => string): { succeededAt: string; detail?: string } | undefined {
  for (const p of [join(dir, replicaSet, "status", "verify.json"), join(dir, "status", "verify.json")]) {
    try {
      const v = JSON.parse(read(p)) as { replicaSet?: string; succeededAt?: string; detail?: string };
      if (v.replicaSet === replicaSet && typeof v.succeededAt === "string") return { succeededAt: v.succeededAt, ...(v.detail ? { detail: v.detail } : {}) };
    } catch {
      // absent or unreadable: no verification known
    }
  }
  return undefined;
}

export interface StatusCliDeps {
  connect(uri: string): Promise<StatusSource>;
  now(): Date;
}

const defaultDeps: StatusCliDeps = { connect: mongoSource, now: () => new Date() };

async function attempt<T>(what: string, unreadable: string[], read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    unreadable.push(`could not read ${what}: ${(e as Error).message}`);
    return undefined;
  }
}

export async function runStatusCli(argv: readonly string[], io: CliIo, deps: StatusCliDeps = defaultDeps): Promise<number> {
  let json = argv.includes("--json");
  let uri: string | undefined;
  const fail = (code: number, message: string) => {
    const text = uri ? message.split(uri).join(redactUri(uri)) : message;
    io.stderr(`status: ${text}\n${code === EXIT_USAGE ? "status: see `status --help`\n" : ""}`);
    if (json) io.stdout(JSON.stringify({ ok: false, status: code === EXIT_NO_CONNECTION ? "unreachable" : "error", error: text }) + "\n");
    return code;
  };
  let options;
  try {
    const parsed = parseStatusArgs(argv, io);
    if (parsed.kind === "help") {
      io.stdout(STATUS_HELP);
      return EXIT_HEALTHY;
    }
    options = parsed;
    json = options.json;
    uri = resolveUri({ uriFile: options.uriFile, envUri: io.env.MONGODB_URI }, io.readFile);
  } catch (e) {
    return fail(e instanceof UsageError ? EXIT_USAGE : EXIT_DEGRADED, (e as Error).message);
  }

  let source: StatusSource;
  try {
    source = await deps.connect(uri);
  } catch (e) {
    return fail(EXIT_NO_CONNECTION, `could not connect to ${redactUri(uri)}: ${(e as Error).message}`);
  }
  const config: PlatformConfig = environments[options.env];
  const unreadable: string[] = [];
  const notes: string[] = [];
  try {
    const status = await source.replSetGetStatus().catch((e: Error) => {
      throw new CouldNotConnect(`replSetGetStatus failed (${e.message}): connect to a member of a replica set`);
    });
    const liveConfig = await attempt("replSetGetConfig", unreadable, () => source.replSetGetConfig());
    const replset: ReplsetConfig | undefined = config.replsets.find((r) => r.name === status.set);
    const input: StatusInput = {
      now: deps.now(),
      status,
      config: liveConfig ?? { _id: status.set, version: 0, members: [] },
      ...(replset ? { desired: renderReplicaSetConfig(config, replset) } : {}),
      rwConcern: await attempt("the default read and write concern", unreadable, () => source.getDefaultRWConcern()),
      oplogWindowSeconds: await attempt("the oplog window (needs read on local)", unreadable, () => source.oplogWindowSeconds()),
      indexes: await source.indexes(config.database).catch((e: Error) => ({ error: e.message })),
      unreadable,
      notes,
    };
    // The config servers (cfg) are built by the sharding construct, not listed in replsets.
    if (!replset) notes.push(`replica set ${status.set} is not among environment ${options.env}'s replsets: desired priorities and votes are not compared (--env)`);
    if (options.catalog !== undefined) {
      const { dir, cleanup } = catalogDirectory(options.catalog, io.env);
      try {
        const loaded = await loadCatalog(dir);
        for (const p of loaded.problems) unreadable.push(`catalog: ${p.message}`);
        input.backups = {
          entries: loaded.entries,
          verify: readVerifyStatus(dir, status.set, io.readFile),
          fullIntervalSeconds: cronMaxGapSeconds(config.backup.full.schedule),
          ...(config.backup.pitr.enabled ? { sliceIntervalSeconds: config.backup.pitr.oplogSpanMin * 60 } : {}),
          ...(config.backup.verify.enabled ? { verifyIntervalSeconds: cronMaxGapSeconds(config.backup.verify.schedule) } : {}),
        };
      } finally {
        cleanup();
      }
    }
    const report = statusReport(input);
    io.stdout(json ? JSON.stringify(report) + "\n" : renderStatus(report));
    return report.ok ? EXIT_HEALTHY : EXIT_DEGRADED;
  } catch (e) {
    return fail(e instanceof CouldNotConnect ? EXIT_NO_CONNECTION : EXIT_DEGRADED, (e as Error).message);
  } finally {
    await source.close().catch(() => undefined);
  }
}

if (require.main === module) runAsProcess("status", runStatusCli);
