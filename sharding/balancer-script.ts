// The balancer window as it goes into a backup ConfigMap: balancer.js with the decisions of
// balancer-holds.ts embedded as their own source text, and the shell wrapper around the dumps.

import { join } from "node:path";
import { BALANCER_EMBEDDED_FUNCTIONS } from "./balancer-holds";
import { readEmbeddedFile } from "../config/embedded-file";

export const BALANCER_SCRIPT_FILE = "balancer.js";
export const BALANCER_WINDOW_FILE = "balancer-window.sh";

export function renderBalancerScript(): string {
  const functions = BALANCER_EMBEDDED_FUNCTIONS.map((fn) => `${fn.toString()}\n`).join("\n");
  const main = readEmbeddedFile(join(__dirname, "mongosh", BALANCER_SCRIPT_FILE));
  return [
    "// Generated at synth time by sharding/balancer-script.ts: the decisions of",
    "// sharding/balancer-holds.ts, then sharding/mongosh/balancer.js. Do not edit here.",
    "",
    functions,
    main,
  ].join("\n");
}

/**
 * ConfigMap data for a backup pod that wraps its dump in a window: mount both files in one
 * directory, run `balancer-window.sh <dump command>` with BALANCER_SCRIPT pointing at balancer.js.
 */
export function balancerWindowFiles(): Record<string, string> {
  return {
    [BALANCER_WINDOW_FILE]: readEmbeddedFile(join(__dirname, "scripts", BALANCER_WINDOW_FILE)),
    [BALANCER_SCRIPT_FILE]: renderBalancerScript(),
  };
}
