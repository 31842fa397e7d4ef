// Who may open a connection to the database members: port 27017 only, and only from the members
// themselves, the project's own jobs (same namespace), the configured client namespaces, and
// pods with the configured client labels in any namespace. Everything else is refused once
// the policy selects the members (Kubernetes NetworkPolicy is deny-by-default per selected pod).

import { NetworkPolicyV1, NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Construct } from "constructs";

export interface MemberNetworkPolicyProps {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The pods this policy protects. */
  members: Record<string, string>;
  /** Pods in this namespace that are part of the database (members of every replica set, and later mongos). */
  peers: Record<string, string>;
  /** Label of the project's own jobs (reconcile, backup, restore, retention), same namespace. */
  jobs: Record<string, string>;
  clientNamespaces: string[];
  /** Empty: no client is admitted by label. */
  clientPodLabels: Record<string, string>;
  port: number;
}

/** The `from` peers of the single ingress rule, in the order a reader expects them. */
export function memberIngressSources(p: Omit<MemberNetworkPolicyProps, "namespace" | "name" | "labels" | "members" | "port">): NetworkPolicyV1SpecIngressFrom[] {
  const sources: NetworkPolicyV1SpecIngressFrom[] = [{ podSelector: { matchLabels: p.peers } }, { podSelector: { matchLabels: p.jobs } }];
  for (const ns of p.clientNamespaces) {
    sources.push({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
  }
  if (Object.keys(p.clientPodLabels).length > 0) {
    // Those pods in any namespace. Every namespace carries kubernetes.io/metadata.name; saying
    // "exists" is explicit where an empty selector block could be dropped on the way to the API.
    sources.push({
      namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] },
      podSelector: { matchLabels: p.clientPodLabels },
    });
  }
  return sources;
}

export class MemberNetworkPolicy extends Construct {
  readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: MemberNetworkPolicyProps) {
    super(scope, id);
    this.policy = new NetworkPolicyV1(this, "policy", {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        podSelector: { matchLabels: props.members },
        policyTypes: ["Ingress"],
        ingress: [{ from: memberIngressSources(props), ports: [{ port: String(props.port), protocol: "TCP" }] }],
      },
    });
  }
}
