// No apply waits on, or kills, a long Job: hashicorp/kubernetes v2.38.0 sets the Job's ID before
// it waits (resource_kubernetes_job_v1.go, resourceKubernetesJobV1Create), so a wait that ends
// before the Job does leaves it tainted and the next apply deletes and restarts it. Checked on
// every Job of every shipped environment.

import { environments } from "../../config/environments";
import { DEPLOY_JOB_LABEL } from "../../ops/wait-job/job-labels";
import { jobWait, JOB_WAIT_MARGIN_SECONDS, MAX_WAITED_JOB_SECONDS } from "../../stacks/constructs/job-wait";
import { Json, synthDatabase } from "./database-synth";

describe("jobWait", () => {
  it("does not wait for a Job that may run longer than 30 minutes", () => {
    expect(jobWait(MAX_WAITED_JOB_SECONDS + 1)).toEqual({ waitForCompletion: false });
    expect(jobWait(25_200)).toEqual({ waitForCompletion: false });
  });

  it("waits for a shorter one until its deadline plus a margin", () => {
    expect(jobWait(600)).toEqual({ waitForCompletion: true, timeouts: { create: `${600 + JOB_WAIT_MARGIN_SECONDS}s`, update: `${600 + JOB_WAIT_MARGIN_SECONDS}s` } });
    expect(jobWait(MAX_WAITED_JOB_SECONDS).waitForCompletion).toBe(true);
  });

  it("refuses a Job without a deadline: nothing would bound the wait", () => {
    expect(() => jobWait(0)).toThrow("positive activeDeadlineSeconds");
  });
});

describe.each(Object.keys(environments))("the Jobs of %s", (env) => {
  const jobs = Object.entries(synthDatabase(environments[env]).resources("kubernetes_job_v1")) as [string, Json][];

  it("has Jobs to check", () => expect(jobs.length).toBeGreaterThan(0));

  it.each(jobs.map(([id, job]) => [job.metadata.name.replace(/-[0-9a-f]{10}$/, ""), id, job]))("%s: waited for only when short, never past its deadline", (_series, _id, job) => {
    const deadline = job.spec.active_deadline_seconds;
    if (deadline > MAX_WAITED_JOB_SECONDS) {
      expect(job.wait_for_completion).toBe(false);
      expect(job.timeouts).toBeUndefined();
    } else {
      expect(job.wait_for_completion).toBe(true);
      expect(job.timeouts.create).toBe(`${deadline + JOB_WAIT_MARGIN_SECONDS}s`);
    }
  });

  it.each(jobs.map(([id, job]) => [job.metadata.name, id, job]))("%s carries its series label, on the Job only (a pod template change would replace it)", (name, _id, job) => {
    expect(name.startsWith(`${job.metadata.labels[DEPLOY_JOB_LABEL]}-`)).toBe(true);
    expect(job.spec.template.metadata.labels[DEPLOY_JOB_LABEL]).toBeUndefined();
  });
});

it("the reconcile and sharding Jobs are long (hours), so no deploy waits for them", () => {
  const sharded = Object.values(synthDatabase(environments.sharded).resources("kubernetes_job_v1")) as Json[];
  expect(sharded.map((j) => [j.metadata.labels[DEPLOY_JOB_LABEL], j.spec.active_deadline_seconds > 3600, j.wait_for_completion]).sort()).toEqual([
    ["mongodb-cfg-reconcile", true, false],
    ["mongodb-rs0-reconcile", true, false],
    ["mongodb-rs1-reconcile", true, false],
    ["mongodb-sharding", true, false],
  ]);
});
