// Whether `cdktf deploy` waits for a Job, and for how long.
//
// hashicorp/kubernetes v2.38.0, kubernetes/resource_kubernetes_job_v1.go: Create submits the Job
// and calls d.SetId before it waits (resourceKubernetesJobV1Create, `d.SetId(buildId(...))`, then
// `retry.RetryContext(ctx, d.Timeout(schema.TimeoutCreate), retryUntilJobV1IsFinished(...))`).
// When the timeout ends first the apply fails with the ID set, so Terraform records the Job as
// tainted, and the next apply deletes the still-running Job and creates it again. Waiting as long
// as the Job may run would hold the state lock for hours. So a Job that may run longer than
// MAX_WAITED_JOB_SECONDS is not waited for (`wait_for_completion = false`: Create then only
// reads the Job back); the operator waits with `npm run wait-job` (ops/wait-job/). A shorter Job
// is waited for, with a timeout of its deadline plus a margin: the Job ends (Complete or Failed,
// which retryUntilJobV1IsFinished both treat as finished) before Terraform stops waiting.

/** Jobs whose deadline is longer than this are not waited for inside `apply`. */
export const MAX_WAITED_JOB_SECONDS = 30 * 60;
/** Beyond a waited Job's deadline: the Job controller's own reaction time and pod termination. */
export const JOB_WAIT_MARGIN_SECONDS = 5 * 60;

export interface JobWait {
  waitForCompletion: boolean;
  timeouts?: { create: string; update: string };
}

export function jobWait(activeDeadlineSeconds: number): JobWait {
  if (!Number.isInteger(activeDeadlineSeconds) || activeDeadlineSeconds <= 0) throw new Error(`a Job needs a positive activeDeadlineSeconds, got ${activeDeadlineSeconds}`);
  if (activeDeadlineSeconds > MAX_WAITED_JOB_SECONDS) return { waitForCompletion: false };
  // Go's time.ParseDuration syntax, as Terraform reads timeouts.
  const timeout = `${activeDeadlineSeconds + JOB_WAIT_MARGIN_SECONDS}s`;
  return { waitForCompletion: true, timeouts: { create: timeout, update: timeout } };
}
