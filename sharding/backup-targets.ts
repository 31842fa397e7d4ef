// What the backup stack backs up: one target per replica set. Unsharded, the one replica set;
// sharded, every shard and the config server replica set (mongodump --oplog has no effect
// through mongos, so a sharded cluster is dumped set by set; docs/sharding.md).

import type { PlatformConfig } from "../config/platform-config";
import { dataMemberHosts } from "../config/hosts";
import { configServerReplset } from "./config-server";

export interface BackupTarget {
  /** The replica set's name: the manifests' `replicaSet`, the connection's `replicaSet=`. */
  replicaSet: string;
  /** host:port of its data members (dumps read from a secondary of these). */
  hosts: string[];
  role: "replicaset" | "shard" | "configsvr";
}

export function backupTargets(config: PlatformConfig): BackupTarget[] {
  if (!config.sharding.enabled) {
    const [rs] = config.replsets;
    return [{ replicaSet: rs.name, hosts: dataMemberHosts(config, rs), role: "replicaset" }];
  }
  const cfg = configServerReplset(config);
  return [
    ...config.replsets.map((rs) => ({ replicaSet: rs.name, hosts: dataMemberHosts(config, rs), role: "shard" as const })),
    { replicaSet: cfg.name, hosts: dataMemberHosts(config, cfg), role: "configsvr" },
  ];
}
