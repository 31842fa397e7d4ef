import type { PlatformConfig, ReplsetConfig } from "../../config/platform-config";
import { dev } from "../../config/environments/dev";
import { prod } from "../../config/environments/prod";
import { ARBITER_MEMBER_ID, renderReplicaSetConfig, renderReplicaSetConfigJson } from "../../replicaset/replica-set-config";

const rs0 = dev.replsets[0];
const withMembers = (members: ReplsetConfig["members"], arbiter = true): ReplsetConfig => ({ ...rs0, members, arbiter: { ...rs0.arbiter, enabled: arbiter } });

describe("renderReplicaSetConfig", () => {
  test("dev: two data members (priorities 2 and 1) and the arbiter (priority 0), with stable ids and pod host names", () => {
    expect(renderReplicaSetConfig(dev, rs0)).toEqual({
      _id: "rs0",
      members: [
        { _id: 0, host: "mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017", priority: 2, votes: 1 },
        { _id: 1, host: "mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017", priority: 1, votes: 1 },
        { _id: ARBITER_MEMBER_ID, host: "mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017", arbiterOnly: true, priority: 0, votes: 1 },
      ],
    });
    expect(ARBITER_MEMBER_ID).toBe(100);
  });

  test("host names follow the namespace and the cluster domain", () => {
    const config: PlatformConfig = { ...prod, kubernetes: { ...prod.kubernetes, clusterDomain: "k8s.example" } };
    expect(renderReplicaSetConfig(config, config.replsets[0]).members[0].host).toBe("mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc.k8s.example:27017");
  });

  test("a non-voting member is rendered with votes 0", () => {
    const doc = renderReplicaSetConfig(dev, withMembers([{ priority: 2, votes: 1 }, { priority: 1, votes: 1 }, { priority: 0, votes: 0 }]));
    expect(doc.members[2]).toEqual({ _id: 2, host: "mongodb-rs0-2.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017", priority: 0, votes: 0 });
  });

  test("without an arbiter there is no member 100", () => {
    const doc = renderReplicaSetConfig(dev, withMembers([{ priority: 2, votes: 1 }, { priority: 1, votes: 1 }, { priority: 1, votes: 1 }], false));
    expect(doc.members.map((m) => m._id)).toEqual([0, 1, 2]);
    expect(doc.members.some((m) => m.arbiterOnly)).toBe(false);
  });

  test("a config server replica set says configsvr: true and refuses an arbiter", () => {
    const cs = { ...withMembers([{ priority: 1, votes: 1 }, { priority: 1, votes: 1 }, { priority: 1, votes: 1 }], false), name: "cfg" };
    const doc = renderReplicaSetConfig(dev, cs, { configsvr: true });
    expect(Object.keys(doc)).toEqual(["_id", "configsvr", "members"]);
    expect(doc).toMatchObject({ _id: "cfg", configsvr: true });
    expect(doc.members[0].host).toBe("mongodb-cfg-0.mongodb-cfg.nyrkio-db-dev.svc.cluster.local:27017");
    expect(() => renderReplicaSetConfig(dev, rs0, { configsvr: true })).toThrow(/cannot have an arbiter/);
    expect(renderReplicaSetConfig(dev, rs0)).not.toHaveProperty("configsvr");
  });

  test("the JSON text has a fixed key order and is what the ConfigMap holds", () => {
    const text = renderReplicaSetConfigJson(dev, rs0);
    expect(JSON.parse(text)).toEqual(renderReplicaSetConfig(dev, rs0));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('{\n  "_id": "rs0",\n  "members": [\n    {\n      "_id": 0,\n      "host": ');
    expect(text).toContain('"_id": 100,\n      "host": "mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017",\n      "arbiterOnly": true,\n      "priority": 0,\n      "votes": 1\n');
    expect(renderReplicaSetConfigJson(dev, rs0)).toBe(text);
  });
});
