#!/usr/bin/env node
// `nyrkio-db <command> [options]`: the one command-line tool (package.json "bin"). It finds the
// subcommand in cli/subcommands.ts and hands it the rest of argv; `npm run migrate`, `restore` and
// `check:queries` stay as aliases of the same entries. What every subcommand shares:
// - --help (and -h) and --json, handled by the subcommand itself;
// - --version, answered here for every subcommand (`nyrkio-db migrate --version` included);
// - one wording for errors (printFailure in migrations/cli/cli-io.ts): `<name>: <message>` on
//   stderr, and with --json one document `{ok: false, error: {code, message}}` on stdout;
// - one exit-code table (EXIT_CODES below, docs/migrations.md "Exit codes").
import { packageVersion, printFailure, runAsProcess, type CliIo } from "../migrations/cli/cli-io";
import { EXIT_FAILURE, EXIT_LOCK_HELD, EXIT_OK, EXIT_USAGE } from "../migrations/runner/errors";
import { EXIT_ABORT_UNCONFIRMED, EXIT_SIGINT, EXIT_SIGTERM, EXIT_TIMEOUT } from "../migrations/runner/stop";
import { SUBCOMMANDS, type Subcommand } from "./subcommands";

/**
 * The exit codes of every subcommand, in one table: 0, 1 and 2 mean the same everywhere; 3 to 5
 * are each command's own (its --help says the same).
 */
export const EXIT_CODES: readonly [number, string][] = [
  [EXIT_OK, "success (also: nothing to do); status: healthy"],
  [EXIT_FAILURE, "failure (the message and error.code say which); status: degraded, with the reasons; e2e: a step failed"],
  [EXIT_USAGE, "usage error: bad or repeated argument, malformed connection string; nothing was contacted"],
  [
    EXIT_LOCK_HELD,
    "migrate: another run holds the migration lock; restore: the catalog is unusable; wait-job: no Job matches; status: could not connect; e2e: a prerequisite is missing",
  ],
  [EXIT_TIMEOUT, "migrate: --timeout reached, this run's index builds aborted and confirmed, lock released; restore: target outside the restore windows; wait-job: --timeout reached"],
  [EXIT_ABORT_UNCONFIRMED, "migrate: stopped, but an index build could not be confirmed aborted, lock kept until its lease ends; restore run: target refused before anything was written"],
  [EXIT_SIGINT, "stopped by SIGINT (migrate: as for --timeout; restore run: mongorestore stopped, its private config removed)"],
  [EXIT_SIGTERM, "stopped by SIGTERM (as for SIGINT)"],
];

export function version(): string {
  return packageVersion();
}

export function nyrkioDbHelp(commands: readonly Subcommand[] = SUBCOMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: nyrkio-db <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Every command takes --help, --json (one JSON document on stdout) and --version.
Run \`nyrkio-db <command> --help\` for its options.

Exit codes:
${EXIT_CODES.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`).join("\n")}
`;
}

/** Options before a `--` end-of-options marker. */
function optionsPart(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf("--");
  return end === -1 ? argv : argv.slice(0, end);
}

export async function runNyrkioDb(argv: readonly string[], io: CliIo, commands: readonly Subcommand[] = SUBCOMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  const json = optionsPart(argv).includes("--json");
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(nyrkioDbHelp(commands));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === "--version") {
    io.stdout(json ? JSON.stringify({ ok: true, version: version() }) + "\n" : `nyrkio-db ${version()}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    printFailure(io, "nyrkio-db", { code: "usage", message: `unknown command ${JSON.stringify(name)}: expected one of ${commands.map((c) => c.name).join(", ")}` }, true, json && {});
    return EXIT_USAGE;
  }
  if (optionsPart(rest).includes("--version")) {
    io.stdout(json ? JSON.stringify({ ok: true, command: name, version: version() }) + "\n" : `nyrkio-db ${name} ${version()}\n`);
    return EXIT_OK;
  }
  return command.run([...rest], io);
}

if (require.main === module) runAsProcess("nyrkio-db", (argv, io) => runNyrkioDb(argv, io));
