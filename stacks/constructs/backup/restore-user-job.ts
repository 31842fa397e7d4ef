// The short Job that creates a restore's temporary user (issue 12: the restore user is as strong as
// root, so it exists only while a restore needs it). A suspended CronJob per replica set, started
// by hand (`kubectl create job --from=cronjob/<set>-restore-user`) after the SRE has generated the
// Secret restoreCredentialsSecretName (docs/runbooks/restore.md). It is the only backup pod that
// holds the root credentials, and it holds them for one mongosh run: backup/mongosh/restore-user.js
// creates restore-<random> with the restore roles and an expiry in its customData. The restore Job
// mounts only the temporary Secret; restore.sh drops the user when it ends; the reconcile Job drops
// one that outlived its expiry (a Job killed, a node lost).

import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../../config/platform-config";
import { ROOT_SECRET_DIR, SECRET_KEYS } from "../../../replicaset/reconcile-paths";
import { restoreUserRoles, UserScope } from "../../../replicaset/users";
import type { BackupTarget } from "../../../sharding/backup-targets";
import { commonLabels, DB_CLIENT_LABEL } from "../../naming";
import { literalArgs, literalEnv } from "../../terraform-text";
import { containerResources, containerSecurityContext, mongoshConfMount, podSecurityContext, tmpMount, tmpVolume } from "../member-pod";
import { BACKUP_SCRIPTS_CONFIG_MAP, BACKUP_SERVICE_ACCOUNT, restoreCredentialsSecretName, restorePlanConfigMapName, restoreUserCronJobName } from "./backup-names";
import { MONGOSH_CONF_KEY, scriptPath, SCRIPTS_MOUNT } from "./backup-scripts";
import { NEVER } from "./backup-schedules";
import { tlsClientParts } from "../tls-client";

export const RESTORE_USER_SCRIPT = "mongosh/restore-user.js";
/** Where the restore Job and this Job mount the temporary Secret. */
export const RESTORE_CREDENTIALS_DIR = "/etc/nyrkio/restore-credentials";
const RESTORE_PLAN_MOUNT = "/etc/nyrkio/restore-plan";

const SCOPE: Record<BackupTarget["role"], UserScope> = { replicaset: "replicaset", shard: "shard", configsvr: "cluster" };

export interface RestoreUserJobProps {
  config: PlatformConfig;
  target: BackupTarget;
  /** How long the user counts as in use unless dropped first (its customData expiry). */
  ttlSeconds: number;
}

export class RestoreUserJob extends Construct {
  readonly cronJob: CronJobV1;

  constructor(scope: Construct, id: string, props: RestoreUserJobProps) {
    super(scope, id);
    const { config, target } = props;
    // It connects to the database as every client does: the CA alone (tls-client.ts).
    const tlsClient = tlsClientParts(config.tls);
    const name = restoreUserCronJobName(target.replicaSet);
    const labels = { ...commonLabels(config), "app.kubernetes.io/name": "mongodb-backup", "app.kubernetes.io/component": "restore-user", "nyrkio.io/backup-replset": target.replicaSet };
    const secretFiles = (secretName: string, optional: boolean) => ({
      secretName,
      defaultMode: "0440",
      ...(optional ? { optional: true } : {}),
      items: [SECRET_KEYS.username, SECRET_KEYS.password].map((key) => ({ key, path: key })),
    });
    this.cronJob = new CronJobV1(this, "cron-job", {
      metadata: { name, namespace: config.kubernetes.namespace, labels },
      spec: {
        schedule: NEVER,
        timezone: "Etc/UTC",
        suspend: true,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 60,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            // A short Job: connect, one usersInfo, one createUser. It holds root only this long.
            activeDeadlineSeconds: 300,
            ttlSecondsAfterFinished: "3600",
            template: {
              metadata: { labels: { ...labels, ...DB_CLIENT_LABEL } },
              spec: {
                restartPolicy: "Never",
                serviceAccountName: BACKUP_SERVICE_ACCOUNT,
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: podSecurityContext(),
                container: [
                  {
                    name: "restore-user",
                    image: config.image,
                    imagePullPolicy: "IfNotPresent",
                    command: literalArgs(["mongosh", "--nodb", "--quiet", "--norc", "--file", scriptPath(RESTORE_USER_SCRIPT)], name),
                    env: literalEnv(
                      [
                        { name: "BACKUP_REPLSET", value: target.replicaSet },
                        { name: "BACKUP_MEMBERS", value: target.hosts.join(",") },
                        { name: "ROOT_SECRET_DIR", value: ROOT_SECRET_DIR },
                        { name: "RESTORE_CREDENTIALS_DIR", value: RESTORE_CREDENTIALS_DIR },
                        { name: "RESTORE_PLAN_DIR", value: RESTORE_PLAN_MOUNT },
                        { name: "RESTORE_USER_ROLES", value: JSON.stringify(restoreUserRoles(config, SCOPE[target.role])) },
                        { name: "RESTORE_USER_TTL_SECONDS", value: String(props.ttlSeconds) },
                        { name: "HOME", value: "/tmp" },
                        ...tlsClient.env,
                      ],
                      name,
                    ),
                    resources: containerResources({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } }),
                    securityContext: containerSecurityContext(),
                    volumeMount: [
                      { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
                      { ...mongoshConfMount, name: "mongosh-conf" },
                      { name: "root", mountPath: ROOT_SECRET_DIR, readOnly: true },
                      { name: "restore-credentials", mountPath: RESTORE_CREDENTIALS_DIR, readOnly: true },
                      { name: "restore-plan", mountPath: RESTORE_PLAN_MOUNT, readOnly: true },
                      tmpMount,
                      ...tlsClient.volumeMount,
                    ],
                  },
                ],
                volume: [
                  { name: "scripts", configMap: { name: BACKUP_SCRIPTS_CONFIG_MAP, defaultMode: "0444", items: [{ key: RESTORE_USER_SCRIPT.replace(/\//g, "-"), path: RESTORE_USER_SCRIPT }] } },
                  { name: "mongosh-conf", configMap: { name: BACKUP_SCRIPTS_CONFIG_MAP, defaultMode: "0444", items: [{ key: MONGOSH_CONF_KEY, path: "mongosh.conf" }] } },
                  { name: "root", secret: secretFiles(config.secrets.root, false) },
                  { name: "restore-credentials", secret: secretFiles(restoreCredentialsSecretName(target.replicaSet), false) },
                  // The restore's plan ConfigMap, for its `target`: the user is made where the restore writes.
                  { name: "restore-plan", configMap: { name: restorePlanConfigMapName(target.replicaSet), optional: true, defaultMode: "0444" } },
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
