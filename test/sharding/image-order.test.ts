// A sharded image change: the deploy updates config servers, then shards, then mongos (MongoDB's
// upgrade order), and the config refuses a downgrade, which needs the reverse order.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { environments } from "../../config/environments";
import { deployedImageFromSynth, shardedDowngradeRule } from "../../config/image-change";
import type { PlatformConfig } from "../../config/platform-config";
import { synthDatabase } from "./synth";

const sharded = environments.sharded;
const withImage = (config: PlatformConfig, image: string): PlatformConfig => ({ ...structuredClone(config), image });

describe("the order of an image change in a sharded cluster", () => {
  const { resources } = synthDatabase(sharded);
  const sets = resources.kubernetes_stateful_set_v1 as Record<string, { depends_on?: string[]; wait_for_rollout: boolean }>;
  const mongos = Object.values(resources.kubernetes_deployment_v1)[0] as { depends_on: string[]; wait_for_rollout: boolean };
  const cfg = Object.keys(sets).filter((id) => id.startsWith("mongodb_cfg")).map((id) => `kubernetes_stateful_set_v1.${id}`);
  const shards = Object.keys(sets).filter((id) => !id.startsWith("mongodb_cfg")).map((id) => `kubernetes_stateful_set_v1.${id}`);

  it("every StatefulSet and mongos wait for their rollout, so a dependency orders the restarts", () => {
    expect(Object.values(sets).every((s) => s.wait_for_rollout)).toBe(true);
    expect(mongos.wait_for_rollout).toBe(true);
  });

  it("every shard StatefulSet after the config servers", () => {
    expect(cfg).toEqual(["kubernetes_stateful_set_v1.mongodb_cfg"]);
    for (const address of shards) expect([address, sets[address.split(".")[1]].depends_on]).toEqual([address, expect.arrayContaining(cfg)]);
  });

  it("mongos after every shard and the config servers", () => {
    expect([...mongos.depends_on].sort()).toEqual([...cfg, ...shards].sort());
  });

  it("a replica set (not sharded) gains no such dependency", () => {
    const dev = synthDatabase(environments.dev).resources.kubernetes_stateful_set_v1 as Record<string, { depends_on?: string[] }>;
    expect(dev.mongodb_rs0.depends_on).toBeUndefined();
  });
});

describe("a sharded image downgrade", () => {
  const previous = synthDatabase(sharded).json;

  it("reads the deployed image from the previous synth's StatefulSets", () => {
    expect(deployedImageFromSynth(previous)).toBe(sharded.image);
    expect(deployedImageFromSynth("not json")).toBeUndefined();
  });

  const rule = (deployed: string | undefined, done?: string) => shardedDowngradeRule(() => deployed, done);

  it("is refused, naming the field, the deployed image and the runbook", () => {
    const { problems } = rule("mongo:8.0.12")(withImage(sharded, "mongo:8.0.4"));
    expect(problems).toEqual([{ path: "image", rule: expect.stringContaining("must not be older than the deployed mongo:8.0.12 in a sharded cluster") }]);
    expect(problems[0].rule).toContain("docs/runbooks/downgrade-sharded.md");
    expect(rule("mongo:8.0.12")(withImage(sharded, "mongo:7.0.20")).problems).toHaveLength(1);
  });

  it("an upgrade, the same image, a first deploy, or a replica set: no problem", () => {
    expect(rule("mongo:8.0.4")(withImage(sharded, "mongo:8.0.12")).problems).toEqual([]);
    expect(rule("mongo:8.0.12")(withImage(sharded, "mongo:8.0.12")).problems).toEqual([]);
    expect(rule(undefined)(withImage(sharded, "mongo:8.0.4")).problems).toEqual([]);
    expect(rule("mongo:8.0.12")(withImage(environments.dev, "mongo:8.0.4")).problems).toEqual([]);
  });

  it("is accepted once the runbook's manual steps are done (NYRKIO_DB_DOWNGRADE_DONE names that image)", () => {
    expect(rule("mongo:8.0.12", "mongo:8.0.4")(withImage(sharded, "mongo:8.0.4")).problems).toEqual([]);
    expect(rule("mongo:8.0.12", "mongo:8.0.4")(withImage(sharded, "mongo:8.0.3")).problems).toHaveLength(1);
  });

  it("stops `cdktf synth` (main.ts) with exit 1 and leaves the previous synth as it was", () => {
    const root = resolve(__dirname, "../..");
    execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root });
    const dir = mkdtempSync(join(tmpdir(), "nyrkio-downgrade-"));
    const env = { PATH: process.env.PATH ?? "", CDKTF_OUTDIR: join(dir, "cdktf.out"), NYRKIO_DB_ENV: "sharded" };
    const run = (extra: Record<string, string> = {}) => spawnSync(process.execPath, [join(root, "dist/main.js")], { cwd: dir, env: { ...env, ...extra }, encoding: "utf8" });
    expect(run().status).toBe(0);
    const stackFile = join(dir, "cdktf.out", "stacks", "nyrkio-db-sharded", "cdk.tf.json");
    const before = readFileSync(stackFile, "utf8");
    // Older than the shipped 8.0.28, and past the CVE gate (config/mongo-image.ts).
    writeFileSync(join(dir, "older.json"), JSON.stringify({ image: "mongo:8.0.20" }));
    const refused = run({ NYRKIO_DB_CONFIG: join(dir, "older.json") });
    expect([refused.status, refused.stderr.split("\n")[1]]).toEqual([1, expect.stringMatching(/^ {2}image: must not be older than the deployed mongo:8\.0\.\d+(@sha256:[0-9a-f]{64})? in a sharded cluster/)]);
    expect(readFileSync(stackFile, "utf8")).toBe(before);
    expect(run({ NYRKIO_DB_CONFIG: join(dir, "older.json"), NYRKIO_DB_DOWNGRADE_DONE: "mongo:8.0.20" }).status).toBe(0);
  });
});
