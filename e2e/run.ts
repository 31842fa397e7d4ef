// The run: prerequisites first, then the steps in order, each timed; the first failure stops the
// run, names the step and prints the last log lines of its pods; then the clean-up (only what the
// run created), the table and, with --json, the report file.
import { join } from "node:path";
import type { PlatformConfig } from "../config/platform-config";
import { E2eOptions, EXIT } from "./args";
import type { RunState, Step, StepContext } from "./context";
import { NOT_FOUND, Runner } from "./exec";
import { Kube } from "./kube";
import { ContainerLog, formatLogs, logFileName, PodSet } from "./logs";
import { assessTool, formatPrerequisites, Prerequisite, requiredTools, VERSION_COMMANDS } from "./prereq";
import { E2eReport, formatTable, StepRecord, summaryLine } from "./report";
import { Clock, formatDuration } from "./wait";
import { quoteArgs } from "./kube";

export interface RunDeps {
  runner: Runner;
  clock: Clock;
  stdout(text: string): void;
  stderr(text: string): void;
  writeFile(path: string, text: string | Buffer): void;
  mkdir(path: string): void;
  projectDir: string;
  workDir: string;
  node: string;
  kubeconfig: string;
  config: PlatformConfig;
  shardedConfig: PlatformConfig;
  steps: readonly Step[];
}

export async function checkPrerequisites(runner: Runner, useExistingContext: boolean): Promise<Prerequisite[]> {
  const results: Prerequisite[] = [];
  for (const tool of requiredTools(useExistingContext)) {
    const r = await runner.run(tool, VERSION_COMMANDS[tool], { timeoutMs: 30_000 });
    results.push(assessTool(tool, r.code === NOT_FOUND && !r.stdout ? { found: false } : { found: true, ...r }));
  }
  return results;
}

export async function runE2e(options: E2eOptions, deps: RunDeps): Promise<number> {
  const started = deps.clock.now();
  const out = deps.stdout;
  const records: StepRecord[] = options.steps.map((id) => ({ id, title: deps.steps.find((s) => s.id === id)!.title, status: "not run" }));
  const state: RunState = { context: options.context, createdCluster: false, createdNamespaces: [] };
  const report = (result: E2eReport["result"], failedStep?: string): E2eReport => ({
    schemaVersion: 1,
    result,
    startedAt: new Date(started).toISOString(),
    durationMs: deps.clock.now() - started,
    cluster: state.context ? { context: state.context, createdByRun: state.createdCluster, kept: !state.createdCluster || options.keep } : null,
    ...(failedStep ? { failedStep } : {}),
    steps: records,
  });
  const writeReport = (r: E2eReport) => {
    if (!options.json) return;
    deps.writeFile(options.reportFile, JSON.stringify(r, null, 2) + "\n");
    out(`report: ${options.reportFile}\n`);
  };

  const prereqs = await checkPrerequisites(deps.runner, options.context !== undefined);
  if (prereqs.some((p) => !p.ok)) {
    deps.stderr(formatPrerequisites(prereqs));
    writeReport(report("prerequisites-missing"));
    return EXIT.prerequisites;
  }
  out(formatPrerequisites(prereqs));

  const trace = options.verbose ? (line: string) => out(`    $ ${line}\n`) : undefined;
  let involved: PodSet[] = [];
  const ctx: StepContext = {
    options,
    config: deps.config,
    shardedConfig: deps.shardedConfig,
    kube: new Kube({ runner: deps.runner, context: options.context, clock: deps.clock, trace }),
    runner: {
      run: (command, args, opts) => {
        trace?.(quoteArgs(command, args));
        return deps.runner.run(command, args, opts);
      },
    },
    clock: deps.clock,
    projectDir: deps.projectDir,
    workDir: deps.workDir,
    node: deps.node,
    kubeconfig: deps.kubeconfig,
    state,
    say: (line) => out(`    ${line}\n`),
    timeout: (ms) => ms * options.timeoutFactor,
    processTimeout: (ms) => ms * Math.max(1, options.timeoutFactor),
    involve: (...sets) => {
      for (const s of sets) if (!involved.some((i) => i.namespace === s.namespace && i.selector === s.selector)) involved.push(s);
    },
    measure: () => undefined,
    writeFile: deps.writeFile,
  };

  let failed: string | undefined;
  for (const [index, record] of records.entries()) {
    const step = deps.steps.find((s) => s.id === record.id)!;
    involved = [];
    ctx.measure = (key, value) => {
      record.measurements = { ...record.measurements, [key]: value };
    };
    out(`==> [${index + 1}/${records.length}] ${step.id}: ${step.title}\n`);
    const t0 = deps.clock.now();
    try {
      await step.run(ctx);
      record.status = "passed";
      record.durationMs = deps.clock.now() - t0;
      out(`<== ${step.id} passed in ${formatDuration(record.durationMs)}\n`);
    } catch (error) {
      record.status = "failed";
      record.durationMs = deps.clock.now() - t0;
      record.error = (error as Error).message;
      failed = step.id;
      deps.stderr(`<== step ${step.id} FAILED after ${formatDuration(record.durationMs)}: ${record.error}\n`);
      record.logs = await collectAndPrint(ctx.kube, involved, options.logsDir, deps);
      break;
    }
  }

  await cleanUp(ctx, deps);
  out(`\n${formatTable(records)}`);
  const final = report(failed ? "failed" : "passed", failed);
  writeReport(final);
  out(summaryLine(final));
  return failed ? EXIT.failed : EXIT.ok;
}

async function collectAndPrint(kube: Kube, sets: readonly PodSet[], logsDir: string, deps: RunDeps): Promise<StepRecord["logs"]> {
  if (sets.length === 0) {
    deps.stderr("  (the step failed before it involved any pod)\n");
    return [];
  }
  let logs: ContainerLog[] = [];
  try {
    logs = await kube.collectLogs(sets);
  } catch (error) {
    deps.stderr(`  could not collect the pods' logs: ${(error as Error).message}\n`);
    return [];
  }
  deps.stderr(`pods involved (${sets.map((s) => `${s.namespace}: ${s.selector}`).join("; ")}):\n`);
  deps.stderr(formatLogs(logs));
  deps.mkdir(logsDir);
  return logs.map((l) => {
    const file = join(logsDir, logFileName(l));
    deps.writeFile(file, l.text);
    return { pod: `${l.namespace}/${l.pod}/${l.container}`, file };
  });
}

/** Deletes only what the run created: its kind cluster, or else the namespaces it made itself. Never with --keep. */
async function cleanUp(ctx: StepContext, deps: RunDeps): Promise<void> {
  const { options, state } = ctx;
  if (options.keep) {
    if (state.context) deps.stdout(`--keep: the cluster stays up (kubectl --context ${state.context})\n`);
    return;
  }
  if (state.createdCluster) {
    deps.stdout(`deleting the kind cluster ${options.clusterName} (created by this run)\n`);
    const r = await deps.runner.run("kind", ["delete", "cluster", "--name", options.clusterName], { timeoutMs: 5 * 60_000 });
    if (r.code !== 0) deps.stderr(`could not delete the kind cluster ${options.clusterName}: ${r.stderr.trim()}\n`);
    return;
  }
  for (const namespace of state.createdNamespaces) {
    deps.stdout(`deleting the namespace ${namespace} (created by this run)\n`);
    await ctx.kube.kubectl(["delete", "namespace", namespace, "--wait=false"], { allowFailure: true });
  }
  if (state.context) deps.stdout(`the cluster of --context ${state.context} is not this run's: left up, with what the steps deployed\n`);
}
