// The backup metrics' way to Prometheus (docs/observability.md): with monitoring on and a
// Pushgateway configured, one CronJob per replica set, every slice interval, reads the catalog
// and PUTs the metrics (monitoring/backup-metrics-script.ts) to the Pushgateway. Its pod is the
// catalog job's (backupPodSpec "catalog": the claim mounted read-only, or the manifests pulled
// from S3 by the same init container), with the export step replaced by the push script. It
// never connects to the database and holds no database credentials.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1, type CronJobV1SpecJobTemplateSpecTemplateSpecContainer, type CronJobV1SpecJobTemplateSpecTemplateSpecVolume, type CronJobV1SpecJobTemplateSpecTemplateSpecContainerVolumeMount } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../../config/platform-config";
import { backupMetricsScript } from "../../../monitoring/backup-metrics-script";
import { cronMaxGapSeconds } from "../../../monitoring/cron-interval";
import type { BackupTarget } from "../../../sharding/backup-targets";
import { dataStatefulSetName } from "../../naming";
import { backupPodLabels, backupPodSpec, BackupJobSettings } from "./backup-pod";
import { everyMinutes } from "./backup-schedules";
import { configMapData, literalArgs, literalEnv } from "../../terraform-text";

export const BACKUP_METRICS_CONFIG_MAP = "mongodb-backup-metrics";
export const BACKUP_METRICS_SCRIPT = "push-metrics.js";
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

  constructor(scope: Construct, id: string, props: BackupMetricsPushProps) {
    super(scope, id);
    const { config, settings } = props;
    const namespace = config.kubernetes.namespace;
    this.configMap = new ConfigMapV1(this, "script", {
      metadata: { name: BACKUP_METRICS_CONFIG_MAP, namespace, labels: props.labels },
      data: configMapData({ [BACKUP_METRICS_SCRIPT]: backupMetricsScript() }, `ConfigMap ${BACKUP_METRICS_CONFIG_MAP}`),
    });
    const minutes = config.backup.pitr.enabled ? config.backup.pitr.oplogSpanMin : 5;
    this.cronJobs = props.targets.map((target) => {
      const labels = { ...backupPodLabels(config, target, "catalog"), "nyrkio.io/backup-kind": "metrics" };
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
      return new CronJobV1(this, target.replicaSet, {
        metadata: { name: backupMetricsCronJobName(target.replicaSet), namespace, labels },
        spec: {
          schedule: everyMinutes(minutes),
          timezone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: minutes * 60,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels },
            spec: {
              backoffLimit: 0,
              activeDeadlineSeconds: 600,
              template: {
                metadata: { labels },
                spec: {
                  ...spec,
                  container: [push],
                  volume: [...((spec.volume ?? []) as CronJobV1SpecJobTemplateSpecTemplateSpecVolume[]), { name: "metrics-script", configMap: { name: BACKUP_METRICS_CONFIG_MAP, defaultMode: "0444" } }],
                },
              },
            },
          },
        },
      });
    });
  }
}
