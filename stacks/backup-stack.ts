// The backup stack: scheduled full dumps, oplog slices, verification and the restore Job.
// Deployable on its own, without touching the database stack; it knows the database only by
// the names in config (no cross-stack references, so no remote-state coupling).
// One set of jobs per replica set (sharding/backup-targets.ts: with sharding on, every shard and
// the config servers). docs/backups.md describes what runs when and where the artifacts go.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { backupTargets } from "../sharding/backup-targets";
import { BACKUP_CLAIM_NAME, BACKUP_SCRIPTS_CONFIG_MAP, BACKUP_SERVICE_ACCOUNT } from "./constructs/backup/backup-names";
import { BackupJobSettings, DEFAULT_BACKUP_JOB_SETTINGS } from "./constructs/backup/backup-pod";
import { backupScriptsData } from "./constructs/backup/backup-scripts";
import { EgressPolicy, pushgatewayEgressRule, s3EgressRule } from "./constructs/egress-policy";
import { BackupMetricsPush, METRICS_PUSH_LABEL } from "./constructs/backup/backup-metrics-push";
import { ReplicaSetBackupJobs } from "./constructs/backup/replica-set-backup-jobs";
import { backupStackName, commonLabels, projectPodSelector } from "./naming";
import { PlatformStack, PlatformStackProps } from "./platform-stack";
import { configMapData } from "./terraform-text";

export interface BackupStackProps extends PlatformStackProps {
  /** Tunables config/ does not hold (the S3 client image, count cadence, restore parallelism). */
  settings?: Partial<BackupJobSettings>;
}

/** Construct ids of stateful resources: renaming one replaces the resource (test/backup/stack pins them). */
export const BACKUP_CLAIM_ID = "backup-claim";

export class BackupStack extends PlatformStack {
  readonly claim?: PersistentVolumeClaimV1;
  readonly jobs: ReplicaSetBackupJobs[];
  /** With monitoring.enabled and monitoring.pushgateway: the backup metrics' push (docs/observability.md). */
  readonly metrics?: BackupMetricsPush;

  constructor(scope: Construct, props: BackupStackProps) {
    super(scope, backupStackName(props.config), props);
    const config = this.config;
    const settings = { ...DEFAULT_BACKUP_JOB_SETTINGS, ...props.settings };
    const namespace = config.kubernetes.namespace;
    const labels = { ...commonLabels(config), "app.kubernetes.io/name": "mongodb-backup", "app.kubernetes.io/component": "backup" };

    new ServiceAccountV1(this, "backup-service-account", {
      metadata: { name: BACKUP_SERVICE_ACCOUNT, namespace, labels },
      automountServiceAccountToken: false,
    });
    new ConfigMapV1(this, "backup-scripts", {
      metadata: { name: BACKUP_SCRIPTS_CONFIG_MAP, namespace, labels },
      data: configMapData(backupScriptsData(config.sharding.enabled), `ConfigMap ${BACKUP_SCRIPTS_CONFIG_MAP}`),
    });

    const storage = config.backup.storage;
    if (storage.type === "pvc") {
      // The catalogs of every replica set. Stateful: its id is pinned by a test, and Terraform
      // refuses to destroy it (a `cdktf destroy` of this stack must not delete the backups).
      this.claim = new PersistentVolumeClaimV1(this, BACKUP_CLAIM_ID, {
        metadata: { name: BACKUP_CLAIM_NAME, namespace, labels },
        spec: {
          accessModes: [storage.accessMode],
          ...(storage.storageClass ? { storageClassName: storage.storageClass } : {}),
          resources: { requests: { storage: storage.size } },
        },
        // A WaitForFirstConsumer class binds only when the first backup pod starts.
        waitUntilBound: false,
        lifecycle: { preventDestroy: true },
      });
    }

    if (storage.type === "s3" && config.network.egress.restrict) {
      // The database stack's egress policy allows DNS and the database port; the backup pods also
      // reach S3, on its endpoint's port (443 for AWS).
      new EgressPolicy(this, "s3-egress-policy", {
        namespace,
        name: "mongodb-backup-s3-egress",
        labels,
        pods: { ...projectPodSelector(config), "app.kubernetes.io/name": "mongodb-backup" },
        egress: [s3EgressRule(config.network.egress, storage.endpoint)],
      });
    }

    const targets = backupTargets(config);
    this.jobs = targets.map((target) => new ReplicaSetBackupJobs(this, `backup-${target.replicaSet}`, { config, target, settings }));
    if (config.monitoring.enabled && config.monitoring.pushgateway) {
      this.metrics = new BackupMetricsPush(this, "backup-metrics", { config, targets, settings, labels });
      // The database stack's egress policy allows DNS and the database port; the pushes also
      // reach the Pushgateway.
      if (config.network.egress.restrict)
        new EgressPolicy(this, "metrics-push-egress-policy", {
          namespace,
          name: "mongodb-metrics-push-egress",
          labels,
          pods: { ...projectPodSelector(config), ...METRICS_PUSH_LABEL },
          egress: [pushgatewayEgressRule(config.monitoring.pushgateway, config.network.egress)],
        });
    }
  }
}
