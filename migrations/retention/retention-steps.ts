// Retention's decisions, as pure functions. They are also the code that runs in the cluster: the
// mongosh script embeds them with Function.prototype.toString() (retention-script.ts), so each one
// must be self-contained: no imports, no module-level constants, only each other by name.
//
// The run is a generator that yields requests (find, deleteMany, progress, pause) as data and
// receives their results; a driver performs them: driveSync in mongosh, runRetention in Node.
// The generator itself never calls the database: mongosh's async rewriter cannot await inside a
// non-async generator, so the driver awaits (implicitly, in mongosh) and passes plain values in.

/** A result as retention reads it (projection {_id, test_id, timestamp}). */
export interface Candidate {
  _id: unknown;
  test_id: unknown;
  timestamp: number;
}

/** A change point as retention reads it (projection {test_id, timestamp}). */
export interface ChangeRef {
  test_id: unknown;
  timestamp: number;
}

/**
 * Where the scan stands: results with a timestamp below `from` are done; `seen` are the _ids at
 * exactly `from` that were looked at and stay (kept, or all of them in a dry run).
 */
export interface ScanPosition {
  from: number | null;
  seen: unknown[];
}

export interface RetentionStepParams {
  resultsDays: number;
  batchSize: number;
  nowSeconds: number;
  pauseMs?: number;
  dryRun?: boolean;
}

export interface RetentionTotals {
  cutoff: number;
  dryRun: boolean;
  batches: number;
  examined: number;
  deleted: number;
  /** Old results kept because a change document refers to them. */
  kept: number;
  /** Dry run only: what would have been deleted. */
  wouldDelete: number;
}

export interface RetentionProgress extends RetentionTotals {
  batch: { examined: number; deleted: number; kept: number };
  /** Every old result with a timestamp below this one has been dealt with. */
  through: number | null;
}

export type RetentionRequest =
  | { kind: "find"; collection: "results" | "changes"; filter: Record<string, unknown>; projection: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; limit?: number }
  | { kind: "deleteMany"; collection: "results"; filter: Record<string, unknown> }
  | { kind: "progress"; report: RetentionProgress }
  | { kind: "pause"; ms: number };

/** Epoch seconds before which results are old. */
export function retentionCutoff(nowSeconds: number, resultsDays: number): number {
  if (!(resultsDays >= 1)) throw new Error(`resultsDays must be at least 1, got ${resultsDays}`);
  return nowSeconds - resultsDays * 86400;
}

/**
 * Old results not flagged `has_change`, from the scan position on. Served by the plain
 * {timestamp: 1} index; sorted by timestamp, so a batch's results are the oldest left.
 */
export function candidateFilter(cutoff: number, position: ScanPosition): Record<string, unknown> {
  const filter: Record<string, unknown> = {
    timestamp: position.from === null ? { $lt: cutoff } : { $gte: position.from, $lt: cutoff },
    has_change: { $ne: true },
  };
  if (position.seen.length > 0) filter._id = { $nin: position.seen };
  return filter;
}

/** Identity of a change point's result: same test and same timestamp. */
export function changeKey(testId: unknown, timestamp: number): string {
  return JSON.stringify([String(testId), Number(timestamp)]);
}

/** The change documents that may refer to a batch: its tests, within its time span (index {test_id, timestamp}). */
export function changesFilterFor(candidates: Candidate[]): Record<string, unknown> {
  const testIds: unknown[] = [];
  const keys = new Set<string>();
  let min = Infinity;
  let max = -Infinity;
  for (const c of candidates) {
    const key = String(c.test_id);
    if (!keys.has(key)) {
      keys.add(key);
      testIds.push(c.test_id);
    }
    if (c.timestamp < min) min = c.timestamp;
    if (c.timestamp > max) max = c.timestamp;
  }
  return { test_id: { $in: testIds }, timestamp: { $gte: min, $lte: max } };
}

/** The batch split into what may go and what a change document refers to. */
export function splitCandidates(candidates: Candidate[], changes: ChangeRef[]): { deletable: Candidate[]; kept: Candidate[] } {
  const referred = new Set(changes.map((c) => changeKey(c.test_id, c.timestamp)));
  const deletable: Candidate[] = [];
  const kept: Candidate[] = [];
  for (const c of candidates) (referred.has(changeKey(c.test_id, c.timestamp)) ? kept : deletable).push(c);
  return { deletable, kept };
}

/**
 * The position after a batch (sorted by timestamp). Every result below the batch's last timestamp
 * has now been seen; results that stay at exactly that timestamp are remembered by _id, so the next
 * batch neither sees them again nor loops on them. Kept results below it are skipped by the range.
 */
export function nextPosition(position: ScanPosition, candidates: Candidate[], survivors: Candidate[]): ScanPosition {
  if (candidates.length === 0) return position;
  const from = candidates[candidates.length - 1].timestamp;
  const earlier = position.from === from ? position.seen : [];
  return { from, seen: earlier.concat(survivors.filter((s) => s.timestamp === from).map((s) => s._id)) };
}

/** Deletes the batch's deletable results, re-checking age and flag on the server (the app may have set has_change since). */
export function deleteFilter(ids: unknown[], cutoff: number): Record<string, unknown> {
  return { _id: { $in: ids }, timestamp: { $lt: cutoff }, has_change: { $ne: true } };
}

/** The whole run: yields requests, receives their results, returns the totals. */
export function* retentionSteps(params: RetentionStepParams): Generator<RetentionRequest, RetentionTotals, unknown> {
  if (!(params.batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${params.batchSize}`);
  const cutoff = retentionCutoff(params.nowSeconds, params.resultsDays);
  const dryRun = params.dryRun === true;
  const totals: RetentionTotals = { cutoff, dryRun, batches: 0, examined: 0, deleted: 0, kept: 0, wouldDelete: 0 };
  let position: ScanPosition = { from: null, seen: [] };
  for (;;) {
    const candidates = (yield {
      kind: "find",
      collection: "results",
      filter: candidateFilter(cutoff, position),
      projection: { _id: 1, test_id: 1, timestamp: 1 },
      sort: { timestamp: 1 },
      limit: params.batchSize,
    }) as Candidate[];
    if (candidates.length === 0) break;
    const changes = (yield { kind: "find", collection: "changes", filter: changesFilterFor(candidates), projection: { _id: 0, test_id: 1, timestamp: 1 } }) as ChangeRef[];
    const { deletable, kept } = splitCandidates(candidates, changes);
    let deleted = 0;
    if (!dryRun && deletable.length > 0) {
      deleted = Number(yield { kind: "deleteMany", collection: "results", filter: deleteFilter(deletable.map((c) => c._id), cutoff) });
    }
    totals.batches += 1;
    totals.examined += candidates.length;
    totals.deleted += deleted;
    totals.kept += kept.length;
    if (dryRun) totals.wouldDelete += deletable.length;
    position = nextPosition(position, candidates, dryRun ? candidates : kept);
    yield { kind: "progress", report: { ...totals, batch: { examined: candidates.length, deleted, kept: kept.length }, through: position.from } };
    if (candidates.length < params.batchSize) break;
    if ((params.pauseMs ?? 0) > 0) yield { kind: "pause", ms: params.pauseMs as number };
  }
  return totals;
}

/** Runs the steps with a synchronous `perform` (mongosh's API looks synchronous). */
export function driveSync<R>(steps: Generator<RetentionRequest, R, unknown>, perform: (request: RetentionRequest) => unknown): R {
  let next = steps.next();
  while (!next.done) next = steps.next(perform(next.value));
  return next.value;
}

/** The functions the mongosh script embeds, in an order where each is defined before the run. */
export const EMBEDDED_FUNCTIONS = [retentionCutoff, candidateFilter, changeKey, changesFilterFor, splitCandidates, nextPosition, deleteFilter, retentionSteps, driveSync];
