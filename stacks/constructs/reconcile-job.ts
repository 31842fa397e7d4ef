// The reconcile Job of one replica set: brings the live set to the desired state (members,
// priorities and votes by MongoDB's safe reconfig procedure; users and roles; the cluster-wide
// default read and write concern) with replicaset/'s mongosh script, run by the official image's
// mongosh. It connects with the root user's credentials, read from the mounted Secret; on a new
// set, where the root user does not exist yet, it logs in once as the bootstrap user, creates root
// and drops the bootstrap user (the handover: docs/security.md, "The root Secret").
//
// Runs once per desired state: the Job's name carries the hash of everything it reads, so a
// changed config makes a new Job on the next deploy and an unchanged one leaves the finished Job
// alone. The provider's Job habits shape the rest: a run may take hours (a new member's initial
// sync), so Terraform does not wait for it (job-wait.ts; the operator runs `npm run wait-job`),
// and the Job is never deleted by the TTL controller, because a Job that disappears is created,
// and run, again by the next apply.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DEPLOY_JOB_LABEL } from "../../ops/wait-job/job-labels";
import { BOOTSTRAP_SECRET_DIR, RECONCILE_COMMAND, RECONCILE_CONFIG_DIR, RECONCILE_ENV, SECRET_KEYS, userSecretDir } from "../../replicaset/reconcile-paths";
import { jobWait } from "./job-wait";
import { containerResources, containerSecurityContext, credentialsVolume, MONGOSH_CONF, mongoshConfMount, podSecurityContext, tmpMount, tmpVolume } from "./member-pod";
import { configMapData, literalArgs, literalEnv } from "../terraform-text";
import type { TlsConfig } from "../../config/tls";
import { tlsClientParts } from "./tls-client";

export interface ReconcileJobProps {
  namespace: string;
  /** Kubernetes name prefix, e.g. mongodb-rs0-reconcile: the Job is <prefix>-<stateHash>. */
  namePrefix: string;
  labels: Record<string, string>;
  /** Labels of the Job's pod beyond `labels`: the network policy admits the project's jobs by label. */
  podLabels: Record<string, string>;
  image: string;
  serviceAccountName: string;
  /** The files under RECONCILE_CONFIG_DIR: file name → content (replicaset/reconcile-files.ts). */
  files: Record<string, string>;
  /** Hash of `files` (desiredStateHash): the Job's identity. */
  stateHash: string;
  /** Secret name by user (root and each managed user), mounted at /etc/nyrkio/secrets/<user>/. */
  userSecrets: Record<string, string>;
  /**
   * The bootstrap Secret (config secrets.bootstrap), mounted at BOOTSTRAP_SECRET_DIR with
   * `optional: true`: a set whose root user exists needs it no more, and may run without it.
   */
  bootstrapSecret: string;
  /** Users the Job keeps but does not manage (their username only, no password): name → Secret, at /etc/nyrkio/secrets/<user>/username. */
  usernameSecrets?: Record<string, string>;
  /** The script's own waits bound a run; the deadline is a backstop above them. */
  activeDeadlineSeconds: number;
  /** What must be running before the Job starts: the members' StatefulSets. */
  dependsOn: ITerraformDependable[];
  /** config.tls: with clients on TLS the Job verifies every member (tls-client.ts). */
  tls: TlsConfig;
}

/** Kubernetes puts the Job's name in a label value of its pods: at most 63 characters. */
export function reconcileJobName(namePrefix: string, stateHash: string): string {
  const name = `${namePrefix}-${stateHash}`;
  if (name.length > 63) throw new Error(`reconcile Job name ${name} is longer than 63 characters: shorten the replica set's name`);
  return name;
}

export class ReconcileJob extends Construct {
  readonly configMap: ConfigMapV1;
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: ReconcileJobProps) {
    super(scope, id);
    const { namespace, labels } = props;

    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name: props.namePrefix, namespace, labels },
      // mongosh's global config (no log files, no telemetry) beside the files the script reads;
      // it changes no desired state, so it is not part of stateHash.
      data: configMapData({ ...props.files, "mongosh.conf": MONGOSH_CONF }, `ConfigMap ${props.namePrefix}`),
    });

    const users = Object.keys(props.userSecrets).sort();
    const tlsClient = tlsClientParts(props.tls);
    const usernameOnly = Object.keys(props.usernameSecrets ?? {}).sort();
    const jobName = reconcileJobName(props.namePrefix, props.stateHash);
    this.job = new JobV1(this, "job", {
      // The series label on the Job only: a pod template change would replace a finished Job.
      metadata: { name: jobName, namespace, labels: { ...labels, [DEPLOY_JOB_LABEL]: props.namePrefix } },
      spec: {
        // The script waits for what it needs itself; a retry covers a lost pod, not a slow set.
        backoffLimit: 2,
        activeDeadlineSeconds: props.activeDeadlineSeconds,
        template: {
          metadata: { labels: { ...labels, ...props.podLabels } },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(),
            container: [
              {
                name: "reconcile",
                image: props.image,
                command: literalArgs(RECONCILE_COMMAND, jobName),
                env: literalEnv(
                  [...Object.entries(RECONCILE_ENV).map(([name, value]) => ({ name, value })), ...tlsClient.env],
                  jobName,
                ),
                resources: containerResources({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } }),
                securityContext: containerSecurityContext(),
                volumeMount: [
                  { name: "reconcile", mountPath: RECONCILE_CONFIG_DIR, readOnly: true },
                  { ...mongoshConfMount, name: "reconcile" },
                  ...users.map((user) => ({ name: `secret-${user}`, mountPath: userSecretDir(user), readOnly: true })),
                  { name: "bootstrap-secret", mountPath: BOOTSTRAP_SECRET_DIR, readOnly: true },
                  ...usernameOnly.map((user) => ({ name: `username-${user}`, mountPath: userSecretDir(user), readOnly: true })),
                  tmpMount,
                  ...tlsClient.volumeMount,
                ],
              },
            ],
            volume: [
              { name: "reconcile", configMap: { name: this.configMap.metadata.name } },
              ...users.map((user) => credentialsVolume(`secret-${user}`, props.userSecrets[user])),
              credentialsVolume("bootstrap-secret", props.bootstrapSecret, { optional: true }),
              // The username is no credential: the password key is not projected at all.
              ...usernameOnly.map((user) => ({
                name: `username-${user}`,
                secret: { secretName: props.usernameSecrets![user], defaultMode: "0440", items: [{ key: SECRET_KEYS.username, path: SECRET_KEYS.username }] },
              })),
              tmpVolume(),
              ...tlsClient.volume,
            ],
          },
        },
      },
      ...jobWait(props.activeDeadlineSeconds),
      dependsOn: props.dependsOn,
    });
  }
}
