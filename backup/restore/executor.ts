// Runs a restore plan: every artifact's size and checksum first, then the mongorestore calls in
// order, with progress (step N/M, mongorestore's own lines, durations). It stops at the first
// failure and says exactly which step failed and what the target holds now: a restore must never
// stop halfway without saying so. mongorestore is started through an injected runner, so tests
// drive the executor with a stand-in.

import { describeTs } from "../timestamp";
import type { RestorePlan, RestoreStep } from "./planner";
import { describeTarget } from "./target";
import { ArtifactInspector, ArtifactProblem, formatBytes, verifyArtifacts } from "./verify-artifacts";

export interface StepExit {
  /** Exit code; null when killed by a signal or never started. */
  code: number | null;
  signal?: string | null;
  /** Why the process could not be started (e.g. "spawn mongorestore ENOENT"). */
  spawnError?: string;
}

/**
 * Runs one argv to completion, calling `onLine` for each line it prints (stdout and stderr). When
 * `stop` aborts (a signal reached the CLI), the runner stops the process and still resolves once
 * it has exited, so no child outlives the CLI.
 */
export type StepRunner = (argv: readonly string[], onLine: (line: string) => void, stop?: AbortSignal) => Promise<StepExit>;

export interface ExecuteDeps {
  run: StepRunner;
  inspector: ArtifactInspector;
  /** Milliseconds, for durations. */
  now: () => number;
  /** Progress for humans (the CLI writes it to stderr). */
  progress: (line: string) => void;
}

export interface ExecuteOptions {
  /** Resolves an artifact's catalog-relative path for reading. */
  resolve: (file: string) => string;
  /** 1-based step to start at (resuming after a failure); earlier steps are skipped, unverified. */
  fromStep: number;
  /** Aborted when the CLI is asked to stop (SIGINT, SIGTERM): the running step is stopped, no further step starts. */
  stop?: AbortSignal;
}

export type StepStatus = "done" | "failed" | "not run" | "skipped";

export interface StepOutcome {
  step: number;
  kind: RestoreStep["kind"];
  file: string;
  status: StepStatus;
  seconds?: number;
  exitCode?: number | null;
}

export interface ExecutionReport {
  ok: boolean;
  /** Where it ended: refused before running anything, stopped in a step, or finished. */
  phase: "verify" | "restore" | "done";
  steps: StepOutcome[];
  problems: ArtifactProblem[];
  failedStep?: number;
  /** What happened and what state the target is in, in one paragraph. */
  message: string;
  /** What to do now (on failure). */
  next?: string;
  seconds: number;
}

const FAILED_DOCS = /(\d+) document\(s\) failed to restore/;

export async function executePlan(plan: RestorePlan, options: ExecuteOptions, deps: ExecuteDeps): Promise<ExecutionReport> {
  const started = deps.now();
  const total = plan.steps.length;
  const seconds = () => (deps.now() - started) / 1000;
  const outcomes: StepOutcome[] = plan.steps.map((s) => ({ step: s.step, kind: s.kind, file: s.file, status: s.step < options.fromStep ? "skipped" : "not run" }));
  if (options.fromStep > total) {
    return { ok: false, phase: "verify", steps: outcomes, problems: [], message: `--from-step ${options.fromStep}: the plan has ${total} step(s); nothing was run`, seconds: seconds() };
  }

  const toRun = plan.steps.filter((s) => s.step >= options.fromStep);
  const bytes = toRun.reduce((n, s) => n + s.bytes, 0);
  deps.progress(`verifying ${toRun.length} artifact(s), ${formatBytes(bytes)}, against their manifests`);
  const problems = await verifyArtifacts(toRun, options.resolve, deps.inspector, deps.progress);
  if (problems.length > 0) {
    for (const p of problems) deps.progress(`REFUSED: step ${p.step}: ${p.file} ${p.problem}`);
    return {
      ok: false,
      phase: "verify",
      steps: outcomes,
      problems,
      message: `refused: ${problems.length} artifact(s) failed verification (${problems.map((p) => p.file).join(", ")}); nothing was run, the target is untouched`,
      next: "fetch the artifacts again from the backup storage (or pick a target another dump reaches: `restore windows`), then rerun",
      seconds: seconds(),
    };
  }

  deps.progress(`restoring ${plan.replicaSet}: ${describeTarget(plan.target)}`);
  for (const step of toRun) {
    const outcome = outcomes[step.step - 1];
    if (options.stop?.aborted) {
      const stateAndNext = afterFailure(plan, step);
      const message = `STOPPED before step ${step.step}/${total} (${stepTitle(step)}): a signal asked the restore to stop. ${stateAndNext.state}`;
      deps.progress(message);
      return { ok: false, phase: "restore", steps: outcomes, problems: [], failedStep: step.step, message, next: stateAndNext.next, seconds: seconds() };
    }
    const stepStarted = deps.now();
    deps.progress(`step ${step.step}/${total}: ${stepTitle(step)}`);
    deps.progress(`  $ ${step.argv.map(shellQuote).join(" ")}`);
    let failedDocs = 0;
    let lastFailure: string | undefined;
    const exit = await deps.run(step.argv, (line) => {
      deps.progress(`  | ${line}`);
      const m = FAILED_DOCS.exec(line);
      if (m) failedDocs = Number(m[1]);
      if (/\bFailed:|\berror\b/i.test(line)) lastFailure = line.trim();
    }, options.stop);
    outcome.seconds = (deps.now() - stepStarted) / 1000;
    outcome.exitCode = exit.code;
    const why = failureOf(exit, failedDocs);
    if (why === undefined) {
      outcome.status = "done";
      deps.progress(`step ${step.step}/${total} done in ${formatDuration(outcome.seconds)}: the target holds everything up to and including ${describeTs(step.holdsThrough)}`);
      continue;
    }
    outcome.status = "failed";
    const stateAndNext = afterFailure(plan, step);
    const message = `FAILED at step ${step.step}/${total} (${stepTitle(step)}): ${why}${lastFailure ? ` (last error: ${lastFailure})` : ""}. ${stateAndNext.state}`;
    deps.progress(message);
    deps.progress(`next: ${stateAndNext.next}`);
    return { ok: false, phase: "restore", steps: outcomes, problems: [], failedStep: step.step, message, next: stateAndNext.next, seconds: seconds() };
  }
  const message = `restored ${plan.replicaSet} to ${describeTarget(plan.target)} in ${formatDuration(seconds())}`;
  deps.progress(message);
  return { ok: true, phase: "done", steps: outcomes, problems: [], message, seconds: seconds() };
}

function stepTitle(step: RestoreStep): string {
  const what = step.kind === "full" ? "restore the base full dump" : "replay the oplog slice";
  return `${what} ${step.file} (${formatBytes(step.bytes)})`;
}

function failureOf(exit: StepExit, failedDocs: number): string | undefined {
  if (exit.spawnError) return `could not start mongorestore: ${exit.spawnError}`;
  if (exit.signal) return `mongorestore was killed by ${exit.signal}`;
  if (exit.code !== 0) return `mongorestore exited with code ${exit.code}`;
  if (failedDocs > 0) return `mongorestore exited 0 but reported ${failedDocs} document(s) that failed to restore`;
  return undefined;
}

/** The target's state after `step` failed, and the way forward. */
function afterFailure(plan: RestorePlan, step: RestoreStep): { state: string; next: string } {
  const rerun = "start over: rerun the same command with --drop (or restore into a new, empty replica set)";
  if (step.step === 1) {
    return {
      state: "The target holds a PARTIAL copy of the base dump and is NOT usable; no oplog was replayed.",
      next: `fix the cause, then ${rerun}`,
    };
  }
  const previous = plan.steps[step.step - 2];
  return {
    state:
      `The target holds everything up to and including ${describeTs(previous.holdsThrough)} (steps 1-${step.step - 1} done), ` +
      `plus possibly part of step ${step.step}'s entries. It is NOT at the requested point.`,
    next: `fix the cause, then resume with --from-step ${step.step} (replaying oplog entries again is safe), or ${rerun}`,
  };
}

export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h${pad(m)}m${pad(s % 60)}s`;
  return m > 0 ? `${m}m${pad(s % 60)}s` : `${s}s`;
}

/** argv shown as a command line a human can copy (it holds no credentials). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
