// The database stack as Terraform receives it: each property the replica set promises, checked
// on the synthesized JSON of the shipped environments and of variants of them.

import { createHash } from "node:crypto";
import { dev } from "../../config/environments/dev";
import { prod } from "../../config/environments/prod";
import { renderReplicaSetConfigJson } from "../../replicaset/replica-set-config";
import { desiredStateHash, reconcileConfigMapData } from "../../replicaset/reconcile-files";
import { RECONCILE_COMMAND, RECONCILE_CONFIG_DIR } from "../../replicaset/reconcile-paths";
import { MONGOSH_CONF } from "../../stacks/constructs/member-pod";
import { podScriptsData } from "../../stacks/constructs/pod-scripts";
import { CONNECTION_CONFIG_MAP, DB_CLIENT_LABEL } from "../../stacks/naming";
import { containers, devWith, Json, podSpecs, synthDatabase } from "./database-synth";
import { terraformLiteralData } from "../support/terraform-template";

const SS = "kubernetes_stateful_set_v1";
const dataSet = (s = synthDatabase()) => s.named(SS, "mongodb-rs0");
const arbiterSet = (s = synthDatabase()) => s.named(SS, "mongodb-rs0-arbiter");
const byName = (list: Json[], name: string) => list.find((x) => x.name === name);

const votingSelector = {
  "app.kubernetes.io/name": "mongodb",
  "app.kubernetes.io/instance": "nyrkio-db-dev",
  "nyrkio.io/replset": "rs0",
};

/**
 * The stack for the snapshot, less what other parts own and test: the reconcile Job's files and
 * hash are placeholders (checked below against replicaset/), the pod scripts their digest and
 * size (their text is checked below), so the snapshot shows this stack's structure.
 */
function snapshotView(json: Json): Json {
  const copy = structuredClone(json);
  for (const cm of Object.values(copy.resource.kubernetes_config_map_v1 ?? {}) as Json[]) {
    // The reconcile Job's files are replicaset/'s (reconcileConfigMapData), compared below.
    if (cm.metadata.name === "mongodb-rs0-reconcile") cm.data = Object.fromEntries(Object.keys(cm.data).map((k) => [k, "<reconcileConfigMapData>"]));
    for (const key of Object.keys(cm.data ?? {}))
      if (/\.(js|sh)$/.test(key)) cm.data[key] = `<${key}: sha256 ${createHash("sha256").update(cm.data[key]).digest("hex").slice(0, 12)}, ${cm.data[key].split("\n").length} lines>`;
  }
  for (const job of Object.values(copy.resource.kubernetes_job_v1 ?? {}) as Json[]) job.metadata.name = job.metadata.name.replace(/-[0-9a-f]{10}$/, "-<desiredStateHash>");
  return copy;
}

describe("the dev database stack", () => {
  const s = synthDatabase();

  it("matches the snapshot (review every change to it)", () => {
    expect(snapshotView(s.json)).toMatchSnapshot();
  });

  it("holds exactly the resources of one replica set with its reconcile Job, connection info and retention", () => {
    const counts = Object.fromEntries(Object.entries(s.json.resource).map(([type, rs]) => [type, Object.keys(rs as object).length]));
    expect(counts).toEqual({
      kubernetes_namespace_v1: 1,
      kubernetes_service_account_v1: 1,
      // Monitoring adds the metrics Service, the rules and dashboard ConfigMaps and the metrics port's policy.
      kubernetes_service_v1: 3,
      kubernetes_config_map_v1: 6,
      kubernetes_stateful_set_v1: 2,
      kubernetes_pod_disruption_budget_v1: 1,
      // The members' ingress policy, the exporters' metrics port policy and the project's egress policy.
      kubernetes_network_policy_v1: 3,
      kubernetes_job_v1: 1,
      kubernetes_cron_job_v1: 1,
    });
  });
});

describe("retention off in config", () => {
  it("keeps the retention CronJob and its ConfigMap, suspended: an in-place update, not a destroy", () => {
    const on = synthDatabase();
    const off = synthDatabase(devWith((c) => (c.retention = { ...c.retention, enabled: false })));
    const cronIds = (s: ReturnType<typeof synthDatabase>) => Object.keys(s.resources("kubernetes_cron_job_v1"));
    const configMapIds = (s: ReturnType<typeof synthDatabase>) => Object.keys(s.resources("kubernetes_config_map_v1"));
    expect(cronIds(off)).toEqual(cronIds(on));
    expect(configMapIds(off)).toEqual(configMapIds(on));
    expect(off.named("kubernetes_cron_job_v1", "mongodb-results-retention").spec.suspend).toBe(true);
    expect(on.named("kubernetes_cron_job_v1", "mongodb-results-retention").spec.suspend).toBe(false);
  });
});

describe("namespace and service account", () => {
  it("creates the namespace when configured, enforcing the restricted Pod Security Standard", () => {
    const ns = synthDatabase().resource("kubernetes_namespace_v1", "namespace");
    expect(ns.metadata.name).toBe("nyrkio-db-dev");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("uses an existing namespace by name when createNamespace is false", () => {
    const s = synthDatabase(devWith((c) => (c.kubernetes = { ...c.kubernetes, namespace: "shared-db", createNamespace: false })));
    expect(s.resources("kubernetes_namespace_v1")).toEqual({});
    expect(dataSet(s).metadata.namespace).toBe("shared-db");
    expect(s.named("kubernetes_service_v1", "mongodb-rs0").metadata.namespace).toBe("shared-db");
  });

  it("mounts no service account token anywhere", () => {
    const s = synthDatabase();
    const [account] = Object.values(s.resources("kubernetes_service_account_v1"));
    expect(account.automount_service_account_token).toBe(false);
    for (const { where, spec } of podSpecs(s)) {
      expect([where, spec.automount_service_account_token]).toEqual([where, false]);
      expect(spec.service_account_name).toBe("${kubernetes_service_account_v1.service-account_34D13F5D.metadata[0].name}");
    }
  });
});

describe("services", () => {
  const s = synthDatabase();

  it("a headless Service publishes every voting member, ready or not, under the name in naming.ts", () => {
    expect(s).toBeDefined();
    const headless = s.named("kubernetes_service_v1", "mongodb-rs0");
    expect(headless.spec).toEqual({
      cluster_ip: "None",
      publish_not_ready_addresses: true,
      selector: votingSelector,
      port: [{ name: "mongodb", port: 27017, protocol: "TCP", target_port: "mongodb" }],
    });
    // Both StatefulSets hang their pods' DNS names under it.
    expect(dataSet(s).spec.service_name).toBe("mongodb-rs0");
    expect(arbiterSet(s).spec.service_name).toBe("mongodb-rs0");
  });

  it("the client Service selects the data members only", () => {
    const client = s.named("kubernetes_service_v1", "mongodb-rs0-client");
    expect(client.spec.selector).toEqual({ ...votingSelector, "app.kubernetes.io/component": "data" });
    expect(client.spec.cluster_ip).toBeUndefined();
  });

  it("the selectors match the pods they mean", () => {
    const dataLabels = dataSet(s).spec.template.metadata.labels;
    const arbiterLabels = arbiterSet(s).spec.template.metadata.labels;
    const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    const headless = s.named("kubernetes_service_v1", "mongodb-rs0").spec.selector;
    const client = s.named("kubernetes_service_v1", "mongodb-rs0-client").spec.selector;
    expect([matches(headless, dataLabels), matches(headless, arbiterLabels)]).toEqual([true, true]);
    expect([matches(client, dataLabels), matches(client, arbiterLabels)]).toEqual([true, false]);
  });
});

describe("the replica set's ConfigMap", () => {
  const s = synthDatabase();
  const data = terraformLiteralData(s.named("kubernetes_config_map_v1", "mongodb-rs0-config").data);

  it("renders mongod.conf from config", () => {
    expect(data["mongod.conf"]).toBe(
      [
        "net:",
        "  port: 27017",
        "  bindIpAll: true",
        "  compression:",
        '    compressors: "snappy,zstd"',
        // TLS (docs/tls.md): the mode is not here but in the ConfigMap key tls-mode.
        "  tls:",
        '    certificateKeyFile: "/run/nyrkio/tls/server.pem"',
        '    CAFile: "/run/nyrkio/tls/ca.pem"',
        "    allowConnectionsWithoutCertificates: true",
        "replication:",
        '  replSetName: "rs0"',
        "security:",
        '  authorization: "enabled"',
        '  keyFile: "/etc/nyrkio/keyfile/keyfile"',
        '  clusterAuthMode: "keyFile"',
        "storage:",
        '  dbPath: "/data/db"',
        "  oplogMinRetentionHours: 24",
        "  wiredTiger:",
        "    engineConfig:",
        "      cacheSizeGB: 0.25",
        "setParameter:",
        "  shutdownTimeoutMillisForSignaledShutdown: 15000",
        "",
      ].join("\n"),
    );
  });

  it("sizes the WiredTiger cache from each workload's memory limit, and takes retention and quiesce from config", () => {
    const config = devWith((c) => {
      c.replsets[0].resources.limits.memory = "8Gi";
      c.replsets[0].resources.requests.memory = "8Gi";
      c.replsets[0].oplogMinRetentionHours = 48;
      c.pod.shutdownQuiesceSeconds = 30;
      c.pod.terminationGracePeriodSeconds = 90;
    });
    const cm = synthDatabase(config).named("kubernetes_config_map_v1", "mongodb-rs0-config").data;
    expect(cm["mongod.conf"]).toContain("cacheSizeGB: 3.5\n");
    expect(cm["mongod.conf"]).toContain("oplogMinRetentionHours: 48\n");
    expect(cm["mongod.conf"]).toContain("shutdownTimeoutMillisForSignaledShutdown: 30000\n");
    // The arbiter's own, smaller limit (256Mi) gives the 0.25 GB floor; it keeps no oplog.
    expect(cm["mongod-arbiter.conf"]).toContain("cacheSizeGB: 0.25\n");
    expect(cm["mongod-arbiter.conf"]).not.toContain("oplogMinRetentionHours");
  });

  it("holds the desired replica-set config as rendered by replicaset/, byte for byte", () => {
    expect(data["replicaset.json"]).toBe(renderReplicaSetConfigJson(dev, dev.replsets[0]));
    expect(JSON.parse(data["replicaset.json"]).members.map((m: Json) => m.priority)).toEqual([2, 1, 0]);
  });

  it("embeds the pod scripts exactly as they are in stacks/scripts/", () => {
    for (const [key, text] of Object.entries(podScriptsData())) expect([key, data[key]]).toEqual([key, text]);
  });

  it("a priority change alters replicaset.json but restarts no pod", () => {
    const changed = synthDatabase(devWith((c) => (c.replsets[0].members[1].priority = 3)));
    expect(changed.named("kubernetes_config_map_v1", "mongodb-rs0-config").data["replicaset.json"]).not.toBe(data["replicaset.json"]);
    expect(dataSet(changed).spec.template).toEqual(dataSet(s).spec.template);
    expect(arbiterSet(changed).spec.template).toEqual(arbiterSet(s).spec.template);
  });

  it("a mongod.conf change rolls the pods (the template's config hash changes)", () => {
    const changed = synthDatabase(devWith((c) => (c.replsets[0].oplogMinRetentionHours = 72)));
    const hash = (ss: Json) => ss.spec.template.metadata.annotations["nyrkio.io/pod-config-hash"];
    expect(hash(dataSet(changed))).not.toBe(hash(dataSet(s)));
    expect(hash(arbiterSet(changed))).toBe(hash(arbiterSet(s)));
  });
});

describe("the data members' StatefulSet", () => {
  const s = synthDatabase();
  const ss = dataSet(s);
  const pod = ss.spec.template.spec;

  it("starts its pods in parallel, one per configured member", () => {
    expect(ss.spec.pod_management_policy).toBe("Parallel");
    expect(ss.spec.replicas).toBe("2");
    expect(ss.spec.update_strategy).toEqual([{ type: "RollingUpdate", rolling_update: [{ partition: 0 }] }]);
    expect(ss.wait_for_rollout).toBe(true);
  });

  it("claims a volume per member with the configured storage class and size, and keeps the claims", () => {
    const s2 = synthDatabase(devWith((c) => (c.replsets[0].storage = { storageClass: "fast-ssd", size: "50Gi" })));
    const template = dataSet(s2).spec.volume_claim_template;
    expect(template).toHaveLength(1);
    expect(template[0].metadata.name).toBe("data");
    expect(template[0].spec).toEqual({ access_modes: ["ReadWriteOnce"], storage_class_name: "fast-ssd", resources: { requests: { storage: "50Gi" } } });
    // Without a class, the cluster's default StorageClass.
    expect(ss.spec.volume_claim_template[0].spec.storage_class_name).toBeUndefined();
    expect(ss.spec.persistent_volume_claim_retention_policy).toEqual([{ when_deleted: "Retain", when_scaled: "Retain" }]);
  });

  it("mounts the claim at mongod's dbPath", () => {
    expect(byName(pod.container, "mongod").volume_mount).toContainEqual({ name: "data", mount_path: "/data/db" });
  });

  it("runs mongod with the rendered config, not the image's entrypoint", () => {
    const mongod = byName(pod.container, "mongod");
    // run-mongod.sh: numactl --interleave=all where it works, as the image's entrypoint (test/bats/replica-set/run-mongod.bats).
    expect(mongod.command).toEqual(["bash", "/etc/nyrkio/scripts/run-mongod.sh"]);
    expect(mongod.args).toEqual(["--config", "/etc/nyrkio/config/mongod.conf"]);
    const config = byName(pod.volume, "config").config_map;
    expect(config.items).toContainEqual({ key: "mongod.conf", path: "mongod.conf" });
  });

  it("takes requests and limits from config, with a termination grace period from config", () => {
    const mongod = byName(pod.container, "mongod");
    expect(mongod.resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } });
    expect(pod.termination_grace_period_seconds).toBe(60);
    const withCpuLimit = synthDatabase(devWith((c) => (c.replsets[0].resources.limits.cpu = "2")));
    expect(byName(dataSet(withCpuLimit).spec.template.spec.container, "mongod").resources.limits).toEqual({ cpu: "2", memory: "1Gi" });
  });

  it("has a bootstrap sidecar with the optional bootstrap Secret, the desired config and its pod name; the arbiter has none", () => {
    const bootstrap = byName(pod.container, "bootstrap");
    expect(bootstrap.command).toEqual(["bash", "/etc/nyrkio/scripts/bootstrap.sh"]);
    expect(bootstrap.env).toEqual(
      expect.arrayContaining([
        { name: "POD_NAME", value_from: { field_ref: { field_path: "metadata.name" } } },
        { name: "REPLICASET_CONFIG", value: "/etc/nyrkio/config/replicaset.json" },
        { name: "BOOTSTRAP_SECRET_DIR", value: "/etc/nyrkio/secrets/bootstrap" },
        { name: "HOME", value: "/tmp" },
      ]),
    );
    expect(bootstrap.volume_mount).toContainEqual({ name: "bootstrap-secret", mount_path: "/etc/nyrkio/secrets/bootstrap", read_only: true });
    // optional: a set whose root user exists (deployed before the bootstrap Secret) still starts.
    expect(byName(pod.volume, "bootstrap-secret").secret).toMatchObject({ secret_name: "nyrkio-mongodb-bootstrap", optional: true, default_mode: "0440" });
    expect(byName(pod.volume, "config").config_map.items).toContainEqual({ key: "replicaset.json", path: "replicaset.json" });
    // The arbiter's only sidecar is tls-rotate (TLS on in dev), which restarts it on a new certificate: no bootstrap.
    expect(arbiterSet(s).spec.template.spec.container.map((c: Json) => c.name)).toEqual(["mongod", "tls-rotate"]);
  });

  it("the root Secret: in no data member's pod at all (issue 12 item 11); the bootstrap Secret in the bootstrap container only; no shared process namespace", () => {
    // The reconcile Job creates root from it (the handover): the long-running pods never hold it.
    const rootVolumes = (pod.volume as Json[]).filter((v) => v.secret?.secret_name === "nyrkio-mongodb-root");
    expect(rootVolumes).toEqual([]);
    const all = [...pod.container, ...(pod.init_container ?? [])];
    expect(all.flatMap((c: Json) => (c.env ?? []).filter((e: Json) => /ROOT_SECRET/.test(e.name) || e.value_from?.secret_key_ref?.name === "nyrkio-mongodb-root"))).toEqual([]);
    const mounting = all.filter((c: Json) => (c.volume_mount ?? []).some((m: Json) => m.name === "bootstrap-secret")).map((c: Json) => c.name);
    expect(mounting).toEqual(["bootstrap"]);
    // With a shared process namespace another container of the same uid could read the files through /proc/<pid>/root.
    expect(pod.share_process_namespace ?? false).toBe(false);
  });

  it("lays the scripts out as in the repository (mongosh/ under the scripts directory)", () => {
    const scripts = byName(pod.volume, "scripts").config_map;
    expect(scripts.items).toContainEqual({ key: "mongosh-initiate.js", path: "mongosh/initiate.js" });
    expect(scripts.items).toContainEqual({ key: "bootstrap.sh", path: "bootstrap.sh" });
  });
});

describe("the arbiter", () => {
  const s = synthDatabase();
  const ss = arbiterSet(s);
  const pod = ss.spec.template.spec;

  it("is its own one-replica StatefulSet with a stable host name and no volume claim", () => {
    expect(ss.spec.replicas).toBe("1");
    expect(ss.spec.volume_claim_template).toBeUndefined();
    expect(byName(pod.volume, "data")).toEqual({ name: "data", empty_dir: { size_limit: "1Gi" } });
    expect(JSON.parse(s.named("kubernetes_config_map_v1", "mongodb-rs0-config").data["replicaset.json"]).members[2].host).toBe(
      "mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017",
    );
  });

  it("runs the arbiter's mongod.conf with the arbiter's resources", () => {
    expect(byName(pod.volume, "config").config_map.items).toContainEqual({ key: "mongod-arbiter.conf", path: "mongod.conf" });
    expect(byName(pod.container, "mongod").resources).toEqual({ requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } });
  });

  it("is applied after the data members, so a rollout never restarts two voting members at once", () => {
    expect(ss.depends_on).toEqual(["kubernetes_stateful_set_v1.mongodb_rs0"]);
  });

  it("does not exist when disabled (and nothing refers to it)", () => {
    const s2 = synthDatabase(
      devWith((c) => {
        c.replsets[0].arbiter.enabled = false;
        c.replsets[0].members.push({ priority: 1, votes: 1 });
      }),
    );
    expect(Object.keys(s2.resources(SS))).toEqual(["mongodb_rs0"]);
    expect(s2.named("kubernetes_config_map_v1", "mongodb-rs0-config").data["mongod-arbiter.conf"]).toBeUndefined();
    expect(s2.text).not.toContain("arbiter-0");
  });
});

describe("keyfile", () => {
  for (const name of ["mongodb-rs0", "mongodb-rs0-arbiter"]) {
    it(`${name}: an init container copies it out of the Secret to a private in-memory file`, () => {
      const pod = synthDatabase().named(SS, name).spec.template.spec;
      const init = byName(pod.init_container, "install-keyfile");
      expect(init.command).toEqual(["bash", "/etc/nyrkio/scripts/install-keyfile.sh"]);
      expect(init.env).toEqual([
        { name: "KEYFILE_SOURCE", value: "/etc/nyrkio/keyfile-secret/keyfile" },
        { name: "KEYFILE_PATH", value: "/etc/nyrkio/keyfile/keyfile" },
      ]);
      expect(byName(pod.volume, "keyfile-secret").secret).toEqual({ secret_name: "nyrkio-mongodb-keyfile", default_mode: "0440", items: [{ key: "keyfile", path: "keyfile" }] });
      expect(byName(pod.volume, "keyfile").empty_dir).toEqual({ medium: "Memory", size_limit: "1Mi" });
      // mongod sees only the private copy, read-only.
      const mongod = byName(pod.container, "mongod");
      expect(mongod.volume_mount).toContainEqual({ name: "keyfile", mount_path: "/etc/nyrkio/keyfile", read_only: true });
      expect(mongod.volume_mount.map((m: Json) => m.name)).not.toContain("keyfile-secret");
    });
  }
});

describe("probes", () => {
  for (const name of ["mongodb-rs0", "mongodb-rs0-arbiter"]) {
    it(`${name}: startup and liveness ping, readiness asks for PRIMARY/SECONDARY/ARBITER once initiated`, () => {
      const mongod = byName(synthDatabase().named(SS, name).spec.template.spec.container, "mongod");
      const command = (p: Json) => p.exec.command;
      expect(command(mongod.startup_probe)).toEqual(["bash", "/etc/nyrkio/scripts/probe.sh", "startup"]);
      expect(command(mongod.readiness_probe)).toEqual(["bash", "/etc/nyrkio/scripts/probe.sh", "readiness"]);
      expect(command(mongod.liveness_probe)).toEqual(["bash", "/etc/nyrkio/scripts/probe.sh", "liveness"]);
      // A generous startup budget (crash recovery) before liveness may restart mongod.
      expect(mongod.startup_probe.failure_threshold * mongod.startup_probe.period_seconds).toBeGreaterThanOrEqual(600);
      expect(mongod.liveness_probe.timeout_seconds).toBeGreaterThanOrEqual(5);
    });

    it(`${name}: readiness reads the peers from the mounted replicaset.json and the lag bound from pod.readyMaxLagSeconds`, () => {
      const env = (s: ReturnType<typeof synthDatabase>) => byName(s.named(SS, name).spec.template.spec.container, "mongod").env;
      expect(byName(env(synthDatabase()), "REPLICASET_CONFIG").value).toBe("/etc/nyrkio/config/replicaset.json");
      expect(byName(env(synthDatabase()), "POD_NAME").value_from).toEqual({ field_ref: { field_path: "metadata.name" } });
      expect(byName(env(synthDatabase()), "READY_MAX_LAG_SECONDS").value).toBe("15");
      expect(byName(env(synthDatabase(devWith((c) => (c.pod.readyMaxLagSeconds = 30)))), "READY_MAX_LAG_SECONDS").value).toBe("30");
    });
  }
});

describe("availability", () => {
  it("one PodDisruptionBudget over every voting member, at most one unavailable", () => {
    const s = synthDatabase();
    const [pdb] = Object.values(s.resources("kubernetes_pod_disruption_budget_v1"));
    expect(pdb.spec).toEqual({ max_unavailable: "1", selector: { match_labels: votingSelector } });
  });

  it("preferred node spread: ScheduleAnyway across nodes over data and arbiter alike", () => {
    const s = synthDatabase();
    for (const ss of [dataSet(s), arbiterSet(s)]) {
      expect(ss.spec.template.spec.topology_spread_constraint).toEqual([
        { topology_key: "kubernetes.io/hostname", max_skew: 1, when_unsatisfiable: "ScheduleAnyway", label_selector: [{ match_labels: votingSelector }] },
      ]);
    }
  });

  it("required node spread: a required anti-affinity per node (no member count in it); zones when configured", () => {
    const s = synthDatabase(devWith((c) => (c.pod = { ...c.pod, nodeSpread: "required", zoneSpread: "required" })));
    for (const ss of [dataSet(s), arbiterSet(s)]) {
      expect(ss.spec.template.spec.topology_spread_constraint).toEqual([
        { topology_key: "kubernetes.io/hostname", max_skew: 1, when_unsatisfiable: "DoNotSchedule", label_selector: [{ match_labels: votingSelector }] },
        { topology_key: "topology.kubernetes.io/zone", max_skew: 1, when_unsatisfiable: "DoNotSchedule", label_selector: [{ match_labels: votingSelector }] },
      ]);
      expect(ss.spec.template.spec.affinity).toEqual({
        pod_anti_affinity: { required_during_scheduling_ignored_during_execution: [{ topology_key: "kubernetes.io/hostname", label_selector: [{ match_labels: votingSelector }] }] },
      });
    }
  });

  // The reconcile Job applies priorities and votes live. Were they in a pod template, the PSA
  // mitigation (member 1 down: priority 0, votes 0) would roll every member and wait forever on
  // pod 1, and the Job, which depends on the StatefulSets, would never run.
  it.each([
    ["the PSA mitigation (member 1: priority 0, votes 0)", (m: { priority: number; votes: 0 | 1 }[]) => Object.assign(m[1], { priority: 0, votes: 0 })],
    ["a priority change", (m: { priority: number; votes: 0 | 1 }[]) => Object.assign(m[0], { priority: 7 })],
  ])("%s changes no pod template (required and preferred spread)", (_, change) => {
    for (const nodeSpread of ["required", "preferred"] as const) {
      const before = synthDatabase(devWith((c) => (c.pod = { ...c.pod, nodeSpread })));
      const after = synthDatabase(
        devWith((c) => {
          c.pod = { ...c.pod, nodeSpread };
          change(c.replsets[0].members);
        }),
      );
      expect(dataSet(after).spec.template).toEqual(dataSet(before).spec.template);
      expect(arbiterSet(after).spec.template).toEqual(arbiterSet(before).spec.template);
    }
  });

  it("prod spreads over nodes (required) and zones (preferred)", () => {
    const spread = dataSet(synthDatabase(prod)).spec.template.spec.topology_spread_constraint;
    expect(spread.map((c: Json) => [c.topology_key, c.when_unsatisfiable])).toEqual([
      ["kubernetes.io/hostname", "DoNotSchedule"],
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
    ]);
  });

  it("applies pod.nodeSelector to every member", () => {
    const s = synthDatabase(devWith((c) => (c.pod.nodeSelector = { "node-role.nyrkio.io/db": "true" })));
    expect(dataSet(s).spec.template.spec.node_selector).toEqual({ "node-role.nyrkio.io/db": "true" });
    expect(arbiterSet(s).spec.template.spec.node_selector).toEqual({ "node-role.nyrkio.io/db": "true" });
    expect(dataSet().spec.template.spec.node_selector).toBeUndefined();
  });
});

describe("security contexts", () => {
  const s = synthDatabase();

  it("every pod runs as the mongodb user (999) with seccomp RuntimeDefault", () => {
    for (const { where, spec } of podSpecs(s)) {
      expect([where, spec.security_context]).toEqual([
        where,
        { run_as_non_root: true, run_as_user: "999", run_as_group: "999", fs_group: "999", fs_group_change_policy: "OnRootMismatch", seccomp_profile: { type: "RuntimeDefault" } },
      ]);
      expect(spec.enable_service_links).toBe(false);
    }
  });

  it("every container: non-root, no privilege escalation, all capabilities dropped, read-only root with /tmp writable", () => {
    // The exporter runs as its image's own user (test/monitoring/synth.test.ts checks it).
    const all = containers(s).filter(({ container }) => container.name !== "exporter");
    // Data members: mongod, bootstrap, tls-rotate and two init containers (keyfile, TLS); the arbiter:
    // mongod, tls-rotate and the same two init containers; the reconcile and retention Jobs.
    expect(all.map(({ container }) => container.name).sort()).toEqual(
      ["bootstrap", "install-keyfile", "install-keyfile", "mongod", "mongod", "reconcile", "retention", "tls-assemble", "tls-assemble", "tls-rotate", "tls-rotate"],
    );
    for (const { where, container } of all) {
      expect([where, container.security_context]).toEqual([
        where,
        {
          run_as_non_root: true,
          run_as_user: "999",
          run_as_group: "999",
          privileged: false,
          allow_privilege_escalation: false,
          read_only_root_filesystem: true,
          capabilities: { drop: ["ALL"] },
          seccomp_profile: { type: "RuntimeDefault" },
        },
      ]);
    }
    for (const { where, container } of all.filter(({ container }) => container.name !== "install-keyfile")) {
      expect([where, container.volume_mount]).toEqual([where, expect.arrayContaining([{ name: "tmp", mount_path: "/tmp" }])]);
      expect([where, container.env]).toEqual([where, expect.arrayContaining([{ name: "HOME", value: "/tmp" }])]);
    }
  });

  it("every container runs the configured MongoDB image", () => {
    const s2 = synthDatabase(devWith((c) => (c.image = "mongo:7.0.21")));
    for (const { where, container } of containers(s2).filter(({ container }) => container.name !== "exporter")) expect([where, container.image]).toEqual([where, "mongo:7.0.21"]);
  });
});

describe("network policy", () => {
  const policy = (s = synthDatabase()) => s.named("kubernetes_network_policy_v1", "mongodb-rs0-ingress");

  it("protects every voting member, ingress only, port 27017 only", () => {
    const p = policy();
    expect(p.spec.pod_selector).toEqual({ match_labels: votingSelector });
    expect(p.spec.policy_types).toEqual(["Ingress"]);
    expect(p.spec.ingress).toHaveLength(1);
    expect(p.spec.ingress[0].ports).toEqual([{ port: "27017", protocol: "TCP" }]);
  });

  it("admits the members, the project's jobs, the client namespaces and labelled client pods in their own namespace only", () => {
    const s = synthDatabase(
      devWith((c) => (c.network = { ...c.network, clientNamespaces: ["nyrkio", "analytics"], clientPods: [{ namespace: "ci", labels: { "nyrkio.io/mongodb-client": "true" } }] })),
    );
    expect(policy(s).spec.ingress[0].from).toEqual([
      { pod_selector: { match_labels: { "app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": "nyrkio-db-dev" } } },
      { pod_selector: { match_labels: DB_CLIENT_LABEL } },
      { namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "nyrkio" } } },
      { namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "analytics" } } },
      // One peer with both selectors: the labelled pods of namespace "ci", not of any namespace.
      {
        namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "ci" } },
        pod_selector: { match_labels: { "nyrkio.io/mongodb-client": "true" } },
      },
    ]);
    expect(JSON.stringify(policy(s))).not.toContain("Exists");
  });

  it("admits no pod by label when no client labels are configured", () => {
    expect(policy().spec.ingress[0].from).toHaveLength(3);
  });

  it("the members' own pods match the member rule, and the reconcile Job's pods carry the jobs' label", () => {
    const s = synthDatabase();
    const members = policy(s).spec.ingress[0].from[0].pod_selector.match_labels;
    for (const ss of [dataSet(s), arbiterSet(s)]) expect(ss.spec.template.metadata.labels).toMatchObject(members);
    const [job] = Object.values(s.resources("kubernetes_job_v1"));
    expect(job.spec.template.metadata.labels).toMatchObject(DB_CLIENT_LABEL);
  });
});

describe("the reconcile Job", () => {
  const s = synthDatabase();
  const [[jobId, job]] = Object.entries(s.resources("kubernetes_job_v1"));
  const files = reconcileConfigMapData(dev, dev.replsets[0]);

  it("is named by the hash of everything it reads", () => {
    expect(job.metadata.name).toBe(`mongodb-rs0-reconcile-${desiredStateHash(files)}`);
    // mongosh's global config rides along; it changes no desired state, so it is not in the hash.
    expect(terraformLiteralData(s.named("kubernetes_config_map_v1", "mongodb-rs0-reconcile").data)).toEqual({ ...files, "mongosh.conf": MONGOSH_CONF });
  });

  it("an unchanged config leaves the Job as it is; a changed one makes a new Job", () => {
    expect(synthDatabase().resources("kubernetes_job_v1")[jobId]).toEqual(job);
    const changed = synthDatabase(devWith((c) => (c.replsets[0].members[0].priority = 5)));
    const [newJob] = Object.values(changed.resources("kubernetes_job_v1"));
    expect(newJob.metadata.name).not.toBe(job.metadata.name);
    // An image bump (a rolling restart) is not a change of the desired state.
    const bumped = synthDatabase(devWith((c) => (c.image = "mongo:8.0.13")));
    expect(Object.values(bumped.resources("kubernetes_job_v1"))[0].metadata.name).toBe(job.metadata.name);
  });

  it("is not waited for by the apply (it may run for hours: test/stacks/job-wait.test.ts), is never deleted by a TTL, retries little, has a deadline", () => {
    expect(job.wait_for_completion).toBe(false);
    expect(job.timeouts).toBeUndefined();
    expect(job.spec.ttl_seconds_after_finished).toBeUndefined();
    expect(job.spec.backoff_limit).toBeLessThanOrEqual(3);
    expect(job.spec.active_deadline_seconds).toBeGreaterThan(0);
    expect(job.spec.template.spec.restart_policy).toBe("Never");
  });

  it("runs replicaset/'s script with the official image's mongosh, after the members are up", () => {
    const [container] = job.spec.template.spec.container;
    expect(container.image).toBe(dev.image);
    expect(container.command).toEqual([...RECONCILE_COMMAND]);
    expect(container.args).toBeUndefined();
    expect(job.depends_on).toEqual(["kubernetes_stateful_set_v1.mongodb_rs0", "kubernetes_stateful_set_v1.mongodb_rs0_arbiter"]);
  });

  it("mounts its ConfigMap and each user's Secret where the script expects them", () => {
    const spec = job.spec.template.spec;
    const [container] = spec.container;
    expect(container.volume_mount).toContainEqual({ name: "reconcile", mount_path: RECONCILE_CONFIG_DIR, read_only: true });
    for (const user of ["root", "app", "migrator", "backup"] as const) {
      expect(container.volume_mount).toContainEqual({ name: `secret-${user}`, mount_path: `/etc/nyrkio/secrets/${user}`, read_only: true });
      expect(byName(spec.volume, `secret-${user}`).secret).toEqual({
        secret_name: dev.secrets[user],
        default_mode: "0440",
        items: [
          { key: "username", path: "username" },
          { key: "password", path: "password" },
        ],
      });
    }
  });
});

describe("connection info", () => {
  const s = synthDatabase();
  const hosts = ["mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017", "mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017"];
  // dev's requireTLS: applications get tls=true and where the CA is (issue 15, "the connection info").
  const uri = `mongodb://${hosts.join(",")}/nyrkio?replicaSet=rs0&authSource=admin&tls=true`;

  it("is published in a ConfigMap without credentials", () => {
    expect(s.named("kubernetes_config_map_v1", CONNECTION_CONFIG_MAP).data).toEqual({
      replicaSet: "rs0",
      hosts: hosts.join(","),
      authSource: "admin",
      database: "nyrkio",
      credentialsSecret: "nyrkio-mongodb-app",
      connectionString: uri,
      analyticsConnectionString: `${uri}&readPreference=secondaryPreferred`,
      tls: "true",
      tlsCASecret: "nyrkio-mongodb-tls",
      tlsCAKey: "ca.crt",
    });
  });

  it("and as Terraform outputs with the same values, none sensitive", () => {
    const outputs = s.json.output;
    expect(Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, (o as Json).value]))).toEqual({
      mongodb_replica_set: "rs0",
      mongodb_hosts: hosts,
      mongodb_auth_source: "admin",
      mongodb_database: "nyrkio",
      mongodb_credentials_secret: "nyrkio-mongodb-app",
      mongodb_connection_string: uri,
      mongodb_analytics_connection_string: `${uri}&readPreference=secondaryPreferred`,
      mongodb_tls: "true",
      mongodb_tls_ca_secret: "nyrkio-mongodb-tls",
      mongodb_tls_ca_key: "ca.crt",
    });
    for (const o of Object.values(outputs)) expect((o as Json).sensitive).toBe(false);
  });

  it("lists data members only: an arbiter serves no reads", () => {
    expect(s.named("kubernetes_config_map_v1", CONNECTION_CONFIG_MAP).data.hosts).not.toContain("arbiter");
  });
});
