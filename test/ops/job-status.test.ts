// wait-job's decisions against `kubectl get jobs -o json` output (fixtures/: batch/v1 Job lists
// as kubectl prints them, with the conditions Kubernetes 1.31+ sets, hand-written to the API's
// shape: no cluster runs here).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { currentJobs, formatDuration, jobProgress, parseJobList, renderProgress, waitDecision } from "../../ops/wait-job/job-status";

const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", `${name}.json`), "utf8");
const NOW = Date.parse("2026-12-05T10:12:30Z");
const progressOf = (name: string) => currentJobs(parseJobList(fixture(name))).map((job) => jobProgress(job, NOW));

describe("which Jobs are waited for", () => {
  it("the newest of each series: an earlier desired state's finished Job is not the one running now", () => {
    expect(currentJobs(parseJobList(fixture("running"))).map((j) => j.metadata.name)).toEqual(["mongodb-rs0-reconcile-5f6a7b8c9d"]);
  });

  it("one per series in a sharded cluster", () => {
    expect(progressOf("sharded-one-failed").map((p) => p.series)).toEqual(["mongodb-cfg-reconcile", "mongodb-rs0-reconcile", "mongodb-sharding"]);
  });

  it("refuses output that is not a list of Jobs", () => {
    expect(() => parseJobList("error: You must be logged in")).toThrow("not JSON");
    expect(() => parseJobList('{"kind":"Job","metadata":{"name":"x"}}')).toThrow("Job without items");
  });
});

describe("a Job's progress", () => {
  it("pending before the controller starts a pod", () => {
    expect(progressOf("pending")[0]).toMatchObject({ state: "pending", activePods: 0 });
  });

  it("running: pods, and time against the deadline", () => {
    const [p] = progressOf("running");
    expect(p).toMatchObject({ state: "running", activePods: 1, failedPods: 0, elapsedSeconds: 750, deadlineSeconds: 25200 });
    expect(renderProgress(p)).toBe("mongodb-rs0-reconcile-5f6a7b8c9d: running, 1 pod active, 12m30s of 7h deadline");
  });

  it("a retry shows the failed pod and when the Job fails (backoffLimit + 1)", () => {
    expect(renderProgress(progressOf("retrying")[0])).toBe("mongodb-rs0-reconcile-5f6a7b8c9d: running, 1 pod active, 1 pod failed (the Job fails at 3), 12m30s of 7h deadline");
  });

  it("complete: elapsed is up to completionTime", () => {
    expect(progressOf("complete")[0]).toMatchObject({ state: "complete", elapsedSeconds: 2470 });
  });

  it("failed as soon as FailureTarget is set (1.31+), with the reason, while its pod still terminates", () => {
    const [p] = progressOf("deadline-exceeded");
    expect(p).toMatchObject({ state: "failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" });
  });

  it("failed by backoff limit", () => {
    const sharding = progressOf("sharded-one-failed").find((p) => p.series === "mongodb-sharding");
    expect(sharding).toMatchObject({ state: "failed", failedPods: 7, backoffLimit: 6, reason: "BackoffLimitExceeded" });
  });

  it("a condition with status False decides nothing", () => {
    const [job] = currentJobs(parseJobList(fixture("running")));
    job.status!.conditions = [{ type: "Failed", status: "False" }, { type: "Complete", status: "Unknown" }];
    expect(jobProgress(job, NOW).state).toBe("running");
  });

  it("suspended", () => {
    const [job] = currentJobs(parseJobList(fixture("pending")));
    job.spec!.suspend = true;
    expect(jobProgress(job, NOW).state).toBe("suspended");
  });
});

describe("when the wait is over", () => {
  it.each([
    ["pending", { done: false }],
    ["running", { done: false }],
    ["retrying", { done: false }],
    ["complete", { done: true, exitCode: 0, outcome: "complete" }],
    ["deadline-exceeded", { done: true, exitCode: 1, outcome: "failed" }],
    // One failed Job ends the wait though another still runs: the deploy needs a person now.
    ["sharded-one-failed", { done: true, exitCode: 1, outcome: "failed" }],
    ["empty", { done: true, exitCode: 3, outcome: "no-job" }],
  ])("%s", (name, decision) => {
    expect(waitDecision(progressOf(name))).toEqual(decision);
  });
});

it("formats durations as a person reads them", () => {
  expect([0, 59, 90, 3600, 25200, 5430].map(formatDuration)).toEqual(["0s", "59s", "1m30s", "1h", "7h", "1h30m30s"]);
});
