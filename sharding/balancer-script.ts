// The balancer window as it goes into a backup ConfigMap: balancer.js with the decisions of
// balancer-holds.ts embedded as their own source text, and the shell wrapper around the dumps.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BALANCER_EMBEDDED_FUNCTIONS } from "./balancer-holds";

export const BALANCER_SCRIPT_FILE = "balancer.js";
export const BALANCER_WINDOW_FILE = "balancer-window.sh";

export function renderBalancerScript(): string {
  const functions = BALANCER_EMBEDDED_FUNCTIONS.map((fn) => `${fn.toString()}\n`).join("\n");
  const main = readFileSync(join(__dirname, "mongosh", BALANCER_SCRIPT_FILE), "utf8");
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
    [BALANCER_WINDOW_FILE]: readFileSync(join(__dirname, "scripts", BALANCER_WINDOW_FILE), "utf8"),
    [BALANCER_SCRIPT_FILE]: renderBalancerScript(),
  };
}
