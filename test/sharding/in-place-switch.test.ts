// Switching an existing deployment to the sharded topology replaces nothing stateful: the replica
// set becomes the first shard in place. Synthesizes a dev-like config (three data members, no
// arbiter: the state the conversion starts from) with sharding off, then on with one shard, then
// with a second shard, and compares what Terraform would see.

import { dev } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { validateConfig } from "../../config/validate";
import { addresses, byName, Resources, synthDatabase } from "./synth";

function before(): PlatformConfig {
  const config = structuredClone(dev);
  config.replsets[0].members = [
    { priority: 2, votes: 1 },
    { priority: 1, votes: 1 },
    { priority: 1, votes: 1 },
  ];
  config.replsets[0].arbiter.enabled = false;
  return config;
}

function oneShard(): PlatformConfig {
  const config = before();
  config.sharding.enabled = true;
  return config;
}

function twoShards(): PlatformConfig {
  const config = oneShard();
  config.replsets.push({ ...structuredClone(config.replsets[0]), name: "rs1" });
  config.sharding.collections = [{ name: "results", key: { test_id: 1, timestamp: 1 } }];
  return config;
}

type Json = Record<string, unknown>;
const spec = (r: Json) => r.spec as Json;

/** What the kubernetes provider cannot change in place on a StatefulSet (a change destroys and recreates it). */
function replacementFields(statefulSet: Json): Json {
  const s = spec(statefulSet);
  const metadata = statefulSet.metadata as Json;
  return {
    name: metadata.name,
    namespace: metadata.namespace,
    serviceName: s.service_name,
    selector: s.selector,
    podManagementPolicy: s.pod_management_policy,
    volumeClaimTemplate: s.volume_claim_template,
    lifecycle: statefulSet.lifecycle,
  };
}

const statefulSets = (resources: Resources) => resources.kubernetes_stateful_set_v1 ?? {};

describe("the switch to a sharded topology", () => {
  const off = synthDatabase(before()).resources;
  const on = synthDatabase(oneShard()).resources;
  const two = synthDatabase(twoShards()).resources;

  it("starts from configs that validate", () => {
    for (const config of [before(), oneShard(), twoShards()]) expect(validateConfig(config)).toMatchObject({ ok: true });
  });

  it("keeps every resource of the replica set: nothing is destroyed, only added", () => {
    const removed = addresses(off).filter((a) => !addresses(on).includes(a));
    expect(removed).toEqual([]);
    const removedLater = addresses(on).filter((a) => !addresses(two).includes(a));
    expect(removedLater).toEqual([]);
  });

  it("keeps the data StatefulSet's logical ID, name, selector, Service and volume claim template", () => {
    expect(Object.keys(statefulSets(off))).toEqual(["mongodb_rs0"]);
    expect(replacementFields(statefulSets(on).mongodb_rs0)).toEqual(replacementFields(statefulSets(off).mongodb_rs0));
    expect(replacementFields(statefulSets(two).mongodb_rs0)).toEqual(replacementFields(statefulSets(off).mongodb_rs0));
    // the claim template is really there (the comparison above is not of two undefineds)
    expect(JSON.stringify(spec(statefulSets(off).mongodb_rs0).volume_claim_template)).toContain('"storage":"10Gi"');
  });

  it("changes the member pods only by the config hash that rolls them, and orders them after the config servers", () => {
    // depends_on is Terraform's ordering only (the config servers first: test/sharding/image-order.test.ts); it changes nothing in the cluster.
    const withoutHash = (r: Json) => {
      const { depends_on: _order, ...rest } = r;
      return JSON.parse(JSON.stringify(rest).replace(/"nyrkio\.io\/pod-config-hash":"[0-9a-f]+"/, '"nyrkio.io/pod-config-hash":"?"'));
    };
    expect(statefulSets(on).mongodb_rs0.depends_on).toEqual(["kubernetes_stateful_set_v1.mongodb_cfg"]);
    expect(withoutHash(statefulSets(on).mongodb_rs0)).toEqual(withoutHash(statefulSets(off).mongodb_rs0));
    expect(statefulSets(on).mongodb_rs0).not.toEqual(statefulSets(off).mongodb_rs0);
  });

  it("restarts the members as shard servers and changes nothing else in mongod.conf", () => {
    const conf = (r: Resources) => (byName(r, "kubernetes_config_map_v1", "mongodb-rs0-config").data as Record<string, string>)["mongod.conf"];
    expect(conf(off)).not.toContain("clusterRole");
    expect(conf(on)).toContain('sharding:\n  clusterRole: "shardsvr"\n');
    expect(conf(on).replace('sharding:\n  clusterRole: "shardsvr"\n', "")).toBe(conf(off));
    // the port stays 27017 (a shard server's default would be 27018, and every host name with it)
    expect(conf(on)).toContain("port: 27017");
  });

  it("keeps the replica set's Services, its replica-set config and its disruption budget as they were", () => {
    for (const type of ["kubernetes_service_v1", "kubernetes_pod_disruption_budget_v1"]) {
      for (const [id, resource] of Object.entries(off[type])) expect(on[type][id]).toEqual(resource);
    }
    const rsConfig = (r: Resources) => (byName(r, "kubernetes_config_map_v1", "mongodb-rs0-config").data as Record<string, string>)["replicaset.json"];
    expect(rsConfig(on)).toBe(rsConfig(off));
  });

  it("adds the config servers, mongos and the sharding Job", () => {
    expect(Object.keys(statefulSets(on)).sort()).toEqual(["mongodb_cfg", "mongodb_rs0"]);
    expect(Object.keys(on.kubernetes_deployment_v1 ?? {})).toHaveLength(1);
    expect(Object.values(on.kubernetes_job_v1).map((j) => (j.metadata as Json).name)).toContainEqual(expect.stringMatching(/^mongodb-sharding-/));
  });

  it("adding the second shard touches neither the first shard nor the config servers nor mongos", () => {
    for (const name of ["mongodb_rs0", "mongodb_cfg"]) expect(statefulSets(two)[name]).toEqual(statefulSets(on)[name]);
    for (const cm of ["mongodb-rs0-config", "mongodb-cfg-config", "mongodb-mongos-config"])
      expect(byName(two, "kubernetes_config_map_v1", cm)).toEqual(byName(on, "kubernetes_config_map_v1", cm));
    // mongos is ordered after the new shard too (depends_on: Terraform's ordering, nothing in the cluster).
    const withoutOrder = (deployments: Json) => Object.fromEntries(Object.entries(deployments).map(([id, d]) => [id, { ...(d as Json), depends_on: undefined }]));
    expect(withoutOrder(two.kubernetes_deployment_v1)).toEqual(withoutOrder(on.kubernetes_deployment_v1));
  });
});
