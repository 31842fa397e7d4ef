// What the data members' StatefulSet and the arbiter's have in common: their props, the pod
// template's labels and the annotation that rolls the pods when a file they read at start changes.

import type { StatefulSetV1, StatefulSetV1SpecTemplate } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import type { ResourcesConfig } from "../../config/platform-config";
import { MemberPodOptions, memberPodSpec } from "./member-pod";

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
}

export const POD_CONFIG_HASH_ANNOTATION = "nyrkio.io/pod-config-hash";

export function memberPodTemplate(
  props: MemberStatefulSetProps,
  spec: Omit<MemberPodOptions, "image" | "port" | "pod" | "resources" | "serviceAccountName" | "configMapName" | "scriptItems" | "keyfileSecret" | "votingSelector">,
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
