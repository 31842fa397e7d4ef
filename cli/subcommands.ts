// The subcommands of `nyrkio-db`, one line each. Adding a command is one line here: a name, a
// one-line summary for `nyrkio-db --help`, and its entry in the CliIo convention
// (`(argv, io) => Promise<exit code>`, migrations/cli/cli-io.ts). Each command parses its own
// arguments with node:util parseArgs and prints its own --help and --json.
import { processRestoreDeps } from "../backup/restore/process-deps";
import { runCli as runRestoreCli } from "../backup/restore/restore-command";
import { runCheckQueriesCli } from "../migrations/cli/check-queries-cli";
import type { CliIo } from "../migrations/cli/cli-io";
import { runMigrateCli } from "../migrations/cli/migrate-cli";
import { runWaitJobCli } from "../ops/wait-job/wait-job-cli";
import { e2eCli } from "../e2e/e2e-cli";
import { runStatusCli } from "../monitoring/status/status-cli";
import { runTlsNamesCli } from "../ops/tls-names/tls-names-cli";

export interface Subcommand {
  name: string;
  summary: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}

/** The restore CLI's own entry with the process's dependencies, as restore-cli.ts runs it. */
function restore(argv: string[], io: CliIo): Promise<number> {
  return runRestoreCli(argv, processRestoreDeps(io));
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  { name: "migrate", summary: "schema migrations: status, up, down, plan, schema, indexes, create", run: runMigrateCli },
  { name: "restore", summary: "point-in-time restore from the scheduled backups: windows, plan, run", run: restore },
  { name: "check-queries", summary: "prove on a real server that the indexes serve the design's queries", run: runCheckQueriesCli },
  { name: "wait-job", summary: "wait for the deploy's long Jobs (reconcile, sharding) that the apply does not wait for", run: runWaitJobCli },
  { name: "status", summary: "the database's health and the recovery point, live, for an SRE (exit 0 healthy, 1 degraded)", run: runStatusCli },
  { name: "tls-names", summary: "the certificate subject and SANs an environment's servers need (create-secrets.sh --tls reads them)", run: runTlsNamesCli },
  { name: "e2e", summary: "the whole system end to end on a kind cluster (needs Docker, kind, kubectl, terraform)", run: e2eCli },
];
