// A namespace this project created is never deleted by a deploy: prevent_destroy refuses a plan
// that destroys it, and turning kubernetes.createNamespace off hands it over with Terraform's
// `removed { lifecycle { destroy = false } }` block. The hand-over is proved with the real
// terraform CLI: the kubernetes provider cannot be downloaded here, so the namespace is stood in
// for by the built-in terraform_data resource (no provider) under the same resource name, held in
// a local state, and the next config (the synthesized `removed` block, pointed at the stand-in)
// must plan "forget", not "delete".

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { NAMESPACE_ADDRESS } from "../../stacks/constructs/database-namespace";
import { devWith, Json, synthDatabase } from "./database-synth";

const external = devWith((c) => (c.kubernetes = { ...c.kubernetes, createNamespace: false }));
const TERRAFORM = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
if (!TERRAFORM) process.stderr.write("namespace-handover: terraform is not on PATH, the hand-over plan is not checked\n");

describe("the namespace", () => {
  it("created here, cannot be destroyed by a plan (prevent_destroy)", () => {
    const ns = synthDatabase().resource("kubernetes_namespace_v1", "namespace");
    expect(ns.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("created elsewhere, the stack forgets a namespace it created before instead of deleting it", () => {
    const s = synthDatabase(external);
    expect(s.resources("kubernetes_namespace_v1")).toEqual({});
    expect(s.json.removed).toEqual([{ from: "kubernetes_namespace_v1.namespace", lifecycle: [{ destroy: false }] }]);
  });

  it("created here, no removed block (Terraform refuses one for a resource still in the config)", () => {
    expect(synthDatabase().json.removed).toBeUndefined();
  });
});

/** Runs terraform in dir, offline, without the user's CLI config; throws with its output on failure. */
function terraform(dir: string, args: string[]): string {
  const cliConfig = path.join(dir, "..", "terraformrc");
  writeFileSync(cliConfig, "");
  const [command, ...rest] = args;
  const flags = command === "show" ? ["-no-color"] : ["-no-color", "-input=false"];
  const r = spawnSync("terraform", [command, ...flags, ...rest], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: dir, TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: cliConfig },
  });
  if (r.status !== 0) throw new Error(`terraform ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The resource changes of the next config's plan, against a state that holds the stand-in namespace. */
function planAfter(next: Json): { address: string; actions: string[] }[] {
  const root = mkdtempSync(path.join(tmpdir(), "ns-handover-"));
  const dir = path.join(root, "stack");
  try {
    const ns = synthDatabase().resource("kubernetes_namespace_v1", "namespace");
    const [type, name] = NAMESPACE_ADDRESS.split(".");
    expect(type).toBe("kubernetes_namespace_v1");
    mkdirSync(dir);
    // The state of today's deploy: the namespace, with its lifecycle, under its pinned name.
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { [name]: { input: ns.metadata, lifecycle: ns.lifecycle } } } }));
    terraform(dir, ["init", "-backend=false"]);
    terraform(dir, ["apply", "-auto-approve"]);
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(next));
    terraform(dir, ["plan", "-out=next.plan"]);
    const plan = JSON.parse(terraform(dir, ["show", "-json", "next.plan"]));
    return (plan.resource_changes ?? []).map((c: Json) => ({ address: c.address, actions: c.change.actions }));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The synthesized removed blocks, pointed at the stand-in resource type. */
const standInRemoved = (json: Json) => json.removed.map((r: Json) => ({ ...r, from: r.from.replace(/^kubernetes_namespace_v1\./, "terraform_data.") }));

(TERRAFORM ? describe : describe.skip)("turning createNamespace off, planned by terraform", () => {
  it("forgets the namespace and deletes nothing", () => {
    const changes = planAfter({ removed: standInRemoved(synthDatabase(external).json) });
    expect(changes).toEqual([{ address: "terraform_data.namespace", actions: ["forget"] }]);
  });

  it("without the removed block, terraform would delete it: prevent_destroy does not cover a resource that leaves the config", () => {
    expect(planAfter({})).toEqual([{ address: "terraform_data.namespace", actions: ["delete"] }]);
  });
});
