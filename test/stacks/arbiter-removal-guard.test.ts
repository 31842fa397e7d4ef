// Removing the arbiter in the deploy that adds a data member is refused at plan time: a
// precondition on the data StatefulSet compares the desired members with the replicaset.json the
// last deploy left in the cluster (replicaset/arbiter-removal-guard.ts). The condition is
// evaluated by the real Terraform CLI (`terraform console`, offline: no provider needed), with the
// data source's attribute replaced by what the cluster would hold.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prodPss } from "../../config/environments/prod-pss";
import { ARBITER_REMOVAL_MESSAGE } from "../../replicaset/arbiter-removal-guard";
import { devWith, synthDatabase } from "./database-synth";

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
if (!terraform) console.log("arbiter removal guard: the terraform CLI is missing, its conditions are not evaluated");
const itTerraform = terraform ? it : it.skip;

const SS = "kubernetes_stateful_set_v1";
const DATA_REF = 'data.kubernetes_config_map_v1.deployed_rs0_config.data["replicaset.json"]';
const host = (i: number | string) => `mongodb-rs0-${i}.mongodb-rs0.nyrkio-db-pss.svc.cluster.local:27017`;
const psa = (dataMembers: { priority: number; votes: number }[]) =>
  JSON.stringify({
    _id: "rs0",
    members: [...dataMembers.map((m, i) => ({ _id: i, host: host(i), ...m })), { _id: 100, host: host("arbiter-0"), arbiterOnly: true, priority: 0, votes: 1 }],
  });

/** The condition's value for each deployed replicaset.json (an HCL expression), by `terraform console`. */
function evaluate(condition: string, deployed: string[]): string[] {
  const expression = condition.replace(/^\$\{/, "").replace(/\}$/, "");
  expect(expression).toContain(DATA_REF);
  const cwd = mkdtempSync(join(tmpdir(), "tf-console-"));
  // One console per expression: with piped input, terraform console prints only the last result.
  return deployed.map((d) => {
    const run = spawnSync("terraform", ["console"], { input: `${expression.split(DATA_REF).join(d)}\n`, encoding: "utf8", cwd, timeout: 60000 });
    expect(run.stderr).not.toMatch(/Error/);
    return run.stdout.trim();
  });
}

describe("arbiter removal guard", () => {
  const s = synthDatabase(prodPss);
  // The arbiter's guard; the TLS jump guard (tls-jump-guard.test.ts) shares the data source.
  const arbiterGuards = (p: { condition: string; error_message: string }[] | undefined) => (p ?? []).filter((c) => c.error_message === ARBITER_REMOVAL_MESSAGE);
  const precondition = arbiterGuards(s.named(SS, "mongodb-rs0").lifecycle.precondition);

  it("a config without an arbiter reads the last deployed replicaset.json and guards the data StatefulSet", () => {
    expect(s.json.data.kubernetes_config_map_v1.deployed_rs0_config).toEqual({ metadata: { name: "mongodb-rs0-config", namespace: expect.any(String) } });
    expect(precondition).toEqual([{ condition: expect.stringContaining(DATA_REF), error_message: ARBITER_REMOVAL_MESSAGE }]);
  });

  it("a config with an arbiter has no arbiter guard", () => {
    const dev = synthDatabase();
    expect(arbiterGuards(dev.named(SS, "mongodb-rs0").lifecycle.precondition)).toEqual([]);
  });

  itTerraform("refuses only removing the arbiter together with adding a data member", () => {
    const lit = (json: string) => JSON.stringify(json);
    expect(
      evaluate(precondition[0].condition, [
        'tomap({})["replicaset.json"]', // first deploy: the ConfigMap does not exist, the data source reads an empty map
        lit(psa([{ priority: 2, votes: 1 }, { priority: 1, votes: 1 }])), // PSA → PSS in one deploy
        lit(psa([{ priority: 2, votes: 1 }, { priority: 1, votes: 1 }, { priority: 0, votes: 0 }])), // member 2 added (no vote) in an earlier deploy
        lit(JSON.stringify({ _id: "rs0", members: [0, 1, 2].map((i) => ({ _id: i, host: host(i), priority: 1, votes: 1 })) })), // no arbiter before either
      ]),
    ).toEqual(["true", "false", "true", "true"]);
  });

  itTerraform("removing the arbiter alone (no data member added) passes", () => {
    const ps = synthDatabase(
      devWith((c) => {
        c.replsets[0].arbiter.enabled = false;
        c.replsets[0].members = [{ priority: 2, votes: 1 }, { priority: 1, votes: 1 }, { priority: 1, votes: 1 }];
      }),
    );
    const condition = ps.named(SS, "mongodb-rs0").lifecycle.precondition[0].condition as string;
    const devHost = (i: number | string) => `mongodb-rs0-${i}.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017`;
    const deployed = JSON.stringify({
      members: [...[0, 1, 2].map((i) => ({ _id: i, host: devHost(i), priority: i === 2 ? 0 : 1, votes: i === 2 ? 0 : 1 })), { _id: 100, host: devHost("arbiter-0"), arbiterOnly: true }],
    });
    expect(evaluate(condition, [JSON.stringify(deployed)])).toEqual(["true"]);
  });
});
