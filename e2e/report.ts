// The run's record (pure): one entry per step with its time, the failure and the pods whose logs
// were collected, the measurements; printed as a table and, with --json, written as a file.
import { formatDuration } from "./wait";

export type StepStatus = "passed" | "failed" | "not run";

export interface StepRecord {
  id: string;
  title: string;
  status: StepStatus;
  durationMs?: number;
  /** The failure, as printed. */
  error?: string;
  /** Pods whose last log lines were printed (namespace/name), and the files holding their logs. */
  logs?: { pod: string; file?: string }[];
  /** What the step measured, e.g. failover.unwritableMs.graceful. */
  measurements?: Record<string, number | string>;
}

export interface E2eReport {
  /** Bumped when a field changes meaning. */
  schemaVersion: 1;
  result: "passed" | "failed" | "prerequisites-missing";
  startedAt: string;
  durationMs: number;
  cluster: { context: string; createdByRun: boolean; kept: boolean } | null;
  failedStep?: string;
  steps: StepRecord[];
}

export function formatTable(steps: readonly StepRecord[]): string {
  const rows = steps.map((s) => [s.id, s.status, s.durationMs === undefined ? "-" : formatDuration(s.durationMs), s.title]);
  const header = ["step", "result", "time", "what"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const measured = steps.flatMap((s) => Object.entries(s.measurements ?? {}).map(([k, v]) => `  ${s.id}.${k}: ${typeof v === "number" ? formatDuration(v) : v}`));
  if (measured.length) out.push("", "measured:", ...measured);
  return out.join("\n") + "\n";
}

export function summaryLine(report: E2eReport): string {
  if (report.result === "passed") return `e2e: passed, ${report.steps.filter((s) => s.status === "passed").length} step(s) in ${formatDuration(report.durationMs)}\n`;
  if (report.result === "prerequisites-missing") return "e2e: prerequisites missing\n";
  return `e2e: FAILED at step ${report.failedStep} after ${formatDuration(report.durationMs)}\n`;
}
