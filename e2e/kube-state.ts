// Reading Kubernetes objects (pure): pods' readiness, a Job's outcome, the nodes' zones, from the
// JSON `kubectl get -o json` prints. Field meanings: https://kubernetes.io/docs/reference/kubernetes-api/
import type { Probe } from "./wait";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface PodJson {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string; uid?: string };
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: Record<string, { reason?: string; message?: string }> }[];
  };
}
export interface JobJson {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
  status?: { conditions?: Condition[]; succeeded?: number; failed?: number; active?: number };
}
export interface NodeJson {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
}
export interface List<T> {
  items: T[];
}

export function isPodReady(pod: PodJson): boolean {
  return !pod.metadata.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Why a pod is not Ready, in one phrase: its phase, a waiting container's reason, or the scheduler's message. */
export function podSummary(pod: PodJson): string {
  const waiting = (pod.status?.containerStatuses ?? []).flatMap((c) => Object.entries(c.state ?? {}).filter(([k]) => k !== "running").map(([k, v]) => `${c.name} ${k}${v.reason ? ` ${v.reason}` : ""}`));
  const unscheduled = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status === "False");
  const parts = [pod.status?.phase ?? "Unknown", ...(pod.metadata.deletionTimestamp ? ["terminating"] : []), ...waiting, ...(unscheduled ? [`unschedulable: ${unscheduled.message ?? unscheduled.reason ?? ""}`] : [])];
  return `${pod.metadata.name} ${isPodReady(pod) ? "Ready" : parts.join(", ")}`;
}

/** Done when at least `count` pods are Ready (and none is terminating), else what each pod is doing. */
export function podsReady(list: List<PodJson>, count: number): Probe<PodJson[]> {
  const ready = list.items.filter(isPodReady);
  if (ready.length >= count && ready.length === list.items.length) return { done: true, value: ready };
  const seen = list.items.length === 0 ? "no pods" : list.items.map(podSummary).join("; ");
  return { done: false, seen: `${ready.length}/${count} Ready: ${seen}` };
}

export type JobOutcome = { state: "complete" } | { state: "failed"; reason: string } | { state: "running"; seen: string };

/** A Job's state from its conditions (Complete / Failed: batch/v1 JobStatus). */
export function jobOutcome(job: JobJson): JobOutcome {
  const conditions = job.status?.conditions ?? [];
  const failed = conditions.find((c) => (c.type === "Failed" || c.type === "FailureTarget") && c.status === "True");
  if (failed) return { state: "failed", reason: `${failed.reason ?? "Failed"}${failed.message ? `: ${failed.message}` : ""}` };
  if (conditions.some((c) => (c.type === "Complete" || c.type === "SuccessCriteriaMet") && c.status === "True")) return { state: "complete" };
  const s = job.status ?? {};
  return { state: "running", seen: `${job.metadata.name}: active ${s.active ?? 0}, succeeded ${s.succeeded ?? 0}, failed ${s.failed ?? 0}` };
}

/** The newest Job of a list (a label selector may match earlier runs' Jobs too). */
export function newestJob(list: List<JobJson>): JobJson | undefined {
  return [...list.items].sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "")).at(-1);
}

export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** The schedulable worker nodes' zones: the required topology spread needs three distinct ones. */
export function nodeZones(list: List<NodeJson>): Map<string, string> {
  const zones = new Map<string, string>();
  for (const n of list.items) {
    const control = (n.spec?.taints ?? []).some((t) => t.key === "node-role.kubernetes.io/control-plane" && t.effect === "NoSchedule");
    const zone = n.metadata.labels?.[ZONE_LABEL];
    if (!control && !n.spec?.unschedulable && zone) zones.set(n.metadata.name, zone);
  }
  return zones;
}
