// The kind cluster the run creates (pure): one control plane and three workers, each labelled
// with its own zone, so that the members' required topology spread over zones can be satisfied.
// Node labels in the config: https://kind.sigs.k8s.io/docs/user/configuration/#extra-labels
import { ZONE_LABEL } from "./kube-state";

export const ZONES = ["zone-a", "zone-b", "zone-c"] as const;

export function kindConfigYaml(zones: readonly string[] = ZONES): string {
  const workers = zones.map((z) => `  - role: worker\n    labels:\n      ${ZONE_LABEL}: ${z}\n`).join("");
  // networking is left at kind's default: from kind 0.24 its kindnetd enforces NetworkPolicy,
  // which the deploy step's negative test needs (https://github.com/kubernetes-sigs/kind/releases/tag/v0.24.0).
  return `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n${workers}`;
}

/** kind names the kubeconfig context "kind-<cluster name>" (https://kind.sigs.k8s.io/docs/user/quick-start/#interacting-with-your-cluster). */
export function kindContext(clusterName: string): string {
  return `kind-${clusterName}`;
}
