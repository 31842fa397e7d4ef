// Entry point of `npm run --silent restore -- <windows|plan|run> ...` (see --help and
// docs/runbooks/restore.md). The only place the restore CLI touches the process, through the
// convention every CLI shares (runAsProcess in migrations/cli/cli-io.ts): argv, stdout, stderr,
// signals, the exit code, and --version answered as for the other CLIs.

import { runAsProcess } from "../../migrations/cli/cli-io";
import { processRestoreDeps } from "./process-deps";
import { runCli } from "./restore-command";

// `restore plan | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

runAsProcess("restore", (argv, io) => runCli(argv, processRestoreDeps(io)));
