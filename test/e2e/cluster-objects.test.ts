import { kindConfigYaml, kindContext } from "../../e2e/kind-config";
import { jobOutcome, newestJob, nodeZones, podsReady, PodJson } from "../../e2e/kube-state";
import { formatLogs, logFileName, selectorOf, tailLines } from "../../e2e/logs";
import { E2eReport, formatTable, StepRecord, summaryLine } from "../../e2e/report";

const pod = (name: string, ready: boolean, extra: Partial<PodJson> = {}): PodJson => ({
  metadata: { name },
  status: ready ? { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } : { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/4 nodes are available: 1 node(s) had volume node affinity conflict" }] },
  ...extra,
});

describe("pods, Jobs and nodes as kubectl get -o json shows them", () => {
  it("pods are Ready only when enough are Ready and none is terminating; otherwise says why", () => {
    expect(podsReady({ items: [pod("a", true), pod("b", true)] }, 2).done).toBe(true);
    const notYet = podsReady({ items: [pod("a", true), pod("b", false)] }, 2);
    expect(notYet).toEqual({ done: false, seen: "1/2 Ready: a Ready; b Pending, unschedulable: 0/4 nodes are available: 1 node(s) had volume node affinity conflict" });
    const terminating = podsReady({ items: [pod("a", true), pod("b", true, { metadata: { name: "b", deletionTimestamp: "2026-01-01T00:00:00Z" } })] }, 2);
    expect(terminating.done).toBe(false);
    expect(podsReady({ items: [] }, 1)).toEqual({ done: false, seen: "0/1 Ready: no pods" });
    const crashing = pod("c", false, { status: { phase: "Running", containerStatuses: [{ name: "mongod", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }] } });
    expect(podsReady({ items: [crashing] }, 1)).toEqual({ done: false, seen: "0/1 Ready: c Running, mongod waiting CrashLoopBackOff" });
  });

  it("a Job is complete, failed (with its reason) or running", () => {
    expect(jobOutcome({ metadata: { name: "j" }, status: { conditions: [{ type: "Complete", status: "True" }] } })).toEqual({ state: "complete" });
    expect(jobOutcome({ metadata: { name: "j" }, status: { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] } })).toEqual({
      state: "failed",
      reason: "BackoffLimitExceeded: Job has reached the specified backoff limit",
    });
    expect(jobOutcome({ metadata: { name: "j" }, status: { active: 1 } })).toEqual({ state: "running", seen: "j: active 1, succeeded 0, failed 0" });
    const newest = newestJob({ items: [{ metadata: { name: "new", creationTimestamp: "2026-01-02T00:00:00Z" } }, { metadata: { name: "old", creationTimestamp: "2026-01-01T00:00:00Z" } }] });
    expect(newest?.metadata.name).toBe("new");
  });

  it("zones of the schedulable workers, without the control plane and cordoned nodes", () => {
    const zones = nodeZones({
      items: [
        { metadata: { name: "cp", labels: { "topology.kubernetes.io/zone": "zone-x" } }, spec: { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } },
        { metadata: { name: "w1", labels: { "topology.kubernetes.io/zone": "zone-a" } } },
        { metadata: { name: "w2", labels: { "topology.kubernetes.io/zone": "zone-b" } }, spec: { unschedulable: true } },
        { metadata: { name: "w3", labels: {} } },
      ],
    });
    expect([...zones]).toEqual([["w1", "zone-a"]]);
  });
});

describe("the kind cluster", () => {
  it("has a control plane and three workers, each in its own zone", () => {
    const yaml = kindConfigYaml();
    expect(yaml).toBe(
      [
        "kind: Cluster",
        "apiVersion: kind.x-k8s.io/v1alpha4",
        "nodes:",
        "  - role: control-plane",
        "  - role: worker",
        "    labels:",
        "      topology.kubernetes.io/zone: zone-a",
        "  - role: worker",
        "    labels:",
        "      topology.kubernetes.io/zone: zone-b",
        "  - role: worker",
        "    labels:",
        "      topology.kubernetes.io/zone: zone-c",
        "",
      ].join("\n"),
    );
    expect(kindContext("nyrkio-e2e")).toBe("kind-nyrkio-e2e");
  });
});

describe("log collection", () => {
  it("keeps the last 50 lines and prints them under the pod and container", () => {
    const text = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const tail = tailLines(text);
    expect(tail).toHaveLength(50);
    expect(tail[0]).toBe("line 71");
    expect(tail[49]).toBe("line 120");
    const printed = formatLogs([{ namespace: "ns", pod: "mongodb-rs0-0", container: "mongod", text }]);
    expect(printed.split("\n")[0]).toBe("--- ns/mongodb-rs0-0 [mongod] last 50 lines");
    expect(printed.split("\n")).toHaveLength(52);
    expect(formatLogs([{ namespace: "ns", pod: "p", container: "c", text: "", error: "container not started" }])).toBe("--- ns/p [c] last 50 lines (could not read: container not started)\n");
    expect(formatLogs([])).toMatch(/no pods/);
    expect(logFileName({ namespace: "ns", pod: "p/0", container: "c" })).toBe("ns_p_0_c.log");
    expect(selectorOf({ a: "1", "b.io/c": "d" })).toBe("a=1,b.io/c=d");
  });
});

describe("the report", () => {
  const steps: StepRecord[] = [
    { id: "cluster", title: "make it", status: "passed", durationMs: 61_500 },
    { id: "failover", title: "kill it", status: "failed", durationMs: 900, error: "boom", measurements: { "graceful.unwritableMs": 4200 } },
    { id: "restore", title: "restore it", status: "not run" },
  ];
  it("prints a table of steps and times, and the measurements", () => {
    expect(formatTable(steps)).toBe(
      [
        "step      result   time     what",
        "--------  -------  -------  ----------",
        "cluster   passed   1m01.5s  make it",
        "failover  failed   900ms    kill it",
        "restore   not run  -        restore it",
        "",
        "measured:",
        "  failover.graceful.unwritableMs: 4.2s",
        "",
      ].join("\n"),
    );
  });
  it("ends with one line naming the failed step", () => {
    const report: E2eReport = { schemaVersion: 1, result: "failed", startedAt: "", durationMs: 62_400, cluster: null, failedStep: "failover", steps };
    expect(summaryLine(report)).toBe("e2e: FAILED at step failover after 1m02.4s\n");
    expect(summaryLine({ ...report, result: "passed" })).toBe("e2e: passed, 1 step(s) in 1m02.4s\n");
  });
});
