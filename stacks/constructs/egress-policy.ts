// Default-deny egress for every pod of the project, then only what each pod needs:
// - every pod: DNS (UDP and TCP 53) to the cluster DNS pods, and the database port to the
//   database's own pods in this namespace (members replicate to each other; jobs, mongos and the
//   probes' peers connect to them);
// - backup pods, when backups go to S3: the S3 endpoint's port (443 unless backup.storage.endpoint
//   names another, e.g. MinIO's https://host:9000) to the S3 CIDRs.
// A NetworkPolicy cannot name a DNS host, so S3 is a CIDR list: by default everything outside the
// cluster's own CIDRs and the cloud metadata address (which hands out node credentials). A CNI
// with FQDN policies (Cilium's toFQDNs, Calico's domain names) is the stricter option
// (docs/security.md). Kubernetes combines policies by union: a pod selected by an Egress policy
// may open only the connections some policy allows
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies).

import { NetworkPolicyV1, NetworkPolicyV1SpecEgress } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Construct } from "constructs";

/** The instance metadata address of AWS, GCP and Azure: never a backup destination. */
export const CLOUD_METADATA_CIDR = "169.254.169.254/32";

export interface EgressNetwork {
  dns: { namespace: string; podLabels: Record<string, string> };
  clusterCidrs: string[];
  s3Cidrs?: string[];
}

/** DNS and the database port inside the namespace: what every pod of the project may reach. */
export function baseEgressRules(network: EgressNetwork, databasePods: Record<string, string>, port: number): NetworkPolicyV1SpecEgress[] {
  return [
    {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": network.dns.namespace } }, podSelector: { matchLabels: network.dns.podLabels } }],
      ports: [
        { port: "53", protocol: "UDP" },
        { port: "53", protocol: "TCP" },
      ],
    },
    { to: [{ podSelector: { matchLabels: databasePods } }], ports: [{ port: String(port), protocol: "TCP" }] },
  ];
}

/**
 * The TCP port the backup pods reach S3 on: the endpoint URL's own port, else its scheme's default
 * (https 443, http 80: the WHATWG URL parser drops a scheme's default port, so `:443` reads as
 * none); AWS S3 itself (no endpoint) is https on 443.
 */
export function s3EndpointPort(endpoint: string | undefined): string {
  if (endpoint === undefined) return "443";
  const u = new URL(endpoint);
  return u.port || (u.protocol === "http:" ? "80" : "443");
}

/** S3: the configured CIDRs, or everything but the cluster and the metadata address, on the endpoint's port. */
export function s3EgressRule(network: EgressNetwork, endpoint?: string): NetworkPolicyV1SpecEgress {
  const to = network.s3Cidrs
    ? network.s3Cidrs.map((cidr) => ({ ipBlock: { cidr } }))
    : [{ ipBlock: { cidr: "0.0.0.0/0", except: [...network.clusterCidrs, CLOUD_METADATA_CIDR] } }];
  return { to, ports: [{ port: s3EndpointPort(endpoint), protocol: "TCP" }] };
}

/**
 * TCP to the Pushgateway of monitoring.pushgateway (the metrics pushes). A NetworkPolicy cannot
 * name a host, so: an in-cluster Service name (<service>.<namespace>[.svc[.<domain>]]) becomes its
 * namespace (policies see the Service's backing pod after the Service address is translated:
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name
 * selects by kubernetes.io/metadata.name), an IP address itself, and any other host everything
 * outside the cluster and the metadata address, as S3 without CIDRs. The port is the URL's, or
 * the scheme's default.
 */
export function pushgatewayEgressRule(url: string, network: Pick<EgressNetwork, "clusterCidrs">): NetworkPolicyV1SpecEgress {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  const host = u.hostname;
  const service = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\..+)?)?$/.exec(host);
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  const to = ipv4
    ? [{ ipBlock: { cidr: `${host}/32` } }]
    : service && (service[4] !== undefined || !host.includes(".", host.indexOf(".") + 1))
      ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": service[2] } } }]
      : [{ ipBlock: { cidr: "0.0.0.0/0", except: [...network.clusterCidrs, CLOUD_METADATA_CIDR] } }];
  return { to, ports: [{ port, protocol: "TCP" }] };
}

export interface EgressPolicyProps {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The pods this policy restricts. */
  pods: Record<string, string>;
  egress: NetworkPolicyV1SpecEgress[];
}

/** One egress policy: the selected pods may open only the connections in `egress`. */
export class EgressPolicy extends Construct {
  readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: EgressPolicyProps) {
    super(scope, id);
    this.policy = new NetworkPolicyV1(this, "policy", {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: { podSelector: { matchLabels: props.pods }, policyTypes: ["Egress"], egress: props.egress },
    });
  }
}
