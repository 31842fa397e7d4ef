// Sharding's entry for the rest of the project. `shardKeyRules` are the shard-key rules bound to
// the schema catalog; main.ts passes them to config validation (config/ itself knows nothing of
// the catalog), so a bad shard key stops the synth before anything is written.

import { catalog } from "../migrations/catalog";
import { shardingConfigRule } from "./config-rule";

export const shardKeyRules = shardingConfigRule(catalog);

export { desiredSharding } from "./desired-sharding";
export { renderShardingScript, SHARDING_SCRIPT_FILE } from "./sharding-script";
export { shardingFindings } from "./shard-key-rules";
