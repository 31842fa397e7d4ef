// Retention through the Node.js driver: the same steps as the in-cluster script, for integration
// tests and for running it by hand against a database.
import type { Db } from "mongodb";
import { RetentionProgress, RetentionRequest, retentionSteps, RetentionTotals } from "./retention-steps";

export interface RetentionRunOptions {
  resultsDays: number;
  batchSize: number;
  pauseMs?: number;
  dryRun?: boolean;
  /** Defaults to the clock. */
  nowSeconds?: number;
}

async function perform(db: Pick<Db, "collection">, request: RetentionRequest, onProgress?: (progress: RetentionProgress) => void): Promise<unknown> {
  switch (request.kind) {
    case "find":
      return db.collection(request.collection).find(request.filter, { projection: request.projection, sort: request.sort, limit: request.limit }).toArray();
    case "deleteMany":
      return (await db.collection(request.collection).deleteMany(request.filter)).deletedCount;
    case "progress":
      onProgress?.(request.report);
      return undefined;
    case "pause":
      return new Promise((resolve) => setTimeout(resolve, request.ms));
  }
}

export async function runRetention(db: Pick<Db, "collection">, options: RetentionRunOptions, onProgress?: (progress: RetentionProgress) => void): Promise<RetentionTotals> {
  const steps = retentionSteps({ ...options, nowSeconds: options.nowSeconds ?? Math.floor(Date.now() / 1000) });
  let next = steps.next();
  while (!next.done) next = steps.next(await perform(db, next.value, onProgress));
  return next.value;
}
