// What an index build is doing, from `$currentOp` documents: which indexes, on which collection,
// for how long, and the server's progress counters when it reports them. Since 4.4 a build shows
// up twice: the client's createIndexes command (waiting) and the build thread
// (desc "IndexBuildsCoordinatorMongod-N") whose `msg`/`progress` carry the phase and counters.
import type { Document } from "mongodb";

export interface IndexBuildOp {
  indexes: string[];
  secondsRunning: number;
  /** e.g. "Index Build: scanning collection" */
  phase?: string;
  done?: number;
  total?: number;
}

/** The `$currentOp` pipeline that finds createIndexes on one namespace. */
export function indexBuildOpsPipeline(namespace: string, collection: string): Document[] {
  return [
    { $currentOp: { allUsers: true, idleConnections: false } },
    {
      $match: {
        ns: namespace,
        $or: [{ "command.createIndexes": collection }, { msg: { $regex: "^Index Build" } }],
      },
    },
  ];
}

function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && typeof (value as { toNumber?: unknown }).toNumber === "function") {
    return (value as { toNumber(): number }).toNumber();
  }
  return undefined;
}

export function indexBuildOp(op: Document): IndexBuildOp {
  const command = (op.command ?? {}) as Document;
  const indexes = Array.isArray(command.indexes) ? command.indexes.map((i: Document) => String(i.name)) : [];
  const micros = num(op.microsecs_running);
  const seconds = micros !== undefined ? micros / 1e6 : num(op.secs_running) ?? 0;
  const progress = (op.progress ?? {}) as Document;
  // msg repeats its phase: "Index Build: scanning collection Index Build: scanning collection: 1/2 50%".
  const msg = typeof op.msg === "string" ? op.msg : undefined;
  const phase = msg?.split(/ Index Build|: \d/)[0];
  return { indexes, secondsRunning: seconds, phase, done: num(progress.done), total: num(progress.total) };
}

/** The most informative op: the one with counters (the build thread), else the longest running. */
export function mostInformative(ops: IndexBuildOp[]): IndexBuildOp | undefined {
  return [...ops].sort((a, b) => Number(b.total !== undefined) - Number(a.total !== undefined) || b.secondsRunning - a.secondsRunning)[0];
}

export function describeIndexBuild(collection: string, wanted: string[], elapsedMs: number, op: IndexBuildOp | undefined): string {
  const names = (op && op.indexes.length > 0 ? op.indexes : wanted).join(", ");
  const elapsed = `${Math.round(elapsedMs / 1000)} s`;
  const parts = [op?.phase, op?.total ? `${op.done ?? 0}/${op.total} (${Math.floor(((op.done ?? 0) / op.total) * 100)}%)` : undefined].filter(Boolean);
  return `building ${names} on ${collection}: ${elapsed}${parts.length ? ` — ${parts.join(" ")}` : ""}`;
}
