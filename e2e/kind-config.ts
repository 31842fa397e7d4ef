// The kind cluster the run creates (pure): one control plane and three workers, each labelled
// with its own zone, so that the members' required topology spread over zones can be satisfied.
// Node labels in the config: https://kind.sigs.k8s.io/docs/user/configuration/#extra-labels (kind
// passes them to the kubelet; topology.kubernetes.io/zone is one of the kubernetes.io labels a
// kubelet may set on its own node: https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction).
import { ZONE_LABEL } from "./kube-state";

export const ZONES = ["zone-a", "zone-b", "zone-c"] as const;

export function kindConfigYaml(zones: readonly string[] = ZONES): string {
  const workers = zones.map((z) => `  - role: worker\n    labels:\n      ${ZONE_LABEL}: ${z}\n`).join("");
  // networking is left at kind's default: from kind 0.24 its kindnetd enforces NetworkPolicy
  // (kubernetes-sigs/kind#842, "available now in v0.24.0"; PR #3612), which the deploy step's
  // negative test needs. networking.disableNetworkPolicies would turn it off: never set here.
  return `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n${workers}`;
}

/** kind names the kubeconfig context "kind-<cluster name>" (https://kind.sigs.k8s.io/docs/user/quick-start/#interacting-with-your-cluster). */
export function kindContext(clusterName: string): string {
  return `kind-${clusterName}`;
}
