// The results-retention CronJob: deletes results older than the retention window, in bounded
// batches, keeping those a change point refers to (migrations/retention/). Runs the generated
// mongosh script from the official image; the schedule, window and batch size come from config.
//
// Credentials: the application user (readWrite on the Nyrkiö database, nothing else), the least
// privileged existing user that can delete results; the migrator has no access to data at all.
// Its Secret is mounted as files and the script authenticates with auth(): no password in argv,
// in the ConfigMap, or in the synthesized JSON.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../config/platform-config";
import { RETENTION_MOUNTS, RETENTION_PARAMS_KEY, RETENTION_SCRIPT_KEY, retentionParams } from "../../migrations/retention/retention-params";
import { retentionScript } from "../../migrations/retention/retention-script";
import { AUTH_SOURCE } from "../../replicaset/users";
import { commonLabels, DB_CLIENT_LABEL, dataMemberHosts, mongosHost, RETENTION_NAME } from "../naming";
import { containerSecurityContext, credentialsVolume, MONGOSH_CONF, podSecurityContext, tmpMount, tmpVolume } from "./member-pod";
import { configMapData, literalArgs, literalEnv } from "../terraform-text";
import { withUriTlsOptions } from "../../config/tls";
import { tlsClientParts } from "./tls-client";

export interface RetentionCronJobProps {
  config: PlatformConfig;
  /** Name of the CronJob and its ConfigMap; default RETENTION_NAME. */
  name?: string;
  /** mongodb:// URI without credentials; default retentionUri(config). */
  uri?: string;
  serviceAccountName?: string;
  /** Sharded: the sharding Job, so the CronJob's URI moves to mongos only once the shard is added. */
  dependsOn?: ITerraformDependable[];
}

/** Where the database answers: mongos when sharded, else the first replica set's data members; with clients on TLS, verified (config/tls.ts). */
export function retentionUri(config: PlatformConfig): string {
  if (config.sharding.enabled) return withUriTlsOptions(`mongodb://${mongosHost(config)}/?authSource=${AUTH_SOURCE}`, config.tls);
  const rs = config.replsets[0];
  return withUriTlsOptions(`mongodb://${dataMemberHosts(config, rs).join(",")}/?replicaSet=${rs.name}&authSource=${AUTH_SOURCE}`, config.tls);
}

/** A run stopped by the deadline loses nothing: the next run continues where the data stands. */
export const RETENTION_DEADLINE_SECONDS = 4 * 3600;
const MONGOSH_CONF_KEY = "mongosh.conf";

export class RetentionCronJob extends Construct {
  readonly configMap: ConfigMapV1;
  readonly cronJob: CronJobV1;

  constructor(scope: Construct, id: string, props: RetentionCronJobProps) {
    super(scope, id);
    const { config } = props;
    const name = props.name ?? RETENTION_NAME;
    const namespace = config.kubernetes.namespace;
    const labels = { ...commonLabels(config), "app.kubernetes.io/component": "retention" };
    const params = retentionParams(config, props.uri ?? retentionUri(config));

    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name, namespace, labels },
      data: configMapData(
        {
          [RETENTION_SCRIPT_KEY]: retentionScript(`${RETENTION_MOUNTS.config}/${RETENTION_PARAMS_KEY}`),
          [RETENTION_PARAMS_KEY]: `${JSON.stringify(params, null, 2)}\n`,
          [MONGOSH_CONF_KEY]: MONGOSH_CONF,
        },
        `ConfigMap ${name}`,
      ),
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
    });

    const tlsClient = tlsClientParts(config.tls);
    this.cronJob = new CronJobV1(this, "cron-job", {
      metadata: { name, namespace, labels },
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
      spec: {
        schedule: config.retention.schedule,
        // Off in config pauses the schedule; the CronJob stays, so turning it on again is a one-field change.
        suspend: !config.retention.enabled,
        // Never two runs at once: they would fight over the same oldest results.
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: RETENTION_DEADLINE_SECONDS,
            template: {
              // DB_CLIENT_LABEL: the database's NetworkPolicy admits the project's own jobs by it.
              metadata: { labels: { ...labels, ...DB_CLIENT_LABEL } },
              spec: {
                restartPolicy: "Never",
                ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: podSecurityContext(),
                container: [
                  {
                    name: "retention",
                    image: config.image,
                    command: literalArgs(["mongosh", "--nodb", "--quiet", "--file", `${RETENTION_MOUNTS.config}/${RETENTION_SCRIPT_KEY}`], name),
                    // mongosh keeps its state under $HOME: the root filesystem is read-only, /tmp is not.
                    env: literalEnv([{ name: "HOME", value: "/tmp" }], name),
                    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                    securityContext: containerSecurityContext(),
                    volumeMount: [
                      { name: "retention", mountPath: RETENTION_MOUNTS.config, readOnly: true },
                      { name: "retention", mountPath: "/etc/mongosh.conf", subPath: MONGOSH_CONF_KEY, readOnly: true },
                      { name: "credentials", mountPath: RETENTION_MOUNTS.credentials, readOnly: true },
                      tmpMount,
                      ...tlsClient.volumeMount,
                    ],
                  },
                ],
                volume: [
                  { name: "retention", configMap: { name: this.configMap.metadata.name, defaultMode: "0444" } },
                  // Its own user (replicaset/users.ts retentionRole): find and remove on what it touches, not the application's.
                  credentialsVolume("credentials", config.secrets.retention),
                  tmpVolume(),
                  ...tlsClient.volume,
                ],
              },
            },
          },
        },
      },
    });
  }
}
