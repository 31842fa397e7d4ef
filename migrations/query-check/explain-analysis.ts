// Reads an `explain("executionStats")` reply and says what a platform engineer needs to know:
// the winning plan as a short stage tree, the indexes it used, keys and documents examined,
// documents returned, and whether it scanned the collection or sorted in memory.
//
// The reply comes in several shapes, all handled here:
// - find, classic engine (explainVersion "1"): queryPlanner.winningPlan is the stage tree;
// - find or aggregate on the slot-based engine (explainVersion "2", MongoDB 7/8):
//   queryPlanner.winningPlan = { queryPlan: <stage tree>, slotBasedPlan: {...} } and
//   executionStats.executionStages is the SBE tree (lower-case stage names);
// - aggregate not fully pushed down: `stages: [{ $cursor: { queryPlanner, executionStats } },
//   { $lookup: ... }, { $sort: ... }]`;
// - sharded: queryPlanner.winningPlan.shards[] (find) or `shards: { name: <explain> }` (aggregate).
import type { Document } from "mongodb";

export interface PlanSummary {
  engine: "classic" | "sbe";
  /** The winning plan: "FETCH > IXSCAN(index)" reads "FETCH reads from IXSCAN"; "|" separates pipeline stages. */
  plan: string;
  /** Every stage of the winning plan(s) and pipeline, root first. */
  stages: string[];
  /** Names of the indexes the winning plan reads. */
  indexes: string[];
  collectionScan: boolean;
  /** A sort done in memory (SORT stage or a `$sort` pipeline stage), not read in index order. */
  blockingSort: boolean;
  keysExamined: number;
  docsExamined: number;
  /** Documents the query returned (for a pipeline: what its last stage returned). */
  nReturned: number;
  /** Documents the index/collection access handed on (the input of a GROUP): the basis of the examined ratio. */
  matched: number;
}

export interface QueryCheckThresholds {
  /** Keys or documents examined per document matched above which a plan is flagged. */
  maxExaminedPerReturned: number;
}

export const DEFAULT_THRESHOLDS: QueryCheckThresholds = { maxExaminedPerReturned: 10 };

const CHILD_FIELDS = ["inputStage", "inputStages", "thenStage", "elseStage", "outerStage", "innerStage", "child", "leftChild", "rightChild"];

function isObject(value: unknown): value is Document {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  if (typeof value === "number") return value;
  // Int64 / Long from a driver that does not promote them.
  if (isObject(value) && typeof (value as { toNumber?: unknown }).toNumber === "function") return (value as { toNumber(): number }).toNumber();
  return 0;
}

/** The stage tree of a winning plan, whichever engine produced it. */
function planRoot(winningPlan: Document): Document {
  return isObject(winningPlan.queryPlan) ? winningPlan.queryPlan : winningPlan;
}

function children(node: Document): Document[] {
  const out: Document[] = [];
  for (const field of CHILD_FIELDS) {
    const value = node[field];
    if (Array.isArray(value)) out.push(...value.filter(isObject));
    else if (isObject(value)) out.push(value);
  }
  // Sharded find: the merge stage lists each shard's own winning plan.
  if (Array.isArray(node.shards)) {
    for (const shard of node.shards.filter(isObject)) {
      if (isObject(shard.winningPlan)) out.push(planRoot(shard.winningPlan));
      else if (isObject(shard.executionStages)) out.push(shard.executionStages);
    }
  }
  return out;
}

function stageName(node: Document): string {
  return String(node.stage ?? node.nodeType ?? "?");
}

function walk(node: Document, visit: (n: Document) => void): void {
  visit(node);
  for (const c of children(node)) walk(c, visit);
}

function renderTree(node: Document): string {
  const index = typeof node.indexName === "string" ? `(${node.indexName}${node.direction === "backward" ? ", backward" : ""})` : "";
  const name = stageName(node) + index;
  const kids = children(node);
  if (kids.length === 0) return name;
  if (kids.length === 1) return `${name} > ${renderTree(kids[0])}`;
  return `${name}[${kids.map(renderTree).join(" ; ")}]`;
}

/** One query-layer part of an explain: a plan tree and its execution statistics. */
interface QueryPart {
  tree: Document;
  stats: Document;
  sbe: boolean;
}

function queryPartOf(container: Document): QueryPart | undefined {
  const planner = container.queryPlanner;
  if (!isObject(planner) || !isObject(planner.winningPlan)) return undefined;
  const winning = planner.winningPlan;
  return {
    tree: planRoot(winning),
    stats: isObject(container.executionStats) ? container.executionStats : {},
    sbe: isObject(winning.queryPlan) || isObject(winning.slotBasedPlan),
  };
}

/** Input count of the first group stage of an execution tree (SBE pushes $group down). */
function groupInput(executionStages: unknown): number | undefined {
  if (!isObject(executionStages)) return undefined;
  let found: number | undefined;
  walk(executionStages, (n) => {
    if (found === undefined && stageName(n).toUpperCase() === "GROUP") {
      const input = children(n)[0];
      if (input) found = num(input.nReturned);
    }
  });
  return found;
}

interface Partial {
  trees: string[];
  stages: string[];
  indexes: string[];
  collectionScan: boolean;
  blockingSort: boolean;
  keysExamined: number;
  docsExamined: number;
  nReturned: number;
  matched: number;
  sbe: boolean;
}

function analyzeQueryPart(part: QueryPart): Partial {
  const stages: string[] = [];
  const indexes: string[] = [];
  let hasGroup = false;
  walk(part.tree, (n) => {
    const name = stageName(n);
    stages.push(name);
    if (typeof n.indexName === "string" && !indexes.includes(n.indexName)) indexes.push(n.indexName);
    if (name === "GROUP") hasGroup = true;
  });
  const nReturned = num(part.stats.nReturned);
  const matched = hasGroup ? groupInput(part.stats.executionStages) ?? nReturned : nReturned;
  return {
    trees: [renderTree(part.tree)],
    stages,
    indexes,
    collectionScan: stages.includes("COLLSCAN"),
    blockingSort: stages.includes("SORT"),
    keysExamined: num(part.stats.totalKeysExamined),
    docsExamined: num(part.stats.totalDocsExamined),
    nReturned,
    matched,
    sbe: part.sbe,
  };
}

function pipelineStageName(stage: Document): string {
  return Object.keys(stage).find((k) => k.startsWith("$")) ?? "?";
}

/** An aggregate explain with a `stages` array: a $cursor part, then the stages that ran above it. */
function analyzePipeline(stagesList: Document[]): Partial {
  const [first, ...rest] = stagesList;
  const cursor = first && isObject(first.$cursor) ? queryPartOf(first.$cursor) : undefined;
  const base: Partial = cursor
    ? analyzeQueryPart(cursor)
    : { trees: [], stages: [], indexes: [], collectionScan: false, blockingSort: false, keysExamined: 0, docsExamined: 0, nReturned: 0, matched: 0, sbe: false };
  const above = cursor ? rest : stagesList;
  const names = above.map(pipelineStageName);
  const last = above[above.length - 1];
  const lookupScans = above.some((s) => num(s.collectionScans) > 0);
  return {
    ...base,
    trees: [[...(base.trees.length ? [`[${base.trees.join(" ; ")}]`] : []), ...names].join(" | ")],
    stages: [...base.stages, ...names],
    collectionScan: base.collectionScan || lookupScans,
    blockingSort: base.blockingSort || names.includes("$sort"),
    nReturned: last && last.nReturned !== undefined ? num(last.nReturned) : base.nReturned,
  };
}

function analyzeNode(explain: Document): Partial {
  // Sharded aggregate: one explain per shard.
  if (isObject(explain.shards) && !Array.isArray(explain.shards)) {
    const parts = Object.values(explain.shards).filter(isObject).map(analyzeNode);
    return mergeParts(parts);
  }
  if (Array.isArray(explain.stages)) return analyzePipeline(explain.stages.filter(isObject));
  const part = queryPartOf(explain);
  if (!part) throw new Error("not an explain reply: no queryPlanner.winningPlan and no stages");
  return analyzeQueryPart(part);
}

function mergeParts(parts: Partial[]): Partial {
  return {
    trees: parts.flatMap((p) => p.trees),
    stages: parts.flatMap((p) => p.stages),
    indexes: [...new Set(parts.flatMap((p) => p.indexes))],
    collectionScan: parts.some((p) => p.collectionScan),
    blockingSort: parts.some((p) => p.blockingSort),
    keysExamined: parts.reduce((s, p) => s + p.keysExamined, 0),
    docsExamined: parts.reduce((s, p) => s + p.docsExamined, 0),
    nReturned: parts.reduce((s, p) => s + p.nReturned, 0),
    matched: parts.reduce((s, p) => s + p.matched, 0),
    sbe: parts.some((p) => p.sbe),
  };
}

export function summarizeExplain(explain: Document): PlanSummary {
  const p = analyzeNode(explain);
  return {
    engine: p.sbe || explain.explainVersion === "2" ? "sbe" : "classic",
    plan: p.trees.join(" ; "),
    stages: p.stages,
    indexes: p.indexes,
    collectionScan: p.collectionScan,
    blockingSort: p.blockingSort,
    keysExamined: p.keysExamined,
    docsExamined: p.docsExamined,
    nReturned: p.nReturned,
    matched: p.matched,
  };
}

export function examinedPerReturned(s: Pick<PlanSummary, "keysExamined" | "docsExamined" | "matched">): number {
  return Math.max(s.keysExamined, s.docsExamined) / Math.max(s.matched, 1);
}

/** Why a plan fails the check; empty when it passes. */
export function planProblems(s: PlanSummary, thresholds: QueryCheckThresholds = DEFAULT_THRESHOLDS): string[] {
  const problems: string[] = [];
  if (s.stages.includes("EOF")) problems.push("the collection does not exist (EOF plan)");
  if (s.collectionScan) problems.push("collection scan (COLLSCAN): no index serves this query");
  if (s.blockingSort) problems.push("blocking sort: the results are sorted in memory, not read in index order");
  const ratio = examinedPerReturned(s);
  if (ratio > thresholds.maxExaminedPerReturned) {
    problems.push(
      `examines ${Math.max(s.keysExamined, s.docsExamined)} keys/documents for ${s.matched} matched (${ratio.toFixed(1)} per document, limit ${thresholds.maxExaminedPerReturned})`,
    );
  }
  return problems;
}
