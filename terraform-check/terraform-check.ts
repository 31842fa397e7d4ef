// Runs the real Terraform CLI over synthesized stacks, offline: each stack's stand-in
// configuration (stand-ins.ts) in a directory of its own, `terraform init -backend=false`, then
// `terraform validate -json`. Only the built-in terraform_data provider is used, so init needs
// no network; a shared plugin cache and no checkpoint calls keep it that way.

import { App } from "cdktf";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { loadConfig } from "../config/load";
import { formatProblem } from "../config/validate";
import { shardKeyRules } from "../sharding";
import { addPlatformStacks } from "../stacks/platform-app";
import { JsonObject, originalNames, OverrideExample, standInConfig } from "./stand-ins";
import { UsageError } from "../migrations/runner/errors";

const execFileAsync = promisify(execFile);

export interface StackFile {
  /** How the stack is named in the report. */
  label: string;
  /** Its cdk.tf.json. */
  file: string;
}

export interface Diagnostic {
  severity: string;
  summary: string;
  detail: string;
  /** Where in the original names (resource.<type>.<name>…), when Terraform says. */
  where?: string;
  code?: string;
}

export interface StackResult {
  stack: string;
  ok: boolean;
  resources: number;
  diagnostics: Diagnostic[];
}

// The project's one usage error (exit 2), as every CLI throws it.
export { UsageError };

/** The stacks under a path: a cdktf.out directory, a stack directory, or one cdk.tf.json. */
export function stacksIn(path: string, labelPrefix = ""): StackFile[] {
  const p = resolve(path);
  if (!existsSync(p)) throw new UsageError(`${path}: no such file or directory`);
  const label = (name: string) => `${labelPrefix}${name}`;
  if (statSync(p).isFile()) return [{ label: label(basename(dirname(p))), file: p }];
  if (existsSync(join(p, "cdk.tf.json"))) return [{ label: label(basename(p)), file: join(p, "cdk.tf.json") }];
  const dir = existsSync(join(p, "stacks")) ? join(p, "stacks") : p;
  const found = readdirSync(dir)
    .filter((s) => existsSync(join(dir, s, "cdk.tf.json")))
    .sort()
    .map((s) => ({ label: label(s), file: join(dir, s, "cdk.tf.json") }));
  if (!found.length) throw new UsageError(`${path}: no stack (no cdk.tf.json under it)`);
  return found;
}

export function terraformOnPath(env: Readonly<Record<string, string | undefined>>): boolean {
  return spawnSync("terraform", ["version"], { stdio: "ignore", env: { ...env, CHECKPOINT_DISABLE: "1" } }).status === 0;
}

/** Terraform's environment: a CLI config with a shared plugin cache, no checkpoint calls, no prompts. */
export function terraformEnv(workDir: string, env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const cli = join(workDir, "terraformrc");
  const cache = join(workDir, "plugin-cache");
  mkdirSync(cache, { recursive: true });
  writeFileSync(cli, `plugin_cache_dir = ${JSON.stringify(cache)}\ndisable_checkpoint = true\n`);
  return { ...env, TF_CLI_CONFIG_FILE: cli, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
}

async function validateStack(stack: StackFile, dir: string, env: Record<string, string | undefined>): Promise<StackResult> {
  mkdirSync(dir, { recursive: true });
  const config = standInConfig(JSON.parse(readFileSync(stack.file, "utf8")));
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 1));
  const resources = Object.keys(((config.resource ?? {}) as JsonObject).terraform_data ?? {}).length;
  const opts = { cwd: dir, env, maxBuffer: 1 << 26 };
  try {
    await execFileAsync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], opts);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { stack: stack.label, ok: false, resources, diagnostics: [{ severity: "error", summary: "terraform init failed", detail: String(err.stderr || err.message).trim() }] };
  }
  let stdout: string;
  try {
    stdout = (await execFileAsync("terraform", ["validate", "-json", "-no-color"], opts)).stdout;
  } catch (e) {
    stdout = (e as { stdout: string }).stdout; // exit 1 for an invalid configuration; the JSON says why
  }
  const result = JSON.parse(stdout) as { valid: boolean; diagnostics?: { severity: string; summary: string; detail?: string; snippet?: { context?: string; code?: string } }[] };
  const diagnostics = (result.diagnostics ?? []).map((d) => ({
    severity: d.severity,
    summary: d.summary,
    detail: originalNames(d.detail),
    ...(d.snippet?.context ? { where: originalNames(d.snippet.context) } : {}),
    ...(d.snippet?.code ? { code: originalNames(d.snippet.code).slice(0, 200) } : {}),
  }));
  return { stack: stack.label, ok: result.valid === true, resources, diagnostics };
}

export async function pool<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Validates every stack, `parallel` at a time, each in a directory of its own under workDir. */
export function validateStacks(stacks: readonly StackFile[], workDir: string, env: Readonly<Record<string, string | undefined>>, parallel = 2): Promise<StackResult[]> {
  const tfEnv = terraformEnv(workDir, env);
  return pool(stacks, parallel, (s, i) => validateStack(s, join(workDir, `stack-${i}`), tfEnv));
}

/**
 * Synthesizes every environment's stacks with each override example (in-process, as main.ts does
 * with NYRKIO_DB_ENV and NYRKIO_DB_CONFIG), under workDir. An example that does not load is a problem.
 */
export function synthesizeExamples(examples: readonly OverrideExample[], workDir: string): { stacks: StackFile[]; problems: string[] } {
  const stacks: StackFile[] = [];
  const problems: string[] = [];
  examples.forEach((example, i) => {
    const dir = join(workDir, `example-${i}`);
    mkdirSync(dir, { recursive: true });
    const overrideFile = join(dir, "override.json");
    writeFileSync(overrideFile, example.json);
    const where = `${example.file}:${example.line} (NYRKIO_DB_ENV=${example.environment})`;
    const result = loadConfig({ environment: example.environment, overrideFile, readFile: (p) => readFileSync(p, "utf8"), rules: [shardKeyRules] });
    if (!result.ok) {
      problems.push(`${where}: the override is not a valid config: ${result.problems.map(formatProblem).join("; ")}`);
      return;
    }
    const app = new App({ outdir: join(dir, "cdktf.out") });
    addPlatformStacks(app, result.config, dir);
    app.synth();
    stacks.push(...stacksIn(join(dir, "cdktf.out"), `${example.file}:${example.line} `));
  });
  return { stacks, problems };
}
