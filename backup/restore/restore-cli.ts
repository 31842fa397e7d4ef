// Entry point of `npm run --silent restore -- <windows|plan|run> ...` (see --help and
// docs/runbooks/restore.md). The only place the restore CLI touches the process: argv, stdout,
// stderr, the temporary directory, the exit code.

import { processRestoreDeps } from "./process-deps";
import { runCli } from "./restore-command";

// `restore plan | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

runCli(
  process.argv.slice(2),
  processRestoreDeps({ stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }),
).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`restore: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
