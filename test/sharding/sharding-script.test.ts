// The job's mongosh script as it ships (planning functions embedded + shard-cluster.js), run in a
// node:vm sandbox with mongosh's globals and a stand-in mongos connection that records commands.

import { buildSync } from "esbuild";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vm from "node:vm";
import type { DesiredSharding } from "../../sharding/plan-sharding";
import { renderShardingScript } from "../../sharding/sharding-script";
import { StandInMongos } from "./stand-in-mongos";

const desired: DesiredSharding = {
  database: "nyrkio",
  shards: [
    { name: "rs0", hosts: ["mongodb-rs0-0.x:27017", "mongodb-rs0-1.x:27017"] },
    { name: "rs1", hosts: ["mongodb-rs1-0.x:27017"] },
  ],
  collections: [
    { name: "results", key: { test_id: 1, timestamp: 1 } },
    { name: "changes", key: { test_id: "hashed" } },
  ],
};

const files: Record<string, string> = {
  "/etc/nyrkio/sharding/desired-sharding.json": JSON.stringify(desired),
  "/etc/nyrkio/secrets/root/username": "root\n",
  "/etc/nyrkio/secrets/root/password": "s3cret-pw\n",
};

function runScript(script: string, mongos: StandInMongos, opts: { onSleep?: () => void } = {}): { logs: string[]; error?: Error } {
  const logs: string[] = [];
  let clock = Date.UTC(2026, 0, 1);
  class FakeDate extends Date {
    static now() {
      return clock;
    }
  }
  const sandbox = {
    db: mongos.getSiblingDB("test"),
    Date: FakeDate,
    // mongosh's sleep(ms): the clock moves on; a test may change the cluster meanwhile.
    sleep: (ms: number) => {
      clock += ms;
      opts.onSleep?.();
    },
    print: (line: string) => logs.push(line),
    require: (module: string) => {
      if (module !== "fs") throw new Error(`unexpected require(${module})`);
      return {
        readFileSync: (path: string) => {
          if (!(path in files)) throw new Error(`ENOENT: ${path}`);
          return files[path];
        },
      };
    },
    process: {
      env: {
        SHARDING_DESIRED_FILE: "/etc/nyrkio/sharding/desired-sharding.json",
        ROOT_USERNAME_FILE: "/etc/nyrkio/secrets/root/username",
        ROOT_PASSWORD_FILE: "/etc/nyrkio/secrets/root/password",
      },
    },
  };
  // mongosh's db.getSiblingDB: route every database through the stand-in.
  (sandbox.db as unknown as { getSiblingDB: unknown }).getSiblingDB = (name: string) => mongos.getSiblingDB(name);
  try {
    vm.runInNewContext(script, sandbox, { filename: "shard-cluster.js", timeout: 2000 });
    return { logs };
  } catch (error) {
    return { logs, error: error as Error };
  }
}

/** rs0 converted in place: added as the first shard, the database holds results without the ascending index. */
function convertedCluster(): StandInMongos {
  const mongos = new StandInMongos();
  mongos.shards.push({ _id: "rs0", host: "rs0/mongodb-rs0-0.x:27017,mongodb-rs0-1.x:27017" });
  mongos.addCollection("nyrkio.results", { documents: 1200, indexes: [{ key: { _id: 1 }, name: "_id_" }, { key: { test_id: 1, timestamp: -1 }, name: "test_id_1_timestamp_-1" }] });
  return mongos;
}

describe("the sharding job's mongosh script", () => {
  const script = renderShardingScript();

  it("authenticates with the mounted root credentials, then adds the shard, builds the supporting index and shards both collections", () => {
    const mongos = convertedCluster();
    const { logs, error } = runScript(script, mongos);
    expect(error).toBeUndefined();
    expect(mongos.auths).toEqual([{ user: "root", password: "s3cret-pw" }]);
    expect(mongos.writes).toEqual([
      { db: "admin", command: { addShard: "rs1/mongodb-rs1-0.x:27017", name: "rs1" } },
      { db: "nyrkio", command: { createIndexes: "results", indexes: [{ key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" }] } },
      { db: "admin", command: { shardCollection: "nyrkio.results", key: { test_id: 1, timestamp: 1 } } },
      { db: "admin", command: { shardCollection: "nyrkio.changes", key: { test_id: "hashed" } } },
    ]);
    const lines = logs.map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.status === "done").map((l) => l.step)).toEqual(["addShard", "createIndexes", "shardCollection", "shardCollection"]);
    expect(logs.join("\n")).not.toContain("s3cret-pw");
  });

  it("is refused with another root password, or as a user without root's privileges, and changes nothing", () => {
    // The stand-in's root has its one password (SCRAM: AuthenticationFailed, 18, for any other).
    const wrongPassword = new StandInMongos(undefined, { root: { pwd: "another-pw", roles: [{ role: "root", db: "admin" }] } });
    expect(runScript(script, wrongPassword).error?.message).toMatch(/Authentication failed/);
    expect(wrongPassword.writes).toEqual([]);
    // The backup user authenticates but may not add shards (addShard on the cluster: clusterManager).
    const asBackup = new StandInMongos(undefined, { root: { pwd: "s3cret-pw", roles: [{ role: "backup", db: "admin" }] } });
    expect(runScript(script, asBackup).error?.message).toMatch(/not authorized on admin to execute command \{ listShards/);
  });

  it("on a new cluster waits, bounded, until root logs in (the config servers' reconcile Job creates it in the handover), then proceeds", () => {
    const users: Record<string, { pwd: string; roles: { role: string; db: string }[] }> = {};
    const mongos = new StandInMongos(undefined, users);
    let sleeps = 0;
    const { logs, error } = runScript(script, mongos, {
      onSleep: () => {
        if (++sleeps === 3) users.root = { pwd: "s3cret-pw", roles: [{ role: "root", db: "admin" }] };
      },
    });
    expect(error).toBeUndefined();
    expect(mongos.auths).toHaveLength(4);
    const waits = logs.map((l) => JSON.parse(l)).filter((l) => l.waiting === "root user");
    expect(waits.map((w) => [w.attempt, w.waitedSeconds])).toEqual([
      [1, 0],
      [2, 5],
      [3, 10],
    ]);
    expect(mongos.writes.map((c) => Object.keys(c.command)[0])).toContain("addShard");
  });

  it("gives up after ROOT_WAIT_SECONDS when root never logs in, having changed nothing", () => {
    const mongos = new StandInMongos(undefined, {});
    const { error } = runScript(script, mongos);
    expect(error?.message).toMatch(/Authentication failed/);
    expect(mongos.commands).toEqual([]);
    // 900 s at one attempt every 5 s, and the last one.
    expect(mongos.auths).toHaveLength(900 / 5 + 1);
  });

  it("is idempotent: a second run sends nothing but reads", () => {
    const mongos = convertedCluster();
    expect(runScript(script, mongos).error).toBeUndefined();
    const firstRun = mongos.commands.length;
    const { logs, error } = runScript(script, mongos);
    expect(error).toBeUndefined();
    expect(mongos.commands.slice(firstRun).map((c) => Object.keys(c.command)[0])).toEqual(["listShards"]);
    expect(JSON.parse(logs[logs.length - 1])).toMatchObject({ result: "nothing to do", shards: ["rs0", "rs1"] });
  });

  it("on a fresh cluster adds both shards and creates the database first", () => {
    const mongos = new StandInMongos();
    expect(runScript(script, mongos).error).toBeUndefined();
    expect(mongos.writes.map((c) => Object.keys(c.command)[0])).toEqual(["addShard", "addShard", "enableSharding", "shardCollection", "shardCollection"]);
  });

  it("fails loudly and changes nothing when a collection is sharded on another key", () => {
    const mongos = convertedCluster();
    mongos.collections.get("nyrkio.results")!.shardKey = { user_id: 1 };
    const { logs, error } = runScript(script, mongos);
    expect(error?.message).toContain("sharding refused, nothing was changed");
    expect(error?.message).toContain("nyrkio.results is sharded on { user_id: 1 }");
    expect(mongos.writes).toEqual([]);
    expect(logs.map((l) => JSON.parse(l).level)).toContain("error");
  });

  it("stops at the first failed command, with the server's message", () => {
    const mongos = convertedCluster();
    mongos.failing.set("addShard", { ok: 0, errmsg: "could not connect to rs1" });
    const { error } = runScript(script, mongos);
    expect(error?.message).toContain("addShard failed");
    expect(error?.message).toContain("could not connect to rs1");
    expect(mongos.writes.map((c) => Object.keys(c.command)[0])).toEqual(["addShard"]);
  });

  it("works the same when built the way `npm run synth` builds it (esbuild), not only under jest's transform", () => {
    const out = mkdtempSync(join(tmpdir(), "sharding-script-"));
    try {
      const entryPoints = ["sharding/sharding-script.ts", "sharding/plan-sharding.ts", "sharding/balancer-script.ts", "sharding/balancer-holds.ts", "config/embedded-file.ts"];
      buildSync({ entryPoints, outdir: out, outbase: ".", format: "cjs", platform: "node", target: "node20", logLevel: "silent" });
      mkdirSync(join(out, "sharding", "mongosh"));
      for (const file of ["shard-cluster.js", "balancer.js"]) copyFileSync(`sharding/mongosh/${file}`, join(out, "sharding", "mongosh", file));
      const built = require(join(out, "sharding", "sharding-script.js")) as { renderShardingScript: () => string };
      const mongos = convertedCluster();
      expect(runScript(built.renderShardingScript(), mongos).error).toBeUndefined();
      expect(mongos.writes).toHaveLength(4);
      // the balancer window's decisions are embedded the same way: they must survive the build too
      const balancer = require(join(out, "sharding", "balancer-script.js")) as { renderBalancerScript: () => string };
      expect(() => new vm.Script(balancer.renderBalancerScript())).not.toThrow();
      expect(balancer.renderBalancerScript()).toContain("function closeWindow(");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
