// The names the server certificate carries (docs/tls.md): one pure function, read by
// scripts/create-secrets.sh --tls (through `nyrkio-db tls-names`) and by the cert-manager
// Certificate (stacks/cert-manager-stack.ts), so both certify the same names.
//
// Every mongod and mongos of the database presents the one certificate, so it names them all:
// - every member's stable DNS name (data members, arbiters, config servers): the names in the
//   replica-set config, which members and the project's clients connect to;
// - each headless Service's wildcard (*.<service>.<ns>.svc.<domain>: one label, as a DNS
//   wildcard matches), for members added later without a new certificate;
// - each replica set's client Service and mongos's Service, fully qualified and in the short
//   forms an application in the namespace or the cluster may use (<svc>.<ns>, <svc>.<ns>.svc);
// - localhost and 127.0.0.1: the probes and the bootstrap (the localhost exception) connect so.
// Clients check the name they connected to against these (RFC 6125; mongosh and the drivers
// verify host names unless told not to, which nothing in the project does: config/tls.ts).

import { configServerReplset } from "../sharding/config-server";
import {
  arbiterStatefulSetName,
  clientServiceName,
  clusterDomain,
  dataStatefulSetName,
  headlessServiceName,
  MONGOS_NAME,
} from "./hosts";
import type { PlatformConfig, ReplsetConfig } from "./platform-config";

export interface TlsCertificateNames {
  /** Subject: O and OU are what x.509 member authentication compares between members. */
  subject: { organization: string; organizationalUnit: string; commonName: string };
  dnsNames: string[];
  ipAddresses: string[];
}

/** The replica sets whose members present the certificate: every shard, and the config servers when sharded. */
function serverReplsets(config: PlatformConfig): Pick<ReplsetConfig, "name" | "members" | "arbiter">[] {
  return [...config.replsets, ...(config.sharding.enabled ? [configServerReplset(config)] : [])];
}

/**
 * The certificate's subject and names. The subject's O and OU are the same for every member (one
 * certificate), non-empty, and name this database: MongoDB takes a certificate whose O, OU and DC
 * match its own for a member's (x.509 member authentication,
 * https://www.mongodb.com/docs/manual/core/security-x.509/#member-certificate-requirements), so
 * no client certificate may carry them; clients here authenticate with passwords.
 */
export function tlsCertificateNames(config: PlatformConfig): TlsCertificateNames {
  const ns = config.kubernetes.namespace;
  const domain = clusterDomain(config);
  const fqdn = (service: string) => `${service}.${ns}.svc.${domain}`;
  const serviceForms = (service: string) => [fqdn(service), `${service}.${ns}.svc`, `${service}.${ns}`];
  const names: string[] = [];
  for (const rs of serverReplsets(config)) {
    const headless = fqdn(headlessServiceName(rs));
    rs.members.forEach((_, i) => names.push(`${dataStatefulSetName(rs)}-${i}.${headless}`));
    if (rs.arbiter.enabled) names.push(`${arbiterStatefulSetName(rs)}-0.${headless}`);
    names.push(`*.${headless}`);
    names.push(...serviceForms(clientServiceName(rs)));
  }
  if (config.sharding.enabled) names.push(...serviceForms(MONGOS_NAME));
  names.push("localhost");
  const stack = `nyrkio-db-${config.name}`;
  return {
    subject: { organization: "Nyrkio", organizationalUnit: stack, commonName: stack },
    dnsNames: [...new Set(names)],
    ipAddresses: ["127.0.0.1"],
  };
}

/** Whether `host` (a host name, no port) is covered by the names: exactly, or by a one-label wildcard. */
export function coveredBy(names: Pick<TlsCertificateNames, "dnsNames" | "ipAddresses">, host: string): boolean {
  if (names.ipAddresses.includes(host) || names.dnsNames.includes(host)) return true;
  const dot = host.indexOf(".");
  return dot > 0 && names.dnsNames.includes(`*${host.slice(dot)}`);
}
