// One query pattern's verdict from its explain reply, and the verdict of the whole check. Pure.
import type { Document } from "mongodb";
import type { QueryPattern } from "../query-patterns";
import { examinedPerReturned, planProblems, summarizeExplain, type PlanSummary, type QueryCheckThresholds } from "./explain-analysis";

export interface PatternReport extends PlanSummary {
  name: string;
  source: string;
  collection: string;
  filter: Record<string, unknown>;
  sort?: Record<string, 1 | -1>;
  expectedIndex: string;
  /** False when the winning plan reads another index than the catalog meant for this query (a note, not a failure). */
  usesExpectedIndex: boolean;
  examinedPerReturned: number;
  ok: boolean;
  /** Why the pattern fails: collection scan, blocking sort, too much examined. */
  problems: string[];
  notes: string[];
}

export interface QueryCheckReport {
  command: "check-queries";
  database: string;
  mode: "seeded" | "sampled";
  ok: boolean;
  thresholds: QueryCheckThresholds;
  patterns: PatternReport[];
  failed: string[];
  /** Seeded mode: the scratch database was kept (--keep). */
  kept: boolean;
}

export function patternReport(pattern: QueryPattern, explain: Document, thresholds: QueryCheckThresholds): PatternReport {
  const summary = summarizeExplain(explain);
  const problems = planProblems(summary, thresholds);
  const usesExpectedIndex = summary.indexes.includes(pattern.expectedIndex);
  const notes = usesExpectedIndex ? [] : [`the catalog meant index ${pattern.expectedIndex} for this query; the winning plan reads ${summary.indexes.join(", ") || "no index"}`];
  return {
    name: pattern.name,
    source: pattern.source,
    collection: pattern.collection,
    filter: pattern.filter,
    ...(pattern.sort ? { sort: pattern.sort } : {}),
    expectedIndex: pattern.expectedIndex,
    ...summary,
    usesExpectedIndex,
    examinedPerReturned: Math.round(examinedPerReturned(summary) * 100) / 100,
    ok: problems.length === 0,
    problems,
    notes,
  };
}

export function queryCheckReport(
  database: string,
  mode: QueryCheckReport["mode"],
  thresholds: QueryCheckThresholds,
  patterns: PatternReport[],
  kept: boolean,
): QueryCheckReport {
  const failed = patterns.filter((p) => !p.ok).map((p) => p.name);
  return { command: "check-queries", database, mode, ok: failed.length === 0, thresholds, patterns, failed, kept };
}

export function renderQueryCheck(r: QueryCheckReport): string {
  const lines = [`${r.mode === "seeded" ? "seeded scratch database" : "sampled database"} ${r.database}${r.kept ? " (kept)" : ""}; limit ${r.thresholds.maxExaminedPerReturned} examined per document`];
  for (const p of r.patterns) {
    lines.push(`${p.ok ? "ok  " : "FAIL"} ${p.name} (${p.collection})`);
    lines.push(`     plan ${p.plan}`);
    lines.push(`     keys ${p.keysExamined}, docs ${p.docsExamined}, returned ${p.nReturned}${p.matched !== p.nReturned ? ` (matched ${p.matched})` : ""}, blocking sort ${p.blockingSort ? "yes" : "no"}`);
    for (const problem of p.problems) lines.push(`     problem: ${problem}`);
    for (const note of p.notes) lines.push(`     note: ${note}`);
  }
  lines.push(r.ok ? `all ${r.patterns.length} query patterns pass` : `${r.failed.length} of ${r.patterns.length} query patterns fail: ${r.failed.join(", ")}`);
  return lines.join("\n") + "\n";
}
