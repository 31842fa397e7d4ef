// The retention CronJob, synthesized in a minimal stack of its own (the database stack wires it).
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { dev } from "../../config/environments/dev";
import { sharded } from "../../config/environments/sharded";
import type { PlatformConfig } from "../../config/platform-config";
import { DB_CLIENT_LABEL, RETENTION_NAME } from "../../stacks/naming";
import { RetentionCronJob, retentionUri } from "../../stacks/constructs/retention-cron-job";

interface Synth {
  json: string;
  cronJob: Record<string, any>;
  configMap: { metadata: { name: string }; data: Record<string, string> };
}

function synth(config: PlatformConfig): Synth {
  const app = Testing.app();
  const stack = new TerraformStack(app, "retention-test");
  new KubernetesProvider(stack, "kubernetes", {});
  new RetentionCronJob(stack, "retention", { config });
  const json = Testing.synth(stack);
  const resources = JSON.parse(json).resource;
  return {
    json,
    cronJob: Object.values(resources.kubernetes_cron_job_v1)[0] as Record<string, unknown>,
    configMap: Object.values(resources.kubernetes_config_map_v1)[0] as Synth["configMap"],
  };
}

describe("the retention CronJob", () => {
  const { json, cronJob, configMap } = synth(dev);
  const podSpec = cronJob.spec.job_template.spec.template.spec;
  const container = podSpec.container[0];

  it("runs on the configured schedule, never two at once", () => {
    expect(cronJob.metadata).toMatchObject({ name: RETENTION_NAME, namespace: dev.kubernetes.namespace });
    expect(cronJob.spec).toMatchObject({ schedule: dev.retention.schedule, concurrency_policy: "Forbid", suspend: false });
    expect(cronJob.spec.job_template.spec.active_deadline_seconds).toBeGreaterThan(0);
  });

  it("is suspended, not removed, when retention is off in config", () => {
    const off = synth({ ...dev, retention: { ...dev.retention, enabled: false } });
    expect(off.cronJob.spec.suspend).toBe(true);
  });

  it("labels its pods so the database's NetworkPolicy admits them", () => {
    expect(cronJob.spec.job_template.spec.template.metadata.labels).toMatchObject(DB_CLIENT_LABEL);
  });

  it("runs mongosh on the generated script, with no credentials on the command line", () => {
    expect(container.image).toBe(dev.image);
    expect(container.command).toEqual(["mongosh", "--nodb", "--quiet", "--file", "/etc/nyrkio/retention/retention.js"]);
    expect(container.command.join(" ")).not.toMatch(/password|@/i);
    expect(configMap.data["retention.js"]).toContain('const RETENTION_PARAMS_FILE = "/etc/nyrkio/retention/params.json";');
    expect(configMap.data["retention.js"]).toContain("function* retentionSteps(");
  });

  it("passes window, batch size and a credential-free URI as a JSON file", () => {
    const params = JSON.parse(configMap.data["params.json"]);
    expect(params).toEqual({
      uri: retentionUri(dev),
      database: dev.database,
      resultsDays: dev.retention.resultsDays,
      batchSize: dev.retention.batchSize,
      pauseMs: 100,
      dryRun: false,
      usernameFile: "/etc/nyrkio/secrets/retention/username",
      passwordFile: "/etc/nyrkio/secrets/retention/password",
    });
    expect(params.uri).toBe(
      // dev's requireTLS: TLS with the CA alone (config/tls.ts uriTlsOptions).
      "mongodb://mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017,mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017/?replicaSet=rs0&authSource=admin&tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt",
    );
  });

  it("reads its own retention user's Secret (not the application's) as files: no password anywhere in the synthesized JSON", () => {
    const secret = podSpec.volume.find((v: { name: string }) => v.name === "credentials").secret;
    expect(secret).toMatchObject({ secret_name: dev.secrets.retention, default_mode: "0440" });
    expect(dev.secrets.retention).not.toBe(dev.secrets.app);
    expect(container.volume_mount).toContainEqual({ name: "credentials", mount_path: "/etc/nyrkio/secrets/retention", read_only: true });
    expect(json).not.toMatch(/"password"\s*:\s*"[^"]/);
    expect(container.env ?? []).not.toContainEqual(expect.objectContaining({ value_from: expect.anything() }));
  });

  it("has the secure pod defaults: non-root 999, no escalation, no capabilities, seccomp, read-only root with /tmp", () => {
    expect(podSpec.security_context).toMatchObject({ run_as_non_root: true, run_as_user: "999", seccomp_profile: { type: "RuntimeDefault" } });
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(podSpec.automount_service_account_token).toBe(false);
    expect(container.volume_mount).toContainEqual({ name: "tmp", mount_path: "/tmp" });
    expect(container.env).toContainEqual({ name: "HOME", value: "/tmp" });
    expect(container.resources.limits.memory).toBeDefined();
  });

  it("connects through mongos when the cluster is sharded", () => {
    const params = JSON.parse(synth(sharded).configMap.data["params.json"]);
    expect(params.uri).toBe("mongodb://mongodb-mongos.nyrkio-db-sharded.svc.cluster.local:27017/?authSource=admin&tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt");
  });

  it("refuses a URI with credentials in it", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "bad");
    expect(() => new RetentionCronJob(stack, "retention", { config: dev, uri: "mongodb://app:secret@host/" })).toThrow("must not carry credentials");
  });
});
