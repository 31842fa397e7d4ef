// The sharding Job: adds the shards, creates the database and shards the configured collections,
// through mongos, with sharding/'s script (docs/sharding.md, "The sharding Job").
//
// Runs once per desired state: its name carries a hash of what it reads (the shards and their
// hosts, the database, the keys, the scripts), so a changed config makes a new Job on the next
// deploy and an unchanged one leaves the finished Job alone. It may run for hours (index builds),
// so Terraform does not wait for it (job-wait.ts; the operator runs `npm run wait-job`); it
// retries with backoff until the shards and mongos answer. It is never deleted after it finishes, because a Job that disappears is created, and run,
// again by the next apply.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DEPLOY_JOB_LABEL } from "../../../ops/wait-job/job-labels";
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { PlatformConfig } from "../../../config/platform-config";
import { ROOT_SECRET_DIR, SECRET_KEYS } from "../../../replicaset/reconcile-paths";
import { desiredSharding } from "../../../sharding/desired-sharding";
import { renderShardingScript, SHARDING_SCRIPT_FILE } from "../../../sharding/sharding-script";
import { commonLabels, DB_CLIENT_LABEL, mongosHost } from "../../naming";
import { jobWait } from "../job-wait";
import { containerResources, containerSecurityContext, credentialsVolume, MONGOSH_CONF, MONGOSH_ENV, mongoshConfMount, podSecurityContext, tmpMount, tmpVolume } from "../member-pod";
import { readEmbeddedFile } from "../../../config/embedded-file";
import { configMapData, literalArgs, literalEnv } from "../../terraform-text";
import { withUriTlsOptions } from "../../../config/tls";
import { tlsClientParts } from "../tls-client";

export const SHARDING_JOB_PREFIX = "mongodb-sharding";
/** Covers the retries and an index build on a collection that already holds data. */
const SHARDING_DEADLINE_SECONDS = 4 * 3600;
/** Where the Job's ConfigMap is mounted. */
export const SHARDING_DIR = "/etc/nyrkio/sharding";
const DESIRED_FILE = "desired-sharding.json";
const ENTRY_SCRIPT = "run-sharding-job.sh";
/** How long the entry script waits for mongos before it gives up (the Job then retries). */
const MONGOS_WAIT_SECONDS = 600;

/** The Job's ConfigMap data: what it runs and the desired state, as a reviewer sees them in the plan. */
export function shardingJobFiles(config: PlatformConfig): Record<string, string> {
  return {
    [DESIRED_FILE]: `${JSON.stringify(desiredSharding(config), null, 2)}\n`,
    [SHARDING_SCRIPT_FILE]: renderShardingScript(),
    [ENTRY_SCRIPT]: readEmbeddedFile(path.join(__dirname, "..", "..", "..", "sharding", "scripts", ENTRY_SCRIPT)),
    "mongosh.conf": MONGOSH_CONF,
  };
}

/** sha256 over the files (names and contents, in name order), first 10 hex digits. */
export function shardingStateHash(files: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);
  return hash.digest("hex").slice(0, 10);
}

export interface ShardingJobProps {
  config: PlatformConfig;
  namespace: string;
  serviceAccountName: string;
  /** mongos, every shard's and the config servers' StatefulSets and reconcile Jobs. */
  dependsOn: ITerraformDependable[];
}

export class ShardingJob extends Construct {
  readonly configMap: ConfigMapV1;
  readonly job: JobV1;
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: ShardingJobProps) {
    super(scope, id);
    const { config, namespace } = props;
    const labels = { ...commonLabels(config), "app.kubernetes.io/component": "sharding" };
    const files = shardingJobFiles(config);
    this.jobName = `${SHARDING_JOB_PREFIX}-${shardingStateHash(files)}`;

    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name: SHARDING_JOB_PREFIX, namespace, labels },
      data: configMapData(files, `ConfigMap ${SHARDING_JOB_PREFIX}`),
    });

    const env: Record<string, string> = {
      ...Object.fromEntries(MONGOSH_ENV.map((e) => [e.name, e.value])),
      // With clients on TLS: tls=true&tlsCAFile (config/tls.ts), mongos's certificate and host name verified.
      MONGOS_URI: withUriTlsOptions(`mongodb://${mongosHost(config)}/admin`, config.tls),
      MONGOS_WAIT_SECONDS: String(MONGOS_WAIT_SECONDS),
      SHARDING_SCRIPT: `${SHARDING_DIR}/${SHARDING_SCRIPT_FILE}`,
      SHARDING_DESIRED_FILE: `${SHARDING_DIR}/${DESIRED_FILE}`,
      ROOT_USERNAME_FILE: `${ROOT_SECRET_DIR}/${SECRET_KEYS.username}`,
      ROOT_PASSWORD_FILE: `${ROOT_SECRET_DIR}/${SECRET_KEYS.password}`,
    };

    const tlsClient = tlsClientParts(config.tls);
    this.job = new JobV1(this, "job", {
      metadata: { name: this.jobName, namespace, labels: { ...labels, [DEPLOY_JOB_LABEL]: SHARDING_JOB_PREFIX } },
      spec: {
        // A new shard may still be initiating when the Job first runs: a failed pod is retried
        // with the Job's exponential backoff (10 s, 20 s, 40 s, … up to 6 min).
        backoffLimit: 6,
        activeDeadlineSeconds: SHARDING_DEADLINE_SECONDS,
        template: {
          metadata: { labels: { ...labels, ...DB_CLIENT_LABEL } },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(),
            container: [
              {
                name: "sharding",
                image: config.image,
                command: literalArgs(["bash", `${SHARDING_DIR}/${ENTRY_SCRIPT}`], this.jobName),
                env: literalEnv(
                  Object.entries(env).map(([name, value]) => ({ name, value })),
                  this.jobName,
                ),
                resources: containerResources({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } }),
                securityContext: containerSecurityContext(),
                volumeMount: [
                  { name: "sharding", mountPath: SHARDING_DIR, readOnly: true },
                  { name: "root-secret", mountPath: ROOT_SECRET_DIR, readOnly: true },
                  mongoshConfMount,
                  tmpMount,
                  ...tlsClient.volumeMount,
                ],
              },
            ],
            volume: [
              { name: "sharding", configMap: { name: this.configMap.metadata.name, defaultMode: "0555" } },
              // mongoshConfMount reads mongosh.conf from a volume named "config".
              { name: "config", configMap: { name: this.configMap.metadata.name, items: [{ key: "mongosh.conf", path: "mongosh.conf" }] } },
              credentialsVolume("root-secret", config.secrets.root),
              tmpVolume(),
              ...tlsClient.volume,
            ],
          },
        },
      },
      ...jobWait(SHARDING_DEADLINE_SECONDS),
      dependsOn: props.dependsOn,
    });
  }
}
