// Names, labels and host names shared by every stack. One place, because a member's host name
// is data: it is written into the replica-set config, the connection info and the backup jobs,
// and a change here is a change of the live replica set.

import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";

export const MONGODB_PORT = 27017;

/** Terraform stack names: `cdktf deploy nyrkio-db-dev`, `cdktf deploy nyrkio-db-dev-backup`. */
export function databaseStackName(config: PlatformConfig): string {
  return `nyrkio-db-${config.name}`;
}
export function backupStackName(config: PlatformConfig): string {
  return `nyrkio-db-${config.name}-backup`;
}
/** Only with monitoring.prometheusOperator: the operator's PrometheusRule and PodMonitor. */
export function monitoringStackName(config: PlatformConfig): string {
  return `nyrkio-db-${config.name}-monitoring`;
}

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
/** ConfigMap with mongod.conf, the desired replica-set config and the pod scripts. */
export function replsetConfigMapName(rs: Pick<ReplsetConfig, "name">): string {
  return `mongodb-${rs.name}-config`;
}
/** ConfigMap for applications: replica set name, hosts, auth source, connection strings (no password). */
export const CONNECTION_CONFIG_MAP = "mongodb-connection";

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

/** Labels every object of the platform carries. */
export function commonLabels(config: PlatformConfig): Record<string, string> {
  return {
    "app.kubernetes.io/name": "mongodb",
    "app.kubernetes.io/instance": databaseStackName(config),
    "app.kubernetes.io/part-of": "nyrkio",
    "app.kubernetes.io/managed-by": "cdktf",
  };
}

/** Selects every pod of the project (members, mongos, every Job's and CronJob's pods): the egress policy's scope. */
export function projectPodSelector(config: PlatformConfig): Record<string, string> {
  return { "app.kubernetes.io/part-of": "nyrkio", "app.kubernetes.io/instance": databaseStackName(config) };
}

/** Selects the pods of one replica set's members; `component` narrows to data or arbiter. */
export function replsetSelector(config: PlatformConfig, rs: Pick<ReplsetConfig, "name">, component?: "data" | "arbiter"): Record<string, string> {
  return {
    "app.kubernetes.io/name": "mongodb",
    "app.kubernetes.io/instance": databaseStackName(config),
    "nyrkio.io/replset": rs.name,
    ...(component ? { "app.kubernetes.io/component": component } : {}),
  };
}

/** Pods with this label (the project's own jobs: reconcile, backup, restore, retention) may reach port 27017. */
export const DB_CLIENT_LABEL = { "nyrkio.io/db-client": "true" } as const;

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

/** The results-retention CronJob and its ConfigMap (script and parameters). */
export const RETENTION_NAME = "mongodb-results-retention";
