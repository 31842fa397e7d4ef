// The server certificate's names (config/tls-names.ts) cover every host any client in the
// synthesized stacks connects to: every stack of every shipped environment, with TLS on, is
// scanned for host names of the database's namespace (member hosts in the replica-set configs,
// connection strings, the backup and sharding jobs' hosts, mongos), and each must be covered
// by the certificate. The probes and the bootstrap connect to localhost.
import { App, TerraformStack, Testing } from "cdktf";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { coveredBy, tlsCertificateNames } from "../../config/tls-names";
import { addPlatformStacks } from "../../stacks/platform-app";

function withTls(env: string): PlatformConfig {
  const config = structuredClone(environments[env]);
  config.tls = { mode: "requireTLS", memberAuth: "keyFile", clientsMigrated: true, certificates: { source: "secret", secretName: "nyrkio-mongodb-tls" } };
  return config;
}

/** Every host name of the namespace that appears anywhere in the synthesized stacks. */
function hostsInStacks(config: PlatformConfig): Set<string> {
  const app: App = Testing.app();
  const stacks = addPlatformStacks(app, config, "/tmp/nyrkio-db-test");
  const text = [stacks.database, stacks.backup, stacks.monitoring]
    .filter((s): s is NonNullable<typeof s> => s !== undefined)
    .map((s) => Testing.synth(s as TerraformStack))
    .join("\n");
  const domain = `${config.kubernetes.namespace}.svc.${config.kubernetes.clusterDomain ?? "cluster.local"}`;
  const pattern = new RegExp(`[a-z0-9*]([-a-z0-9.]*[a-z0-9])?\\.${domain.replace(/\./g, "\\.")}`, "g");
  return new Set(text.match(pattern) ?? []);
}

describe.each(Object.keys(environments))("the certificate's names in %s", (env) => {
  const config = withTls(env);
  const names = tlsCertificateNames(config);
  const hosts = hostsInStacks(config);

  it("cover every host the synthesized stacks connect to, and localhost for the probes", () => {
    // The scan finds the member hosts of the replica-set configs at least (not an empty set that passes by itself).
    expect([...hosts]).toEqual(expect.arrayContaining([`mongodb-${config.replsets[0].name}-0.mongodb-${config.replsets[0].name}.${config.kubernetes.namespace}.svc.cluster.local`]));
    const uncovered = [...hosts, "localhost", "127.0.0.1"].filter((h) => !coveredBy(names, h));
    expect(uncovered).toEqual([]);
  });

  it("name every member, each headless Service's wildcard, the client Services, mongos when sharded", () => {
    const ns = config.kubernetes.namespace;
    const rsNames = [...config.replsets.map((r) => r.name), ...(config.sharding.enabled ? ["cfg"] : [])];
    for (const rs of rsNames) {
      expect(names.dnsNames).toContain(`*.mongodb-${rs}.${ns}.svc.cluster.local`);
      expect(names.dnsNames).toContain(`mongodb-${rs}-0.mongodb-${rs}.${ns}.svc.cluster.local`);
      expect(names.dnsNames).toContain(`mongodb-${rs}-client.${ns}.svc.cluster.local`);
    }
    for (const rs of config.replsets.filter((r) => r.arbiter.enabled)) expect(names.dnsNames).toContain(`mongodb-${rs.name}-arbiter-0.mongodb-${rs.name}.${ns}.svc.cluster.local`);
    expect(names.dnsNames.includes(`mongodb-mongos.${ns}.svc.cluster.local`)).toBe(config.sharding.enabled);
    expect(names.dnsNames).toContain("localhost");
    expect(names.ipAddresses).toEqual(["127.0.0.1"]);
    expect(new Set(names.dnsNames).size).toBe(names.dnsNames.length);
  });
});

describe("coveredBy", () => {
  const names = { dnsNames: ["*.svc-a.ns.svc.cluster.local", "exact.ns"], ipAddresses: ["127.0.0.1"] };
  it.each([
    ["m-0.svc-a.ns.svc.cluster.local", true],
    ["exact.ns", true],
    ["127.0.0.1", true],
    // A wildcard covers one label only (RFC 6125 6.4.3), never the bare name or two labels.
    ["svc-a.ns.svc.cluster.local", false],
    ["a.b.svc-a.ns.svc.cluster.local", false],
    ["other.ns", false],
  ])("%s: %s", (host, expected) => expect(coveredBy(names, host)).toBe(expected));
});

it("the subject's O and OU, which x.509 member authentication compares, are non-empty and name the database", () => {
  expect(tlsCertificateNames(withTls("prod")).subject).toEqual({ organization: "Nyrkio", organizationalUnit: "nyrkio-db-prod", commonName: "nyrkio-db-prod" });
});
