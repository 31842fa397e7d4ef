// Pod logs of a failed step (pure parts): which pods, the last lines of each container, and the
// block printed under the failure. The kubectl calls are in e2e/kube.ts.

export const TAIL_LINES = 50;

/** Pods to collect logs from: a namespace and a label selector (never a generated Job or pod name). */
export interface PodSet {
  namespace: string;
  selector: string;
}

export function selectorOf(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** The last `n` lines of a log (without a trailing empty line). */
export function tailLines(text: string, n = TAIL_LINES): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.slice(-n);
}

export interface ContainerLog {
  namespace: string;
  pod: string;
  container: string;
  /** The log, or why it could not be read. */
  text: string;
  error?: string;
}

/** The block printed after a failure: each container's last lines, prefixed so they stand apart. */
export function formatLogs(logs: readonly ContainerLog[], n = TAIL_LINES): string {
  if (logs.length === 0) return "  (no pods of this step were found)\n";
  return logs
    .map((l) => {
      const head = `--- ${l.namespace}/${l.pod} [${l.container}] last ${n} lines${l.error ? ` (could not read: ${l.error})` : ""}\n`;
      return head + tailLines(l.text, n).map((line) => `  | ${line}\n`).join("");
    })
    .join("");
}

/** A file name for a container's full log under --logs-dir. */
export function logFileName(l: Pick<ContainerLog, "namespace" | "pod" | "container">): string {
  return `${l.namespace}_${l.pod}_${l.container}.log`.replace(/[^A-Za-z0-9._-]/g, "_");
}
