// The config server replica set as a replica-set config, derived from `sharding.configServer`,
// so the replica-set constructs and the reconcile Job build it like any other set: data members
// only (MongoDB refuses an arbiter in a config server replica set), the first preferred as primary.

import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";
import { CONFIG_SERVER_REPLSET } from "../config/hosts";

export function configServerReplset(config: PlatformConfig): ReplsetConfig {
  const cs = config.sharding.configServer;
  return {
    name: CONFIG_SERVER_REPLSET.name,
    members: Array.from({ length: cs.members }, (_, ordinal) => ({ priority: ordinal === 0 ? 2 : 1, votes: 1 as const })),
    arbiter: { enabled: false, priority: 0, resources: cs.resources },
    resources: cs.resources,
    storage: cs.storage,
    // The config servers are backed up with oplog slices like every shard: the same protection.
    oplogMinRetentionHours: Math.max(...config.replsets.map((rs) => rs.oplogMinRetentionHours)),
  };
}
