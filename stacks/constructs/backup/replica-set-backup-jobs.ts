// The backup CronJobs of one replica set: full dumps, oplog slices and verification on their
// schedules, and two suspended templates an SRE starts by hand (`kubectl create job --from=`):
// the in-cluster restore and the catalog export. Every CronJob forbids overlapping runs.

import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../../config/platform-config";
import type { BackupTarget } from "../../../sharding/backup-targets";
import { backupCronJobName, BackupJobKind } from "./backup-names";
import { backupPodLabels, backupPodSpec, BackupJobSettings } from "./backup-pod";
import { backupJobKinds, jobTiming } from "./backup-schedules";
import { RestoreUserJob } from "./restore-user-job";

export interface ReplicaSetBackupJobsProps {
  config: PlatformConfig;
  target: BackupTarget;
  settings: BackupJobSettings;
}

export class ReplicaSetBackupJobs extends Construct {
  readonly cronJobs: Partial<Record<BackupJobKind, CronJobV1>> = {};
  readonly restoreUser: RestoreUserJob;

  constructor(scope: Construct, id: string, props: ReplicaSetBackupJobsProps) {
    super(scope, id);
    const { config, target, settings } = props;
    for (const kind of backupJobKinds(config.backup)) {
      const timing = jobTiming(kind, config.backup);
      const labels = backupPodLabels(config, target, kind);
      const name = backupCronJobName(target.replicaSet, kind);
      this.cronJobs[kind] = new CronJobV1(this, kind, {
        metadata: { name, namespace: config.kubernetes.namespace, labels },
        spec: {
          schedule: timing.schedule,
          timezone: "Etc/UTC",
          suspend: timing.suspend,
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: timing.startingDeadlineSeconds,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels },
            spec: {
              backoffLimit: timing.backoffLimit,
              ...(timing.activeDeadlineSeconds ? { activeDeadlineSeconds: timing.activeDeadlineSeconds } : {}),
              ...(timing.ttlSecondsAfterFinished ? { ttlSecondsAfterFinished: String(timing.ttlSecondsAfterFinished) } : {}),
              template: {
                metadata: { labels },
                spec: backupPodSpec(config, target, kind, settings),
              },
            },
          },
        },
      });
    }
    this.restoreUser = new RestoreUserJob(this, "restore-user", { config, target, ttlSeconds: settings.restoreUserTtlSeconds });
  }
}
