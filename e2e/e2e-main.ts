// Entry of `npm run e2e`: the process's CliIo, the exit code from e2eCli.
import { runAsProcess } from "../migrations/cli/cli-io";
import { e2eCli } from "./e2e-cli";

runAsProcess("e2e", (argv, io) => e2eCli(argv, io));
