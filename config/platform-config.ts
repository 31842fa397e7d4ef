// The deployment config of one environment: its shape (a schema that is also the type) and its
// field-level rules. Cross-field rules (voting members, arbiters, sharding) live in validate.ts.
// The shape follows the Percona operator's custom resource where it can: `replsets`, `arbiter`,
// `sharding`, `backup.pitr`, so a reader who knows MongoDB on Kubernetes recognises it.

import { exporterImageRule } from "../monitoring/exporter-image";
import { cronRule } from "./cron";
import { mongoImageRule } from "./mongo-image";
import { positiveQuantityRule } from "./quantity";
import { tlsSchema } from "./tls";
import { array, boolean, Infer, literal, number, object, optional, record, refine, removed, string, tagged } from "./schema";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsLabel = () => string({ pattern: DNS_LABEL, rule: "must be a DNS label (lower-case letters, digits and '-', at most 63)" });
const secretName = () => string({ pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, rule: "must be a Kubernetes Secret name" });
const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const cidr = () => string({ pattern: CIDR, rule: 'must be an IPv4 CIDR such as "10.0.0.0/8"' });
const quantity = () => refine(string(), positiveQuantityRule);
const cron = () => refine(string(), cronRule);
const labelMap = () =>
  record(string({ pattern: /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$|^$/, rule: "must be a label value" }), {
    key: /^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    keyRule: "is not a valid label key",
  });

// MongoDB's database name rules (https://www.mongodb.com/docs/manual/reference/limits/#naming-restrictions):
// none of /\. "$*<>:|? and no NUL, under 64 bytes; "$external" is where external users live.
const databaseName = () =>
  string({ pattern: /^(?:\$external|[^/\\. "$*<>:|?\0]{1,63})$/, rule: 'must be a MongoDB database name (no /\\. "$*<>:|?, at most 63 characters) or "$external"' });
const mongoName = (what: string) => string({ pattern: /^[^\0]{1,256}$/, rule: `must be ${what} (1 to 256 characters, no NUL)` });

const resources = () =>
  object({
    requests: object({ cpu: quantity(), memory: quantity() }),
    limits: object({ cpu: optional(quantity()), memory: quantity() }),
  });

const storage = () =>
  object({
    /** Omit to use the cluster's default StorageClass. */
    storageClass: optional(string({ minLength: 1, rule: "must not be empty" })),
    /** Size for new claims. Growing it later is a claim expansion (docs/runbooks/grow-storage.md); it never replaces the StatefulSet. */
    size: quantity(),
  });

/** One data-bearing member; its `_id` in the replica-set config is its StatefulSet ordinal. */
const member = object({
  priority: number({ min: 0, max: 1000 }),
  votes: literal(0, 1),
});

const arbiter = object({
  enabled: boolean(),
  /** Always 0: an arbiter can never become primary. Here so a reviewer sees it. */
  priority: number(),
  resources: resources(),
});

export const replsetSchema = object({
  name: dnsLabel(),
  members: array(member, { minItems: 1, maxItems: 50 }),
  arbiter,
  resources: resources(),
  storage: storage(),
  /** mongod's storage.oplogMinRetentionHours: protects the backup chain from write bursts. */
  oplogMinRetentionHours: number({ exclusiveMin: 0, max: 8760 }),
});

const stateBackend = tagged("backend", {
  local: object({
    backend: literal("local"),
    /** Directory for the state files, one per stack. */
    directory: optional(string({ minLength: 1, rule: "must not be empty" })),
  }),
  s3: object({
    backend: literal("s3"),
    bucket: string({ minLength: 3, rule: "must be a bucket name" }),
    keyPrefix: string({ minLength: 1, rule: "must not be empty" }),
    region: string({ minLength: 1, rule: "must not be empty" }),
    /** For S3-compatible stores (MinIO, Ceph). */
    endpoint: optional(string({ pattern: /^https?:\/\//, rule: "must be an http(s) URL" })),
    /** Terraform's S3-native lock file (use_lockfile); locking is never off. */
    encrypt: boolean(),
  }),
  kubernetes: object({
    backend: literal("kubernetes"),
    /**
     * Each stack's state is its own Secret, tfstate-default-<secretSuffix>-<stack name>, locked
     * with the Lease lock-<that name> (Terraform's secret_suffix is <secretSuffix>-<stack name>).
     * The namespace must exist: scripts/create-secrets.sh --state-namespace creates it.
     */
    secretSuffix: dnsLabel(),
    namespace: dnsLabel(),
  }),
});

const backupStorage = tagged("type", {
  pvc: object({
    type: literal("pvc"),
    storageClass: optional(string({ minLength: 1, rule: "must not be empty" })),
    size: quantity(),
    /**
     * ReadWriteMany lets the backup jobs run on any node. ReadWriteOnce works only when every
     * backup job runs on one node: the stack then pins them with pod affinity to each other.
     */
    accessMode: literal("ReadWriteMany", "ReadWriteOnce"),
  }),
  s3: object({
    type: literal("s3"),
    bucket: string({ minLength: 3, rule: "must be a bucket name" }),
    prefix: string(),
    region: string({ minLength: 1, rule: "must not be empty" }),
    /** S3-compatible stores (MinIO, Ceph). https only, unless allowInsecureEndpoint (validate.ts). */
    endpoint: optional(string({ pattern: /^https?:\/\/[^\s/]+/, rule: "must be an http(s) URL" })),
    /** Tests only: accept an http:// endpoint, whose traffic (keys' signatures, every dump) is in clear. */
    allowInsecureEndpoint: optional(boolean()),
    /**
     * Three keys, each a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, each mounted only
     * by the jobs that need it (docs/backups.md gives each key's IAM policy):
     *   writer  dump and slice jobs: List, Get, Put (never Delete, tagging or bucket settings)
     *   reader  verification, restore and catalog export: List, Get (and Put of status/verify.json)
     *   pruner  the pruning job, the only one that deletes: List, Get, Delete
     */
    credentials: object({ writer: secretName(), reader: secretName(), pruner: secretName() }),
    credentialsSecret: removed(
      "was split into credentials.writer, credentials.reader and credentials.pruner, three keys of which only the pruner's may delete (docs/upgrading.md)",
    ),
    /**
     * SSE-KMS: every object is written with `--sse aws:kms --sse-kms-key-id <this>` (a key id,
     * key ARN, alias/<name> or alias ARN). The writer key then needs kms:GenerateDataKey and
     * kms:Decrypt on it (multipart uploads), the reader and pruner kms:Decrypt.
     */
    sseKmsKeyId: optional(string({ pattern: /^[A-Za-z0-9:/_+=.@-]{1,2048}$/, rule: "must be a KMS key id, key ARN, alias/<name> or alias ARN" })),
    /**
     * Client-side encryption of every artifact to an RSA public key before it leaves the pod
     * (backup/scripts/encryption.sh). The dump and slice jobs mount only `publicKeySecret` (key
     * `public-key.pem`); verification and restore mount `privateKeySecret` (key `private-key.pem`).
     */
    clientSideEncryption: optional(object({ publicKeySecret: secretName(), privateKeySecret: secretName() })),
  }),
});

const shardKeyValue = literal(1, "hashed");

const httpUrl = () => string({ pattern: /^https?:\/\/[^\s]+$/, rule: "must be an http(s) URL" });

/** Metrics, alerts and the dashboard (docs/observability.md). */
export const monitoringSchema = object({
  /** mongodb_exporter beside every mongod and mongos, its user, the rules and dashboard ConfigMaps, the metrics Service. */
  enabled: boolean(),
  /** Percona's mongodb_exporter, pinned to the version the flags and rules were written for. */
  exporterImage: refine(string(), exporterImageRule),
  /** Namespaces whose pods may scrape the exporters' port (Prometheus's). */
  scrapeNamespaces: array(dnsLabel()),
  /**
   * Also ship PrometheusRule and PodMonitor objects, in a stack of their own
   * (nyrkio-db-<env>-monitoring) applied after the Prometheus Operator: they need its CRDs at plan time.
   */
  prometheusOperator: boolean(),
  /** Extra labels of the PrometheusRule and PodMonitor, for the operator's selectors (kube-prometheus-stack: release: <name>). */
  operatorLabels: optional(labelMap()),
  /**
   * Base URL of a Pushgateway (http://pushgateway.monitoring:9091): the backup stack then pushes
   * the backup metrics there every slice interval. Omit: they are not pushed (status reads them).
   */
  pushgateway: optional(httpUrl()),
  /** Where docs/runbooks/ is published (the rules' runbook_url); omit: the repository-relative path. */
  runbookBaseUrl: optional(httpUrl()),
});

export const platformConfigSchema = object({
  /** Environment name: prefixes the stacks (nyrkio-db-<name>). */
  name: dnsLabel(),
  kubernetes: object({
    /** kubeconfig path and context for the provider; both optional (in-cluster or defaults). */
    configPath: optional(string({ minLength: 1, rule: "must not be empty" })),
    configContext: optional(string({ minLength: 1, rule: "must not be empty" })),
    namespace: dnsLabel(),
    /** The cluster's DNS domain, used in member host names (default cluster.local). */
    clusterDomain: optional(string({ pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, rule: "must be a DNS domain" })),
    /** false: the namespace exists already and is not managed here. */
    createNamespace: boolean(),
  }),
  state: stateBackend,
  /** The official MongoDB image, pinned to an LTS tag. */
  image: refine(string(), mongoImageRule),
  /** MongoDB database that Nyrkiö uses. */
  database: string({ pattern: /^[A-Za-z0-9_-]{1,63}$/, rule: "must be a MongoDB database name" }),
  /** With sharding off: exactly one replica set. With sharding on: the shards, the first being the converted replica set. */
  replsets: array(replsetSchema, { minItems: 1 }),
  pod: object({
    /** Longer than mongod's shutdown quiesce (15 s) so a primary steps down cleanly. */
    terminationGracePeriodSeconds: number({ integer: true, min: 1 }),
    /** mongod's shutdownTimeoutMillisForSignaledShutdown, in seconds. */
    shutdownQuiesceSeconds: number({ integer: true, min: 0 }),
    /**
     * A SECONDARY is Ready only while at most this far behind the primary (default 15), so a
     * rolling restart waits for each restarted member to catch up. Above 10: an idle primary
     * writes a no-op every 10 s (periodicNoopIntervalSecs), and a secondary one no-op behind is
     * 10 s behind by lastWriteDate.
     */
    readyMaxLagSeconds: optional(number({ integer: true, min: 11 })),
    /** Spread members over nodes: "required" refuses to co-locate two members, "preferred" tries. */
    nodeSpread: literal("required", "preferred"),
    zoneSpread: literal("none", "preferred", "required"),
    nodeSelector: optional(labelMap()),
  }),
  network: object({
    /** Namespaces whose pods may connect on 27017 (the application's). */
    clientNamespaces: array(dnsLabel()),
    /**
     * Pods with all of `labels` in `namespace` may connect. Always paired with a namespace: labels
     * alone would admit anyone who can create a pod in any namespace and label it.
     */
    clientPods: array(object({ namespace: dnsLabel(), labels: refine(labelMap(), (l) => (Object.keys(l).length ? undefined : "must name at least one label")) })),
    /**
     * Egress: every pod of the project is denied all egress except DNS, the database port inside
     * the namespace, and (backup pods, when backups go to S3) HTTPS to `s3Cidrs`.
     */
    egress: object({
      /** false: no egress policy (for a CNI that does not enforce egress, say). */
      restrict: boolean(),
      /** The cluster DNS pods the project's pods may query on UDP and TCP 53. */
      dns: object({ namespace: dnsLabel(), podLabels: labelMap() }),
      /** The cluster's pod and service CIDRs: S3 egress never reaches them. */
      clusterCidrs: array(cidr()),
      /** Where S3 is. Omit for 0.0.0.0/0 minus clusterCidrs and the cloud metadata address. */
      s3Cidrs: optional(array(cidr(), { minItems: 1 })),
    }),
  }),
  /** Names of Secrets created before deploy (see README); passwords never pass through Terraform. */
  secrets: object({
    /** Key `keyfile`: the replica set's internal authentication key. */
    keyfile: secretName(),
    /** Keys `username`, `password` for each user below. */
    root: secretName(),
    /**
     * The one-time first user (`nyrkio-bootstrap`, userAdmin on admin) that the bootstrap sidecar
     * creates through the localhost exception and the reconcile Job replaces with root
     * (docs/security.md, "The root Secret"). Made by scripts/create-secrets.sh; a set whose root
     * user exists already runs without it.
     */
    bootstrap: secretName(),
    app: secretName(),
    migrator: secretName(),
    backup: secretName(),
    /** Removed (issue 12): every restore runs as a temporary restore-<random> user. */
    restore: removed(
      "is no longer used: every restore runs as a temporary restore-<random> user created for it (docs/runbooks/restore.md, step 6), and the reconcile Job drops the old restore user (docs/upgrading.md); remove the field",
    ),
    /** The exporters' user (clusterMonitor, read on local); managed only with monitoring.enabled. */
    monitor: secretName(),
    /** The retention CronJob's user (find on results and changes, remove on results); managed only with retention.enabled. */
    retention: secretName(),
    /** The TLS rotation sidecars' user (rotateCertificates on the cluster); managed only while tls.mode is not disabled. */
    rotator: secretName(),
  }),
  /**
   * Users and roles that exist in the database but are not the project's: the reconcile Job drops
   * every user and role it does not manage (a restore brings back those of the dump), except these
   * and the root user (docs/security.md, "After a restore"). Omit for none.
   */
  accessControl: optional(
    object({
      externalUsers: array(object({ user: mongoName("a user name"), db: databaseName() })),
      externalRoles: array(object({ role: mongoName("a role name"), db: databaseName() })),
    }),
  ),
  /** Cluster-wide defaults set with setDefaultRWConcern (see docs/read-write-concern.md). */
  readWriteConcern: object({
    write: object({
      w: refine(string(), (w) => (w === "majority" || /^[1-9]$/.test(w) ? undefined : `must be "majority" or a member count such as "1", got ${JSON.stringify(w)}`)),
      wtimeoutMS: number({ integer: true, min: 0 }),
    }),
    read: literal("local", "majority", "available"),
  }),
  /** Deletes results older than the window, keeping those a change point refers to. */
  retention: object({
    enabled: boolean(),
    resultsDays: number({ integer: true, min: 1 }),
    schedule: cron(),
    batchSize: number({ integer: true, min: 1, max: 100000 }),
  }),
  sharding: object({
    enabled: boolean(),
    /** A shard with an arbiter aborts transactions that write to more than one shard: opt in knowingly. */
    allowShardArbiters: boolean(),
    /**
     * true: clients reach mongos only; the shards admit just each other, the config servers, mongos
     * and the project's jobs. Keep false while an application still connects to a converted
     * replica set directly (docs/runbooks/convert-to-sharded.md), then turn it on.
     */
    clientsOnMongosOnly: boolean(),
    /**
     * The balancer's activeWindow as set (by hand, docs/sharding.md) in config.settings, "HH:MM" in
     * the config servers' time zone. Not applied by the stack: the validation checks it against
     * backup.full.schedule, whose dumps stop the balancer while they run.
     */
    balancerActiveWindow: optional(
      object({
        start: string({ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, rule: 'must be "HH:MM" (00:00 to 23:59)' }),
        stop: string({ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, rule: 'must be "HH:MM" (00:00 to 23:59)' }),
      }),
    ),
    configServer: object({
      members: number({ integer: true, min: 1, max: 7 }),
      resources: resources(),
      storage: storage(),
    }),
    mongos: object({
      replicas: number({ integer: true, min: 1 }),
      resources: resources(),
    }),
    collections: array(
      object({
        /** Collection name in the Nyrkiö database. */
        name: string({ pattern: /^[A-Za-z0-9_.-]+$/, rule: "must be a collection name" }),
        /** Ranged (1) or hashed fields, in order, e.g. { "test_id": 1, "timestamp": 1 }. */
        key: record(shardKeyValue),
        /** Allow a ranged key whose first field only grows (a hot shard); off by default. */
        allowMonotonicPrefix: optional(boolean()),
      }),
    ),
  }),
  backup: object({
    enabled: boolean(),
    storage: backupStorage,
    full: object({ schedule: cron() }),
    pitr: object({
      enabled: boolean(),
      /** Minutes between oplog slices, 1 to 60 (Percona's default is 10). */
      oplogSpanMin: number({ integer: true, min: 1, max: 60 }),
    }),
    retention: object({
      /** Daily full dumps to keep. */
      daily: number({ integer: true, min: 1 }),
      /** Weekly full dumps (the newest of each ISO week) to keep beyond the dailies. */
      weekly: number({ integer: true, min: 0 }),
    }),
    verify: object({ enabled: boolean(), schedule: cron() }),
    resources: resources(),
    /**
     * Scratch space of the backup pods (docs/backups.md, "Scratch space"). `size`: a claim that
     * lives with the pod (a generic ephemeral volume) for the jobs that hold a whole dump there:
     * S3 full dumps and restores, and every verification (its throwaway mongod's data). `small`:
     * an emptyDir capped at this, with as much ephemeral storage requested, for the rest (slices,
     * catalog export, and full dumps and restores that read or write the backup claim directly).
     */
    scratch: object({
      storageClass: optional(string({ minLength: 1, rule: "must not be empty" })),
      size: quantity(),
      small: quantity(),
    }),
  }),
  monitoring: monitoringSchema,
  /** TLS for every connection (config/tls.ts, docs/tls.md). */
  tls: tlsSchema,
});

export type PlatformConfig = Infer<typeof platformConfigSchema>;
export type ReplsetConfig = Infer<typeof replsetSchema>;
export type ResourcesConfig = ReplsetConfig["resources"];
export type StorageConfig = ReplsetConfig["storage"];
export type StateBackendConfig = PlatformConfig["state"];
export type BackupConfig = PlatformConfig["backup"];
export type ShardingConfig = PlatformConfig["sharding"];
export type MonitoringConfig = PlatformConfig["monitoring"];
export type { TlsConfig } from "./tls";

/** Deep partial used for overrides (a JSON file over a built-in environment). */
export type ConfigOverride<T = PlatformConfig> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: ConfigOverride<T[K]> } : T;
