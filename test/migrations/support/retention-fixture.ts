// Results and changes for retention tests: old and recent results, some flagged has_change, some
// referred to by a change document, and what retention must leave behind.
import type { Doc } from "./fake-collections";
import { seededRandom } from "../../../migrations/seed-data";

export const NOW = 1_750_000_000;
export const DAY = 86_400;

export interface RetentionFixture {
  results: Doc[];
  changes: Doc[];
  /** _ids of the results that must survive a 90-day retention run at NOW. */
  survivors: string[];
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export const random = seededRandom;

/** `count` results per test over `spanDays` before NOW; timestamps repeat often (same-second results). */
export function retentionFixture(seed: number, tests = 3, count = 60, spanDays = 200): RetentionFixture {
  const next = random(seed);
  const results: Doc[] = [];
  const changes: Doc[] = [];
  const cutoff = NOW - 90 * DAY;
  for (let t = 0; t < tests; t++) {
    for (let i = 0; i < count; i++) {
      // Coarse timestamps (whole days, shared across tests and within one) exercise equal-timestamp batches.
      const timestamp = NOW - Math.floor(next() * spanDays) * DAY;
      const id = `r${t}-${i}`;
      const flagged = next() < 0.1;
      const referred = next() < 0.15;
      results.push({ _id: id, test_id: `test_${t}`, user_id: "user_1", timestamp, ...(flagged ? { has_change: true } : {}) });
      if (referred) changes.push({ _id: `c-${id}`, test_id: `test_${t}`, user_id: "user_1", timestamp, metric: "m", notified: true });
    }
  }
  // A change refers to every result of its test at its timestamp (there may be several).
  const referredKeys = new Set(changes.map((c) => `${c.test_id}@${c.timestamp}`));
  const survivors = results
    .filter((r) => (r.timestamp as number) >= cutoff || r.has_change === true || referredKeys.has(`${r.test_id}@${r.timestamp}`))
    .map((r) => String(r._id));
  return { results, changes, survivors: survivors.sort() };
}
