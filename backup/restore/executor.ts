// Runs a restore plan: every artifact's size and checksum first, then its steps in order (unpack
// the base, merge and trim the oplog, the one mongorestore call), with progress (step N/M,
// mongorestore's own lines, durations). It stops at the first failure and says exactly which step
// failed and what the target holds now: a restore must never stop halfway without saying so.
// Processes (tar, mongorestore) are started through an injected runner and the oplog merge is an
// injected function (default: backup/mongosh/oplog-merge.js, the code the pod runs), so tests
// drive the executor with stand-ins.

import { mkdir } from "node:fs/promises";
import { describeTs, Timestamp } from "../timestamp";
import type { MergeOplogStep, RestorePlan, RestoreStep, UnpackStep } from "./planner";
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

/** What oplog-merge.js mergeOplog reports. */
export interface MergeSummary {
  entries: number;
  fromBase: number;
  fromSlices: number;
  skippedAtOrBeforeBase: number;
  skippedAtOrAfterLimit: number;
  /** Entries on admin.system.users/roles, left out (oplog-merge.js isAuthzEntry). */
  skippedUsersAndRoles?: number;
  firstTs: Timestamp | null;
  lastTs: Timestamp | null;
}

export type OplogMerger = (step: MergeOplogStep) => Promise<MergeSummary>;

/** The users of a dump, as dump-authz.js usersInFile reads them. */
export interface DumpUser {
  user: string;
  db: string;
  roles: { role: string; db: string }[];
}

/**
 * Moves the unpacked dump's users and roles aside and returns the dump's users (none: the dump held
 * no users file). The pod runs the same code (restored-users.js); dump-authz.js says why, from the
 * mongo-tools and server source.
 */
export type AuthzSetAside = (aside: UnpackStep["authzAside"]) => DumpUser[];

export const setAsideDumpAuthz: AuthzSetAside = (aside) => {
  const { setAsideAuthz, usersFileOf, usersInFile } = require("../mongosh/dump-authz.js") as {
    setAsideAuthz: (dumpDir: string, into: string) => string[];
    usersFileOf: (dir: string, names: string[]) => string | undefined;
    usersInFile: (file: string) => DumpUser[];
  };
  const names = setAsideAuthz(aside.dumpDir, aside.into);
  const file = usersFileOf(aside.into, names);
  return file === undefined ? [] : usersInFile(file);
};

/** The merge the pod runs too (backup/mongosh/oplog-merge.js, copied beside this module by the build). */
export const mergeOplogFiles: OplogMerger = (step) => {
  const { mergeOplog } = require("../mongosh/oplog-merge.js") as { mergeOplog: (args: object, out: string) => Promise<MergeSummary> };
  return mergeOplog({ base: step.base, slices: step.slices, after: step.after, limit: step.limit, gzipOut: step.gzip }, step.out);
};

export interface ExecuteDeps {
  run: StepRunner;
  /** The oplog merge (default mergeOplogFiles). */
  mergeOplog?: OplogMerger;
  /** Sets the unpacked dump's users and roles aside (default setAsideDumpAuthz). */
  setAsideAuthz?: AuthzSetAside;
  inspector: ArtifactInspector;
  /** Milliseconds, for durations. */
  now: () => number;
  /** Progress for humans (the CLI writes it to stderr). */
  progress: (line: string) => void;
}

export interface ExecuteOptions {
  /** Resolves an artifact's catalog-relative path for reading. */
  resolve: (file: string) => string;
  /**
   * 1-based step to start at. Only 1 runs: the plan is one mongorestore process, which cannot be
   * resumed in the middle (its preparation lives in the run's private directory); anything else
   * is refused before anything runs.
   */
  fromStep: number;
  /** Aborted when the CLI is asked to stop (SIGINT, SIGTERM): the running step is stopped, no further step starts. */
  stop?: AbortSignal;
}

export type StepStatus = "done" | "failed" | "not run" | "skipped";

export interface StepOutcome {
  step: number;
  kind: RestoreStep["kind"];
  /** What the step works on: the base artifact, the merged oplog, the dump directory. */
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
  /** The users the base dump held (set aside, not restored: dump-authz.js); absent for an archive base, whose users mongorestore restores. */
  dumpUsers?: DumpUser[];
}

const FAILED_DOCS = /(\d+) document\(s\) failed to restore/;

export async function executePlan(plan: RestorePlan, options: ExecuteOptions, deps: ExecuteDeps): Promise<ExecutionReport> {
  const started = deps.now();
  const total = plan.steps.length;
  const seconds = () => (deps.now() - started) / 1000;
  const outcomes: StepOutcome[] = plan.steps.map((s) => ({ step: s.step, kind: s.kind, file: stepSubject(s), status: "not run" }));
  if (options.fromStep !== 1) {
    return {
      ok: false,
      phase: "verify",
      steps: outcomes,
      problems: [],
      message: `--from-step ${options.fromStep}: the plan has ${total} step(s), and a restore is one mongorestore process, which cannot resume in the middle; nothing was run`,
      next: "rerun the whole restore with --drop (or into a new, empty replica set)",
      seconds: seconds(),
    };
  }

  const bytes = plan.artifacts.reduce((n, s) => n + s.bytes, 0);
  deps.progress(`verifying ${plan.artifacts.length} artifact(s), ${formatBytes(bytes)}, against their manifests`);
  const problems = await verifyArtifacts(plan.artifacts, options.resolve, deps.inspector, deps.progress);
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
  const merge = deps.mergeOplog ?? mergeOplogFiles;
  let dumpUsers: DumpUser[] | undefined;
  for (const step of plan.steps) {
    const outcome = outcomes[step.step - 1];
    if (options.stop?.aborted) {
      const stateAndNext = afterFailure(step);
      const message = `STOPPED before step ${step.step}/${total} (${stepTitle(plan, step)}): a signal asked the restore to stop. ${stateAndNext.state}`;
      deps.progress(message);
      return { ok: false, phase: "restore", steps: outcomes, problems: [], failedStep: step.step, message, next: stateAndNext.next, seconds: seconds() };
    }
    const stepStarted = deps.now();
    deps.progress(`step ${step.step}/${total}: ${stepTitle(plan, step)}`);
    let why: string | undefined;
    let lastFailure: string | undefined;
    if (step.kind === "merge-oplog") {
      try {
        const r = await merge(step);
        deps.progress(
          `  merged ${r.entries} entries (${r.fromBase} of the dump's own oplog, ${r.fromSlices} from ${step.slices.length} slice(s)); ` +
            `dropped ${r.skippedAtOrBeforeBase} at or before the base's lastTs ${describeTs(step.after)} and ${r.skippedAtOrAfterLimit} at or after the limit` +
            (r.skippedUsersAndRoles ? `; left out ${r.skippedUsersAndRoles} change(s) to users and roles` : ""),
        );
      } catch (e) {
        why = `the oplog could not be merged: ${(e as Error).message}`;
      }
    } else {
      if (step.kind === "unpack") await mkdir(step.into, { recursive: true, mode: 0o700 });
      deps.progress(`  $ ${step.argv.map(shellQuote).join(" ")}`);
      let failedDocs = 0;
      const exit = await deps.run(step.argv, (line) => {
        deps.progress(`  | ${line}`);
        const m = FAILED_DOCS.exec(line);
        if (m) failedDocs = Number(m[1]);
        if (/\bFailed:|\berror\b/i.test(line)) lastFailure = line.trim();
      }, options.stop);
      outcome.exitCode = exit.code;
      why = failureOf(step.argv[0], exit, failedDocs);
      if (why === undefined && step.kind === "unpack") {
        try {
          dumpUsers = (deps.setAsideAuthz ?? setAsideDumpAuthz)(step.authzAside);
          deps.progress(`  set the dump's users and roles aside (${dumpUsers.length} user(s)): the target keeps its own, the reconcile Job re-asserts the managed ones`);
        } catch (e) {
          why = `the dump's users and roles could not be set aside: ${(e as Error).message}`;
        }
      }
    }
    outcome.seconds = (deps.now() - stepStarted) / 1000;
    if (why === undefined) {
      outcome.status = "done";
      deps.progress(
        `step ${step.step}/${total} done in ${formatDuration(outcome.seconds)}` +
          (step.kind === "mongorestore" ? `: the target holds everything up to and including ${describeTs(step.holdsThrough)}` : ""),
      );
      continue;
    }
    outcome.status = "failed";
    const stateAndNext = afterFailure(step);
    const message = `FAILED at step ${step.step}/${total} (${stepTitle(plan, step)}): ${why}${lastFailure ? ` (last error: ${lastFailure})` : ""}. ${stateAndNext.state}`;
    deps.progress(message);
    deps.progress(`next: ${stateAndNext.next}`);
    return { ok: false, phase: "restore", steps: outcomes, problems: [], failedStep: step.step, message, next: stateAndNext.next, seconds: seconds() };
  }
  const message = `restored ${plan.replicaSet} to ${describeTarget(plan.target)} in ${formatDuration(seconds())}`;
  deps.progress(message);
  return { ok: true, phase: "done", steps: outcomes, problems: [], message, seconds: seconds(), ...(dumpUsers ? { dumpUsers } : {}) };
}

function stepSubject(step: RestoreStep): string {
  if (step.kind === "unpack") return step.file;
  if (step.kind === "merge-oplog") return step.out;
  const source = step.argv.find((a) => a.startsWith("--dir=") || a.startsWith("--archive="));
  return source ? source.slice(source.indexOf("=") + 1) : "";
}

export function stepTitle(plan: RestorePlan, step: RestoreStep): string {
  if (step.kind === "unpack") {
    const base = plan.artifacts.find((a) => a.file === step.file);
    return `unpack the base full dump ${step.file}${base ? ` (${formatBytes(base.bytes)})` : ""} and set its users and roles aside`;
  }
  if (step.kind === "merge-oplog") return `merge the dump's oplog and ${step.slices.length} slice(s) after ${describeTs(step.after)}, before the limit ${describeTs(step.limit)}, into one oplog`;
  return `the one mongorestore call: the base dump and the whole oplog replay, up to and including ${describeTs(step.holdsThrough)}`;
}

function failureOf(tool: string, exit: StepExit, failedDocs: number): string | undefined {
  if (exit.spawnError) return `could not start ${tool}: ${exit.spawnError}`;
  if (exit.signal) return `${tool} was killed by ${exit.signal}`;
  if (exit.code !== 0) return `${tool} exited with code ${exit.code}`;
  if (failedDocs > 0) return `${tool} exited 0 but reported ${failedDocs} document(s) that failed to restore`;
  return undefined;
}

/** The target's state after `step` failed, and the way forward. */
function afterFailure(step: RestoreStep): { state: string; next: string } {
  const rerun = "rerun the same command with --drop (or restore into a new, empty replica set)";
  if (step.kind !== "mongorestore") {
    return { state: "Nothing was written to the target: the failure came before the mongorestore call.", next: `fix the cause, then rerun` };
  }
  return {
    state: "The target holds a PARTIAL restore (part of the base dump, possibly part of the oplog) and is NOT usable: one mongorestore call does the whole restore, so there is no point to resume from.",
    next: `fix the cause, then ${rerun}`,
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
