// The host names of the database: pure, so both the stacks (stacks/naming.ts re-exports every
// name here) and pure code (the replica-set config, the certificate's names in tls-names.ts, the
// sharding and backup planners) read them from one place. A member's host name is data: it is
// written into the replica-set config, the connection info, the backup jobs and the server
// certificate, and a change here is a change of the live replica set.

import type { PlatformConfig, ReplsetConfig } from "./platform-config";

export const MONGODB_PORT = 27017;

/** StatefulSet of a replica set's data members; also its headless Service (pods get DNS names under it). */
export function dataStatefulSetName(rs: Pick<ReplsetConfig, "name">): string {
  return `mongodb-${rs.name}`;
}
export function headlessServiceName(rs: Pick<ReplsetConfig, "name">): string {
  return `mongodb-${rs.name}`;
}
export function arbiterStatefulSetName(rs: Pick<ReplsetConfig, "name">): string {
  return `mongodb-${rs.name}-arbiter`;
}

/** Client Service: the data members only (an arbiter serves no reads or writes). */
export function clientServiceName(rs: Pick<ReplsetConfig, "name">): string {
  return `mongodb-${rs.name}-client`;
}

export function clusterDomain(config: PlatformConfig): string {
  return config.kubernetes.clusterDomain ?? "cluster.local";
}

function podHost(config: PlatformConfig, pod: string, service: string): string {
  return `${pod}.${service}.${config.kubernetes.namespace}.svc.${clusterDomain(config)}:${MONGODB_PORT}`;
}

/** host:port of data member `ordinal`, stable for the life of the StatefulSet. */
export function dataMemberHost(config: PlatformConfig, rs: Pick<ReplsetConfig, "name">, ordinal: number): string {
  return podHost(config, `${dataStatefulSetName(rs)}-${ordinal}`, headlessServiceName(rs));
}
export function arbiterHost(config: PlatformConfig, rs: Pick<ReplsetConfig, "name">): string {
  return podHost(config, `${arbiterStatefulSetName(rs)}-0`, headlessServiceName(rs));
}
export function dataMemberHosts(config: PlatformConfig, rs: ReplsetConfig): string[] {
  return rs.members.map((_, i) => dataMemberHost(config, rs, i));
}

/**
 * Sharding: the config server replica set. Named like a replset so the names above apply to it
 * (StatefulSet and headless Service mongodb-cfg, members mongodb-cfg-N); no shard may be called so.
 */
export const CONFIG_SERVER_REPLSET: Pick<ReplsetConfig, "name"> = { name: "cfg" };
/** Sharding: the mongos Deployment and the Service that applications and migrations connect to. */
export const MONGOS_NAME = "mongodb-mongos";
export function mongosHost(config: PlatformConfig): string {
  return `${MONGOS_NAME}.${config.kubernetes.namespace}.svc.${clusterDomain(config)}:${MONGODB_PORT}`;
}
