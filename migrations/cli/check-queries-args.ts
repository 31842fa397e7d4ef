// `check:queries [options]` as data: a pure function from argv to what to run, or a UsageError.
import { parseArgs } from "node:util";
import { DEFAULT_THRESHOLDS } from "../query-check/explain-analysis";
import { UsageError } from "../runner/errors";
import { refuseRepeatedOptions } from "./parse-options";
import { refuseUriArguments, validateDbName } from "./target";

export interface CheckQueriesOptions {
  json: boolean;
  uriFile?: string;
  /** --tls-ca-file: TLS on, the server verified against this CA. */
  tlsCaFile?: string;
  /** Sample this database (read-only) instead of seeding a scratch one. */
  sampleDb?: string;
  keep: boolean;
  maxExaminedPerReturned: number;
}

export type CheckQueriesArgs = { kind: "help"; text: string } | ({ kind: "run" } & CheckQueriesOptions);

export const CHECK_QUERIES_HELP = `Usage: npm run --silent check:queries -- [options]

Runs explain("executionStats") for every query pattern of the design and reports, per pattern,
the winning plan, the index used, keys and documents examined, documents returned, and whether a
blocking SORT appeared. Fails (exit 1) when a pattern scans the collection, sorts in memory, or
examines more than --max-ratio keys or documents per document it matches.

By default it creates a scratch database nyrkio_querycheck_<time>, applies the migrations to it
(collections, validators, indexes), seeds it with deterministic data, checks, and drops it.
  --keep               keep the scratch database
  --db <name> --sample  check an existing database instead, read-only: sample values from it
  --max-ratio N        examined per matched document above which a pattern fails (default ${DEFAULT_THRESHOLDS.maxExaminedPerReturned})
Target:
  MONGODB_URI=<connection string>   or   --uri-file <path>
  --tls-ca-file <path> connect with TLS and verify the server's certificate and host name
                       against this CA (or tls=true&tlsCAFile=<path> in the connection string);
                       options that turn a check off (tlsInsecure, tlsAllowInvalid*) are refused
  A connection string on the command line (--uri, mongodb://...) is refused.
Output:
  --json               one JSON document on stdout; progress on stderr
  -h, --help           this help
Exit codes: 0 every pattern passes, 1 a pattern fails or the check could not run, 2 usage error,
3 the scratch database's migration lock is held.
`;

export function parseCheckQueriesArgs(argv: readonly string[]): CheckQueriesArgs {
  refuseUriArguments(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      tokens: true,
      options: {
        help: { type: "boolean", short: "h" },
        json: { type: "boolean" },
        "uri-file": { type: "string" },
        "tls-ca-file": { type: "string" },
        db: { type: "string" },
        sample: { type: "boolean" },
        keep: { type: "boolean" },
        "max-ratio": { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  refuseRepeatedOptions(parsed.tokens);
  const { values } = parsed;
  if (values.help) return { kind: "help", text: CHECK_QUERIES_HELP };
  if (values.sample && values.db === undefined) throw new UsageError("--sample needs --db <name>: the database to sample");
  if (values.db !== undefined && !values.sample) {
    throw new UsageError("--db needs --sample: seeding writes only to a fresh scratch database, never to a named one");
  }
  if (values.sample && values.keep) throw new UsageError("--keep applies to the scratch database; --sample creates none");
  let maxExaminedPerReturned = DEFAULT_THRESHOLDS.maxExaminedPerReturned;
  if (values["max-ratio"] !== undefined) {
    maxExaminedPerReturned = Number(values["max-ratio"]);
    if (values["max-ratio"].trim() === "" || !Number.isFinite(maxExaminedPerReturned) || maxExaminedPerReturned < 1) {
      throw new UsageError(`--max-ratio ${JSON.stringify(values["max-ratio"])}: expected a number of at least 1`);
    }
  }
  return {
    kind: "run",
    json: values.json === true,
    uriFile: values["uri-file"],
    ...(values["tls-ca-file"] !== undefined ? { tlsCaFile: values["tls-ca-file"] } : {}),
    sampleDb: values.db === undefined ? undefined : validateDbName(values.db),
    keep: values.keep === true,
    maxExaminedPerReturned,
  };
}
