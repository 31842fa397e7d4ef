// The parameters of one retention run, as the in-cluster script reads them from a mounted JSON
// file (a ConfigMap key, so a reviewer sees them in the plan diff). No credentials here: the
// script reads the user name and password from the mounted Secret's files.
import type { PlatformConfig } from "../../config/platform-config";

export interface RetentionParams {
  /** mongodb:// URI without credentials (the replica set's members, or mongos when sharded). */
  uri: string;
  database: string;
  resultsDays: number;
  batchSize: number;
  /** Pause between batches, so a large first run does not flood replication. */
  pauseMs: number;
  /** Count what would be deleted, delete nothing. */
  dryRun: boolean;
  usernameFile: string;
  passwordFile: string;
  /** Tests only: the run's "now" in epoch seconds (the script uses the clock otherwise). */
  nowSeconds?: number;
}

/**
 * Where the CronJob mounts things; the script and the construct agree through these. Siblings,
 * not nested: a mount point inside a read-only ConfigMap volume cannot be created.
 */
export const RETENTION_MOUNTS = {
  config: "/etc/nyrkio/retention",
  /** The retention user's Secret (keys `username`, `password`, config.secrets.retention), as every job mounts a user's Secret. */
  credentials: "/etc/nyrkio/secrets/retention",
} as const;
export const RETENTION_SCRIPT_KEY = "retention.js";
export const RETENTION_PARAMS_KEY = "params.json";
export const DEFAULT_PAUSE_MS = 100;

export function retentionParams(config: PlatformConfig, uri: string): RetentionParams {
  if (/\/\/[^/]*@/.test(uri)) throw new Error("the retention URI must not carry credentials (the script reads them from the mounted Secret)");
  return {
    uri,
    database: config.database,
    resultsDays: config.retention.resultsDays,
    batchSize: config.retention.batchSize,
    pauseMs: DEFAULT_PAUSE_MS,
    dryRun: false,
    usernameFile: `${RETENTION_MOUNTS.credentials}/username`,
    passwordFile: `${RETENTION_MOUNTS.credentials}/password`,
  };
}
