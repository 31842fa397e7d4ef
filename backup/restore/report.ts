// What the restore CLI prints: plans, windows and run reports, for humans and as JSON.

import type { CatalogEntry } from "../manifest";
import { describeTs, formatTs, Timestamp, tsSecondIso } from "../timestamp";
import type { RestoreWindow } from "./chain";
import type { ExecutionReport } from "./executor";
import type { RestorePlan } from "./planner";
import { describeTarget } from "./target";
import { ArtifactProblem, formatBytes } from "./verify-artifacts";

const tsJson = (ts: Timestamp) => ({ t: ts.t, i: ts.i, iso: tsSecondIso(ts) });
const windowJson = (w: RestoreWindow) => ({ from: tsJson(w.from), to: tsJson(w.to) });

export function planJson(plan: RestorePlan, verification?: ArtifactProblem[]): object {
  return {
    replicaSet: plan.replicaSet,
    target: { mode: plan.target.mode, input: plan.target.input, lastIncluded: tsJson(plan.target.lastIncluded), oplogLimit: formatTs(plan.target.limit) },
    base: plan.base,
    slices: plan.slices,
    oplogLimit: plan.oplogLimit,
    window: windowJson(plan.window),
    steps: plan.steps.map((s) => ({
      step: s.step,
      kind: s.kind,
      file: s.file,
      manifest: s.manifestPath,
      bytes: s.bytes,
      sha256: s.sha256,
      holdsThrough: tsJson(s.holdsThrough),
      argv: s.argv,
    })),
    ...(verification ? { verification: { ok: verification.length === 0, problems: verification } } : {}),
  };
}

export function planText(plan: RestorePlan): string {
  const total = plan.steps.length;
  const base = plan.steps[0];
  const sliceBytes = plan.steps.slice(1).reduce((n, s) => n + s.bytes, 0);
  const lines = [
    `Restore plan for replica set ${plan.replicaSet}`,
    `  target:  ${describeTarget(plan.target)}`,
    `  window:  ${describeTs(plan.window.from)} .. ${describeTs(plan.window.to)}`,
    `  base:    ${plan.base} (${formatBytes(base.bytes)}), restores to ${describeTs(base.holdsThrough)}`,
    `  slices:  ${plan.slices.length === 0 ? "none (the target is the dump's own point)" : `${plan.slices.length} (${formatBytes(sliceBytes)}): ${plan.slices[0]}${plan.slices.length > 1 ? ` .. ${plan.slices[plan.slices.length - 1]}` : ""}`}`,
    `  steps (one mongorestore call each, in order):`,
  ];
  for (const s of plan.steps) {
    lines.push(`    ${s.step}/${total}  ${s.kind === "full" ? "base dump  " : "oplog slice"} ${s.file} → through ${describeTs(s.holdsThrough)}`);
    lines.push(`          ${s.argv.join(" ")}`);
  }
  return lines.join("\n");
}

export function windowsJson(replicaSet: string, entries: CatalogEntry[], windows: RestoreWindow[]): object {
  return {
    replicaSet,
    fullDumps: entries.filter((e) => e.kind === "full").length,
    oplogSlices: entries.filter((e) => e.kind === "oplog").length,
    windows: windows.map(windowJson),
  };
}

export function windowsText(replicaSet: string, entries: CatalogEntry[], windows: RestoreWindow[]): string {
  const dumps = entries.filter((e) => e.kind === "full").length;
  const slices = entries.length - dumps;
  const lines = [`Replica set ${replicaSet}: ${dumps} full dump(s), ${slices} oplog slice(s)`];
  if (windows.length === 0) {
    lines.push("No restore window: the catalog has no full dump.");
    return lines.join("\n");
  }
  lines.push("Restore windows (inclusive: --to any point inside one):");
  for (const w of windows) lines.push(`  ${describeTs(w.from)}  ..  ${describeTs(w.to)}`);
  for (let k = 1; k < windows.length; k++) {
    lines.push(`Gap: nothing between ${describeTs(windows[k - 1].to)} and ${describeTs(windows[k].from)} can be restored (the oplog chain broke there).`);
  }
  return lines.join("\n");
}

export function executionJson(plan: RestorePlan, report: ExecutionReport): object {
  return {
    ok: report.ok,
    phase: report.phase,
    replicaSet: plan.replicaSet,
    target: { mode: plan.target.mode, input: plan.target.input, oplogLimit: plan.oplogLimit },
    seconds: report.seconds,
    steps: report.steps,
    ...(report.failedStep !== undefined ? { failedStep: report.failedStep } : {}),
    ...(report.problems.length > 0 ? { problems: report.problems } : {}),
    message: report.message,
    ...(report.next ? { next: report.next } : {}),
  };
}
