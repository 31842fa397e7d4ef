// The backup metrics' way to Prometheus (docs/observability.md): with monitoring on and a
// Pushgateway configured, one CronJob per replica set, every slice interval, reads the catalog
// and PUTs the metrics (monitoring/backup-metrics-script.ts) to the Pushgateway. Its pod is the
// catalog job's (backupPodSpec "catalog": the claim mounted read-only, or the manifests pulled
// from S3 by the same init container), with the export step replaced by the push script. It
// never connects to the database and holds no database credentials.
//
// Sharded clusters add one CronJob for the cluster, mongodb-balancer-metrics: it connects to
// mongos as the backup user (its nyrkioBalancerWindow role has find on config.settings and on the
// leases) and pushes the balancer's metrics (monitoring/balancer-metrics-script.ts) that the
// alerts of monitoring/rules/sharding-balancer.rules.yml read.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1, type CronJobV1SpecJobTemplateSpecTemplateSpec, type CronJobV1SpecJobTemplateSpecTemplateSpecContainer, type CronJobV1SpecJobTemplateSpecTemplateSpecVolume, type CronJobV1SpecJobTemplateSpecTemplateSpecContainerVolumeMount } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../../config/platform-config";
import { backupMetricsScript } from "../../../monitoring/backup-metrics-script";
import { balancerMetricsScript } from "../../../monitoring/balancer-metrics-script";
import { cronMaxGapSeconds } from "../../../monitoring/cron-interval";
import type { BackupTarget } from "../../../sharding/backup-targets";
import { databaseStackName, dataStatefulSetName, DB_CLIENT_LABEL, mongosHost } from "../../naming";
import { backupPodLabels, backupPodSpec, BackupJobSettings, TMP_SIZE_LIMIT } from "./backup-pod";
import { everyMinutes } from "./backup-schedules";
import { withUriTlsOptions } from "../../../config/tls";
import { tlsClientParts } from "../tls-client";
import { configMapData, literalArgs, literalEnv } from "../../terraform-text";

export const BACKUP_METRICS_CONFIG_MAP = "mongodb-backup-metrics";
export const BACKUP_METRICS_SCRIPT = "push-metrics.js";
export const BALANCER_METRICS_SCRIPT = "balancer-metrics.js";
/** On the pods that push to the Pushgateway: the egress policy that lets them reach it selects this. */
export const METRICS_PUSH_LABEL = { "nyrkio.io/metrics-push": "true" } as const;
export const BALANCER_METRICS_CRON_JOB = "mongodb-balancer-metrics";
const BALANCER_USER_DIR = "/etc/nyrkio/backup-user";
const METRICS_MOUNT = "/opt/nyrkio/metrics";

export function backupMetricsCronJobName(replicaSet: string): string {
  return `${dataStatefulSetName({ name: replicaSet })}-backup-metrics`;
}

/** What the push script reads: where the catalog is in the pod, the replica set, the intervals. */
export function backupMetricsEnv(config: PlatformConfig, target: BackupTarget, mainEnv: { name: string; value?: string }[]): { name: string; value: string }[] {
  const get = (name: string) => mainEnv.find((e) => e.name === name)?.value;
  // Where lib.sh puts the catalog: the claim's /backup/<rs>, or the manifests pulled to $BACKUP_WORK/catalog.
  const catalog = config.backup.storage.type === "pvc" ? `${get("BACKUP_ROOT")}/${target.replicaSet}` : `${get("BACKUP_WORK")}/catalog`;
  const { backup } = config;
  return [
    { name: "METRICS_CATALOG", value: catalog },
    { name: "METRICS_REPLSET", value: target.replicaSet },
    { name: "PUSHGATEWAY_URL", value: config.monitoring.pushgateway ?? "" },
    { name: "METRICS_FULL_INTERVAL_SECONDS", value: String(cronMaxGapSeconds(backup.full.schedule)) },
    ...(backup.pitr.enabled ? [{ name: "METRICS_SLICE_INTERVAL_SECONDS", value: String(backup.pitr.oplogSpanMin * 60) }] : []),
    ...(backup.verify.enabled ? [{ name: "METRICS_VERIFY_INTERVAL_SECONDS", value: String(cronMaxGapSeconds(backup.verify.schedule)) }] : []),
  ];
}

export interface BackupMetricsPushProps {
  config: PlatformConfig;
  targets: BackupTarget[];
  settings: BackupJobSettings;
  labels: Record<string, string>;
}

export class BackupMetricsPush extends Construct {
  readonly configMap: ConfigMapV1;
  readonly cronJobs: CronJobV1[];
  /** Sharded clusters only. */
  readonly balancerCronJob?: CronJobV1;

  constructor(scope: Construct, id: string, props: BackupMetricsPushProps) {
    super(scope, id);
    const { config, settings } = props;
    const namespace = config.kubernetes.namespace;
    this.configMap = new ConfigMapV1(this, "script", {
      metadata: { name: BACKUP_METRICS_CONFIG_MAP, namespace, labels: props.labels },
      data: configMapData(
        { [BACKUP_METRICS_SCRIPT]: backupMetricsScript(), ...(config.sharding.enabled ? { [BALANCER_METRICS_SCRIPT]: balancerMetricsScript() } : {}) },
        `ConfigMap ${BACKUP_METRICS_CONFIG_MAP}`,
      ),
    });
    const minutes = config.backup.pitr.enabled ? config.backup.pitr.oplogSpanMin : 5;
    this.cronJobs = props.targets.map((target) => {
      const labels = { ...backupPodLabels(config, target, "catalog"), "nyrkio.io/backup-kind": "metrics", ...METRICS_PUSH_LABEL };
      const spec = backupPodSpec(config, target, "catalog", settings);
      const [main] = spec.container as CronJobV1SpecJobTemplateSpecTemplateSpecContainer[];
      const env = (main.env ?? []) as { name: string; value?: string }[];
      const push = {
        ...main,
        name: "push-metrics",
        command: literalArgs(["mongosh", "--nodb", "--quiet", "--file", `${METRICS_MOUNT}/${BACKUP_METRICS_SCRIPT}`], "backup-metrics"),
        env: literalEnv([...env, ...backupMetricsEnv(config, target, env)], "backup-metrics"),
        volumeMount: [...((main.volumeMount ?? []) as CronJobV1SpecJobTemplateSpecTemplateSpecContainerVolumeMount[]), { name: "metrics-script", mountPath: METRICS_MOUNT, readOnly: true }],
      };
      return metricsCronJob(this, target.replicaSet, { name: backupMetricsCronJobName(target.replicaSet), namespace, labels, minutes, deadlineSeconds: 600 }, {
        ...spec,
        container: [push],
        volume: [...((spec.volume ?? []) as CronJobV1SpecJobTemplateSpecTemplateSpecVolume[]), { name: "metrics-script", configMap: { name: BACKUP_METRICS_CONFIG_MAP, defaultMode: "0444" } }],
      });
    });
    if (config.sharding.enabled) this.balancerCronJob = this.balancerMetrics(props, minutes);
  }

  /** One pod for the cluster: mongosh through mongos as the backup user, nothing else mounted. */
  private balancerMetrics(props: BackupMetricsPushProps, minutes: number): CronJobV1 {
    const { config, settings } = props;
    const [target] = props.targets;
    // Not the backup-volume label: this pod mounts no claim, so it need not follow the claim's node.
    const { "nyrkio.io/backup-volume": _claim, ...common } = backupPodLabels(config, target, "catalog") as Record<string, string>;
    const labels: Record<string, string> = { ...common, "nyrkio.io/backup-replset": "cluster", "nyrkio.io/backup-kind": "balancer-metrics", ...DB_CLIENT_LABEL, ...METRICS_PUSH_LABEL };
    const base = backupPodSpec(config, target, "catalog", settings);
    const [main] = base.container as CronJobV1SpecJobTemplateSpecTemplateSpecContainer[];
    const keep = new Set(["mongosh-conf", "tmp"]);
    const mounts = ((main.volumeMount ?? []) as CronJobV1SpecJobTemplateSpecTemplateSpecContainerVolumeMount[]).filter((m) => keep.has(m.name ?? ""));
    const volumes = ((base.volume ?? []) as CronJobV1SpecJobTemplateSpecTemplateSpecVolume[]).filter((v) => keep.has(v.name ?? ""));
    const push = {
      name: "push-balancer-metrics",
      image: config.image,
      imagePullPolicy: "IfNotPresent",
      // As balancer-window.sh runs balancer.js: mongos by its Service, no credentials in the URI.
      // With clients on TLS, mongos's certificate and host name verified (config/tls.ts).
      command: literalArgs(["mongosh", "--quiet", withUriTlsOptions(`mongodb://${mongosHost(config)}/admin`, config.tls), "--file", `${METRICS_MOUNT}/${BALANCER_METRICS_SCRIPT}`], "balancer-metrics"),
      env: literalEnv(
        [
          { name: "HOME", value: "/tmp" },
          { name: "PUSHGATEWAY_URL", value: config.monitoring.pushgateway ?? "" },
          { name: "BALANCER_METRICS_CLUSTER", value: databaseStackName(config) },
          { name: "BALANCER_USERNAME_FILE", value: `${BALANCER_USER_DIR}/username` },
          { name: "BALANCER_PASSWORD_FILE", value: `${BALANCER_USER_DIR}/password` },
        ],
        "balancer-metrics",
      ),
      // Node-local storage: /tmp only (the catalog pod's request also counts its scratch emptyDir).
      resources: { ...main.resources, requests: { ...(main.resources?.requests ?? {}), "ephemeral-storage": TMP_SIZE_LIMIT } },
      securityContext: main.securityContext,
      volumeMount: [
        ...mounts,
        { name: "backup-user", mountPath: BALANCER_USER_DIR, readOnly: true },
        { name: "metrics-script", mountPath: METRICS_MOUNT, readOnly: true },
        ...tlsClientParts(config.tls).volumeMount,
      ],
    };
    return metricsCronJob(this, "balancer", { name: BALANCER_METRICS_CRON_JOB, namespace: config.kubernetes.namespace, labels, minutes, deadlineSeconds: 300 }, {
      restartPolicy: base.restartPolicy,
      serviceAccountName: base.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: base.terminationGracePeriodSeconds,
      securityContext: base.securityContext,
      container: [push],
      volume: [
        ...volumes,
        { name: "backup-user", secret: { secretName: config.secrets.backup, defaultMode: "0440", items: [{ key: "username", path: "username" }, { key: "password", path: "password" }] } },
        { name: "metrics-script", configMap: { name: BACKUP_METRICS_CONFIG_MAP, defaultMode: "0444" } },
        ...tlsClientParts(config.tls).volume,
      ],
    });
  }
}

/** A metrics-push CronJob: every `minutes`, never two at once, one try, a short deadline. */
function metricsCronJob(
  scope: Construct,
  id: string,
  o: { name: string; namespace: string; labels: Record<string, string>; minutes: number; deadlineSeconds: number },
  podSpec: CronJobV1SpecJobTemplateSpecTemplateSpec,
): CronJobV1 {
  return new CronJobV1(scope, id, {
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    spec: {
      schedule: everyMinutes(o.minutes),
      timezone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: o.minutes * 60,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: o.labels },
        spec: { backoffLimit: 0, activeDeadlineSeconds: o.deadlineSeconds, template: { metadata: { labels: o.labels }, spec: podSpec } },
      },
    },
  });
}
