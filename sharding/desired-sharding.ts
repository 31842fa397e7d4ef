// The sharding job's desired state, from the environment config: the shards with their member
// hosts, the database, and each collection's shard key. Rendered into the job's ConfigMap as
// JSON, so a reviewer sees in the plan diff what the job will do.

import type { PlatformConfig } from "../config/platform-config";
import { dataMemberHosts } from "../config/hosts";
import type { DesiredSharding } from "./plan-sharding";

export function desiredSharding(config: PlatformConfig): DesiredSharding {
  return {
    database: config.database,
    // addShard takes a seed list: the data members are enough (an arbiter, if allowed, is found from the set's config).
    shards: config.replsets.map((rs) => ({ name: rs.name, hosts: dataMemberHosts(config, rs) })),
    collections: config.sharding.collections.map((c) => ({ name: c.name, key: { ...c.key } })),
  };
}
