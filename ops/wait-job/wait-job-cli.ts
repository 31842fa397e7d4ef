// `npm run --silent wait-job -- --namespace <ns>`: waits for the Jobs a deploy started and reports
// their progress and outcome (see WAIT_JOB_HELP). The decisions are job-status.ts's; this file
// polls `kubectl get jobs` and prints. Progress on stderr; the result on stdout (one JSON document
// with --json). Exit codes: 0 every Job completed, 1 a Job failed or kubectl failed, 2 usage
// error, 3 no Job matches the selector, 4 --timeout reached while a Job still runs.

import { spawn } from "node:child_process";
import { exitCodeOf, RunnerError, EXIT_USAGE } from "../../migrations/runner/errors";
import { runAsProcess, type CliIo } from "../../migrations/cli/cli-io";
import { currentJobs, jobProgress, JobProgress, parseJobList, progressKey, renderProgress, WAIT_EXIT, waitDecision } from "./job-status";
import { kubectlArgs, parseWaitJobArgs, WaitJobOptions } from "./wait-job-args";

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when kubectl could not be started at all (not on PATH). */
  spawnError?: string;
}

/** What the CLI touches beyond CliIo: kubectl and the clock. */
export interface WaitJobDeps {
  kubectl(args: string[]): Promise<KubectlResult>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Runs the kubectl on the PATH of `env` (no shell: nothing in argv is interpreted). */
export function runKubectl(args: string[], env: CliIo["env"]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn("kubectl", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let spawnError: string | undefined;
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => (spawnError = e.message));
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), ...(spawnError ? { spawnError } : {}) }),
    );
  });
}

/** The real kubectl and clock; kubectl gets the CLI's environment (PATH, KUBECONFIG). */
export const processDeps = (env: CliIo["env"]): WaitJobDeps => ({
  kubectl: (args) => runKubectl(args, env),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
});

/** After the first answer, kubectl may fail this often in a row before the wait gives up (exit 1). */
export const MAX_KUBECTL_FAILURES_IN_A_ROW = 5;

type Outcome = "complete" | "failed" | "no-job" | "timed-out";

interface WaitResult {
  command: "wait-job";
  ok: boolean;
  outcome: Outcome;
  namespace: string;
  selector: string;
  waitedSeconds: number;
  jobs: JobProgress[];
}

async function listJobs(o: WaitJobOptions, deps: WaitJobDeps): Promise<JobProgress[]> {
  const r = await deps.kubectl(kubectlArgs(o));
  if (r.spawnError) throw new RunnerError(`kubectl could not be started (${r.spawnError}): install it and put it on PATH`, "kubectl");
  // kubectl's last line is its summary ("The connection to the server ... was refused", "Error from server (Forbidden): ...").
  if (r.code !== 0) throw new RunnerError(`kubectl get jobs failed (exit ${r.code}): ${r.stderr.trim().split("\n").pop()}`, "kubectl");
  const now = deps.now();
  return currentJobs(parseJobList(r.stdout)).map((job) => jobProgress(job, now));
}

function summary(result: WaitResult): string {
  const lines = result.jobs.map((p) => `  ${renderProgress(p)}`);
  const failed = result.jobs.filter((p) => p.state === "failed");
  const head: Record<Outcome, string> = {
    complete: `every Job completed (${result.jobs.length})`,
    failed: `${failed.map((p) => p.name).join(", ")} failed; its log: kubectl -n ${result.namespace} logs job/${failed[0]?.name}`,
    "no-job": `no Job in namespace ${result.namespace} matches ${result.selector}`,
    "timed-out": `gave up after ${result.waitedSeconds}s; the Jobs keep running in the cluster`,
  };
  return [`wait-job: ${head[result.outcome]}`, ...lines].join("\n") + "\n";
}

export async function runWaitJobCli(argv: readonly string[], io: CliIo, deps: WaitJobDeps = processDeps(io.env)): Promise<number> {
  let json = argv.includes("--json");
  try {
    const args = parseWaitJobArgs(argv);
    if (args.kind === "help") {
      io.stdout(args.text);
      return WAIT_EXIT.ok;
    }
    json = args.json;
    const started = deps.now();
    const shown = new Map<string, { key: string; at: number }>();
    let polled = false;
    let kubectlFailures = 0;
    for (;;) {
      let progress: JobProgress[];
      try {
        progress = await listJobs(args, deps);
        polled = true;
        kubectlFailures = 0;
      } catch (error) {
        // Once kubectl has answered, an API server blip during an hours-long wait is survived.
        if (!polled || ++kubectlFailures > MAX_KUBECTL_FAILURES_IN_A_ROW) throw error;
        io.stderr(`wait-job: ${(error as Error).message} (failure ${kubectlFailures} of ${MAX_KUBECTL_FAILURES_IN_A_ROW} in a row; polling on)\n`);
        await deps.sleep(args.intervalSeconds * 1000);
        continue;
      }
      const now = deps.now();
      for (const p of progress) {
        const last = shown.get(p.name);
        if (!last || last.key !== progressKey(p) || now - last.at >= args.reportEverySeconds * 1000) {
          io.stderr(`wait-job: ${renderProgress(p)}\n`);
          shown.set(p.name, { key: progressKey(p), at: now });
        }
      }
      const decision = waitDecision(progress);
      const waitedSeconds = Math.round((now - started) / 1000);
      const timedOut = !decision.done && args.timeoutSeconds !== undefined && waitedSeconds >= args.timeoutSeconds;
      if (decision.done || timedOut) {
        const outcome: Outcome = decision.done ? decision.outcome : "timed-out";
        const result: WaitResult = { command: "wait-job", ok: outcome === "complete", outcome, namespace: args.namespace, selector: args.selector, waitedSeconds, jobs: progress };
        io.stdout(json ? JSON.stringify(result) + "\n" : summary(result));
        return decision.done ? decision.exitCode : WAIT_EXIT.timedOut;
      }
      await deps.sleep(args.intervalSeconds * 1000);
    }
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`wait-job: ${message}\n${code === EXIT_USAGE ? "wait-job: see --help\n" : ""}`);
    if (json) io.stdout(JSON.stringify({ command: "wait-job", ok: false, error: { code: error instanceof RunnerError ? error.code : "error", message } }) + "\n");
    return code;
  }
}

if (require.main === module) runAsProcess("wait-job", (argv, io) => runWaitJobCli(argv, io));
