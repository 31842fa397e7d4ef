// The backup metrics' push as the backup stack synthesizes it: with monitoring on and a
// Pushgateway configured, one CronJob per replica set every slice interval, running the push
// script on the catalog job's pod (claim read-only, or the manifests pulled from S3), with no
// database credentials; without a Pushgateway, or with monitoring off, nothing.
import { backupMetricsScript } from "../../monitoring/backup-metrics-script";
import { balancerMetricsScript } from "../../monitoring/balancer-metrics-script";
import { terraformLiteralValue } from "../../terraform-check/template-value";
import { configOf, containers, envOf, podSpec, synthBackup, type Json } from "../backup/stack/support";

const PGW = "http://pushgateway.monitoring:9091";

describe.each(["dev", "prod", "sharded"])("%s", (env) => {
  const config = configOf(env, { monitoring: { pushgateway: PGW } });
  const s = synthBackup(config);
  const pushes = Object.values(s.byName).filter((cj: Json) => cj.metadata.name.endsWith("-backup-metrics"));

  test("one push CronJob per replica set, every slice interval, the script from the embedded functions", () => {
    const sets = env === "sharded" ? ["cfg", "rs0", "rs1"] : ["rs0"];
    expect(pushes.map((cj: Json) => cj.metadata.name).sort()).toEqual(sets.map((rs) => `mongodb-${rs}-backup-metrics`));
    const script = Object.values(s.json.resource.kubernetes_config_map_v1).find((c: Json) => c.metadata.name === "mongodb-backup-metrics") as Json;
    // As Terraform reads the value: the script's template literals reach the pod byte for byte.
    expect(Object.keys(script.data).sort()).toEqual(env === "sharded" ? ["balancer-metrics.js", "push-metrics.js"] : ["push-metrics.js"]);
    expect(terraformLiteralValue(script.data["push-metrics.js"])).toBe(backupMetricsScript());
    if (env === "sharded") expect(terraformLiteralValue(script.data["balancer-metrics.js"])).toBe(balancerMetricsScript());
    for (const cj of pushes as Json[]) {
      expect(cj.spec).toMatchObject({ schedule: "*/5 * * * *", concurrency_policy: "Forbid", timezone: "Etc/UTC" });
      expect(cj.spec.job_template.spec.template.metadata.labels["nyrkio.io/backup-kind"]).toBe("metrics");
    }
  });

  test("reads the catalog where the catalog job has it, pushes to the configured Pushgateway, holds no database credentials", () => {
    for (const cj of pushes as Json[]) {
      const rs = cj.metadata.name.replace(/^mongodb-/, "").replace(/-backup-metrics$/, "");
      const all = containers(cj);
      const push = all[all.length - 1];
      expect(push.command).toEqual(["mongosh", "--nodb", "--quiet", "--file", "/opt/nyrkio/metrics/push-metrics.js"]);
      const e = envOf(push);
      expect(e).toMatchObject({ METRICS_REPLSET: rs, PUSHGATEWAY_URL: PGW, METRICS_FULL_INTERVAL_SECONDS: "86400", METRICS_SLICE_INTERVAL_SECONDS: "300", METRICS_VERIFY_INTERVAL_SECONDS: "86400" });
      if (config.backup.storage.type === "pvc") {
        expect(e.METRICS_CATALOG).toBe(`/backup/${rs}`);
        expect(push.volume_mount).toContainEqual({ name: "backup", mount_path: "/backup", read_only: true });
      } else {
        expect(e.METRICS_CATALOG).toBe("/work/catalog");
        expect(all.map((c: Json) => c.name)).toEqual(["pull-manifests", "push-metrics"]);
      }
      const secrets = podSpec(cj).volume.filter((v: Json) => v.secret).map((v: Json) => v.secret.secret_name);
      expect(secrets).not.toContain(config.secrets.backup);
      expect(secrets).not.toContain(config.secrets.restore);
      expect(cj.spec.job_template.spec.template.metadata.labels["nyrkio.io/db-client"]).toBeUndefined();
    }
  });

  // dev (and sharded, from dev) restrict egress: without this policy the pushes never leave the pod.
  test("with egress restricted, the pushing pods (and only they) may reach the Pushgateway's port in its namespace", () => {
    const policy = Object.values(s.json.resource.kubernetes_network_policy_v1 ?? {}).find((p: Json) => p.metadata.name === "mongodb-metrics-push-egress") as Json | undefined;
    if (!config.network.egress.restrict) return expect(policy).toBeUndefined();
    expect(policy!.spec.egress).toEqual([{ to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: "9091", protocol: "TCP" }] }]);
    const selected = policy!.spec.pod_selector.match_labels as Record<string, string>;
    const pushing = [...pushes, ...(env === "sharded" ? [s.byName["mongodb-balancer-metrics"]] : [])] as Json[];
    const others = Object.values(s.byName).filter((cj: Json) => !pushing.includes(cj)) as Json[];
    const selects = (cj: Json) => Object.entries(selected).every(([k, v]) => cj.spec.job_template.spec.template.metadata.labels[k] === v);
    expect(pushing.every(selects)).toBe(true);
    expect(others.filter(selects).map((cj) => cj.metadata.name)).toEqual([]);
  });

  test("no Pushgateway, or monitoring off: no push", () => {
    for (const c of [configOf(env), configOf(env, { monitoring: { enabled: false, pushgateway: PGW } })]) {
      expect(synthBackup(c).text).not.toContain("backup-metrics");
      expect(synthBackup(c).text).not.toContain("balancer-metrics");
    }
  });

  // Issue 13: the balancer alert reads these series; sharded clusters push them, others have no balancer.
  test(env === "sharded" ? "one balancer metrics CronJob: mongosh through mongos as the backup user, pushing to the Pushgateway" : "no balancer metrics: no balancer", () => {
    const balancer = s.byName["mongodb-balancer-metrics"] as Json | undefined;
    if (env !== "sharded") {
      expect(balancer).toBeUndefined();
      expect(s.text).not.toContain("balancer-metrics");
      return;
    }
    expect(balancer!.spec).toMatchObject({ schedule: "*/5 * * * *", concurrency_policy: "Forbid", timezone: "Etc/UTC" });
    const [c, ...more] = containers(balancer);
    expect(more).toEqual([]);
    expect(c.image).toBe(config.image);
    // It writes nothing but mongosh's home in /tmp: no scratch space requested.
    expect(c.resources.requests["ephemeral-storage"]).toBe("1Gi");
    // The sharded environment's requireTLS: clients use TLS, verified against the CA alone (config/tls.ts uriTlsOptions).
    expect(config.tls.mode).toBe("requireTLS");
    expect(c.command).toEqual([
      "mongosh",
      "--quiet",
      `mongodb://mongodb-mongos.${config.kubernetes.namespace}.svc.cluster.local:27017/admin?tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt`,
      "--file",
      "/opt/nyrkio/metrics/balancer-metrics.js",
    ]);
    expect(c.command.join(" ")).not.toMatch(/@|password/);
    expect(envOf(c)).toEqual({
      HOME: "/tmp",
      PUSHGATEWAY_URL: PGW,
      BALANCER_METRICS_CLUSTER: `nyrkio-db-${config.name}`,
      BALANCER_USERNAME_FILE: "/etc/nyrkio/backup-user/username",
      BALANCER_PASSWORD_FILE: "/etc/nyrkio/backup-user/password",
    });
    const spec = podSpec(balancer);
    // The backup user's Secret only: it holds nyrkioBalancerWindow (find on config.settings and the leases).
    // ... and, with TLS on, the certificate Secret's ca.crt alone (never tls.key).
    expect(spec.volume.filter((v: Json) => v.secret).map((v: Json) => v.secret.secret_name)).toEqual([config.secrets.backup, "nyrkio-mongodb-tls"]);
    expect(spec.volume.find((v: Json) => v.name === "tls-ca").secret.items).toEqual([{ key: "ca.crt", path: "ca.crt" }]);
    expect(spec.volume.map((v: Json) => v.name).sort()).toEqual(["backup-user", "metrics-script", "mongosh-conf", "tls-ca", "tmp"]);
    // The database's NetworkPolicy admits the project's clients by this label.
    expect(balancer!.spec.job_template.spec.template.metadata.labels["nyrkio.io/db-client"]).toBe("true");
  });
});
