// The decisions of `wait-job`, as pure functions of what `kubectl get jobs -o json` prints: which
// Jobs are current, how far each has come, and whether the wait is over and with what exit code.
//
// Kubernetes' Job status (batch/v1, kubernetes/api batch/v1/types.go JobStatus and
// JobConditionType; https://kubernetes.io/docs/concepts/workloads/controllers/job/#terminal-job-conditions):
// a Job has finished when a "Complete" or "Failed" condition has status "True". Since 1.31 the
// controller first adds "SuccessCriteriaMet" or "FailureTarget" and the terminal condition only
// once the pods are gone; the outcome is decided at the first, so both count. `active` is the
// number of running pods, `failed` the pods that failed (each a retry, up to spec.backoffLimit),
// `startTime` when the controller started the Job; spec.activeDeadlineSeconds counts from it.
// The provider waits on the same two conditions (resource_kubernetes_job_v1.go,
// retryUntilJobV1IsFinished), so "finished" means the same here and in a waited apply.

import { DEPLOY_JOB_LABEL } from "./job-labels";

/** What this module reads of a Job; everything else kubectl prints is ignored. */
export interface KubeJob {
  metadata: { name: string; namespace?: string; creationTimestamp?: string; labels?: Record<string, string> };
  spec?: { backoffLimit?: number; activeDeadlineSeconds?: number; suspend?: boolean };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export type JobState = "pending" | "running" | "suspended" | "complete" | "failed";

export interface JobProgress {
  name: string;
  /** The Job's series (DEPLOY_JOB_LABEL), or its name when it has none. */
  series: string;
  state: JobState;
  activePods: number;
  failedPods: number;
  /** Kubernetes' default backoffLimit is 6. */
  backoffLimit: number;
  elapsedSeconds?: number;
  deadlineSeconds?: number;
  /** The terminal condition's reason and message (e.g. DeadlineExceeded, BackoffLimitExceeded). */
  reason?: string;
  message?: string;
}

/** `kubectl get jobs -o json` prints a List; anything else is not what was asked for. */
export function parseJobList(text: string): KubeJob[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("kubectl printed something that is not JSON");
  }
  const list = parsed as { kind?: string; items?: unknown };
  if (!list || !Array.isArray(list.items)) throw new Error(`kubectl printed ${list?.kind ?? "a document"} without items, not a list of Jobs`);
  for (const item of list.items as KubeJob[]) {
    if (typeof item?.metadata?.name !== "string") throw new Error("kubectl printed a Job without metadata.name");
  }
  return list.items as KubeJob[];
}

const seriesOf = (job: KubeJob) => job.metadata.labels?.[DEPLOY_JOB_LABEL] ?? job.metadata.name;

/**
 * The Jobs to wait for: the newest of each series. Older Jobs of a series are earlier desired
 * states that stay in the cluster (no TTL: a deleted Job would be run again by the next apply).
 */
export function currentJobs(jobs: KubeJob[]): KubeJob[] {
  const newest = new Map<string, KubeJob>();
  for (const job of jobs) {
    const seen = newest.get(seriesOf(job));
    const key = (j: KubeJob) => `${j.metadata.creationTimestamp ?? ""}\0${j.metadata.name}`;
    if (!seen || key(job) > key(seen)) newest.set(seriesOf(job), job);
  }
  return [...newest.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

const isTrue = (job: KubeJob, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === "True");

export function jobProgress(job: KubeJob, nowMs: number): JobProgress {
  const status = job.status ?? {};
  const failedCondition = isTrue(job, "Failed") ?? isTrue(job, "FailureTarget");
  const complete = isTrue(job, "Complete") ?? isTrue(job, "SuccessCriteriaMet");
  let state: JobState;
  if (failedCondition) state = "failed";
  else if (complete) state = "complete";
  else if (job.spec?.suspend || isTrue(job, "Suspended")) state = "suspended";
  else if ((status.active ?? 0) > 0) state = "running";
  else state = "pending";
  const start = status.startTime ? Date.parse(status.startTime) : NaN;
  const end = status.completionTime ? Date.parse(status.completionTime) : nowMs;
  return {
    name: job.metadata.name,
    series: seriesOf(job),
    state,
    activePods: status.active ?? 0,
    failedPods: status.failed ?? 0,
    backoffLimit: job.spec?.backoffLimit ?? 6,
    ...(Number.isFinite(start) ? { elapsedSeconds: Math.max(0, Math.round((end - start) / 1000)) } : {}),
    ...(job.spec?.activeDeadlineSeconds !== undefined ? { deadlineSeconds: job.spec.activeDeadlineSeconds } : {}),
    ...(failedCondition?.reason ? { reason: failedCondition.reason } : {}),
    ...(failedCondition?.message ? { message: failedCondition.message } : {}),
  };
}

export const WAIT_EXIT = { ok: 0, failed: 1, usage: 2, noJob: 3, timedOut: 4 } as const;

export type WaitDecision = { done: false } | { done: true; exitCode: number; outcome: "complete" | "failed" | "no-job" };

/** Over when a Job failed (exit 1), every Job completed (0), or none matched (3); otherwise wait on. */
export function waitDecision(progress: JobProgress[]): WaitDecision {
  if (progress.length === 0) return { done: true, exitCode: WAIT_EXIT.noJob, outcome: "no-job" };
  if (progress.some((p) => p.state === "failed")) return { done: true, exitCode: WAIT_EXIT.failed, outcome: "failed" };
  if (progress.every((p) => p.state === "complete")) return { done: true, exitCode: WAIT_EXIT.ok, outcome: "complete" };
  return { done: false };
}

/** 90 → "1m30s", 25200 → "7h". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h ? `${h}h` : "", m ? `${m}m` : "", s || (!h && !m) ? `${s}s` : ""];
  return parts.join("");
}

/** One line for a person: "mongodb-rs0-reconcile-0123456789: running, 1 pod, 1 of 2 retries used, 12m of 7h deadline". */
export function renderProgress(p: JobProgress): string {
  const parts: string[] = [p.state];
  if (p.activePods) parts.push(`${p.activePods} pod${p.activePods === 1 ? "" : "s"} active`);
  // The Job controller fails a Job once more pods failed than backoffLimit (job_controller.go, exceedsBackoffLimit).
  if (p.failedPods) parts.push(`${p.failedPods} pod${p.failedPods === 1 ? "" : "s"} failed (the Job fails at ${p.backoffLimit + 1})`);
  if (p.elapsedSeconds !== undefined) parts.push(p.deadlineSeconds !== undefined ? `${formatDuration(p.elapsedSeconds)} of ${formatDuration(p.deadlineSeconds)} deadline` : formatDuration(p.elapsedSeconds));
  if (p.reason) parts.push(`${p.reason}${p.message ? `: ${p.message}` : ""}`);
  return `${p.name}: ${parts.join(", ")}`;
}

/** What a progress line shows, less the clock: a new line is due when this changes. */
export function progressKey(p: JobProgress): string {
  return `${p.name}|${p.state}|${p.activePods}|${p.failedPods}`;
}
