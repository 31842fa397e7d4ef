// Names of the backup stack's objects. Pure, like config/hosts.ts: the stacks
// (stacks/constructs/backup/backup-names.ts re-exports every name here) and pure code (the restore
// CLI's `user-secret` commands) read them from one place. Derived from the replica set's
// StatefulSet name, so `kubectl get cronjobs` lists a set's backup jobs beside its members.

import { dataStatefulSetName } from "./hosts";

/** The claim that holds every replica set's catalog when config.backup.storage.type is "pvc". */
export const BACKUP_CLAIM_NAME = "mongodb-backup";
/** The pod scripts (backup/scripts, backup/mongosh and the embedded pruner). */
export const BACKUP_SCRIPTS_CONFIG_MAP = "mongodb-backup-scripts";
/** The backup pods' ServiceAccount: no API token is mounted, the jobs need none. */
export const BACKUP_SERVICE_ACCOUNT = "mongodb-backup";

/**
 * What each CronJob of one replica set does. restore and catalog are suspended templates; prune
 * exists with S3 storage only (the one job whose key may delete; with a claim the full dump prunes).
 */
export type BackupJobKind = "full" | "oplog" | "verify" | "restore" | "catalog" | "prune";

/** Kubernetes appends 11 characters to a CronJob's name for its Jobs; names stay within 52. */
export const MAX_CRON_JOB_NAME = 52;

export function backupCronJobName(replicaSet: string, kind: BackupJobKind): string {
  const base = dataStatefulSetName({ name: replicaSet });
  const name = kind === "restore" ? `${base}-restore` : `${base}-backup-${kind}`;
  if (name.length > MAX_CRON_JOB_NAME)
    throw new Error(`the CronJob name ${name} is longer than ${MAX_CRON_JOB_NAME} characters: use a shorter replica set name than "${replicaSet}"`);
  return name;
}

/** The suspended template of the short Job that creates a restore's temporary user (restore-user-job.ts). */
export function restoreUserCronJobName(replicaSet: string): string {
  const name = `${dataStatefulSetName({ name: replicaSet })}-restore-user`;
  if (name.length > MAX_CRON_JOB_NAME) throw new Error(`the CronJob name ${name} is longer than ${MAX_CRON_JOB_NAME} characters: use a shorter replica set name than "${replicaSet}"`);
  return name;
}

/**
 * The Secret an SRE generates for one restore (docs/runbooks/restore.md): `username`
 * restore-<random>, `password`. The restore-user Job creates the user from it; the restore Job
 * mounts it and nothing else of the database's credentials.
 */
export function restoreCredentialsSecretName(replicaSet: string): string {
  return `${dataStatefulSetName({ name: replicaSet })}-restore-credentials`;
}

/** The ConfigMap an SRE creates with the plan for the in-cluster restore (docs/backups.md). */
export function restorePlanConfigMapName(replicaSet: string): string {
  return `${dataStatefulSetName({ name: replicaSet })}-restore-plan`;
}
