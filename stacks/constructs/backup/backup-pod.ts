// The pod of each backup job, as plain data (pure functions, tested through the synthesized
// CronJobs). Every container runs the pod scripts from the ConfigMap: the official mongo image for
// the work (bash, coreutils, mongosh, the database tools), and, with S3 storage, a small S3
// client image for the transfers, because the mongo image has no S3 client. The containers
// share one scratch volume, bounded so a backup pod never fills a node's disk (scratchVolume);
// init containers run in order, so a job is a pipeline:
//
//   storage pvc:  <work>                        reads and writes the claim directly
//   storage s3:   pull-manifests → <work> → push            (full)
//                 pull-head → <work> → push                 (oplog: the catalog head and the keys
//                                                            after it, not every manifest)
//                 pull-manifests → select → pull-files → verify → push   (verify)
//                 pull-manifests → select → pull-files → restore         (restore)
//                 pull-manifests → export-catalog                         (catalog)
//                 pull-manifests → prune → delete                         (prune)
//
// With client-side encryption an `encrypt` container (public key only) runs before push, and a
// `decrypt` container (private key) after pull-files; neither mounts database credentials.
//
// With S3 each job mounts one key (s3Key): the writer's (full, oplog: List, Get, Put), the
// reader's (verify, restore, catalog: List, Get) or the pruner's (prune: the only Delete); the
// IAM policy of each is in docs/backups.md.
//
// Credentials do not cross containers (issue 12): a Secret is mounted only into the containers that
// use it (the AWS keys into the S3 client's, a database user's into the one mongo container that
// connects as it: never into `select`), and the file each one derives from it (the aws CLI's
// credentials file, the database tools' --config file) is written to that container's own
// memory-backed volume (credentialsVolumeName), which no other container mounts, and removed when
// the script exits. The shared scratch volume holds no credential.
//
// With S3 the work container records its exit code and exits 0 (BACKUP_DEFER_EXIT), so push still
// uploads what was saved (e.g. the full dump a chain break starts), then exits with that code.
// In a sharded cluster each scheduled full dump runs inside the balancer window
// (sharding/scripts/balancer-window.sh, docs/sharding.md).

import type { CronJobV1SpecJobTemplateSpecTemplateSpec } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { PlatformConfig } from "../../../config/platform-config";
import { parseQuantity } from "../../../config/quantity";
import type { BackupTarget } from "../../../sharding/backup-targets";
import { commonLabels, DB_CLIENT_LABEL, mongosHost } from "../../naming";
import { BACKUP_CLAIM_NAME, BACKUP_SCRIPTS_CONFIG_MAP, BACKUP_SERVICE_ACCOUNT, BackupJobKind, restoreCredentialsSecretName, restorePlanConfigMapName } from "./backup-names";
import { RESTORE_CREDENTIALS_DIR } from "./restore-user-job";
import { BALANCER_SCRIPT, BALANCER_WINDOW, backupScriptsItems, MONGOSH_CONF_KEY, scriptPath, SCRIPTS_MOUNT } from "./backup-scripts";
import { containerSecurityContext, mongoshConfMount, podSecurityContext } from "../member-pod";
import { literalArgs, literalEnv } from "../../terraform-text";
import { withUriTlsOptions } from "../../../config/tls";
import { tlsClientParts } from "../tls-client";
import { restoreRole } from "../../../replicaset/users";

type PodSpec = CronJobV1SpecJobTemplateSpecTemplateSpec;
type Container = NonNullable<Extract<PodSpec["container"], unknown[]>>[number];
type Volume = NonNullable<Extract<PodSpec["volume"], unknown[]>>[number];

/** The official mongo image's mongodb user and group. */

/** Tunables of the jobs that config/ does not hold; the defaults are documented in docs/backups.md. */
export interface BackupJobSettings {
  /** The S3 client image (bash, coreutils and the aws CLI), pinned by tag. */
  s3ClientImage: string;
  /** Slices record document counts at most this often (each count is a collection scan). */
  countsEverySeconds: number;
  /** A slice job fails (after saving) when the commit point lags the newest write by more. */
  maxCommitLagSeconds: number;
  /** mongorestore --numParallelCollections / --numInsertionWorkersPerCollection of the restore Job. */
  restoreParallelCollections: number;
  restoreInsertionWorkers: number;
  /** How long a restore's temporary user counts as in use (its expiry) unless the restore drops it first. */
  restoreUserTtlSeconds: number;
}

export const DEFAULT_BACKUP_JOB_SETTINGS: BackupJobSettings = {
  // Pinned to its multi-arch digest: 2.37.5 sends S3 conditional writes (If-None-Match), 2.17 did not.
  s3ClientImage: "amazon/aws-cli:2.37.5@sha256:fb7ccfc7b4e3a05017e6c9ded4ba959b99af622130e211fb976c68c2f4d3f224",
  countsEverySeconds: 3600,
  maxCommitLagSeconds: 900,
  restoreParallelCollections: 4,
  restoreInsertionWorkers: 4,
  // A day: a restore of the largest set (hours) and the SRE's checks before it. The restore drops
  // the user when it ends; the reconcile Job drops one past its expiry.
  restoreUserTtlSeconds: 24 * 3600,
};

const WORK = "/work";
const BACKUP_ROOT = "/backup";
const BACKUP_USER_DIR = "/etc/nyrkio/backup-user";
/** The restore's temporary user (restore-user-job.ts): the Secret the SRE generated for this restore. */
const RESTORE_USER_DIR = RESTORE_CREDENTIALS_DIR;
const RESTORE_PLAN_DIR = "/etc/nyrkio/restore-plan";
const S3_CREDENTIALS_DIR = "/etc/nyrkio/s3";
const ENCRYPTION_KEY_DIR = "/etc/nyrkio/encryption";
/** Each credential-holding container's own memory-backed volume, for the files its script derives. */
export const CREDENTIALS_DIR = "/credentials";
/** A tmpfs: the derived files never reach a disk (https://kubernetes.io/docs/concepts/storage/volumes/#emptydir, medium Memory). */
export const CREDENTIALS_VOLUME_SIZE = "1Mi";
export const credentialsVolumeName = (container: string) => `credentials-${container}`;
/** The AWS keys' Secret volume of one S3 container. */
export const s3CredentialsVolumeName = (container: string) => `s3-credentials-${container}`;

/** One container of a job's pipeline. */
export interface JobStep {
  name: string;
  image: "mongo" | "s3";
  /** The script (relative to the scripts mount) and its arguments. */
  run: string[];
  /** S3 work containers: record the exit code for push and exit 0. */
  deferExit?: boolean;
  /** Client-side encryption: the container that encrypts (public key) or decrypts (private key). */
  crypto?: "encrypt" | "decrypt";
  /** The step connects to the database as the job's user (databaseUser): only then is that user's Secret mounted. */
  connects?: boolean;
  /**
   * The step runs its own scratch mongod with access control (verify.sh): it makes that mongod's
   * keyfile and its users' passwords itself, so it holds credentials (its own memory-backed
   * volume) though it mounts no Secret.
   */
  scratchUsers?: boolean;
}

const WORK_SCRIPT: Record<BackupJobKind, JobStep> = {
  full: { name: "full-dump", image: "mongo", run: ["scripts/full-dump.sh"], connects: true },
  oplog: { name: "oplog-slice", image: "mongo", run: ["scripts/oplog-slice.sh"], connects: true },
  // The verification restores into its own scratch mongod with access control on, as a restore
  // user it creates there (verify.sh): no user of the database, credentials of its own.
  verify: { name: "verify", image: "mongo", run: ["scripts/verify.sh", "all"], scratchUsers: true },
  restore: { name: "restore", image: "mongo", run: ["scripts/restore.sh", "all"], connects: true },
  catalog: { name: "export-catalog", image: "mongo", run: ["scripts/export-catalog.sh"] },
  prune: { name: "prune", image: "mongo", run: ["scripts/prune.sh"] },
};

const s3 = (name: string, action: string): JobStep => ({ name, image: "s3", run: ["scripts/s3-transfer.sh", action] });

/** The containers of a job, in order: init containers, then the one main container. */
export function jobSteps(kind: BackupJobKind, storage: "pvc" | "s3", encrypted = false): { init: JobStep[]; main: JobStep } {
  const work = WORK_SCRIPT[kind];
  if (storage === "pvc") return { init: [], main: work };
  const pull = s3("pull-manifests", "pull-manifests");
  const push = s3("push", "push");
  const crypto = (action: "encrypt" | "decrypt"): JobStep[] =>
    encrypted ? [{ name: action, image: "mongo", run: ["scripts/encryption.sh", action], crypto: action }] : [];
  switch (kind) {
    case "full":
      return { init: [pull, { ...work, deferExit: true }, ...crypto("encrypt")], main: push };
    case "oplog":
      // Every few minutes: objects read must not grow with retention (issue 10 item 8).
      return { init: [s3("pull-head", "pull-head"), { ...work, deferExit: true }, ...crypto("encrypt")], main: push };
    case "verify":
      return {
        init: [
          pull,
          { name: "select", image: "mongo", run: ["scripts/verify.sh", "select"] },
          s3("pull-files", "pull-files"),
          ...crypto("decrypt"),
          { ...work, run: ["scripts/verify.sh", "run"], deferExit: true },
        ],
        main: push,
      };
    case "restore":
      return {
        init: [pull, { name: "select", image: "mongo", run: ["scripts/restore.sh", "select"] }, s3("pull-files", "pull-files"), ...crypto("decrypt")],
        main: { ...work, run: ["scripts/restore.sh", "run"] },
      };
    case "catalog":
      return { init: [pull], main: work };
    case "prune":
      return { init: [pull, { ...work, deferExit: true }], main: s3("delete", "delete") };
  }
}

/** Which S3 key a kind of job mounts: the writers never hold the key that deletes. */
export function s3Key(kind: BackupJobKind): "writer" | "reader" | "pruner" {
  if (kind === "full" || kind === "oplog") return "writer";
  if (kind === "prune") return "pruner";
  return "reader";
}

/** Which credentials a kind of job needs: least privilege, so verify and catalog get none. */
function databaseUser(kind: BackupJobKind): "backup" | "restore" | undefined {
  if (kind === "full" || kind === "oplog") return "backup";
  if (kind === "restore") return "restore";
  return undefined;
}

/** The database user one container logs in as: the job's, and only in the step that connects. */
function stepDatabaseUser(kind: BackupJobKind, step: JobStep): "backup" | "restore" | undefined {
  return step.image === "mongo" && step.connects ? databaseUser(kind) : undefined;
}

/**
 * Whether a container holds a credential (a Secret: an S3 key, a database user, an encryption
 * key), and so gets its own credentials volume. The encrypt and decrypt containers keep each
 * artifact's unwrapped data key there (encryption.sh), never on the shared scratch volume.
 */
function holdsCredentials(kind: BackupJobKind, step: JobStep): boolean {
  return step.image === "s3" || step.crypto !== undefined || step.scratchUsers === true || stepDatabaseUser(kind, step) !== undefined;
}

/** Labels of a job's pods. Not the members' labels: no Service or PDB of the database selects these. */
export function backupPodLabels(config: PlatformConfig, target: BackupTarget, kind: BackupJobKind): Record<string, string> {
  const pvc = config.backup.storage.type === "pvc" ? config.backup.storage : undefined;
  return {
    ...commonLabels(config),
    "app.kubernetes.io/name": "mongodb-backup",
    "app.kubernetes.io/component": "backup",
    "nyrkio.io/backup-replset": target.replicaSet,
    "nyrkio.io/backup-kind": kind,
    // The database's NetworkPolicy admits the project's jobs by this label; verify and catalog
    // never connect to the database.
    ...(databaseUser(kind) ? DB_CLIENT_LABEL : {}),
    ...(pvc?.accessMode === "ReadWriteOnce" ? { "nyrkio.io/backup-volume": BACKUP_CLAIM_NAME } : {}),
  };
}

/** The encrypt and decrypt containers: the scratch volume and one key file, nothing else. */
function cryptoEnv(target: BackupTarget, step: JobStep): Container["env"] {
  const env: Record<string, string> = { BACKUP_REPLSET: target.replicaSet, BACKUP_STORAGE: "s3", BACKUP_WORK: WORK, CREDENTIALS_DIR, HOME: "/tmp", TMPDIR: "/tmp" };
  if (step.crypto === "encrypt") env.ENCRYPTION_PUBLIC_KEY = `${ENCRYPTION_KEY_DIR}/public-key.pem`;
  else env.ENCRYPTION_PRIVATE_KEY = `${ENCRYPTION_KEY_DIR}/private-key.pem`;
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

function mongoEnv(config: PlatformConfig, target: BackupTarget, kind: BackupJobKind, settings: BackupJobSettings, step: JobStep): Container["env"] {
  if (step.crypto) return cryptoEnv(target, step);
  const { backup } = config;
  const env: Record<string, string> = {
    BACKUP_REPLSET: target.replicaSet,
    BACKUP_MEMBERS: target.hosts.join(","),
    BACKUP_DATABASE: config.database,
    BACKUP_STORAGE: backup.storage.type,
    BACKUP_WORK: WORK,
    HOME: "/tmp",
    TMPDIR: "/tmp",
  };
  if (backup.storage.type === "pvc") env.BACKUP_ROOT = BACKUP_ROOT;
  if (step.deferExit) env.BACKUP_DEFER_EXIT = "1";
  const user = stepDatabaseUser(kind, step);
  if (user || step.scratchUsers) env.CREDENTIALS_DIR = CREDENTIALS_DIR;
  // The role the real restore user holds (users.ts restoreRole), made on the scratch mongod for its restore user.
  if (step.scratchUsers) env.VERIFY_RESTORE_ROLE = JSON.stringify(restoreRole());
  if (user === "backup") env.BACKUP_USER_DIR = BACKUP_USER_DIR;
  const retention = { RETENTION_DAILY: String(backup.retention.daily), RETENTION_WEEKLY: String(backup.retention.weekly) };
  // With a claim an oplog job takes a full dump itself when the chain breaks, and prunes after it.
  // With S3 the writers cannot delete: the prune job does.
  if ((kind === "full" || kind === "oplog") && backup.storage.type === "pvc") Object.assign(env, { BACKUP_PRUNE: "1", ...retention });
  if (kind === "prune") Object.assign(env, retention);
  if (kind === "oplog") {
    Object.assign(env, {
      BACKUP_COUNTS_EVERY_SECONDS: String(settings.countsEverySeconds),
      BACKUP_MAX_COMMIT_LAG_SECONDS: String(settings.maxCommitLagSeconds),
      // The recovery point fails the job past three of these (recovery-point.js).
      BACKUP_SLICE_INTERVAL_SECONDS: String(backup.pitr.oplogSpanMin * 60),
    });
  }
  if (kind === "restore") {
    Object.assign(env, {
      RESTORE_PLAN_DIR,
      ...(user === "restore" ? { RESTORE_USER_DIR } : {}),
      RESTORE_PARALLEL_COLLECTIONS: String(settings.restoreParallelCollections),
      RESTORE_INSERTION_WORKERS: String(settings.restoreInsertionWorkers),
    });
  }
  return [...Object.entries(env).map(([name, value]) => ({ name, value })), ...(databaseUser(kind) ? tlsClientParts(config.tls).env : [])];
}

function s3Env(config: PlatformConfig, target: BackupTarget): Container["env"] {
  const storage = config.backup.storage;
  if (storage.type !== "s3") throw new Error("s3 containers need s3 storage");
  const env: Record<string, string> = {
    BACKUP_REPLSET: target.replicaSet,
    BACKUP_WORK: WORK,
    S3_BUCKET: storage.bucket,
    S3_PREFIX: storage.prefix,
    AWS_REGION: storage.region,
    S3_CREDENTIALS_DIR,
    CREDENTIALS_DIR,
    HOME: "/tmp",
    TMPDIR: "/tmp",
  };
  if (storage.endpoint) env.S3_ENDPOINT = storage.endpoint;
  if (storage.sseKmsKeyId) env.S3_SSE_KMS_KEY_ID = storage.sseKmsKeyId;
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

/** balancer-window.sh's environment: mongos, balancer.js, and the backup user's files. */
function balancerWindowEnv(config: PlatformConfig): { name: string; value: string }[] {
  return [
    { name: "MONGOS_URI", value: withUriTlsOptions(`mongodb://${mongosHost(config)}/admin`, config.tls) },
    { name: "BALANCER_SCRIPT", value: scriptPath(BALANCER_SCRIPT) },
    { name: "BALANCER_USERNAME_FILE", value: `${BACKUP_USER_DIR}/username` },
    { name: "BALANCER_PASSWORD_FILE", value: `${BACKUP_USER_DIR}/password` },
    { name: "STATE_DIR", value: "/tmp" },
  ];
}

/** /tmp of every container (mongosh's home, small files): an emptyDir capped at this. */
export const TMP_SIZE_LIMIT = "1Gi";

/**
 * Whether a job holds a whole dump, or a restored copy of the data, in its scratch space: S3 full
 * dumps (the dump waits there for push) and restores (the pulled artifacts), and every
 * verification (its throwaway mongod's dbpath). With a backup claim, full dumps and restores read
 * and write the claim itself.
 */
export function needsLargeScratch(kind: BackupJobKind, storage: "pvc" | "s3"): boolean {
  if (kind === "verify") return true;
  return storage === "s3" && (kind === "full" || kind === "restore");
}

/**
 * The scratch volume (/work). Large: a generic ephemeral volume, a claim of backup.scratch.size
 * created with the pod and deleted with it (https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes),
 * so a dump never lands on the node's disk. Small: an emptyDir capped at backup.scratch.small;
 * the kubelet evicts a pod whose emptyDir outgrows its sizeLimit
 * (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage),
 * and every container requests that much ephemeral storage so the scheduler reserves it.
 */
export function scratchVolume(config: PlatformConfig, kind: BackupJobKind, labels: Record<string, string>): Volume {
  const { scratch } = config.backup;
  if (!needsLargeScratch(kind, config.backup.storage.type)) return { name: "work", emptyDir: { sizeLimit: scratch.small } };
  return {
    name: "work",
    ephemeral: {
      volumeClaimTemplate: {
        metadata: { labels },
        spec: {
          accessModes: ["ReadWriteOnce"],
          ...(scratch.storageClass ? { storageClassName: scratch.storageClass } : {}),
          resources: { requests: { storage: scratch.size } },
        },
      },
    },
  };
}

/** Node-local storage each container requests: /tmp, and the scratch emptyDir when it is one. */
function ephemeralStorageRequest(config: PlatformConfig, kind: BackupJobKind): string {
  const tmp = parseQuantity(TMP_SIZE_LIMIT)!;
  const bytes = needsLargeScratch(kind, config.backup.storage.type) ? tmp : tmp + parseQuantity(config.backup.scratch.small)!;
  const mi = Math.ceil(bytes / 2 ** 20);
  // The API server prints quantities canonically (3072Mi as 3Gi); so do we, for a readable plan.
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

function container(config: PlatformConfig, target: BackupTarget, kind: BackupJobKind, settings: BackupJobSettings, step: JobStep): Container {
  const { requests, limits } = config.backup.resources;
  const mounts: Container["volumeMount"] = [
    { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
    { name: "work", mountPath: WORK },
    { name: "tmp", mountPath: "/tmp" },
  ];
  if (step.crypto) {
    mounts.push({ name: `encryption-${step.crypto === "encrypt" ? "public" : "private"}-key`, mountPath: ENCRYPTION_KEY_DIR, readOnly: true });
  } else if (step.image === "mongo") {
    // Restore and catalog export only read the catalog.
    if (config.backup.storage.type === "pvc") mounts.push({ name: "backup", mountPath: BACKUP_ROOT, readOnly: kind === "restore" || kind === "catalog" });
    mounts.push({ ...mongoshConfMount, name: "mongosh-conf" });
    // The jobs that connect to the database verify it (the CA alone: tls-client.ts; public, so every
    // mongo container of such a job may mount it); verify and catalog never connect (verify's
    // scratch mongod is local, verify.sh says why it has no TLS).
    if (databaseUser(kind)) mounts.push(...tlsClientParts(config.tls).volumeMount);
    const user = stepDatabaseUser(kind, step);
    if (user === "backup") mounts.push({ name: "backup-user", mountPath: BACKUP_USER_DIR, readOnly: true });
    if (user === "restore") mounts.push({ name: "restore-user", mountPath: RESTORE_USER_DIR, readOnly: true });
    // select reads the plan too; the plan is no credential.
    if (kind === "restore") mounts.push({ name: "restore-plan", mountPath: RESTORE_PLAN_DIR, readOnly: true });
  } else {
    mounts.push({ name: s3CredentialsVolumeName(step.name), mountPath: S3_CREDENTIALS_DIR, readOnly: true });
  }
  if (holdsCredentials(kind, step)) mounts.push({ name: credentialsVolumeName(step.name), mountPath: CREDENTIALS_DIR });
  const [script, ...args] = step.run;
  // Sharded: no chunk moves between shards while a set is dumped (docs/sharding.md).
  const inWindow = config.sharding.enabled && script === WORK_SCRIPT.full.run[0];
  const env = step.image === "mongo" ? mongoEnv(config, target, kind, settings, step) : s3Env(config, target);
  return {
    name: step.name,
    image: step.image === "mongo" ? config.image : settings.s3ClientImage,
    imagePullPolicy: "IfNotPresent",
    command: literalArgs(inWindow ? ["bash", scriptPath(BALANCER_WINDOW), "bash", scriptPath(script)] : ["bash", scriptPath(script)], step.name),
    ...(args.length ? { args: literalArgs(args, step.name) } : {}),
    env: literalEnv([...(env as { name: string; value: string }[]), ...(inWindow ? balancerWindowEnv(config) : [])], step.name),
    resources: {
      requests: { cpu: requests.cpu, memory: requests.memory, "ephemeral-storage": ephemeralStorageRequest(config, kind) },
      limits: { memory: limits.memory, ...(limits.cpu ? { cpu: limits.cpu } : {}) },
    },
    securityContext: containerSecurityContext(),
    volumeMount: mounts,
  };
}

function volumes(config: PlatformConfig, target: BackupTarget, kind: BackupJobKind, steps: JobStep[]): Volume[] {
  const secretFiles = (secretName: string, keys: string[]): Volume["secret"] => ({
    secretName,
    defaultMode: "0440",
    items: keys.map((key) => ({ key, path: key })),
  });
  const list: Volume[] = [
    { name: "scripts", configMap: { name: BACKUP_SCRIPTS_CONFIG_MAP, defaultMode: "0444", items: backupScriptsItems(config.sharding.enabled) } },
    { name: "mongosh-conf", configMap: { name: BACKUP_SCRIPTS_CONFIG_MAP, defaultMode: "0444", items: [{ key: MONGOSH_CONF_KEY, path: "mongosh.conf" }] } },
    scratchVolume(config, kind, { ...commonLabels(config), "app.kubernetes.io/component": "backup-scratch", "nyrkio.io/backup-replset": target.replicaSet, "nyrkio.io/backup-kind": kind }),
    { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
  ];
  const storage = config.backup.storage;
  if (storage.type === "pvc") list.push({ name: "backup", persistentVolumeClaim: { claimName: BACKUP_CLAIM_NAME } });
  // One Secret volume per S3 container: no volume that holds a key is shared.
  if (storage.type === "s3")
    for (const step of steps.filter((s) => s.image === "s3"))
      list.push({ name: s3CredentialsVolumeName(step.name), secret: secretFiles(storage.credentials[s3Key(kind)], ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) });
  // A job has at most one encrypt or one decrypt container: each key volume has one reader.
  if (storage.type === "s3" && storage.clientSideEncryption) {
    const cse = storage.clientSideEncryption;
    if (steps.some((s) => s.crypto === "encrypt")) list.push({ name: "encryption-public-key", secret: secretFiles(cse.publicKeySecret, ["public-key.pem"]) });
    if (steps.some((s) => s.crypto === "decrypt")) list.push({ name: "encryption-private-key", secret: secretFiles(cse.privateKeySecret, ["private-key.pem"]) });
  }
  const user = databaseUser(kind);
  if (user) list.push(...tlsClientParts(config.tls).volume);
  if (user === "backup") list.push({ name: "backup-user", secret: secretFiles(config.secrets.backup, ["username", "password"]) });
  if (user === "restore") {
    // The temporary user's Secret, generated for this restore (never the managed restore user's):
    // optional, so that without it restore.sh starts and says how to create it.
    list.push({ name: "restore-user", secret: { ...secretFiles(restoreCredentialsSecretName(target.replicaSet), ["username", "password"]), optional: true } });
    // Optional: without it the job fails with a message that says how to create it.
    list.push({ name: "restore-plan", configMap: { name: restorePlanConfigMapName(target.replicaSet), optional: true, defaultMode: "0444" } });
  }
  for (const step of steps) if (holdsCredentials(kind, step)) list.push({ name: credentialsVolumeName(step.name), emptyDir: { medium: "Memory", sizeLimit: CREDENTIALS_VOLUME_SIZE } });
  return list;
}

/** The pod of one backup job of one replica set. */
export function backupPodSpec(config: PlatformConfig, target: BackupTarget, kind: BackupJobKind, settings: BackupJobSettings): PodSpec {
  const storage = config.backup.storage;
  const { init, main } = jobSteps(kind, storage.type, storage.type === "s3" && storage.clientSideEncryption !== undefined);
  const pinned = storage.type === "pvc" && storage.accessMode === "ReadWriteOnce";
  return {
    restartPolicy: "Never",
    serviceAccountName: BACKUP_SERVICE_ACCOUNT,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 30,
    securityContext: podSecurityContext(),
    // A ReadWriteOnce claim can be mounted on one node at a time: every backup pod requires a node
    // where another backup pod runs (none running: any node; Kubernetes lets a pod that matches its
    // own required affinity term start the group).
    ...(pinned
      ? {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: "kubernetes.io/hostname", labelSelector: [{ matchLabels: { "nyrkio.io/backup-volume": BACKUP_CLAIM_NAME } }] },
              ],
            },
          },
        }
      : {}),
    ...(init.length ? { initContainer: init.map((step) => container(config, target, kind, settings, step)) } : {}),
    container: [container(config, target, kind, settings, main)],
    volume: volumes(config, target, kind, [...init, main]),
  };
}
