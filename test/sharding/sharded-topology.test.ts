// The sharded topology as the database stack synthesizes it for the `sharded` environment.

import * as vm from "node:vm";
import { dev } from "../../config/environments/dev";
import { sharded as shardedEnvironment } from "../../config/environments/sharded";
// The users here are those without the exporters' user; test/monitoring covers monitoring on.
const sharded = { ...shardedEnvironment, monitoring: { ...shardedEnvironment.monitoring, enabled: false }, retention: { ...shardedEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
import type { PlatformConfig } from "../../config/platform-config";
import { byName, byNamePrefix, Resources, synthDatabase } from "./synth";

type Json = Record<string, any>;

const NS = "nyrkio-db-sharded";
const host = (pod: string, service: string) => `${pod}.${service}.${NS}.svc.cluster.local:27017`;
const MONGOS = `mongodb-mongos.${NS}.svc.cluster.local:27017`;

const { resources, json } = synthDatabase(sharded);
const configMap = (name: string) => byName(resources, "kubernetes_config_map_v1", name).data as Record<string, string>;
const shardingJob = () => {
  const jobs = byNamePrefix(resources, "kubernetes_job_v1", "mongodb-sharding-");
  expect(jobs).toHaveLength(1);
  return jobs[0] as Json;
};
const podSpec = (r: Json) => r.spec.template.spec;

describe("stateful resources", () => {
  it("are pinned to logical IDs named after the StatefulSets: the config servers and every shard", () => {
    expect(Object.keys(resources.kubernetes_stateful_set_v1).sort()).toEqual(["mongodb_cfg", "mongodb_rs0", "mongodb_rs1"]);
  });
});

describe("config servers", () => {
  it("are a replica set of three data members, with a volume each, and no arbiter", () => {
    const cfg = byName(resources, "kubernetes_stateful_set_v1", "mongodb-cfg") as Json;
    expect(cfg.spec.replicas).toBe("3");
    expect(cfg.spec.volume_claim_template[0].spec.resources.requests.storage).toBe("5Gi");
    expect(byNamePrefix(resources, "kubernetes_stateful_set_v1", "mongodb-cfg-arbiter")).toEqual([]);
  });

  it("run with clusterRole configsvr and are initiated with configsvr: true", () => {
    expect(configMap("mongodb-cfg-config")["mongod.conf"]).toContain('sharding:\n  clusterRole: "configsvr"\n');
    const rsConfig = JSON.parse(configMap("mongodb-cfg-config")["replicaset.json"]);
    expect(rsConfig).toMatchObject({ _id: "cfg", configsvr: true });
    expect(rsConfig.members.map((m: Json) => [m.host, m.votes, m.arbiterOnly ?? false])).toEqual([0, 1, 2].map((i) => [host(`mongodb-cfg-${i}`, "mongodb-cfg"), 1, false]));
  });

  it("hold the cluster's users and default read/write concern; the shards do not", () => {
    const cfg = configMap("mongodb-cfg-reconcile");
    expect(JSON.parse(cfg["users.json"]).users.map((u: Json) => u.name)).toEqual(["app", "migrator", "backup", "rotator"]); // no restore user (issue 12: temporary ones); rotator: TLS is on (the environment's default requireTLS)
    expect(JSON.parse(cfg["rw-concern.json"])).not.toBeNull();
    expect(JSON.parse(cfg["replicaset.json"]).configsvr).toBe(true);
    for (const shard of ["rs0", "rs1"]) expect(JSON.parse(configMap(`mongodb-${shard}-reconcile`)["rw-concern.json"])).toBeNull();
  });

  it("give the cluster's backup user the balancer window's role, and no user directShardOperations", () => {
    const users = JSON.parse(configMap("mongodb-cfg-reconcile")["users.json"]);
    expect(users.roles.map((r: Json) => r.role)).toEqual(["nyrkioMigrator", "nyrkioBalancerWindow", "nyrkioRestore", "nyrkioReplSetConfig", "nyrkioApp", "nyrkioBackup", "nyrkioCertRotation"]);
    const window = users.roles.find((r: Json) => r.role === "nyrkioBalancerWindow");
    expect(window.privileges).toEqual([
      { resource: { db: "config", collection: "settings" }, actions: ["find", "update"] },
      { resource: { db: "nyrkio_ops", collection: "balancer_windows" }, actions: ["find", "insert", "update", "remove"] },
    ]);
    const roles = Object.fromEntries(users.users.map((u: Json) => [u.name, u.roles.map((r: Json) => r.role)]));
    expect(roles).toEqual({ app: ["nyrkioApp"], migrator: ["nyrkioMigrator"], backup: ["nyrkioBackup", "nyrkioReplSetConfig", "nyrkioBalancerWindow"], rotator: ["nyrkioCertRotation"] });
  });
});

describe("reconcile Jobs and the users each one manages", () => {
  const reconcileJob = (replset: string) => {
    const jobs = byNamePrefix(resources, "kubernetes_job_v1", `mongodb-${replset}-reconcile-`);
    expect(jobs).toHaveLength(1);
    return jobs[0] as Json;
  };
  const mountedSecrets = (replset: string) =>
    Object.fromEntries(
      podSpec(reconcileJob(replset))
        .volume.filter((v: Json) => v.secret)
        .map((v: Json) => [v.name, v.secret.secret_name]),
    );

  it.each(["rs0", "rs1"])("%s (a shard) manages its local backup user only (and the temporary restore users' role), with directShardOperations on MongoDB 8", (shard) => {
    expect(sharded.image).toMatch(/^mongo:8\.0\./);
    const users = JSON.parse(configMap(`mongodb-${shard}-reconcile`)["users.json"]);
    // With TLS on (the environment's default) each shard also holds the rotation sidecars' user, with its one role.
    expect(users.roles.map((r: Json) => r.role)).toEqual(["nyrkioRestore", "nyrkioReplSetConfig", "nyrkioBackup", "nyrkioCertRotation"]);
    expect(users.users.map((u: Json) => [u.name, u.secretName, u.roles.map((r: Json) => `${r.role}@${r.db}`)])).toEqual([
      ["backup", sharded.secrets.backup, ["nyrkioBackup@admin", "nyrkioReplSetConfig@admin", "directShardOperations@admin"]],
      ["rotator", sharded.secrets.rotator, ["nyrkioCertRotation@admin"]],
    ]);
  });

  it.each(["rs0", "rs1"])("%s mounts the Secrets of root and backup, and not the application's or the migrator's", (shard) => {
    // With TLS on: the rotator's Secret (the Job manages that user) and the CA (tls-ca, ca.crt only; test/security/tls-clients.test.ts).
    // The bootstrap Secret: each shard's own Job creates its root as the bootstrap user (the handover, docs/security.md).
    expect(mountedSecrets(shard)).toEqual({
      "bootstrap-secret": sharded.secrets.bootstrap,
      "secret-root": sharded.secrets.root,
      "secret-backup": sharded.secrets.backup,
      "secret-rotator": sharded.secrets.rotator,
      "tls-ca": "nyrkio-mongodb-tls",
    });
  });

  it("cfg mounts root, the bootstrap Secret (the handover) and the three users' Secrets", () => {
    expect(mountedSecrets("cfg")).toEqual({
      "bootstrap-secret": sharded.secrets.bootstrap,
      "secret-root": sharded.secrets.root,
      "secret-app": sharded.secrets.app,
      "secret-migrator": sharded.secrets.migrator,
      "secret-backup": sharded.secrets.backup,
      "secret-rotator": sharded.secrets.rotator,
      "tls-ca": "nyrkio-mongodb-tls",
    });
  });

  it("a shard on MongoDB 7.0 gets no directShardOperations (7.x only warns about direct connections)", () => {
    const older = synthDatabase({ ...sharded, image: "mongo:7.0.14" }).resources;
    const users = JSON.parse((byName(older, "kubernetes_config_map_v1", "mongodb-rs1-reconcile").data as Record<string, string>)["users.json"]);
    expect(users.users.map((u: Json) => [u.name, u.roles.map((r: Json) => r.role)])).toEqual([
      ["backup", ["nyrkioBackup", "nyrkioReplSetConfig"]],
      ["rotator", ["nyrkioCertRotation"]],
    ]);
  });
});

describe("shards", () => {
  it.each(["rs0", "rs1"])("%s runs with clusterRole shardsvr on port 27017, three data members, no arbiter", (shard) => {
    const conf = configMap(`mongodb-${shard}-config`)["mongod.conf"];
    expect(conf).toContain('sharding:\n  clusterRole: "shardsvr"\n');
    expect(conf).toContain("port: 27017");
    expect((byName(resources, "kubernetes_stateful_set_v1", `mongodb-${shard}`) as Json).spec.replicas).toBe("3");
    expect(JSON.parse(configMap(`mongodb-${shard}-config`)["replicaset.json"]).configsvr).toBeUndefined();
  });

  it("admit mongos: the members' network policy admits the database's pods, and mongos carries those labels", () => {
    const policy = byName(resources, "kubernetes_network_policy_v1", "mongodb-rs0-ingress") as Json;
    const peers = policy.spec.ingress[0].from[0].pod_selector.match_labels as Record<string, string>;
    const mongosLabels = (byName(resources, "kubernetes_deployment_v1", "mongodb-mongos") as Json).spec.template.metadata.labels;
    expect(Object.keys(peers).length).toBeGreaterThan(0);
    expect(mongosLabels).toMatchObject(peers);
  });
});

describe("mongos", () => {
  const deployment = byName(resources, "kubernetes_deployment_v1", "mongodb-mongos") as Json;
  const container = podSpec(deployment).container[0];

  it("routes by the config server replica set, with the members' keyfile", () => {
    const conf = configMap("mongodb-mongos-config")["mongos.conf"];
    const configDB = `cfg/${[0, 1, 2].map((i) => host(`mongodb-cfg-${i}`, "mongodb-cfg")).join(",")}`;
    expect(conf).toContain(`configDB: ${JSON.stringify(configDB)}`);
    expect(conf).toMatch(/keyFile: "\/etc\/nyrkio\/keyfile\/keyfile"/);
    expect(conf).toContain("port: 27017");
    // With TLS on (the sharded environment's default), through run-mongod.sh, which passes --tlsMode (docs/tls.md).
    expect(container.command).toEqual(["bash", "/etc/nyrkio/scripts/run-mongod.sh"]);
    expect(container.env).toEqual(expect.arrayContaining([{ name: "MONGO_SERVER", value: "mongos" }]));
    expect(container.args).toEqual(["--config", "/etc/nyrkio/config/mongos.conf"]);
    expect(podSpec(deployment).init_container[0].name).toBe("install-keyfile");
  });

  it("has the configured replicas, resources and a rolling update that keeps every router up", () => {
    expect(deployment.spec.replicas).toBe("2");
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    expect(deployment.spec.strategy.rolling_update).toEqual({ max_surge: "1", max_unavailable: "0" });
    expect(deployment.wait_for_rollout).toBe(true);
  });

  it("runs as the image's non-root user, read-only, without privileges", () => {
    expect(podSpec(deployment).security_context).toMatchObject({ run_as_non_root: true, run_as_user: "999", seccomp_profile: { type: "RuntimeDefault" } });
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(podSpec(deployment).automount_service_account_token).toBe(false);
  });

  it("is published by a Service and protected by its own network policy", () => {
    const service = byName(resources, "kubernetes_service_v1", "mongodb-mongos") as Json;
    expect(service.spec.selector).toEqual(deployment.spec.selector.match_labels);
    expect(service.spec.port).toEqual([{ name: "mongodb", port: 27017, target_port: "mongodb", protocol: "TCP" }]);
    const policy = byName(resources, "kubernetes_network_policy_v1", "mongodb-mongos-ingress") as Json;
    expect(policy.spec.pod_selector.match_labels).toEqual(deployment.spec.selector.match_labels);
    const from = policy.spec.ingress[0].from;
    expect(from).toContainEqual({ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "nyrkio" } } });
    expect(from).toContainEqual({ pod_selector: { match_labels: { "nyrkio.io/db-client": "true" } } });
    expect(policy.spec.ingress[0].ports).toEqual([{ port: "27017", protocol: "TCP" }]);
  });

  it("waits for the config servers before it is rolled out", () => {
    expect(deployment.depends_on).toContainEqual(expect.stringContaining("kubernetes_stateful_set_v1.mongodb_cfg"));
  });
});

describe("the sharding Job", () => {
  const job = shardingJob();
  const container = podSpec(job).container[0];
  const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));

  it("is named by a hash of the desired state and not waited for by the apply (test/stacks/job-wait.test.ts)", () => {
    expect(job.metadata.name).toMatch(/^mongodb-sharding-[0-9a-f]{10}$/);
    expect(job.wait_for_completion).toBe(false);
    expect(job.spec.template.spec.restart_policy).toBe("Never");
  });

  it("renders the desired state the script reads: every shard with its member hosts, the database, the keys", () => {
    expect(JSON.parse(configMap("mongodb-sharding")["desired-sharding.json"])).toEqual({
      database: "nyrkio",
      shards: ["rs0", "rs1"].map((rs) => ({ name: rs, hosts: [0, 1, 2].map((i) => host(`mongodb-${rs}-${i}`, `mongodb-${rs}`)) })),
      // changes stays unsharded (issue 13, item 7)
      collections: [{ name: "results", key: { test_id: 1, timestamp: 1 } }],
    });
  });

  it("embeds the planner into a script that parses, and the entry script that waits for mongos", () => {
    const script = configMap("mongodb-sharding")["shard-cluster.js"];
    expect(script).toContain("function planSharding(");
    expect(() => new vm.Script(script)).not.toThrow();
    expect(configMap("mongodb-sharding")["run-sharding-job.sh"]).toContain("set -euo pipefail");
    expect(container.command).toEqual(["bash", "/etc/nyrkio/sharding/run-sharding-job.sh"]);
  });

  it("connects to mongos without credentials on any command line; the root password comes from the mounted Secret", () => {
    // TLS on (the environment's default): verified against the mounted CA (config/tls.ts uriTlsOptions).
    expect(env.MONGOS_URI).toBe(`mongodb://${MONGOS}/admin?tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt`);
    expect(env.ROOT_PASSWORD_FILE).toBe("/etc/nyrkio/secrets/root/password");
    const secretVolume = podSpec(job).volume.find((v: Json) => v.name === "root-secret");
    expect(secretVolume.secret.secret_name).toBe(sharded.secrets.root);
    expect(JSON.stringify(container)).not.toMatch(/--password|-p\b|mongodb:\/\/[^/"]*@/);
  });

  it("is one of the project's jobs (the network policies admit it) and runs unprivileged", () => {
    expect(job.spec.template.metadata.labels).toMatchObject({ "nyrkio.io/db-client": "true" });
    expect(container.security_context).toMatchObject({ run_as_non_root: true, read_only_root_filesystem: true, allow_privilege_escalation: false, capabilities: { drop: ["ALL"] } });
  });

  it("runs after mongos, every shard and the reconcile Jobs", () => {
    const deps: string[] = job.depends_on;
    expect(deps).toContainEqual(expect.stringContaining("kubernetes_deployment_v1.sharding_mongos"));
    for (const sts of ["mongodb_rs0", "mongodb_rs1"]) expect(deps).toContain(`kubernetes_stateful_set_v1.${sts}`);
    expect(deps.filter((d) => d.startsWith("kubernetes_job_v1."))).toHaveLength(3);
  });
});

describe("the sharding Job's identity", () => {
  const name = (config: PlatformConfig) => (byNamePrefix(synthDatabase(config).resources, "kubernetes_job_v1", "mongodb-sharding-")[0] as Json).metadata.name;

  it("changes when the desired sharding changes, so the next deploy runs it again", () => {
    const changed = structuredClone(sharded);
    changed.sharding.collections = [{ name: "results", key: { test_id: "hashed" } }];
    expect(name(changed)).not.toBe(name(sharded));
  });

  it("stays when nothing it reads changes", () => {
    const other = structuredClone(sharded);
    other.backup.full.schedule = "0 3 * * *";
    other.sharding.mongos.replicas = 3;
    expect(name(other)).toBe(name(sharded));
  });
});

describe("connection info and secrets", () => {
  it("points applications at mongos, without a replica set name", () => {
    const info = configMap("mongodb-connection");
    expect(info.hosts).toBe(MONGOS);
    expect(info.replicaSet).toBeUndefined();
    expect(info.connectionString).toBe(`mongodb://${MONGOS}/nyrkio?authSource=admin&tls=true`);
  });

  it("switches applications and the retention job to mongos only after the sharding Job has finished", () => {
    // The sharding Job adds the shard; before it, mongos has no shard (issue 13, item 1).
    const jobAddress = `kubernetes_job_v1.${Object.entries(resources.kubernetes_job_v1).find(([, j]) => (j as Json).metadata.name.startsWith("mongodb-sharding-"))![0]}`;
    const dependents: [string, Json][] = [
      ["connection ConfigMap", byName(resources, "kubernetes_config_map_v1", "mongodb-connection") as Json],
      ["retention ConfigMap", byName(resources, "kubernetes_config_map_v1", "mongodb-results-retention") as Json],
      ["retention CronJob", byName(resources, "kubernetes_cron_job_v1", "mongodb-results-retention") as Json],
    ];
    for (const [what, resource] of dependents) expect([what, resource.depends_on]).toEqual([what, expect.arrayContaining([jobAddress])]);
  });

  it("puts no credential in the synthesized JSON", () => {
    expect(json).not.toMatch(/mongodb:\/\/[^/"@]*:[^/"@]*@/);
    expect(json).not.toMatch(/"--password"|"-p"/);
  });
});

describe("without sharding", () => {
  const plain: Resources = synthDatabase(dev).resources;
  it("has no config servers, mongos or sharding Job", () => {
    expect(Object.keys(plain.kubernetes_stateful_set_v1).sort()).toEqual(["mongodb_rs0", "mongodb_rs0_arbiter"]);
    expect(plain.kubernetes_deployment_v1).toBeUndefined();
    expect(byNamePrefix(plain, "kubernetes_job_v1", "mongodb-sharding")).toEqual([]);
    expect(byNamePrefix(plain, "kubernetes_config_map_v1", "mongodb-mongos")).toEqual([]);
  });
});
