// `npm run e2e -- [options]` (and `nyrkio-db e2e`): the whole system on a real cluster. The CLI
// convention of migrations/cli/cli-io.ts: argv and a CliIo in, the exit code out.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { loadConfig } from "../config/load";
import type { PlatformConfig } from "../config/platform-config";
import type { CliIo } from "../migrations/cli/cli-io";
import { shardKeyRules } from "../sharding";
import { EXIT, parseE2eArgs, UsageError } from "./args";
import type { Step } from "./context";
import { processRunner, Runner } from "./exec";
import { kubeconfigPath } from "./manifests";
import { runE2e } from "./run";
import { STEPS } from "./steps";
import { Clock, realClock } from "./wait";

/** What the CLI touches besides CliIo; tests replace the clock, the steps or the directory. */
export interface E2eCliDeps {
  runner?: Runner;
  clock?: Clock;
  projectDir?: string;
  steps?: readonly Step[];
}

function environment(name: string, io: CliIo): PlatformConfig {
  const r = loadConfig({ environment: name, readFile: io.readFile, rules: [shardKeyRules] });
  if (!r.ok) throw new Error(`the built-in environment ${name} is not valid: ${r.problems.map((p) => `${p.path}: ${p.rule}`).join("; ")}`);
  return r.config;
}

export async function e2eCli(argv: string[], io: CliIo, deps: E2eCliDeps = {}): Promise<number> {
  let args;
  try {
    args = parseE2eArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`e2e: ${error.message}\nRun with --help for usage.\n`);
    return EXIT.usage;
  }
  if (args.kind === "help") {
    io.stdout(args.text);
    return EXIT.ok;
  }
  // dist/e2e/e2e-cli.js when built, e2e/e2e-cli.ts under ts tooling: the repository is above.
  const projectDir = deps.projectDir ?? resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? "../.." : "..");
  // Overrides, the kind config, the exported catalog and the plan: removed at the end unless --keep.
  const workDir = mkdtempSync(join(tmpdir(), "nyrkio-e2e-"));
  try {
    return await runE2e(
      { ...args, cdktf: resolve(projectDir, args.cdktf) },
      {
        runner: deps.runner ?? processRunner(io.env, projectDir),
        clock: deps.clock ?? realClock,
        stdout: io.stdout,
        stderr: io.stderr,
        writeFile: (path, text) => writeFileSync(path, text),
        mkdir: (path) => mkdirSync(path, { recursive: true }),
        projectDir,
        workDir,
        node: process.execPath,
        kubeconfig: kubeconfigPath(io.env),
        config: environment("dev", io),
        shardedConfig: environment("sharded", io),
        steps: deps.steps ?? STEPS,
      },
    );
  } finally {
    if (args.keep) io.stdout(`--keep: the run's files are in ${workDir}\n`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}
