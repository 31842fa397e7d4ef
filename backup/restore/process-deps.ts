// The restore CLI's dependencies on the process and the outside world (mongorestore, the files,
// the clock, the target's facts), built in one place for both entries: `npm run restore`
// (restore-cli.ts) and `nyrkio-db restore` (cli/subcommands.ts).
import { tmpdir } from "node:os";
import type { CliDeps } from "./command-context";
import { processRunner } from "./process-runner";
import { dropOwnUser, listUsers, probeTarget } from "./target-probe";
import { fileInspector } from "./verify-artifacts";

export function processRestoreDeps(out: Pick<CliDeps, "stdout" | "stderr" | "onSignal">): CliDeps {
  return { stdout: out.stdout, stderr: out.stderr, onSignal: out.onSignal, run: processRunner, inspector: fileInspector, now: () => Date.now(), probeTarget, listUsers, dropUser: dropOwnUser, tmpdir: tmpdir() };
}
