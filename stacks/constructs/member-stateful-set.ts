// What the data members' StatefulSet and the arbiter's have in common: their props, the pod
// template's labels and the annotation that rolls the pods when a file they read at start changes.

import type { StatefulSetV1, StatefulSetV1SpecTemplate } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import type { ResourcesConfig } from "../../config/platform-config";
import type { TlsConfig } from "../../config/tls";
import { MemberPodOptions, memberPodSpec, ServerTlsPodParts } from "./member-pod";

export interface MemberStatefulSetProps {
  namespace: string;
  /** StatefulSet name: its pods are <name>-<ordinal>. */
  name: string;
  /** The headless Service that gives the pods their stable host names. */
  serviceName: string;
  image: string;
  port: number;
  pod: MemberPodOptions["pod"];
  resources: ResourcesConfig;
  serviceAccountName: string;
  configMapName: string;
  scriptItems: MemberPodOptions["scriptItems"];
  keyfileSecret: string;
  /** Labels of every object; the pods get these plus `selector`. */
  labels: Record<string, string>;
  /** Selects this StatefulSet's pods (immutable once created). */
  selector: Record<string, string>;
  /** Selects every voting member of the replica set, data and arbiter, for the spread. */
  votingSelector: Record<string, string>;
  /** Digest of the files the pods read at start (mongod.conf, scripts): a change rolls the pods. */
  podConfigHash: string;
  /** config.tls: the members' own clients (probes, bootstrap) verify the server with it. */
  tls: TlsConfig;
  /** TLS's additions to the pod (tls-server.ts, serverTlsPodParts); omitted: none. */
  serverTls?: ServerTlsPodParts;
}

export const POD_CONFIG_HASH_ANNOTATION = "nyrkio.io/pod-config-hash";

/**
 * Every StatefulSet's update strategy, spelled out as the API server stores it, so Terraform's
 * refresh never differs from the config. hashicorp/kubernetes v2.38.0: `update_strategy` and its
 * `rolling_update` are Optional without Computed (kubernetes/schema_stateful_set_spec.go, the
 * "update_strategy" and "rolling_update" entries), and once update_strategy is set the read
 * writes back whatever the server holds (structures_stateful_set.go, flattenStatefulSetSpec →
 * flattenStatefulSetSpecUpdateStrategy: `att["rolling_update"]` whenever RollingUpdate != nil,
 * with its partition). Kubernetes stores RollingUpdate {partition: 0} whenever it fills in the
 * strategy (pkg/apis/apps/v1/defaults.go, SetDefaults_StatefulSet), and admission webhooks
 * commonly do the same; with rolling_update absent here, such an object shows a diff on every
 * plan. partition 0 is also what this project means: a rolling update reaches every ordinal.
 */
export const MEMBER_UPDATE_STRATEGY = [{ type: "RollingUpdate", rollingUpdate: [{ partition: 0 }] }];

export function memberPodTemplate(
  props: MemberStatefulSetProps,
  spec: Omit<MemberPodOptions, "image" | "port" | "pod" | "resources" | "serviceAccountName" | "configMapName" | "scriptItems" | "keyfileSecret" | "votingSelector" | "tls" | "serverTls">,
): StatefulSetV1SpecTemplate {
  return {
    metadata: {
      labels: { ...props.labels, ...props.selector },
      annotations: { [POD_CONFIG_HASH_ANNOTATION]: props.podConfigHash },
    },
    spec: memberPodSpec({
      image: props.image,
      port: props.port,
      pod: props.pod,
      resources: props.resources,
      serviceAccountName: props.serviceAccountName,
      configMapName: props.configMapName,
      scriptItems: props.scriptItems,
      keyfileSecret: props.keyfileSecret,
      votingSelector: props.votingSelector,
      tls: props.tls,
      serverTls: props.serverTls,
      ...spec,
    }),
  };
}

/** Terraform resource names must start with a letter or "_"; replica-set names are DNS labels. */
export function statefulLogicalId(kubernetesName: string): string {
  return kubernetesName.replace(/-/g, "_");
}

/** Pins a stateful resource's logical ID to its Kubernetes name, so moving the construct in the tree never recreates it. */
export function pinLogicalId(resource: StatefulSetV1, kubernetesName: string): void {
  resource.overrideLogicalId(statefulLogicalId(kubernetesName));
}
