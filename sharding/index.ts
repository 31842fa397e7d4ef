// Sharding's entry for the rest of the project. Importing it registers the shard-key rules, bound
// to the schema catalog, with config validation (config/ itself knows nothing of the catalog), so
// a bad shard key stops the synth before anything is written. main.ts imports it for that.

import { registerConfigRule } from "../config/validate";
import { catalog } from "../migrations/catalog";
import { shardingConfigRule } from "./config-rule";

registerConfigRule(shardingConfigRule(catalog));

export { desiredSharding } from "./desired-sharding";
export { renderShardingScript, SHARDING_SCRIPT_FILE } from "./sharding-script";
export { shardingFindings } from "./shard-key-rules";
