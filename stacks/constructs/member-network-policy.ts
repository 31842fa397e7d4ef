// Who may open a connection to the database members: port 27017 only, and only from the members
// themselves, the project's own jobs (same namespace), the configured client namespaces, and
// pods with the configured client labels in their configured namespace (never any namespace:
// anyone who can create a pod somewhere could label it). Everything else is refused once
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
  /** Pods with all of `labels` in `namespace`. Empty: no client is admitted by label. */
  clientPods: { namespace: string; labels: Record<string, string> }[];
  port: number;
}

/** The `from` peers of the single ingress rule, in the order a reader expects them. */
export function memberIngressSources(p: Omit<MemberNetworkPolicyProps, "namespace" | "name" | "labels" | "members" | "port">): NetworkPolicyV1SpecIngressFrom[] {
  const sources: NetworkPolicyV1SpecIngressFrom[] = [{ podSelector: { matchLabels: p.peers } }, { podSelector: { matchLabels: p.jobs } }];
  for (const ns of p.clientNamespaces) {
    sources.push({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
  }
  for (const { namespace, labels } of p.clientPods) {
    // Both selectors in one peer: pods with these labels AND in this namespace. Every namespace
    // carries kubernetes.io/metadata.name, set by the API server (Kubernetes 1.22+).
    sources.push({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } }, podSelector: { matchLabels: labels } });
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
