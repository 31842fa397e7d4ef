// Default-deny egress (issue 12, finding 6): every pod of the project is selected by an Egress
// policy, which lets it reach only DNS and the database port in its namespace; backup pods that
// write to S3 also reach HTTPS outside the cluster, never the cloud metadata address.

import { environments } from "../../config/environments";
import { deepMerge } from "../../config/load";
import type { ConfigOverride, PlatformConfig } from "../../config/platform-config";
import { validateConfig } from "../../config/validate";
import { CLOUD_METADATA_CIDR, pushgatewayEgressRule, s3EgressRule, s3EndpointPort } from "../../stacks/constructs/egress-policy";
import { synthBackup } from "../backup/stack/support";
import { Json, synthDatabase } from "../stacks/database-synth";

function configOf(env: string, override: ConfigOverride = {}): PlatformConfig {
  const result = validateConfig(deepMerge(structuredClone(environments[env]), override));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

/** Every pod template's labels in a synthesized stack (StatefulSets, Deployments, Jobs, CronJobs). */
function podTemplates(json: Json): { where: string; labels: Record<string, string> }[] {
  const out: { where: string; labels: Record<string, string> }[] = [];
  for (const [type, byId] of Object.entries(json.resource ?? {}) as [string, Record<string, Json>][])
    for (const [id, r] of Object.entries(byId)) {
      const template = r.spec?.template ?? r.spec?.job_template?.spec?.template;
      if (template) out.push({ where: `${type}.${id}`, labels: template.metadata.labels });
    }
  return out;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const policies = (json: Json) => Object.values(json.resource?.kubernetes_network_policy_v1 ?? {}).filter((p: Json) => p.spec.policy_types.includes("Egress")) as Json[];

describe.each(Object.keys(environments))("%s", (env) => {
  const config = environments[env];
  const database = synthDatabase(config).json;
  const backup = synthBackup(config).json;
  const [base] = policies(database);

  it("selects every pod of both stacks with the database stack's egress policy", () => {
    const pods = [...podTemplates(database), ...podTemplates(backup)];
    expect(pods.length).toBeGreaterThan(3);
    for (const { where, labels } of pods) expect([where, matches(base.spec.pod_selector.match_labels, labels)]).toEqual([where, true]);
  });

  it("allows DNS to the cluster DNS pods and the database port to the database's pods, nothing else", () => {
    expect(base.spec.policy_types).toEqual(["Egress"]);
    expect(base.spec.egress).toEqual([
      {
        to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } }, pod_selector: { match_labels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { port: "53", protocol: "UDP" },
          { port: "53", protocol: "TCP" },
        ],
      },
      { to: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": `nyrkio-db-${env}` } } }], ports: [{ port: "27017", protocol: "TCP" }] },
    ]);
    // Every member and mongos pod is a destination the rule allows.
    const servers = podTemplates(database).filter(({ where }) => /stateful_set|deployment/.test(where));
    for (const { where, labels } of servers) expect([where, matches(base.spec.egress[1].to[0].pod_selector.match_labels, labels)]).toEqual([where, true]);
  });

  it("lets only backup pods reach S3, and only when backups go to S3", () => {
    const s3 = policies(backup);
    if (config.backup.storage.type !== "s3") return expect(s3).toEqual([]);
    expect(s3).toHaveLength(1);
    expect(s3[0].spec.pod_selector.match_labels).toMatchObject({ "app.kubernetes.io/name": "mongodb-backup" });
    expect(s3[0].spec.egress).toEqual([
      { to: [{ ip_block: { cidr: "0.0.0.0/0", except: [...config.network.egress.clusterCidrs, CLOUD_METADATA_CIDR] } }], ports: [{ port: "443", protocol: "TCP" }] },
    ]);
  });
});

describe("egress settings", () => {
  it("uses the configured S3 CIDRs instead of the default", () => {
    const rule = s3EgressRule({ dns: { namespace: "kube-system", podLabels: {} }, clusterCidrs: ["10.0.0.0/8"], s3Cidrs: ["52.95.0.0/16", "3.5.0.0/16"] });
    expect(rule.to).toEqual([{ ipBlock: { cidr: "52.95.0.0/16" } }, { ipBlock: { cidr: "3.5.0.0/16" } }]);
  });

  it("opens the S3 endpoint's own port: https://host:9000 (MinIO) on 9000, a default https endpoint and AWS on 443, a test store's http on 80", () => {
    expect(s3EndpointPort(undefined)).toBe("443");
    expect(s3EndpointPort("https://minio.storage.example:9000")).toBe("9000");
    expect(s3EndpointPort("https://s3.eu-north-1.amazonaws.com")).toBe("443");
    expect(s3EndpointPort("https://ceph.example:443/")).toBe("443");
    expect(s3EndpointPort("http://minio.test:9000")).toBe("9000");
    expect(s3EndpointPort("http://minio.test")).toBe("80");
    // Synthesized: prod with an S3-compatible store on 9000 lets the backup pods reach 9000, not 443.
    const config = configOf("prod", { backup: { storage: { endpoint: "https://minio.storage.example:9000" } } } as ConfigOverride);
    const [s3] = policies(synthBackup(config).json);
    expect(s3.spec.egress[0].ports).toEqual([{ port: "9000", protocol: "TCP" }]);
  });

  it("restrict: false creates no egress policy", () => {
    const config = configOf("prod", { network: { egress: { restrict: false } } } as ConfigOverride);
    expect(policies(synthDatabase(config).json)).toEqual([]);
    expect(policies(synthBackup(config).json)).toEqual([]);
  });

  it("refuses a CIDR that is not one, and client labels without a namespace, naming the field", () => {
    const bad = validateConfig(
      deepMerge(structuredClone(environments.dev), { network: { egress: { clusterCidrs: ["10.0.0.0/33"] }, clientPods: [{ labels: { a: "b" } }] } } as unknown as ConfigOverride),
    );
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems;
    expect(problems).toContainEqual({ path: "network.egress.clusterCidrs[0]", rule: expect.stringMatching(/^must be an IPv4 CIDR/) });
    expect(problems).toContainEqual({ path: "network.clientPods[0].namespace", rule: expect.stringMatching(/^is required/) });
  });

  it("refuses the old clientPodLabels, which admitted labelled pods of every namespace", () => {
    const bad = validateConfig(deepMerge(structuredClone(environments.dev), { network: { clientPodLabels: { a: "b" } } } as ConfigOverride));
    expect(bad.ok ? [] : bad.problems).toContainEqual({ path: "network.clientPodLabels", rule: expect.stringMatching(/^is not a known field/) });
  });
});

describe("sharded access (issue 12, finding 8)", () => {
  /** The ingress policies of a synthesized database stack, by metadata name. */
  const ingress = (config: PlatformConfig): Record<string, Json> =>
    Object.fromEntries(
      (Object.values(synthDatabase(config).json.resource.kubernetes_network_policy_v1) as Json[])
        .filter((p) => p.spec.policy_types.includes("Ingress"))
        .map((p) => [p.metadata.name, p.spec.ingress[0].from]),
    );
  const admitsClients = (from: Json[]) => from.some((peer) => peer.namespace_selector);
  const withClients = { network: { clientPods: [{ namespace: "ci", labels: { "nyrkio.io/mongodb-client": "true" } }] } };

  it("with clientsOnMongosOnly, only mongos admits the application; shards and config servers admit the cluster and the jobs", () => {
    const policies = ingress(configOf("sharded", withClients as unknown as ConfigOverride));
    // The metrics Service's policy (monitoring) admits only the scrapers to the exporters' port.
    expect(Object.keys(policies).sort()).toEqual(["mongodb-cfg-ingress", "mongodb-metrics-ingress", "mongodb-mongos-ingress", "mongodb-rs0-ingress", "mongodb-rs1-ingress"]);
    expect(admitsClients(policies["mongodb-mongos-ingress"])).toBe(true);
    for (const name of ["mongodb-cfg-ingress", "mongodb-rs0-ingress", "mongodb-rs1-ingress"]) {
      expect([name, admitsClients(policies[name])]).toEqual([name, false]);
      // Every member reaches every other (the database's pods include mongos), and the jobs get in.
      expect(policies[name]).toHaveLength(2);
    }
  });

  it("during a conversion (clientsOnMongosOnly false) the shards still admit the application, the config servers never do", () => {
    const config = configOf("sharded", { ...withClients, sharding: { clientsOnMongosOnly: false } } as unknown as ConfigOverride);
    const policies = ingress(config);
    expect(admitsClients(policies["mongodb-rs0-ingress"])).toBe(true);
    expect(admitsClients(policies["mongodb-cfg-ingress"])).toBe(false);
    const result = validateConfig(structuredClone(config));
    expect(result.ok && result.warnings).toContainEqual({ path: "sharding.clientsOnMongosOnly", rule: expect.stringMatching(/^is false: applications can still connect to the shards directly/) });
  });

  it("refuses clientsOnMongosOnly without sharding, and leaves an unsharded set open to its clients", () => {
    const bad = validateConfig(deepMerge(structuredClone(environments.dev), { sharding: { clientsOnMongosOnly: true } } as ConfigOverride));
    expect(bad.ok ? [] : bad.problems).toContainEqual({ path: "sharding.clientsOnMongosOnly", rule: expect.stringMatching(/^needs sharding.enabled/) });
    expect(admitsClients(ingress(configOf("dev"))["mongodb-rs0-ingress"])).toBe(true);
  });
});

describe("pushgatewayEgressRule (the metrics pushes under a restricted egress)", () => {
  const network = { clusterCidrs: ["10.0.0.0/8"] };
  test.each([
    ["http://pushgateway.monitoring:9091", [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], "9091"],
    ["http://pushgateway.monitoring.svc:9091/", [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], "9091"],
    ["http://pgw.obs.svc.cluster.local", [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "obs" } } }], "80"],
    ["http://10.1.2.3:9091", [{ ipBlock: { cidr: "10.1.2.3/32" } }], "9091"],
    ["https://pushgateway.example.com", [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", CLOUD_METADATA_CIDR] } }], "443"],
  ])("%s", (url, to, port) => {
    expect(pushgatewayEgressRule(url, network)).toEqual({ to, ports: [{ port, protocol: "TCP" }] });
  });
});
