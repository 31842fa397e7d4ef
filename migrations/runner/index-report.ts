// `migrate indexes`: every index of every collection with its use since the server's restart
// ($indexStats), held against the catalog. Drift is an index the catalog does not know, or knows
// with another definition; `missing` lists catalog indexes the database lacks. Nothing is dropped
// here: dropping an index is a migration.
import type { Db, Document } from "mongodb";
import type { Catalog, IndexSpec } from "../migration";
import { ID_INDEX_NAME, type ListedIndex } from "../plan/listed-index";
import { planIndexes } from "../plan/plan-indexes";
import { CHANGELOG_COLLECTION } from "./changelog";
import { LOCK_COLLECTION } from "./lease";
import { readIndexes } from "./live-state";
import { CHECKPOINT_COLLECTION } from "./data-migration";

export type IndexStatus = "catalog" | "differs" | "unknown" | "id";

export interface IndexUsage {
  name: string;
  /** Operations that used the index since `since`. */
  ops: number;
  since?: Date;
  building?: boolean;
}

export interface IndexReportEntry {
  name: string;
  key: Record<string, unknown>;
  definition: ListedIndex;
  status: IndexStatus;
  /** Why a "differs" index is not the catalog's. */
  reason?: string;
  ops: number | null;
  since: Date | null;
  neverUsed: boolean;
}

export interface CollectionIndexReport {
  name: string;
  inCatalog: boolean;
  indexes: IndexReportEntry[];
  /** Catalog indexes this collection does not have. */
  missing: IndexSpec[];
}

export interface IndexesReport {
  command: "indexes";
  database: string;
  ok: boolean;
  collections: CollectionIndexReport[];
  /** Catalog collections the database does not have. */
  missingCollections: string[];
  summary: { indexes: number; drift: number; neverUsed: number; missing: number };
}

/** The runner's own collections are not schema: they never show as drift. */
export const RUNNER_COLLECTIONS: readonly string[] = [CHANGELOG_COLLECTION, LOCK_COLLECTION, CHECKPOINT_COLLECTION];

export interface CollectionIndexes {
  name: string;
  indexes: ListedIndex[];
  usage: IndexUsage[];
}

/** One index's use across every entry $indexStats returned for it (one per shard on a sharded cluster). */
export function usageByName(usage: IndexUsage[], name: string): IndexUsage | undefined {
  const entries = usage.filter((u) => u.name === name);
  if (entries.length === 0) return undefined;
  const since = entries.map((e) => e.since).filter((d): d is Date => d instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0];
  return { name, ops: entries.reduce((n, e) => n + e.ops, 0), since, building: entries.some((e) => e.building) };
}

export function classifyIndexes(catalog: Catalog, database: string, collections: CollectionIndexes[]): IndexesReport {
  const reports: CollectionIndexReport[] = collections.map((c) => {
    const spec = catalog.collections.find((s) => s.name === c.name);
    const plan = planIndexes(c.indexes, spec?.indexes ?? []);
    const statusOf = (index: ListedIndex): { status: IndexStatus; reason?: string } => {
      if (index.name === ID_INDEX_NAME) return { status: "id" };
      if (plan.equal.some((e) => e.existing.name === index.name)) return { status: "catalog" };
      const conflict = plan.conflicts.find((x) => x.existing.name === index.name);
      if (conflict) return { status: "differs", reason: conflict.reason };
      return { status: "unknown" };
    };
    return {
      name: c.name,
      inCatalog: spec !== undefined,
      missing: plan.missing,
      indexes: c.indexes.map((index) => {
        const usage = usageByName(c.usage, index.name);
        return {
          name: index.name,
          key: index.key,
          definition: index,
          ...statusOf(index),
          ops: usage ? usage.ops : null,
          since: usage?.since ?? null,
          neverUsed: usage !== undefined && usage.ops === 0,
        };
      }),
    };
  });
  const all = reports.flatMap((r) => r.indexes);
  const drift = all.filter((i) => i.status === "differs" || i.status === "unknown").length;
  const missing = reports.reduce((n, r) => n + r.missing.length, 0);
  const present = new Set(collections.map((c) => c.name));
  const missingCollections = catalog.collections.map((c) => c.name).filter((n) => !present.has(n));
  return {
    command: "indexes",
    database,
    ok: true,
    collections: reports,
    missingCollections,
    summary: { indexes: all.length, drift, neverUsed: all.filter((i) => i.neverUsed).length, missing },
  };
}

function usageOf(stat: Document): IndexUsage {
  const accesses = (stat.accesses ?? {}) as Document;
  const ops = accesses.ops;
  return {
    name: String(stat.name),
    ops: typeof ops === "number" ? ops : Number(ops ?? 0),
    since: accesses.since instanceof Date ? accesses.since : undefined,
    building: stat.building === true,
  };
}

export async function readIndexUsage(db: Db): Promise<CollectionIndexes[]> {
  const infos = await db.listCollections({ type: "collection" }, { nameOnly: true }).toArray();
  const names = infos
    .map((i) => i.name)
    .filter((n) => !n.startsWith("system.") && !RUNNER_COLLECTIONS.includes(n))
    .sort();
  const out: CollectionIndexes[] = [];
  for (const name of names) {
    const [indexes, stats] = await Promise.all([readIndexes(db, name), db.collection(name).aggregate([{ $indexStats: {} }]).toArray()]);
    out.push({ name, indexes, usage: stats.map(usageOf) });
  }
  return out;
}
