// The restore CLI's arguments (pure): `restore plan|windows|run` with their options, or a usage
// error that says what is wrong, parsed with node:util parseArgs like the migrate CLI
// (migrations/cli/migrate-args.ts). The entry file (restore-cli.ts) does the I/O.

import { parseArgs as nodeParseArgs } from "node:util";

export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** A restore step failed, an artifact is missing or fails its checksum, or an I/O error. */
  failed: 1,
  /** Bad arguments (including a malformed target), or `run` without --yes. */
  usage: 2,
  /**
   * The catalog cannot be used: a malformed manifest, no manifests, or several replica sets and no
   * --replica-set; with --cluster also: no config servers' catalog, a subdirectory that is not a
   * replica set's catalog.
   */
  catalog: 3,
  /** The target is outside every restore window (with --cluster: outside a window of any one replica set). */
  unreachable: 4,
  /**
   * run: the target was refused before anything was written: it holds documents and --drop was not
   * given, or it is a mongos (target-check.ts says why).
   */
  target: 5,
} as const;

export const USAGE = `Usage: npm run --silent restore -- <command> [options]

Point-in-time restore from a backup catalog (full dumps + oplog slices, docs/backup-format.md).
Runbook: docs/runbooks/restore.md.

Commands:
  windows  --catalog <dir>                       the ranges of restore points the catalog reaches
  plan     --catalog <dir> (--to|--before) <t>   the base dump, slices and mongorestore calls (dry run)
  run      --catalog <dir> (--to|--before) <t>   verify every artifact, then run the calls
           (--config-file <yaml> | --uri-file <f> [--user-file <f> | --password-file <f>]) --yes
  user-secret --replica-set <rs> --namespace <ns> --out <file>
                                                 a temporary restore-<random> user for one restore:
                                                 writes its name and password to <file> (new, mode
                                                 0600) and prints the kubectl commands that make
                                                 its Secret from the file and create the user

Sharded cluster (every shard and the config servers to the SAME target; docs/sharding.md):
  windows --cluster --catalog <root>             each replica set's windows and their intersection,
                                                 the points a cluster-wide restore can reach
  plan    --cluster --catalog <root> (--to|--before) <t>
                                                 one plan per replica set, all with the same
                                                 --oplogLimit; refused when any one cannot reach <t>
  run     --cluster --catalog <root> (--to|--before) <t> --uri-dir <dir> --yes
                                                 verify every artifact of every replica set, then
                                                 restore the config servers first, then the shards
  <root> holds one catalog per replica set, named after it: <root>/cfg/, <root>/rs0/, ...
  The runbook (Sharded cluster) restores the config servers alone first, fixes the balancer
  setting they bring back, then runs the shards with --from-replica-set <first shard>.

Targets (<t>):
  --to <t>       inclusive: an operation at exactly <t> is restored
  --before <t>   exclusive: only operations before <t> are restored
  <t> is ISO 8601 with "Z" or an offset, at second precision (a second means every operation in
  it: --to 10:14:04Z includes all of 10:14:04), or an oplog timestamp "<seconds>:<ordinal>".

Options:
  --catalog <dir>             local directory holding the manifests and artifacts (copy an S3
                              prefix first: aws s3 sync s3://<bucket>/<prefix> <dir>)
  --replica-set <name>        the replica set to plan for, when the catalog holds several
  --cluster                   plan or restore every replica set under <root> to one target
  --uri-dir <dir>             run --cluster: <rs>.uri (connection string) and <rs>.user (a
                              user-secret file) or <rs>.password for every replica set, as
                              --uri-file/--user-file/--password-file
  --from-replica-set <name>   run --cluster: resume at this replica set (those before it in the
                              restore order are skipped; it is restored again from the start)
  --allow-unwindowed          plan/run --cluster: accept base dumps taken without the balancer
                              window (manifest "unwindowed": chunks may have moved during them)
  --json                      machine-readable output on stdout
  --drop                      drop each collection before restoring it; without it run refuses a
                              target that holds documents (a cluster restore always drops: it
                              keeps collection UUIDs with --preserveUUID, which needs --drop)
  --parallel-collections <n>  mongorestore --numParallelCollections (default 4)
  --insertion-workers <n>     mongorestore --numInsertionWorkersPerCollection (default 4)
  --config-file <yaml>        mongorestore --config file holding "uri:" and "password:"; used as is
  --uri-file <file>           file holding the target's connection string (credentials may be in
                              it); run writes a private mongorestore config file from it
  --user-file <file>          the temporary user's file (user-secret --out): its username and
                              password; the URI file then names the hosts only
  --password-file <file>      file holding the password, when the URI names the user only
  --namespace <ns>            user-secret: the database's Kubernetes namespace
  --out <file>                user-secret: the file to write (refused when it exists)
  --mongorestore <path>       the mongorestore binary (default: mongorestore on PATH)
  --from-step <n>             run: only 1: a restore is one mongorestore process per replica set
                              (transactions and index changes span slices), which cannot resume
                              in the middle; after a failure rerun with --drop
  --verify                    plan: also check every artifact's size and sha256
  --ignore-invalid            skip malformed manifests (listed as warnings) instead of refusing
  --yes                       run: really restore (without it, run prints the plan and stops)
  --version                   the version (as every CLI; with --json as JSON)
  -h, --help                  this help

Exit codes: 0 ok; 1 a step or a checksum failed; 2 usage (bad option or target, run without
--yes); 3 the catalog is unusable (malformed manifest, empty, several replica sets; with --cluster
also no config servers' catalog, a subdirectory that is not a replica set's catalog, or a
base dump taken without the balancer window and no --allow-unwindowed);
4 the target is outside the restore windows (with --cluster: of any one replica set); 5 run
refused the target before writing anything (it holds documents and no --drop, or it is a mongos);
user-secret: 0 written, 1 the file could not be written (it exists: never overwritten), 2 usage;
130/143 run stopped by SIGINT/SIGTERM (mongorestore stopped, the private config file removed).`;

export type Command = "windows" | "plan" | "run" | "user-secret";

export interface CliOptions {
  command: Command;
  catalog: string;
  target?: { mode: "to" | "before"; input: string };
  replicaSet?: string;
  /** Every replica set of a sharded cluster: `catalog` is the root holding one catalog per replica set. */
  cluster: boolean;
  json: boolean;
  drop: boolean;
  numParallelCollections: number;
  numInsertionWorkersPerCollection: number;
  configFile?: string;
  uriFile?: string;
  passwordFile?: string;
  /** run: the temporary user's file (user-secret.ts parseUserFile). */
  userFile?: string;
  /** user-secret: the namespace and the file to write. */
  namespace?: string;
  out?: string;
  /** run --cluster: the directory with `<rs>.uri` (and optionally `<rs>.password`) per replica set. */
  uriDir?: string;
  /** run --cluster: the replica set to resume at. */
  fromReplicaSet?: string;
  /** plan/run --cluster: accept base dumps marked unwindowed in their manifests. */
  allowUnwindowed: boolean;
  mongorestore: string;
  fromStep: number;
  verify: boolean;
  ignoreInvalid: boolean;
  yes: boolean;
}

/** The options a command without a catalog leaves at their defaults. */
const DEFAULT_OPTIONS = {
  cluster: false,
  json: false,
  drop: false,
  numParallelCollections: 4,
  numInsertionWorkersPerCollection: 4,
  allowUnwindowed: false,
  mongorestore: "mongorestore",
  fromStep: 1,
  verify: false,
  ignoreInvalid: false,
  yes: false,
} as const;

export type ParsedArgs = { kind: "help" } | { kind: "usage-error"; message: string } | { kind: "command"; options: CliOptions };

const VALUE_OPTIONS = [
  "catalog",
  "to",
  "before",
  "replica-set",
  "parallel-collections",
  "insertion-workers",
  "config-file",
  "uri-file",
  "password-file",
  "user-file",
  "namespace",
  "out",
  "uri-dir",
  "from-replica-set",
  "mongorestore",
  "from-step",
] as const;
const FLAG_OPTIONS = ["json", "drop", "verify", "ignore-invalid", "yes", "cluster", "allow-unwindowed"] as const;
/** Options that only make sense for some commands. */
const ONLY_FOR: Record<string, Command[]> = {
  "--to": ["plan", "run"],
  "--before": ["plan", "run"],
  "--drop": ["plan", "run"],
  "--parallel-collections": ["plan", "run"],
  "--insertion-workers": ["plan", "run"],
  "--config-file": ["plan", "run"],
  "--uri-file": ["run"],
  "--password-file": ["run"],
  "--user-file": ["run"],
  "--namespace": ["user-secret"],
  "--out": ["user-secret"],
  "--catalog": ["windows", "plan", "run"],
  "--json": ["windows", "plan", "run", "user-secret"],
  "--mongorestore": ["plan", "run"],
  "--from-step": ["run"],
  "--uri-dir": ["run"],
  "--from-replica-set": ["run"],
  "--verify": ["plan"],
  "--yes": ["run"],
  "--allow-unwindowed": ["plan", "run"],
};

/** node:util parseArgs's configuration: every value option a string, every flag a boolean, -h for help. */
const PARSE_OPTIONS = {
  help: { type: "boolean", short: "h" },
  ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: "string" }])),
  ...Object.fromEntries(FLAG_OPTIONS.map((name) => [name, { type: "boolean" }])),
} as const satisfies NonNullable<Parameters<typeof nodeParseArgs>[0]>["options"];

/** Our wording for node:util parseArgs's refusals (its own messages name no fix). */
function usageOf(error: NodeJS.ErrnoException & { message: string }, argv: readonly string[]): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${JSON.stringify(option ?? argv.find((a) => a.startsWith("-")) ?? "")}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      // A value option with nothing after it (or an option in its place), or a flag given a value.
      return option && (FLAG_OPTIONS as readonly string[]).includes(option.replace(/^--/, "")) ? `${option} takes no value` : `${option ?? "an option"} needs a value`;
    default:
      return error.message;
  }
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") return { kind: "help" };
  const usage = (message: string): ParsedArgs => ({ kind: "usage-error", message });
  const command = argv[0];
  if (command !== "windows" && command !== "plan" && command !== "run" && command !== "user-secret") return usage(`unknown command ${JSON.stringify(command)}: use windows, plan, run or user-secret`);

  /** What node:util parseArgs reports of each argument (`tokens: true`): duplicates and values stay visible. */
  type Token = { kind: "option" | "positional" | "option-terminator"; name?: string; value?: string; inlineValue?: boolean };
  let tokens: Token[];
  try {
    tokens = nodeParseArgs({ args: argv.slice(1), options: PARSE_OPTIONS, allowPositionals: true, strict: true, tokens: true }).tokens as Token[];
  } catch (error) {
    return usage(usageOf(error as NodeJS.ErrnoException & { message: string }, argv));
  }
  // A value that looks like an option is a missing value (`--catalog --to 1:1`), as it always was.
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "positional") return usage(`unknown option ${JSON.stringify(token.value)}`);
    if (token.kind !== "option" || token.name === "help") continue;
    const name = `--${token.name}`;
    if (token.value === undefined) {
      flags.add(name);
      continue;
    }
    if (!token.inlineValue && token.value.startsWith("--")) return usage(`${name} needs a value`);
    if (values.has(name)) return usage(`${name} given twice`);
    values.set(name, token.value);
  }
  for (const name of [...values.keys(), ...flags]) {
    const allowed = ONLY_FOR[name];
    if (allowed && !allowed.includes(command)) return usage(`${name} does not apply to \`${command}\``);
  }

  if (command === "user-secret") {
    for (const name of [...values.keys(), ...flags]) {
      if (!["--replica-set", "--namespace", "--out", "--json"].includes(name)) return usage(`${name} does not apply to \`user-secret\``);
    }
    const missing = ["--replica-set", "--namespace", "--out"].filter((n) => !values.get(n));
    if (missing.length > 0) return usage(`\`user-secret\` needs ${missing.join(", ")}`);
    return {
      kind: "command",
      options: {
        ...DEFAULT_OPTIONS,
        command,
        catalog: "",
        replicaSet: values.get("--replica-set"),
        namespace: values.get("--namespace"),
        out: values.get("--out"),
        json: flags.has("--json"),
      },
    };
  }

  const catalog = values.get("--catalog");
  if (!catalog) return usage("--catalog <dir> is required");

  let target: CliOptions["target"];
  if (command !== "windows") {
    const to = values.get("--to");
    const before = values.get("--before");
    if (to !== undefined && before !== undefined) return usage("give --to or --before, not both");
    if (to === undefined && before === undefined) return usage(`\`${command}\` needs a target: --to <t> (inclusive) or --before <t> (exclusive)`);
    target = to !== undefined ? { mode: "to", input: to } : { mode: "before", input: before as string };
  }

  const positive = (name: string, fallback: number): number | string => {
    const v = values.get(name);
    if (v === undefined) return fallback;
    return /^[1-9]\d{0,3}$/.test(v) ? Number(v) : `${name} must be a whole number from 1 to 9999, got ${JSON.stringify(v)}`;
  };
  const numParallelCollections = positive("--parallel-collections", 4);
  const numInsertionWorkersPerCollection = positive("--insertion-workers", 4);
  const fromStep = positive("--from-step", 1);
  for (const n of [numParallelCollections, numInsertionWorkersPerCollection, fromStep]) if (typeof n === "string") return usage(n);
  if (fromStep !== 1) {
    return usage(
      `--from-step ${fromStep}: a restore is one mongorestore process per replica set (a transaction or an index change can span slices), which cannot resume in the middle; ` +
        "rerun it whole with --drop (with --cluster: --from-replica-set <name> restarts at that replica set)",
    );
  }

  const configFile = values.get("--config-file");
  const uriFile = values.get("--uri-file");
  const passwordFile = values.get("--password-file");
  const cluster = flags.has("--cluster");
  const uriDir = values.get("--uri-dir");
  const fromReplicaSet = values.get("--from-replica-set");
  if (cluster) {
    if (values.has("--replica-set")) return usage("--replica-set picks one replica set and --cluster takes them all: give one or the other");
    for (const name of ["--config-file", "--uri-file", "--password-file", "--user-file"]) {
      if (values.has(name)) return usage(`${name} does not go with --cluster: every replica set has its own connection, from --uri-dir <dir> (<rs>.uri, <rs>.password)`);
    }
    if (command === "run" && uriDir === undefined) return usage("`run --cluster` needs every replica set's connection: --uri-dir <dir> holding <rs>.uri (and <rs>.password)");
    if (values.has("--from-step") && fromReplicaSet === undefined) return usage("with --cluster, --from-step needs --from-replica-set <name>: the replica set it resumes");
  } else {
    for (const name of ["--uri-dir", "--from-replica-set"]) if (values.has(name)) return usage(`${name} goes with --cluster`);
    if (flags.has("--allow-unwindowed")) return usage("--allow-unwindowed goes with --cluster (a single replica set needs no balancer window)");
  }
  if (command === "run" && !cluster) {
    if (configFile !== undefined && uriFile !== undefined) return usage("give --config-file or --uri-file, not both");
    if (configFile === undefined && uriFile === undefined) return usage("`run` needs the target's connection: --config-file <mongorestore yaml> or --uri-file <file>");
    if (passwordFile !== undefined && uriFile === undefined) return usage("--password-file goes with --uri-file (a --config-file holds its own password)");
    if (values.has("--user-file") && uriFile === undefined) return usage("--user-file goes with --uri-file (the URI file names the hosts, the user file the user and password)");
    if (values.has("--user-file") && passwordFile !== undefined) return usage("give --user-file or --password-file, not both (the user file holds the password)");
  }

  return {
    kind: "command",
    options: {
      command,
      catalog,
      target,
      replicaSet: values.get("--replica-set"),
      cluster,
      json: flags.has("--json"),
      drop: flags.has("--drop"),
      numParallelCollections: numParallelCollections as number,
      numInsertionWorkersPerCollection: numInsertionWorkersPerCollection as number,
      configFile,
      uriFile,
      passwordFile,
      userFile: values.get("--user-file"),
      uriDir,
      fromReplicaSet,
      mongorestore: values.get("--mongorestore") ?? "mongorestore",
      fromStep: fromStep as number,
      verify: flags.has("--verify"),
      ignoreInvalid: flags.has("--ignore-invalid"),
      yes: flags.has("--yes"),
      allowUnwindowed: flags.has("--allow-unwindowed"),
    },
  };
}
