// `migrate <command> [options]` as data: a pure function from argv to what to run, or a
// UsageError (exit code 2) that says what was wrong.
import { parseArgs } from "node:util";
import { UsageError } from "../runner/errors";
import { DEFAULT_LEASE_MS, MIN_LEASE_MS } from "../runner/lease";
import { DEFAULT_TIMEOUT_MS } from "../runner/stop";
import { validMigrationName } from "./create-migration";
import { refuseRepeatedOptions } from "./parse-options";
import { DEFAULT_DB, refuseUriArguments, validateDbName } from "./target";

export const MIGRATE_COMMANDS = ["status", "up", "down", "plan", "schema", "indexes", "create"] as const;
export type MigrateCommand = (typeof MIGRATE_COMMANDS)[number];

export interface MigrateOptions {
  command: MigrateCommand;
  json: boolean;
  /** --db as given; the CLI falls back to the connection string's database, then "${DEFAULT_DB}". */
  db?: string;
  uriFile?: string;
  /** --tls-ca-file: TLS on, the server verified against this CA. */
  tlsCaFile?: string;
  to?: number;
  waitLockMs: number;
  leaseMs: number;
  progressIntervalMs: number;
  allowDataLoss: boolean;
  /** `create`: the new migration's name. */
  name?: string;
  /** `create`: the project root holding migrations/ (default: the current directory). */
  dir?: string;
  /** Overall limit of an `up`/`down` run (--timeout). */
  timeoutMs: number;
}

export type MigrateArgs = { kind: "help"; text: string } | ({ kind: "run" } & MigrateOptions);

const TARGET_HELP = `Target:
  MONGODB_URI=<connection string>   or   --uri-file <path>   (first line of the file)
  --db <name>          database (default: the one the connection string names, else "${DEFAULT_DB}";
                       both given and different is refused)
  --tls-ca-file <path> connect with TLS and verify the server's certificate and host name
                       against this CA (or tls=true&tlsCAFile=<path> in the connection string);
                       options that turn a check off (tlsInsecure, tlsAllowInvalid*) are refused
  A connection string on the command line (--uri, mongodb://...) is refused.
Output:
  --json               one JSON document on stdout; progress lines stay on stderr
  -h, --help           this help
Exit codes: 0 success, 1 failure, 2 usage error, 3 lock held by another run,
  4 --timeout reached (this run's index builds aborted and confirmed, lock released),
  5 stopped but an index build could not be confirmed aborted (lock kept until its lease ends),
  130 SIGINT, 143 SIGTERM (stopped as for --timeout).`;

const COMMAND_HELP: Record<MigrateCommand, string> = {
  status: `migrate status [--json]
  Lists every migration file with its state (applied, pending, changed since applied) and the lock.
  Exits 1 when an applied migration's file changed or is missing.`,
  up: `migrate up [--to N] [--wait-lock SECONDS] [--json]
  Applies pending migrations in order, under the migration lock; --to N stops after migration N
  (N stays applied). Missing indexes of a collection are built by one createIndexes command;
  an existing index with the same name or keys but other options stops the run.
  --wait-lock S        wait up to S seconds for another run's lock (default 0: exit 3 at once)
  --lease-seconds S    lock lease, renewed every S/3 seconds (default ${DEFAULT_LEASE_MS / 1000})
  --progress-interval S   index build progress every S seconds (default 5)
  --timeout S          stop after S seconds (default ${DEFAULT_TIMEOUT_MS / 1000}): abort this run's index builds,
                       confirm with $currentOp, release the lock, exit 4 (5 if not confirmed)
  Before sending anything, refuses (exit 1) unless every data-bearing member of the replica set
  is healthy and caught up (replSetGetStatus).`,
  down: `migrate down [--to N] [--allow-data-loss] [--wait-lock SECONDS] [--json]
  Reverts the last applied migration, or with --to N every migration after N (N stays applied;
  --to 0 reverts all). Refuses before starting if one of them has no \`down\`.
  --allow-data-loss    allow dropping a collection that holds documents
  --wait-lock S, --lease-seconds S, --progress-interval S, --timeout S   as for up`,
  plan: `migrate plan [--to N] [--json]
  Prints the exact commands \`up\` (or \`up --to N\`) would send, per migration, without sending
  them. Reads the changelog and the collections and indexes that exist; takes no lock.`,
  schema: `migrate schema [--json]
  Prints the catalog (collections, validators, indexes as listIndexes shows them, without _id_).
  Needs no database.`,
  create: `migrate create <name> [--dir <project root>] [--json]
  Writes migrations/NNNN-<name>.ts (the next number) from a template and lists it in
  migrations/registry.ts. <name>: lower-case words joined by "-". Needs no database.
  Fill in \`up\` (and \`down\`), change migrations/catalog/ to match, run \`npx jest test/migrations\`.`,
  indexes: `migrate indexes [--json]
  Lists every index of every collection with its use since the server's restart ($indexStats),
  marking indexes the catalog does not know (drift), catalog indexes that differ or are missing,
  and indexes never used. Dropping an index only happens through a migration.`,
};

export function migrateHelp(command?: MigrateCommand): string {
  if (command) return `${COMMAND_HELP[command]}\n\n${TARGET_HELP}\n`;
  return `Usage: nyrkio-db migrate <command> [options]
       (npm run --silent migrate -- <command> [options] is the same)

Commands:
  status    what is applied, what is pending, what changed
  up        apply pending migrations (--to N: up to and including N)
  down      revert the last applied migration (--to N: back to N, inclusive)
  plan      the commands \`up\` would send, without sending them
  schema    print the catalog (no database needed)
  indexes   every index with its usage since restart; drift against the catalog
  create    write the next numbered migration from a template (no database needed)

Run \`migrate <command> --help\` for a command's options.

${TARGET_HELP}
`;
}

/** Which options each command takes (besides the target and output ones). */
const COMMAND_OPTIONS: Record<MigrateCommand, readonly string[]> = {
  status: [],
  up: ["to", "wait-lock", "lease-seconds", "progress-interval", "timeout"],
  down: ["to", "wait-lock", "lease-seconds", "progress-interval", "allow-data-loss", "timeout"],
  plan: ["to"],
  schema: [],
  indexes: [],
  create: ["dir"],
};
const NO_DATABASE: readonly MigrateCommand[] = ["schema", "create"];

function nonNegativeInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} ${JSON.stringify(value)}: expected a whole number`);
  return Number(value);
}

function positiveSeconds(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} ${JSON.stringify(value)}: expected a positive number of seconds`);
  return n;
}

export function parseMigrateArgs(argv: readonly string[]): MigrateArgs {
  refuseUriArguments(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        help: { type: "boolean", short: "h" },
        json: { type: "boolean" },
        db: { type: "string" },
        "uri-file": { type: "string" },
        "tls-ca-file": { type: "string" },
        to: { type: "string" },
        "wait-lock": { type: "string" },
        "lease-seconds": { type: "string" },
        "progress-interval": { type: "string" },
        "allow-data-loss": { type: "boolean" },
        timeout: { type: "string" },
        dir: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  refuseRepeatedOptions(parsed.tokens);
  const { values, positionals } = parsed;
  const [name, ...extra] = positionals;
  if (name === undefined) {
    if (values.help) return { kind: "help", text: migrateHelp() };
    throw new UsageError("no command given (status, up, down, plan, schema, indexes); see --help");
  }
  if (!(MIGRATE_COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}: expected one of ${MIGRATE_COMMANDS.join(", ")}`);
  }
  const command = name as MigrateCommand;
  if (values.help) return { kind: "help", text: migrateHelp(command) };
  let migrationName: string | undefined;
  if (command === "create") {
    if (extra.length === 0) throw new UsageError("create needs a name: migrate create <name>");
    migrationName = validMigrationName(extra.shift() as string);
  }
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(extra[0])}`);

  const allowed = COMMAND_OPTIONS[command];
  for (const option of ["to", "wait-lock", "lease-seconds", "progress-interval", "allow-data-loss", "timeout", "dir"] as const) {
    if (values[option] !== undefined && !allowed.includes(option)) throw new UsageError(`${command} does not take --${option}`);
  }
  if (NO_DATABASE.includes(command) && (values.db !== undefined || values["uri-file"] !== undefined || values["tls-ca-file"] !== undefined)) {
    throw new UsageError(`${command} needs no database: drop --db/--uri-file/--tls-ca-file`);
  }
  const to = values.to === undefined ? undefined : nonNegativeInteger("to", values.to);
  if (to === 0 && command !== "down") throw new UsageError(`${command} --to 0: migrations are numbered from 1`);
  const leaseMs = values["lease-seconds"] === undefined ? DEFAULT_LEASE_MS : positiveSeconds("lease-seconds", values["lease-seconds"]) * 1000;
  if (leaseMs < MIN_LEASE_MS) throw new UsageError(`--lease-seconds: at least ${MIN_LEASE_MS / 1000}`);

  return {
    kind: "run",
    command,
    json: values.json === true,
    db: values.db === undefined ? undefined : validateDbName(values.db),
    uriFile: values["uri-file"],
    ...(values["tls-ca-file"] !== undefined ? { tlsCaFile: values["tls-ca-file"] } : {}),
    to,
    waitLockMs: values["wait-lock"] === undefined ? 0 : nonNegativeInteger("wait-lock", values["wait-lock"]) * 1000,
    leaseMs,
    progressIntervalMs: values["progress-interval"] === undefined ? 5000 : positiveSeconds("progress-interval", values["progress-interval"]) * 1000,
    allowDataLoss: values["allow-data-loss"] === true,
    ...(migrationName !== undefined ? { name: migrationName, dir: values.dir ?? "." } : {}),
    timeoutMs: values.timeout === undefined ? DEFAULT_TIMEOUT_MS : positiveSeconds("timeout", values.timeout) * 1000,
  };
}

/** `--json` is honoured even when the arguments are wrong, so CI still gets one JSON document. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes("--json");
}
