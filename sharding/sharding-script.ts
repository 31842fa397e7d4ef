// The sharding job's mongosh script as it goes into the ConfigMap: the planning functions of
// plan-sharding.ts, as their own source text, followed by mongosh/shard-cluster.js.

import { join } from "node:path";
import { EMBEDDED_FUNCTIONS } from "./plan-sharding";
import { readEmbeddedFile } from "../config/embedded-file";

export const SHARDING_SCRIPT_FILE = "shard-cluster.js";

export function renderShardingScript(): string {
  const functions = EMBEDDED_FUNCTIONS.map((fn) => `${fn.toString()}\n`).join("\n");
  const main = readEmbeddedFile(join(__dirname, "mongosh", SHARDING_SCRIPT_FILE));
  return [
    "// Generated at synth time by sharding/sharding-script.ts: the planning functions of",
    "// sharding/plan-sharding.ts, then sharding/mongosh/shard-cluster.js. Do not edit here.",
    "",
    functions,
    main,
  ].join("\n");
}
