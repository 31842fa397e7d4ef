// `npm run --silent check:terraform -- [--json] [--docs] [PATH...]`: the Terraform check
// (terraform-check.ts) over synthesized stacks, and with --docs over every JSON config override
// README.md and docs/ show. Exit codes: 0 every stack valid; 1 Terraform found an error, or a
// --docs example does not load; 2 usage error; 3 terraform is not on PATH.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_ENVIRONMENT, environments } from "../config/environments";
import { CliIo, runAsProcess } from "../migrations/cli/cli-io";
import { overrideExamples } from "./stand-ins";
import { StackFile, stacksIn, synthesizeExamples, terraformOnPath, UsageError, validateStacks } from "./terraform-check";

const HELP = `Usage: check:terraform [--json] [--docs] [--keep] [PATH...]
Runs terraform init -backend=false and terraform validate, offline, over every synthesized stack,
each provider resource replaced by a built-in terraform_data stand-in that keeps its body as input:
template syntax and references between resources are checked, the provider's schema is not.
  PATH    a cdktf.out directory, a stack directory or a cdk.tf.json (default: cdktf.out)
  --docs  also synthesize with every JSON config override README.md and docs/ show, and check those
  --json  one JSON document on stdout
  --keep  keep the stand-in configurations (the directory is printed on stderr)
Exit codes: 0 valid; 1 errors found; 2 usage error; 3 terraform not on PATH.
`;

// The repository: this file runs from terraform-check/ (tests) or dist/terraform-check/ (npm run).
const REPO = basename(join(__dirname, "..")) === "dist" ? join(__dirname, "..", "..") : join(__dirname, "..");

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith(".md") ? [join(dir, e.name)] : []));
}

/** README.md and docs/**.md, as overrideExamples reads them. */
export function projectDocs(repo: string): { file: string; text: string }[] {
  return [join(repo, "README.md"), ...markdownFiles(join(repo, "docs"))].map((f) => ({ file: relative(repo, f), text: readFileSync(f, "utf8") }));
}

export const CONFIG_KEYS: ReadonlySet<string> = new Set(Object.values(environments).flatMap((c) => Object.keys(c)));

export async function terraformCheckCli(argv: string[], io: CliIo, repo = REPO): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: "boolean" }, docs: { type: "boolean" }, keep: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  } catch (e) {
    io.stderr(`check:terraform: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!terraformOnPath(io.env)) {
    io.stderr("check:terraform: terraform is not on PATH\n");
    return 3;
  }
  const work = mkdtempSync(join(tmpdir(), "terraform-check-"));
  try {
    const paths = args.positionals.length ? args.positionals : ["cdktf.out"];
    const stacks: StackFile[] = paths.flatMap((p) => stacksIn(p, paths.length > 1 ? `${p} ` : ""));
    const problems: string[] = [];
    if (args.values.docs) {
      const examples = overrideExamples(projectDocs(repo), CONFIG_KEYS, Object.keys(environments), DEFAULT_ENVIRONMENT);
      if (!examples.length) problems.push("--docs: no JSON config override found in README.md or docs/");
      const synthesized = synthesizeExamples(examples, work);
      stacks.push(...synthesized.stacks);
      problems.push(...synthesized.problems);
    }
    const results = await validateStacks(stacks, work, io.env, Math.max(2, availableParallelism()));
    const ok = problems.length === 0 && results.every((r) => r.ok);
    if (args.values.json) io.stdout(`${JSON.stringify({ ok, stacks: results, problems }, null, 2)}\n`);
    else {
      for (const r of results) {
        io.stdout(`${r.ok ? "ok  " : "FAIL"} ${r.stack}: ${r.resources} resources${r.ok ? "" : `, ${r.diagnostics.filter((d) => d.severity === "error").length} errors`}\n`);
        for (const d of r.diagnostics) io.stdout(`     ${d.severity}: ${d.summary}${d.where ? ` (${d.where})` : ""}: ${d.detail}${d.code ? `\n       ${d.code}` : ""}\n`);
      }
      for (const p of problems) io.stdout(`FAIL ${p}\n`);
    }
    if (args.values.keep) io.stderr(`check:terraform: stand-in configurations kept in ${work}\n`);
    return ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`check:terraform: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    if (!args.values.keep) rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) runAsProcess("check:terraform", terraformCheckCli);
