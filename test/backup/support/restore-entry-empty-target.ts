// The restore CLI's entry exactly as backup/restore/restore-cli.ts builds it, except that the
// target probe answers "an empty replica set" (the stand-in the in-process tests use): the real
// probe needs a mongod, which this machine does not have. Everything else is the process's own:
// signals, the temporary directory, mongorestore started through the real runner.
import { runAsProcess } from "../../../migrations/cli/cli-io";
import { processRestoreDeps } from "../../../backup/restore/process-deps";
import { runCli } from "../../../backup/restore/restore-command";

runAsProcess("restore", (argv, io) => runCli(argv, { ...processRestoreDeps(io), probeTarget: async () => ({ mongos: false, namespacesWithData: [] }) }));
