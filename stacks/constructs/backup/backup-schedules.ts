// When each backup CronJob runs and how long a run may take: small pure rules, so the synth tests
// and docs/backups.md read the same numbers.

import type { BackupConfig } from "../../../config/platform-config";
import type { BackupJobKind } from "./backup-names";

/** A schedule that never fires, for the suspended templates (restore, catalog): 31 February. */
export const NEVER = "0 0 31 2 *";

/**
 * Every `minutes` minutes, 1 to 60. Cron steps restart at each hour, so a span that does not
 * divide 60 (say 7) leaves a shorter gap before the hour: slices are never further apart than
 * the span.
 */
export function everyMinutes(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new Error(`a slice interval must be 1 to 60 minutes, got ${minutes}`);
  if (minutes === 60) return "0 * * * *";
  if (minutes === 1) return "* * * * *";
  return `*/${minutes} * * * *`;
}

export interface JobTiming {
  schedule: string;
  suspend: boolean;
  /** A run that could not start within this many seconds of its time is skipped. */
  startingDeadlineSeconds: number;
  /** A run is stopped (and fails) after this long; undefined: no limit (a restore is watched). */
  activeDeadlineSeconds?: number;
  /** Retries of a failed pod before the Job fails. */
  backoffLimit: number;
  /** Jobs created by hand from a suspended template are deleted this long after they finish. */
  ttlSecondsAfterFinished?: number;
}

const HOUR = 3600;

export function jobTiming(kind: BackupJobKind, backup: BackupConfig): JobTiming {
  switch (kind) {
    case "full":
      // One retry: a daily dump that hit a transient error need not wait a day.
      return { schedule: backup.full.schedule, suspend: false, startingDeadlineSeconds: HOUR, activeDeadlineSeconds: 23 * HOUR, backoffLimit: 1 };
    case "oplog":
      // No retry: the next slice starts in minutes and carries the same entries. The deadline
      // leaves room for the full dump a chain break starts in the same job.
      return {
        schedule: everyMinutes(backup.pitr.oplogSpanMin),
        suspend: false,
        startingDeadlineSeconds: Math.max(10, backup.pitr.oplogSpanMin * 60),
        activeDeadlineSeconds: 12 * HOUR,
        backoffLimit: 0,
      };
    case "verify":
      return { schedule: backup.verify.schedule, suspend: false, startingDeadlineSeconds: HOUR, activeDeadlineSeconds: 12 * HOUR, backoffLimit: 0 };
    case "restore":
      return { schedule: NEVER, suspend: true, startingDeadlineSeconds: 60, backoffLimit: 0, ttlSecondsAfterFinished: 7 * 24 * HOUR };
    case "prune":
      // With S3, retention is a job of its own (the only key that may delete): after each day's
      // full dump, as the dump itself pruned before the keys were split. A retry is harmless.
      return { schedule: backup.full.schedule, suspend: false, startingDeadlineSeconds: HOUR, activeDeadlineSeconds: 2 * HOUR, backoffLimit: 1 };
    case "catalog":
      return { schedule: NEVER, suspend: true, startingDeadlineSeconds: 60, activeDeadlineSeconds: HOUR, backoffLimit: 0, ttlSecondsAfterFinished: 24 * HOUR };
  }
}

/** The CronJobs a config asks for, per replica set. */
export function backupJobKinds(backup: BackupConfig): BackupJobKind[] {
  return [
    "full",
    ...(backup.pitr.enabled ? (["oplog"] as const) : []),
    ...(backup.verify.enabled ? (["verify"] as const) : []),
    "restore",
    "catalog",
    ...(backup.storage.type === "s3" ? (["prune"] as const) : []),
  ];
}
