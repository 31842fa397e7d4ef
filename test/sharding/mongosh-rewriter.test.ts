// The sharding scripts under mongosh's own async rewriter (@mongosh/async-rewriter2), with
// stand-ins whose server calls return promises marked the way mongosh marks its API's: the
// rewriter awaits them implicitly, as in the pod. This checks what the plain vm tests cannot:
// that every database result is awaited where the scripts use it (inside .map callbacks too).
// Needs the devDependency @mongosh/async-rewriter2; without it the suite is skipped with one line.

import * as vm from "node:vm";
import type { DesiredSharding } from "../../sharding/plan-sharding";
import { renderBalancerScript } from "../../sharding/balancer-script";
import { renderShardingScript } from "../../sharding/sharding-script";
import { loadAsyncRewriter, syntheticPromise } from "../support/mongosh-rewriter";
import { StandInCluster } from "./stand-in-balancer";
import { StandInMongos } from "./stand-in-mongos";

const AsyncWriter = loadAsyncRewriter();
if (!AsyncWriter) console.log("skipping the sharding scripts' mongosh async-rewriter test: @mongosh/async-rewriter2 is not installed");
const describeWithRewriter = AsyncWriter ? describe : describe.skip;

const synthetic = syntheticPromise;

/** The rewriter is slow (a Babel pass): rewrite each script once and run it as often as needed. */
function rewrite(script: string): (globals: Record<string, unknown>) => Promise<void> {
  const writer = new AsyncWriter!();
  const support = writer.runtimeSupportCode();
  const code = writer.process(script);
  return async (globals) => {
    const context = vm.createContext(globals);
    vm.runInContext(support, context);
    await vm.runInContext(code, context);
  };
}

const desired: DesiredSharding = {
  database: "nyrkio",
  shards: [
    { name: "rs0", hosts: ["a:27017"] },
    { name: "rs1", hosts: ["b:27017"] },
  ],
  collections: [
    { name: "results", key: { test_id: 1, timestamp: 1 } },
    { name: "changes", key: { test_id: "hashed" } },
  ],
};
const files: Record<string, string> = { "/desired.json": JSON.stringify(desired), "/u": "root\n", "/p": "pw\n" };
const fs = { readFileSync: (path: string) => files[path], writeFileSync: (path: string, text: string) => (files[path] = text) };

describeWithRewriter("the sharding scripts under mongosh's async rewriter", () => {
  it("shard-cluster.js reads the cluster, plans and sends the steps, awaiting every reply; a re-run sends nothing", async () => {
    const mongos = new StandInMongos(synthetic as unknown as <T>(value: T) => T, { root: { pwd: "pw", roles: [{ role: "root", db: "admin" }] } });
    mongos.shards.push({ _id: "rs0", host: "rs0/a:27017" });
    mongos.addCollection("nyrkio.results", { documents: 10 });
    const logs: string[] = [];
    const globals = () => ({
      db: { getSiblingDB: (name: string) => mongos.getSiblingDB(name) },
      print: (line: string) => logs.push(line),
      require: () => fs,
      process: { env: { SHARDING_DESIRED_FILE: "/desired.json", ROOT_USERNAME_FILE: "/u", ROOT_PASSWORD_FILE: "/p" } },
    });

    const run = rewrite(renderShardingScript());
    await run(globals());
    expect(mongos.auths).toEqual([{ user: "root", password: "pw" }]);
    expect(mongos.writes.map((c) => Object.keys(c.command)[0])).toEqual(["addShard", "createIndexes", "shardCollection", "shardCollection"]);

    const before = mongos.commands.length;
    await run(globals());
    expect(mongos.commands.slice(before).map((c) => Object.keys(c.command)[0])).toEqual(["listShards"]);
    expect(JSON.parse(logs[logs.length - 1])).toMatchObject({ result: "nothing to do" });
  });

  it("balancer.js opens and closes overlapping windows, awaiting every reply", async () => {
    const cluster = new StandInCluster(synthetic as unknown as <T>(value: T) => T, { users: { root: { pwd: "pw", roles: [{ role: "root", db: "admin" }] } } });
    cluster.rounds = [false, true, false];
    const run = rewrite(renderBalancerScript());
    const window = (action: string, holder: string) =>
      run({
        db: { getSiblingDB: (name: string) => (name === "admin" ? cluster.admin() : { getCollection: () => cluster.collection() }) },
        print: () => undefined,
        sleep: (ms: number) => synthetic(ms),
        require: () => fs,
        process: { env: { BALANCER_ACTION: action, BALANCER_HOLDER: holder, BALANCER_STATE_FILE: "/state", BALANCER_USERNAME_FILE: "/u", BALANCER_PASSWORD_FILE: "/p" } },
      });
    await window("open", "rs0");
    await window("open", "rs1");
    expect(files["/state"]).toBe("held\n");
    expect(cluster.mode).toBe("off");
    expect(cluster.holds.map((h) => [h._id, h.restart])).toEqual([
      ["rs0", true],
      ["rs1", true],
    ]);
    await window("close", "rs0");
    expect(cluster.mode).toBe("off");
    await window("close", "rs1");
    expect(cluster.mode).toBe("full");
    expect(cluster.holds).toEqual([]);
  });
});
