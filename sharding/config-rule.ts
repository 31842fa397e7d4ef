// The sharding rules as a config rule: what config/validate.ts runs after its own cross-field
// rules, with the schema catalog bound in (config/ itself knows nothing of the catalog).

import type { ExtraRule } from "../config/validate";
import type { ShardingCatalog } from "./catalog-view";
import { shardingFindings } from "./shard-key-rules";

export function shardingConfigRule(catalog: ShardingCatalog): ExtraRule {
  return (config) => shardingFindings(config, catalog);
}
