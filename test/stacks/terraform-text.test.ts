// Literal text reaches the cluster byte for byte: every embedded file and every ConfigMap value of
// every environment, as Terraform evaluates the template string cdk.tf.json holds. The evaluator
// (test/support/terraform-template.ts) follows hashicorp/hcl's template scanner; where the
// terraform CLI is on PATH, the real CLI evaluates every ConfigMap value too.

import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { decodeEmbeddedFile, readEmbeddedFile } from "../../config/embedded-file";
import { environments } from "../../config/environments";
import { configMapData, escapeTemplate, literalArgs, literalEnv, terraformLiteral } from "../../stacks/terraform-text";
import { synthPlatformStacks } from "../support/platform-synth";
import { terraformLiteralValue } from "../support/terraform-template";

type Json = any;
const REPO = join(__dirname, "..", "..");

/** The directories whose files the stacks embed (every reader goes through config/embedded-file.ts). */
const EMBEDDED_DIRS = ["stacks/scripts", "stacks/scripts/mongosh", "backup/scripts", "backup/mongosh", "sharding/scripts", "sharding/mongosh", "replicaset/mongosh", "migrations/retention/mongosh"];
// Written and unit-tested, but not deployed yet (none now: oplog-merge.js went into the backup
// scripts with the one-call restore). Remove a file from this list when a stack embeds it.
const NOT_YET_DEPLOYED = new Set<string>([]);
const embeddedFiles = EMBEDDED_DIRS.flatMap((d) =>
  readdirSync(join(REPO, d), { withFileTypes: true })
    .filter((e) => e.isFile() && !NOT_YET_DEPLOYED.has(`${d}/${e.name}`))
    .map((e) => join(REPO, d, e.name)),
);

interface Value {
  where: string;
  template: string;
}

/** Every ConfigMap value, env value, command and output string of every stack of every environment. */
function synthesizedValues(): Value[] {
  const values: Value[] = [];
  for (const [environment, config] of Object.entries(environments)) {
    const { database, backup } = synthPlatformStacks(config, "/tmp/nyrkio-db-test");
    for (const stack of [database, backup].filter((s): s is NonNullable<typeof s> => s !== undefined)) {
      const tf: Json = JSON.parse(stack.text);
      for (const [id, cm] of Object.entries<Json>(tf.resource?.kubernetes_config_map_v1 ?? {}))
        for (const [key, template] of Object.entries<string>(cm.data ?? {})) values.push({ where: `${environment} ${stack.id} ${id} ${key}`, template });
      const walk = (v: Json, path: string): void => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
        else if (typeof v === "string" && /\.(command|args)\[\d+\]$|\.env\[\d+\]\.value$/.test(path)) values.push({ where: `${environment} ${stack.id} ${path}`, template: v });
      };
      walk(tf.resource, "resource");
      for (const [name, o] of Object.entries<Json>(tf.output ?? {})) if (typeof o.value === "string" && !o.value.startsWith("${")) values.push({ where: `${environment} output ${name}`, template: o.value });
    }
  }
  return values;
}

const values = synthesizedValues();
const EDGE_CASES = ["${POD_NAME:?set by the downward API}", "${BASH_SOURCE[0]}", "`${a}${b}`", "%{ if x }", "$${already}", "%%{already}", "$$${x}", "%%%{x}", "$$", "%", "$", "${", "%{", "a$b%c{}", "päivää 日本 😀 é", ""];

describe("the one escaping path (stacks/terraform-text.ts)", () => {
  it("escapes ${ and %{ so that Terraform's template evaluation gives the text back", () => {
    for (const text of EDGE_CASES) expect([text, terraformLiteralValue(escapeTemplate(text))]).toEqual([text, text]);
    expect(escapeTemplate("echo ${X} %{ if }")).toBe("echo $${X} %%{ if }");
  });

  it("the evaluator refuses what Terraform would interpolate: the bug class of unescaped text", () => {
    expect(() => terraformLiteralValue('echo "${POD_NAME:?}"')).toThrow(/interpolation/);
    expect(() => terraformLiteralValue("%{ for x in y }")).toThrow(/directive/);
  });

  it("refuses a file that is not UTF-8, or not NFC, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "embed-"));
    try {
      writeFileSync(join(dir, "latin1.sh"), Buffer.from([0x65, 0x63, 0x68, 0x6f, 0x20, 0xe4, 0x0a]));
      expect(() => readEmbeddedFile(join(dir, "latin1.sh"))).toThrow(`${join(dir, "latin1.sh")}: not valid UTF-8`);
      writeFileSync(join(dir, "nfd.js"), "// ok\n// cafe\u0301\n");
      expect(() => readEmbeddedFile(join(dir, "nfd.js"))).toThrow(`${join(dir, "nfd.js")}: not Unicode NFC (line 2)`);
      writeFileSync(join(dir, "nfc.js"), "// caf\u00e9 ${x}\n");
      expect(readEmbeddedFile(join(dir, "nfc.js"))).toBe("// caf\u00e9 ${x}\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => decodeEmbeddedFile(Buffer.from([0xed, 0xa0, 0x80]), "surrogate.js")).toThrow("surrogate.js: not valid UTF-8");
  });

  it("refuses generated text that is not NFC, and a resource reference (its ${ is Terraform's)", () => {
    expect(() => configMapData({ "a.json": "\"cafe\u0301\"" }, "ConfigMap x")).toThrow("ConfigMap x a.json: not Unicode NFC");
    expect(() => literalEnv([{ name: "X", value: "\ud800" }], "c")).toThrow("c env X: not valid Unicode");
    const stack = new TerraformStack(Testing.app(), "s");
    const ref = new TerraformVariable(stack, "v", {}).stringValue;
    expect(() => terraformLiteral(`a-${ref}`, "name")).toThrow("name: holds a reference");
    expect(literalArgs(["bash", "-c", "echo ${HOME}"], "c")).toEqual(["bash", "-c", "echo $${HOME}"]);
  });
});

describe("every synthesized stack of every environment", () => {
  it("has values in ConfigMaps, env, commands and outputs that Terraform reads as literal text", () => {
    expect(values.length).toBeGreaterThan(300);
    const refused: string[] = [];
    for (const v of values) {
      try {
        terraformLiteralValue(v.template, v.where);
      } catch (e) {
        refused.push((e as Error).message);
      }
    }
    expect(refused).toEqual([]);
    // The bug class is present in the sources: these values do need the escape.
    expect(values.filter((v) => v.template.includes("$${")).length).toBeGreaterThan(20);
  });

  it("carries every embedded file byte for byte (whole, or verbatim inside the script generated around it)", () => {
    expect(embeddedFiles.length).toBeGreaterThan(30);
    const literal = values.map((v) => ({ where: v.where, bytes: Buffer.from(terraformLiteralValue(v.template), "utf8") }));
    for (const file of embeddedFiles) {
      const bytes = readFileSync(file);
      const whole = literal.filter((l) => l.bytes.equals(bytes));
      const inside = literal.filter((l) => l.bytes.includes(bytes));
      expect([relative(REPO, file), whole.length + inside.length > 0]).toEqual([relative(REPO, file), true]);
    }
  });

  const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
  const itWithTerraform = terraform.status === 0 ? it : it.skip;
  if (terraform.status !== 0) console.log("terraform is not on PATH: the real-CLI round trip is skipped");

  itWithTerraform("evaluates, in the real terraform CLI, every value to what the evaluator says", () => {
    const dir = mkdtempSync(join(tmpdir(), "tf-literal-"));
    try {
      // Every distinct value once, plus edge cases (text that already holds $${, %%{ and non-ASCII).
      const distinct = [...new Set([...values.map((v) => v.template), ...EDGE_CASES.map(escapeTemplate)])];
      const input = Object.fromEntries(distinct.map((t, i) => [`v${i}`, t]));
      writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ output: { values: { value: input } } }));
      const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1" };
      for (const args of [["init", "-input=false", "-backend=false"], ["apply", "-auto-approve", "-input=false", "-lock=false"]]) {
        const r = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8" });
        expect([args[0], r.status, r.stderr]).toEqual([args[0], 0, ""]);
      }
      const out = spawnSync("terraform", ["output", "-json", "values"], { cwd: dir, env, encoding: "utf8" });
      const evaluated = JSON.parse(out.stdout) as Record<string, string>;
      const mismatched = distinct.filter((t, i) => evaluated[`v${i}`] !== terraformLiteralValue(t));
      expect(mismatched).toEqual([]);
      for (const text of EDGE_CASES) expect(evaluated[`v${distinct.indexOf(escapeTemplate(text))}`]).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
