// Prints the pure functions stacks/constructs/pod-scripts.ts puts in front of
// mongosh/arbiter-restart.js, so that tls-rotate-arbiter.bats runs the script as the pod gets it.
// Bundled with esbuild by that test.
import { ARBITER_RESTART_FUNCTIONS } from "../../../replicaset/arbiter-restart";

process.stdout.write(ARBITER_RESTART_FUNCTIONS.map((fn) => `${fn.toString()}\n`).join("\n"));
