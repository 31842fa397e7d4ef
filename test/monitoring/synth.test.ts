// Monitoring on and off in every shipped environment, as Terraform receives the stacks: the
// exporter beside every mongod and mongos (never the arbiter), its credentials from the monitor
// Secret through the environment and never in argv, the rules and dashboard ConfigMaps holding
// the files byte for byte, the scrape Service and its NetworkPolicy; and with
// prometheusOperator, the separate stack with the PrometheusRule and PodMonitor.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { validateConfig } from "../../config/validate";
import { exporterArgs } from "../../stacks/constructs/monitoring/exporter";
import { exporterTls } from "../../stacks/constructs/tls-client";
import { serverTlsOn } from "../../config/tls";
import { synthDatabase } from "../stacks/database-synth";
import { synthPlatformStacks } from "../support/platform-synth";

const monitoringDir = join(__dirname, "..", "..", "monitoring");
const rulesFile = readFileSync(join(monitoringDir, "rules", "nyrkio-db.rules.yml"), "utf8");
const balancerRulesFile = readFileSync(join(monitoringDir, "rules", "sharding-balancer.rules.yml"), "utf8");
const dashboardFile = readFileSync(join(monitoringDir, "dashboards", "nyrkio-db.json"), "utf8");
const withMonitoring = (c: PlatformConfig, m: Partial<PlatformConfig["monitoring"]>): PlatformConfig => ({ ...c, monitoring: { ...c.monitoring, ...m } });

type Json = any;
const podSpecs = (s: ReturnType<typeof synthDatabase>) => [
  ...Object.values(s.resources("kubernetes_stateful_set_v1")).map((r: Json) => ({ name: r.metadata.name as string, spec: r.spec.template.spec })),
  ...Object.values(s.resources("kubernetes_deployment_v1")).map((r: Json) => ({ name: r.metadata.name as string, spec: r.spec.template.spec })),
];
const exporterOf = (spec: Json) => (spec.container as Json[]).find((c) => c.name === "exporter");

describe.each(Object.keys(environments))("%s", (envName) => {
  const env = environments[envName];

  describe("monitoring on", () => {
    const s = synthDatabase(withMonitoring(env, { enabled: true }));

    test("an exporter beside every mongod and mongos, none beside an arbiter", () => {
      const pods = podSpecs(s);
      const withMongod = pods.filter((p) => p.spec.container.some((c: Json) => c.name === "mongod" || c.name === "mongos"));
      expect(withMongod.length).toBeGreaterThan(0);
      for (const p of withMongod) {
        const exporter = exporterOf(p.spec);
        if (p.name.endsWith("-arbiter")) expect({ pod: p.name, exporter }).toEqual({ pod: p.name, exporter: undefined });
        else expect({ pod: p.name, image: exporter?.image }).toEqual({ pod: p.name, image: "percona/mongodb_exporter:0.53.0" });
      }
      if (env.sharding.enabled) expect(pods.map((p) => p.name)).toEqual(expect.arrayContaining(["mongodb-mongos", "mongodb-cfg"]));
    });

    test("credentials from the monitor Secret through MONGODB_USER/MONGODB_PASSWORD, never in argv", () => {
      for (const p of podSpecs(s)) {
        const exporter = exporterOf(p.spec);
        if (!exporter) continue;
        expect(exporter.args).toEqual(exporterArgs(exporterTls(env.tls)));
        // A local connection: TLS with the CA whenever the server has TLS on (every shipped environment's default).
        expect(exporter.args[0]).toBe(
          serverTlsOn(env.tls) ? "--mongodb.uri=mongodb://127.0.0.1:27017/admin?tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt" : "--mongodb.uri=mongodb://127.0.0.1:27017/admin",
        );
        expect(exporter.args.join(" ")).not.toMatch(/@|password|user/i);
        expect(exporter.env).toEqual([
          { name: "MONGODB_USER", value_from: { secret_key_ref: { name: env.secrets.monitor, key: "username" } } },
          { name: "MONGODB_PASSWORD", value_from: { secret_key_ref: { name: env.secrets.monitor, key: "password" } } },
        ]);
        expect(exporter.port).toEqual([{ name: "metrics", container_port: 9216, protocol: "TCP" }]);
        expect(exporter.readiness_probe).toBeUndefined();
        expect(exporter.security_context).toMatchObject({ run_as_non_root: true, read_only_root_filesystem: true, allow_privilege_escalation: false });
      }
    });

    test("the rules and the dashboard ConfigMaps hold the files byte for byte; Grafana's sidecar label", () => {
      // Sharded clusters load the balancer alerts too (issue 13); a replica set has no balancer.
      expect(s.named("kubernetes_config_map_v1", "mongodb-prometheus-rules").data).toEqual({
        "nyrkio-db.rules.yml": rulesFile,
        ...(env.sharding.enabled ? { "sharding-balancer.rules.yml": balancerRulesFile } : {}),
      });
      const dashboard = s.named("kubernetes_config_map_v1", "mongodb-grafana-dashboard");
      expect(dashboard.data).toEqual({ "nyrkio-db.json": dashboardFile });
      expect(dashboard.metadata.labels.grafana_dashboard).toBe("1");
    });

    test("a headless metrics Service with the scrape annotations, and ingress to 9216 from the Prometheus namespaces only", () => {
      const svc = s.named("kubernetes_service_v1", "mongodb-metrics");
      expect(svc.metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "9216", "prometheus.io/path": "/metrics" });
      expect(svc.spec.cluster_ip).toBe("None");
      expect(svc.spec.port).toEqual([{ name: "metrics", port: 9216, target_port: "metrics", protocol: "TCP" }]);
      const policy = s.named("kubernetes_network_policy_v1", "mongodb-metrics-ingress");
      expect(policy.spec.ingress).toEqual([
        { from: env.monitoring.scrapeNamespaces.map((ns) => ({ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": ns } } })), ports: [{ port: "9216", protocol: "TCP" }] },
      ]);
    });

    test("every reconcile Job creates the monitor user: it mounts its Secret", () => {
      const jobs = Object.values(s.resources("kubernetes_job_v1")).filter((j: Json) => j.metadata.name.includes("-reconcile-"));
      expect(jobs.length).toBe(env.replsets.length + (env.sharding.enabled ? 1 : 0));
      for (const j of jobs as Json[]) expect(j.spec.template.spec.volume.map((v: Json) => v.secret?.secret_name)).toContain(env.secrets.monitor);
    });
  });

  describe("monitoring off", () => {
    const s = synthDatabase(withMonitoring(env, { enabled: false, prometheusOperator: false }));
    test("no exporter, no monitor user or Secret, no monitoring objects", () => {
      for (const p of podSpecs(s)) expect({ pod: p.name, exporter: exporterOf(p.spec) }).toEqual({ pod: p.name, exporter: undefined });
      expect(s.text).not.toContain(env.secrets.monitor);
      expect(s.text).not.toContain("mongodb-prometheus-rules");
      expect(s.text).not.toContain("mongodb-metrics");
      expect(s.text).not.toContain("grafana_dashboard");
    });
  });

  test("the Prometheus Operator's objects only with prometheusOperator, in a stack of their own", () => {
    const stacks = synthPlatformStacks(withMonitoring(env, { enabled: true, prometheusOperator: true, operatorLabels: { release: "kps" } }), "/tmp/nyrkio-db-test");
    expect(stacks.monitoring).toBeDefined();
    const json = JSON.parse(stacks.monitoring!.text);
    const manifests = Object.values(json.resource.kubernetes_manifest).map((r: Json) => r.manifest);
    expect(manifests.map((m: Json) => m.kind).sort()).toEqual(["PodMonitor", "PrometheusRule"]);
    const rule = manifests.find((m: Json) => m.kind === "PrometheusRule");
    const podMonitor = manifests.find((m: Json) => m.kind === "PodMonitor");
    expect(rule.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(rule.spec.groups).toEqual([...parse(rulesFile).groups, ...(env.sharding.enabled ? parse(balancerRulesFile).groups : [])]);
    expect(rule.metadata).toMatchObject({ namespace: env.kubernetes.namespace, labels: { release: "kps" } });
    // The CRD's own field names reach the API: the manifest's keys are not rewritten to snake_case.
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
    expect(podMonitor.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": `nyrkio-db-${env.name}` });
    // The other stacks never depend on it.
    expect(JSON.parse(stacks.database.text).resource.kubernetes_manifest).toBeUndefined();
    expect(synthPlatformStacks(env, "/tmp/nyrkio-db-test").monitoring).toBeUndefined();
  });
});

describe("config", () => {
  const dev = environments.dev;
  test("runbook_url points at monitoring.runbookBaseUrl when set", () => {
    const s = synthDatabase(withMonitoring(dev, { runbookBaseUrl: "https://git.example/nyrkio-db/blob/main/docs/runbooks/" }));
    const text: string = s.named("kubernetes_config_map_v1", "mongodb-prometheus-rules").data["nyrkio-db.rules.yml"];
    expect(text).toContain("runbook_url: https://git.example/nyrkio-db/blob/main/docs/runbooks/alerts.md#mongonoprimary");
    expect(text).not.toContain("runbook_url: docs/");
  });

  test("refuses an exporter of another version, a floating tag, and the operator without monitoring", () => {
    const check = (m: Partial<PlatformConfig["monitoring"]>) => {
      const r = validateConfig(withMonitoring(dev, m));
      return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.rule}`);
    };
    expect(check({ exporterImage: "percona/mongodb_exporter:0.40" })).toEqual([expect.stringMatching(/^monitoring.exporterImage: must be tagged 0.53.0/)]);
    expect(check({ exporterImage: "percona/mongodb_exporter:latest" })).toEqual([expect.stringMatching(/^monitoring.exporterImage: must be tagged 0.53.0/)]);
    expect(check({ exporterImage: "registry.example:5000/mirror/mongodb_exporter:0.53.0" })).toEqual([]);
    expect(check({ exporterImage: "bitnami/mongodb-exporter:0.53.0" })).toEqual([expect.stringMatching(/^monitoring.exporterImage: must be a mongodb_exporter image/)]);
    expect(check({ enabled: false, prometheusOperator: true })).toEqual([expect.stringMatching(/^monitoring.prometheusOperator: needs monitoring.enabled/)]);
  });
});
