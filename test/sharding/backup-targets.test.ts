import { dev } from "../../config/environments/dev";
import { sharded } from "../../config/environments/sharded";
import { backupTargets } from "../../sharding/backup-targets";
import { configServerReplset } from "../../sharding/config-server";

describe("backupTargets", () => {
  it("is the one replica set when not sharded", () => {
    expect(backupTargets(dev)).toEqual([
      { replicaSet: "rs0", role: "replicaset", hosts: ["mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017", "mongodb-rs0-1.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017"] },
    ]);
  });

  it("is every shard and the config servers when sharded", () => {
    const targets = backupTargets(sharded);
    expect(targets.map((t) => [t.replicaSet, t.role, t.hosts.length])).toEqual([
      ["rs0", "shard", 3],
      ["rs1", "shard", 3],
      ["cfg", "configsvr", 3],
    ]);
    expect(targets[2].hosts[0]).toBe("mongodb-cfg-0.mongodb-cfg.nyrkio-db-sharded.svc.cluster.local:27017");
  });
});

describe("configServerReplset", () => {
  it("has the configured number of voting data members, the first preferred, and never an arbiter", () => {
    const config = structuredClone(sharded);
    config.sharding.configServer.members = 5;
    const cfg = configServerReplset(config);
    expect(cfg.name).toBe("cfg");
    expect(cfg.members).toEqual([{ priority: 2, votes: 1 }, ...Array(4).fill({ priority: 1, votes: 1 })]);
    expect(cfg.arbiter.enabled).toBe(false);
    expect(cfg.storage).toEqual(config.sharding.configServer.storage);
  });

  it("protects its oplog as long as the longest-protected shard", () => {
    const config = structuredClone(sharded);
    config.replsets[1].oplogMinRetentionHours = 72;
    expect(configServerReplset(config).oplogMinRetentionHours).toBe(72);
  });
});
