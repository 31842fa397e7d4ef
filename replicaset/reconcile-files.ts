// Everything the reconcile Job reads from its ConfigMap (mounted at RECONCILE_CONFIG_DIR), and the
// hash of it that goes into the Job's name: a changed config, user spec, RW concern or script
// makes a new Job that runs once; an unchanged one leaves the finished Job alone, so nothing runs.

import { createHash } from "node:crypto";
import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";
import { BOOTSTRAP_SECRET_DIR, RECONCILE_FILES, ROOT_SECRET_DIR, userSecretDir } from "./reconcile-paths";
import { reconcileScript } from "./reconcile-script";
import { renderReplicaSetConfigJson } from "./replica-set-config";
import { renderDefaultRWConcernCommand } from "./rw-concern";
import { uriTlsOptions } from "../config/tls";
import { configuredUsers, keptProjectUsers, renderUsersSpec, userSecretName, UserScope } from "./users";

/** settings.json: how long the script waits for what (the Job's activeDeadlineSeconds must cover the sum). */
export interface ReconcileSettings {
  rootSecretDir: string;
  /**
   * The bootstrap Secret (optional): while the root user does not exist yet, the Job logs in as
   * the bootstrap user, creates root and drops the bootstrap user (mongosh/reconcile.js, handover).
   */
  bootstrapSecretDir: string;
  /** Until the set is initiated (by the bootstrap), the root user exists and a primary is elected. */
  connectTimeoutSeconds: number;
  /** Until a new or promoted member is SECONDARY and caught up: an initial sync of all data. */
  memberSyncTimeoutSeconds: number;
  /** Until a reconfig is committed (replSetGetConfig commitmentStatus) and after a step-down, a new primary. */
  configCommitTimeoutSeconds: number;
  pollIntervalSeconds: number;
  /** A member this close to the primary's last write counts as caught up. */
  maxLagSeconds: number;
  /** replSetStepDown's stepDownSecs: how long the old primary stays ineligible. */
  stepDownSeconds: number;
  serverSelectionTimeoutMS: number;
  /** Plans made at most: a plan is made again when the config changes under it (see mongosh/reconcile.js). */
  maxPlanRounds: number;
  /** Until every member has restarted into the designed TLS config (a rolling restart) and a tlsMode step is applied (tls-plan.ts). */
  tlsTimeoutSeconds: number;
}

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  rootSecretDir: ROOT_SECRET_DIR,
  bootstrapSecretDir: BOOTSTRAP_SECRET_DIR,
  connectTimeoutSeconds: 900,
  memberSyncTimeoutSeconds: 6 * 3600,
  configCommitTimeoutSeconds: 600,
  pollIntervalSeconds: 5,
  maxLagSeconds: 10,
  stepDownSeconds: 60,
  serverSelectionTimeoutMS: 10000,
  maxPlanRounds: 10,
  tlsTimeoutSeconds: 3600,
};

/** The longest a run can take with these settings: a floor for the Job's activeDeadlineSeconds. */
export function reconcileMaxRunSeconds(settings: ReconcileSettings = DEFAULT_RECONCILE_SETTINGS): number {
  return settings.connectTimeoutSeconds + settings.memberSyncTimeoutSeconds + 4 * settings.configCommitTimeoutSeconds + settings.tlsTimeoutSeconds;
}

export interface ReconcileFilesOptions {
  /** A config server replica set (sharding). */
  configsvr?: boolean;
  /**
   * Which users this set holds (replicaset/users.ts): "cluster" on the config servers, "shard" on
   * a shard (only the local users for direct backups and restores). Default "replicaset".
   */
  users?: UserScope;
  /** false where setDefaultRWConcern is refused (a shard: it is set through mongos). Default true. */
  manageDefaultRWConcern?: boolean;
  settings?: Partial<ReconcileSettings>;
}

/** tls.json: what the TLS phase of the script plans towards, and how it connects to one member. */
export interface ReconcileTlsSpec {
  mode: string;
  memberAuth: string;
  clientsMigrated: boolean;
  /** Connection-string options of a direct connection to one member (config/tls.ts uriTlsOptions). */
  uriOptions: Record<string, string>;
}

export function renderTlsSpec(config: PlatformConfig): ReconcileTlsSpec {
  const { mode, memberAuth, clientsMigrated } = config.tls;
  return { mode, memberAuth, clientsMigrated, uriOptions: uriTlsOptions(config.tls) };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The ConfigMap data for one replica set's reconcile Job: file name → content. */
export function reconcileConfigMapData(config: PlatformConfig, replset: ReplsetConfig, opts: ReconcileFilesOptions = {}): Record<string, string> {
  return {
    [RECONCILE_FILES.replicaSet]: renderReplicaSetConfigJson(config, replset, { configsvr: opts.configsvr }),
    [RECONCILE_FILES.users]: json(renderUsersSpec(config, opts.users)),
    [RECONCILE_FILES.rwConcern]: json(opts.manageDefaultRWConcern === false ? null : renderDefaultRWConcernCommand(config)),
    [RECONCILE_FILES.settings]: json({ ...DEFAULT_RECONCILE_SETTINGS, ...opts.settings }),
    [RECONCILE_FILES.tls]: json(renderTlsSpec(config)),
    [RECONCILE_FILES.script]: reconcileScript(),
  };
}

/** sha256 over the files (names and contents, in name order), first 10 hex digits: for the Job's name. */
export function desiredStateHash(data: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(data).sort()) hash.update(`${name}\0${data[name]}\0`);
  return hash.digest("hex").slice(0, 10);
}

/** The Secrets the reconcile Job mounts (read-only, keys `username` and `password`), and where: root and the scope's users. */
export function reconcileSecretMounts(config: PlatformConfig, opts: Pick<ReconcileFilesOptions, "users"> = {}): { name: string; secretName: string; mountPath: string }[] {
  const users = configuredUsers(config, opts.users ?? "replicaset").map((name) => ({ name, secretName: userSecretName(config, name), mountPath: userSecretDir(name) }));
  return [{ name: "root", secretName: userSecretName(config, "root"), mountPath: ROOT_SECRET_DIR }, ...users];
}

/** The same Secrets as ReconcileJob's `userSecrets`: mount name → Secret name. */
export function reconcileUserSecrets(config: PlatformConfig, opts: Pick<ReconcileFilesOptions, "users"> = {}): Record<string, string> {
  return Object.fromEntries(reconcileSecretMounts(config, opts).map((m) => [m.name, m.secretName]));
}

/**
 * ReconcileJob's `usernameSecrets`: the users the Job keeps but does not manage (users.ts
 * keptProjectUsers), whose Secrets it mounts with the `username` key only: mount name → Secret name.
 */
export function reconcileUsernameSecrets(config: PlatformConfig, opts: Pick<ReconcileFilesOptions, "users"> = {}): Record<string, string> {
  return Object.fromEntries(keptProjectUsers(config, opts.users ?? "replicaset").map((name) => [name, userSecretName(config, name)]));
}
