// Names, labels and host names shared by every stack. The host names live in config/hosts.ts
// (pure code reads them too: the replica-set config, the server certificate's names) and are
// re-exported here, so every stack keeps reading its names from this one module.

import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";

export {
  arbiterHost,
  arbiterStatefulSetName,
  clientServiceName,
  clusterDomain,
  CONFIG_SERVER_REPLSET,
  dataMemberHost,
  dataMemberHosts,
  dataStatefulSetName,
  headlessServiceName,
  MONGODB_PORT,
  MONGOS_NAME,
  mongosHost,
} from "../config/hosts";

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
/** Only with TLS on and tls.certificates.source certManager: the cert-manager Certificate. */
export function certificatesStackName(config: PlatformConfig): string {
  return `nyrkio-db-${config.name}-certificates`;
}

/** ConfigMap with mongod.conf, the desired replica-set config and the pod scripts. */
export function replsetConfigMapName(rs: Pick<ReplsetConfig, "name">): string {
  return `mongodb-${rs.name}-config`;
}
/** ConfigMap for applications: replica set name, hosts, auth source, connection strings (no password). */
export const CONNECTION_CONFIG_MAP = "mongodb-connection";

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

/** The results-retention CronJob and its ConfigMap (script and parameters). */
export const RETENTION_NAME = "mongodb-results-retention";
