// The restore CLI's arguments (pure): `restore plan|windows|run` with their options, or a usage
// error that says what is wrong. The entry file (restore-cli.ts) does the I/O.

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
} as const;

export const USAGE = `Usage: npm run --silent restore -- <command> [options]

Point-in-time restore from a backup catalog (full dumps + oplog slices, docs/backup-format.md).
Runbook: docs/runbooks/restore.md.

Commands:
  windows  --catalog <dir>                       the ranges of restore points the catalog reaches
  plan     --catalog <dir> (--to|--before) <t>   the base dump, slices and mongorestore calls (dry run)
  run      --catalog <dir> (--to|--before) <t>   verify every artifact, then run the calls
           (--config-file <yaml> | --uri-file <f> [--password-file <f>]) --yes

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
  --uri-dir <dir>             run --cluster: <rs>.uri (connection string) and optionally
                              <rs>.password for every replica set, as --uri-file/--password-file
  --from-replica-set <name>   run --cluster: resume at this replica set (those before it in the
                              restore order are skipped); --from-step then applies to it
  --allow-unwindowed          plan/run --cluster: accept base dumps taken without the balancer
                              window (manifest "unwindowed": chunks may have moved during them)
  --json                      machine-readable output on stdout
  --drop                      drop each collection before restoring it (in-place restores; and
                              every replica set of a cluster, see the runbook)
  --parallel-collections <n>  mongorestore --numParallelCollections (default 4)
  --insertion-workers <n>     mongorestore --numInsertionWorkersPerCollection (default 4)
  --config-file <yaml>        mongorestore --config file holding "uri:" and "password:"; used as is
  --uri-file <file>           file holding the target's connection string (credentials may be in
                              it); run writes a private mongorestore config file from it
  --password-file <file>      file holding the password, when the URI names the user only
  --mongorestore <path>       the mongorestore binary (default: mongorestore on PATH)
  --from-step <n>             run: resume at step n after a failure (oplog replay is idempotent)
  --verify                    plan: also check every artifact's size and sha256
  --ignore-invalid            skip malformed manifests (listed as warnings) instead of refusing
  --yes                       run: really restore (without it, run prints the plan and stops)
  -h, --help                  this help

Exit codes: 0 ok; 1 a step or a checksum failed; 2 usage (bad option or target, run without
--yes); 3 the catalog is unusable (malformed manifest, empty, several replica sets; with --cluster
also no config servers' catalog, a subdirectory that is not a replica set's catalog, or a
base dump taken without the balancer window and no --allow-unwindowed);
4 the target is outside the restore windows (with --cluster: of any one replica set).`;

export type Command = "windows" | "plan" | "run";

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

export type ParsedArgs = { kind: "help" } | { kind: "usage-error"; message: string } | { kind: "command"; options: CliOptions };

const VALUE_OPTIONS = [
  "--catalog",
  "--to",
  "--before",
  "--replica-set",
  "--parallel-collections",
  "--insertion-workers",
  "--config-file",
  "--uri-file",
  "--password-file",
  "--uri-dir",
  "--from-replica-set",
  "--mongorestore",
  "--from-step",
];
const FLAG_OPTIONS = ["--json", "--drop", "--verify", "--ignore-invalid", "--yes", "--cluster", "--allow-unwindowed"];
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
  "--mongorestore": ["plan", "run"],
  "--from-step": ["run"],
  "--uri-dir": ["run"],
  "--from-replica-set": ["run"],
  "--verify": ["plan"],
  "--yes": ["run"],
  "--allow-unwindowed": ["plan", "run"],
};

export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") return { kind: "help" };
  const usage = (message: string): ParsedArgs => ({ kind: "usage-error", message });
  const command = argv[0];
  if (command !== "windows" && command !== "plan" && command !== "run") return usage(`unknown command ${JSON.stringify(command)}: use windows, plan or run`);

  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let k = 1; k < argv.length; k++) {
    const arg = argv[k];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_OPTIONS.includes(name)) {
      const value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++k];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) return usage(`${name} needs a value`);
      if (values.has(name)) return usage(`${name} given twice`);
      values.set(name, value);
    } else if (FLAG_OPTIONS.includes(arg)) {
      flags.add(arg);
    } else {
      return usage(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  for (const name of [...values.keys(), ...flags]) {
    const allowed = ONLY_FOR[name];
    if (allowed && !allowed.includes(command)) return usage(`${name} does not apply to \`${command}\``);
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

  const configFile = values.get("--config-file");
  const uriFile = values.get("--uri-file");
  const passwordFile = values.get("--password-file");
  const cluster = flags.has("--cluster");
  const uriDir = values.get("--uri-dir");
  const fromReplicaSet = values.get("--from-replica-set");
  if (cluster) {
    if (values.has("--replica-set")) return usage("--replica-set picks one replica set and --cluster takes them all: give one or the other");
    for (const name of ["--config-file", "--uri-file", "--password-file"]) {
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
