// The data-bearing members of one replica set: a StatefulSet whose pods start in parallel, each
// with its own volume claim, plus the bootstrap sidecar that initiates the set from ordinal 0 and
// creates the one-time bootstrap user. The root Secret is never mounted here: the reconcile Job
// creates root with it (the handover, docs/security.md "The root Secret").
//
// Storage growth never replaces this StatefulSet. Kubernetes forbids changing a StatefulSet's
// volume claim templates, and Terraform's provider answers a template change by destroying and
// recreating the StatefulSet; so the template is under ignore_changes. A size change in config
// therefore applies to no claim at all: existing claims grow by expansion, and a claim created
// later (a member added) still gets the size of the template in the cluster, the original one,
// until it is patched too (docs/runbooks/grow-storage.md). The claims outlive the StatefulSet (Retain/Retain).

import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { Construct } from "constructs";
import type { StorageConfig } from "../../config/platform-config";
import type { TlsConfig } from "../../config/tls";
import { Container, containerResources, containerSecurityContext, credentialsVolume, HELPER_RESOURCES, MONGOSH_ENV, mongoshConfMount, MOUNT, REPLICASET_CONFIG_KEY, tmpMount, Volume } from "./member-pod";
import { MEMBER_UPDATE_STRATEGY, memberPodTemplate, MemberStatefulSetProps, pinLogicalId } from "./member-stateful-set";
import { literalArgs, literalEnv } from "../terraform-text";
import { BOOTSTRAP_SECRET_DIR } from "../../replicaset/reconcile-paths";
import { memberTlsClientParts } from "./tls-client";

/** Terraform's address of the claim template inside kubernetes_stateful_set_v1, as ignore_changes takes it. */
export const VOLUME_CLAIM_TEMPLATE_PATH = "spec[0].volume_claim_template";

export interface DataMembersProps extends MemberStatefulSetProps {
  replicas: number;
  storage: StorageConfig;
  /**
   * Secret (username, password) of the one-time bootstrap user that the sidecar creates through
   * the localhost exception (config secrets.bootstrap), mounted `optional`: a set whose root user
   * exists starts without it.
   */
  bootstrapSecret: string;
  /** The metrics exporter sidecar, with monitoring on (monitoring/exporter.ts). */
  exporter?: Container;
  /** The TLS rotation sidecar and its volumes, with TLS on (tls-sidecar.ts). */
  tlsSidecars?: Container[];
  tlsVolumes?: Volume[];
}

/** Runs stacks/scripts/bootstrap.sh: initiate and the bootstrap user over localhost, on ordinal 0 only. */
export function bootstrapSidecar(image: string, port: number, tls: TlsConfig): Container {
  const tlsClient = memberTlsClientParts(tls);
  return {
    name: "bootstrap",
    image,
    command: literalArgs(["bash", `${MOUNT.scripts}/bootstrap.sh`], "bootstrap"),
    env: literalEnv(
      [
        ...MONGOSH_ENV,
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "MONGODB_PORT", value: String(port) },
        { name: "REPLICASET_CONFIG", value: `${MOUNT.config}/${REPLICASET_CONFIG_KEY}` },
        { name: "BOOTSTRAP_SECRET_DIR", value: BOOTSTRAP_SECRET_DIR },
        ...tlsClient.env,
      ],
      "bootstrap",
    ),
    resources: containerResources(HELPER_RESOURCES),
    securityContext: containerSecurityContext(),
    volumeMount: [
      { name: "config", mountPath: MOUNT.config, readOnly: true },
      { name: "scripts", mountPath: MOUNT.scripts, readOnly: true },
      { name: "bootstrap-secret", mountPath: BOOTSTRAP_SECRET_DIR, readOnly: true },
      mongoshConfMount,
      tmpMount,
      ...tlsClient.volumeMount,
    ],
  };
}

export class DataMembers extends Construct {
  readonly statefulSet: StatefulSetV1;

  constructor(scope: Construct, id: string, props: DataMembersProps) {
    super(scope, id);
    this.statefulSet = new StatefulSetV1(this, "stateful-set", {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels, ...props.selector } },
      spec: {
        serviceName: props.serviceName,
        replicas: String(props.replicas),
        // Members start together: the set can only be initiated once every member answers.
        podManagementPolicy: "Parallel",
        updateStrategy: MEMBER_UPDATE_STRATEGY,
        persistentVolumeClaimRetentionPolicy: [{ whenDeleted: "Retain", whenScaled: "Retain" }],
        selector: { matchLabels: props.selector },
        template: memberPodTemplate(props, {
          confKey: "mongod.conf",
          sidecars: [bootstrapSidecar(props.image, props.port, props.tls), ...(props.exporter ? [props.exporter] : []), ...(props.tlsSidecars ?? [])],
          extraVolumes: [credentialsVolume("bootstrap-secret", props.bootstrapSecret, { optional: true }), ...(props.tlsVolumes ?? [])],
        }),
        volumeClaimTemplate: [
          {
            metadata: { name: "data", labels: { ...props.labels, ...props.selector } },
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(props.storage.storageClass ? { storageClassName: props.storage.storageClass } : {}),
              resources: { requests: { storage: props.storage.size } },
            },
          },
        ],
      },
      waitForRollout: true,
      // A rolling update waits for each restarted member to be SECONDARY again.
      timeouts: { create: "20m", update: "20m" },
      lifecycle: { ignoreChanges: [VOLUME_CLAIM_TEMPLATE_PATH] },
    });
    pinLogicalId(this.statefulSet, props.name);
  }
}
