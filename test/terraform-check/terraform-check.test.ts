// The Terraform check (terraform-check/): the real terraform CLI, offline, over every stack of
// every shipped environment and over the config overrides the docs show; and proof that it
// catches the bug class (unescaped `${` and `%{` in literal text, references to nothing).

import { App } from "cdktf";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ENVIRONMENT, environments } from "../../config/environments";
import { addPlatformStacks } from "../../stacks/platform-app";
import { overrideExamples, standInConfig } from "../../terraform-check/stand-ins";
import { stacksIn, synthesizeExamples, validateStacks } from "../../terraform-check/terraform-check";
import { CONFIG_KEYS, projectDocs, terraformCheckCli } from "../../terraform-check/terraform-check-cli";
import { terraformLiteralValue } from "../support/terraform-template";

type Json = any;
const REPO = join(__dirname, "..", "..");

/** A stack of the shape cdktf writes: a ConfigMap whose script is `script`, a Job that mounts it. */
function fixture(script: string, jobConfigMapRef = "${kubernetes_config_map_v1.scripts.metadata[0].name}"): Json {
  return {
    "//": { metadata: { stackName: "fixture" } },
    provider: { kubernetes: [{}] },
    terraform: { backend: { kubernetes: { secret_suffix: "x", namespace: "tf" } }, required_providers: { kubernetes: { source: "hashicorp/kubernetes", version: "2.38.0" } } },
    resource: {
      kubernetes_config_map_v1: { scripts: { metadata: { name: "scripts", namespace: "ns" }, data: { "run.sh": script } } },
      kubernetes_job_v1: {
        job: {
          metadata: { name: "job", namespace: "ns" },
          spec: { template: { spec: { container: [{ name: "c", image: "mongo:8.0.12", command: ["bash", "/s/run.sh"] }], volume: [{ name: "s", config_map: { name: jobConfigMapRef } }] } } },
          depends_on: ["kubernetes_config_map_v1.scripts"],
          lifecycle: { ignore_changes: ["spec[0].template"] },
        },
      },
    },
    output: { name: { value: "${kubernetes_job_v1.job.metadata[0].name}" } },
  };
}

describe("the stand-in configuration", () => {
  it("is terraform_data holding each body as input, references rewritten, no provider, backend or required_providers", () => {
    const c: Json = standInConfig(fixture("echo $${X}\n"));
    expect(Object.keys(c).sort()).toEqual(["//", "output", "resource"]);
    expect(Object.keys(c.resource)).toEqual(["terraform_data"]);
    const job = c.resource.terraform_data["kubernetes_job_v1__job"];
    expect(job.depends_on).toEqual(["terraform_data.kubernetes_config_map_v1__scripts"]);
    expect(job.lifecycle).toEqual({ ignore_changes: ["input.spec[0].template"] });
    expect(job.input.spec.template.spec.volume[0].config_map.name).toBe("${terraform_data.kubernetes_config_map_v1__scripts.input.metadata[0].name}");
    expect(c.resource.terraform_data["kubernetes_config_map_v1__scripts"].input.data["run.sh"]).toBe("echo $${X}\n");
    expect(c.output.name.value).toBe("${terraform_data.kubernetes_job_v1__job.input.metadata[0].name}");
  });

  it("leaves literal text alone, also text that looks like a reference", () => {
    const c: Json = standInConfig(fixture("# kubernetes_config_map_v1.scripts.metadata $${kubernetes_job_v1.job.id}\n"));
    expect(c.resource.terraform_data["kubernetes_config_map_v1__scripts"].input.data["run.sh"]).toBe("# kubernetes_config_map_v1.scripts.metadata $${kubernetes_job_v1.job.id}\n");
  });
});

describe("override examples in the docs", () => {
  it("are the JSON blocks and here-docs whose keys are config keys, with the environment named beside them", () => {
    const examples = overrideExamples(projectDocs(REPO), CONFIG_KEYS, Object.keys(environments), DEFAULT_ENVIRONMENT);
    expect(examples.map((e) => [e.file, e.environment])).toEqual(expect.arrayContaining([["README.md", "prod"], ["docs/runbooks/restore.md", "prod"]]));
    const docs = [{ file: "x.md", text: '```json\n{ "ok": true }\n```\n```json\n{ "backup": { "enabled": false } }\n```\n' }];
    expect(overrideExamples(docs, CONFIG_KEYS, ["dev"], "dev")).toEqual([{ file: "x.md", line: 4, environment: "dev", json: '{ "backup": { "enabled": false } }\n' }]);
  });
});

const terraform = spawnSync("terraform", ["version"], { stdio: "ignore", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0;
if (!terraform) console.log("terraform is not on PATH: the Terraform check's tests are skipped");
const describeTerraform = terraform ? describe : describe.skip;
/** Terraform runs once per stack (about 0.2 s each unloaded); a machine shared with other builds is slower. */
const TIMEOUT = 120_000;

describeTerraform("terraform validate over the stand-ins (offline)", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "terraform-check-test-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function writeStack(name: string, tf: Json): string {
    const dir = join(work, "fixtures", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(tf));
    return dir;
  }

  it("fails on the bug class: unescaped ${X} and %{ in a script, and a reference to an undeclared resource", async () => {
    const stacks = [
      ...stacksIn(writeStack("unescaped-interpolation", fixture('echo "${X}"\n'))),
      ...stacksIn(writeStack("unescaped-directive", fixture("printf '%{ if x }'\n"))),
      ...stacksIn(writeStack("dangling-reference", fixture("true\n", "${kubernetes_config_map_v1.missing.metadata[0].name}"))),
      ...stacksIn(writeStack("escaped", fixture('echo "$${X}" %%{ if x }\n'))),
    ];
    const results = await validateStacks(stacks, join(work, "fixture-check"), process.env);
    const errors = Object.fromEntries(results.map((r) => [r.stack, r.diagnostics.filter((d) => d.severity === "error").map((d) => d.summary)]));
    expect(errors).toEqual({
      "unescaped-interpolation": ["Invalid reference"],
      "unescaped-directive": [expect.stringMatching(/directive|template/i)],
      "dangling-reference": ["Reference to undeclared resource"],
      escaped: [],
    });
    expect(results.find((r) => r.stack === "dangling-reference")?.diagnostics[0].detail).toContain("kubernetes_config_map_v1");
  }, TIMEOUT);

  it("passes every stack of every shipped environment; the same stacks with their text unescaped (as before the fix) fail", async () => {
    const stacks = Object.entries(environments).flatMap(([name, config]) => {
      const outdir = join(work, "synth", name);
      mkdirSync(outdir, { recursive: true });
      const app = new App({ outdir });
      addPlatformStacks(app, config, outdir);
      app.synth();
      return stacksIn(outdir, `${name} `);
    });
    expect(stacks.map((s) => s.label.split(" ")[1])).toEqual([
      "nyrkio-db-dev",
      "nyrkio-db-dev-backup",
      "nyrkio-db-prod",
      "nyrkio-db-prod-backup",
      "nyrkio-db-prod-pss",
      "nyrkio-db-prod-pss-backup",
      "nyrkio-db-sharded",
      "nyrkio-db-sharded-backup",
    ]);
    const results = await validateStacks(stacks, join(work, "check"), process.env);
    expect(results.filter((r) => !r.ok)).toEqual([]);

    // What dev's stacks were before the one escaping path: every ConfigMap value as its literal text.
    const old = stacks.filter((s) => s.label.startsWith("dev ")).map((s) => {
      const tf = JSON.parse(readFileSync(s.file, "utf8"));
      for (const cm of Object.values<Json>(tf.resource.kubernetes_config_map_v1 ?? {})) for (const k of Object.keys(cm.data ?? {})) cm.data[k] = terraformLiteralValue(cm.data[k]);
      return stacksIn(writeStack(`old-${s.label.replace(" ", "-")}`, tf))[0];
    });
    const oldResults = await validateStacks(old, join(work, "old-check"), process.env);
    expect(oldResults.map((r) => [r.stack, r.ok])).toEqual(old.map((s) => [s.label, false]));
    expect(oldResults.flatMap((r) => r.diagnostics.map((d) => d.summary))).toEqual(expect.arrayContaining(["Invalid reference", "Reference to undeclared resource", "Extra characters after interpolation expression"]));
  }, TIMEOUT);

  it("passes every config override the docs show, synthesized with its environment", async () => {
    const examples = overrideExamples(projectDocs(REPO), CONFIG_KEYS, Object.keys(environments), DEFAULT_ENVIRONMENT);
    const { stacks, problems } = synthesizeExamples(examples, join(work, "examples"));
    expect(problems).toEqual([]);
    expect(stacks.length).toBeGreaterThanOrEqual(examples.length);
    const results = await validateStacks(stacks, join(work, "examples-check"), process.env);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, TIMEOUT);

  it("the CLI: exit 1 and the errors in the original names; exit 0 when valid; --json; exit 2 on a bad option", async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env: process.env, readFile: () => "" };
    expect(await terraformCheckCli([writeStack("cli-bad", fixture('echo "${X}"\n'))], io)).toBe(1);
    expect(out.join("")).toMatch(/^FAIL cli-bad: 2 resources, 1 errors\n {5}error: Invalid reference \(resource\.kubernetes_config_map_v1\.scripts/m);
    out.length = 0;
    expect(await terraformCheckCli(["--json", writeStack("cli-good", fixture("echo ok\n"))], io)).toBe(0);
    expect(JSON.parse(out.join(""))).toEqual({ ok: true, stacks: [{ stack: "cli-good", ok: true, resources: 2, diagnostics: [] }], problems: [] });
    expect(await terraformCheckCli(["--nope"], io)).toBe(2);
    expect(await terraformCheckCli([join(work, "nowhere")], io)).toBe(2);
  }, TIMEOUT);
});
