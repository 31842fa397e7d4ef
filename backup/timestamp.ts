// BSON Timestamps as the oplog orders them: `t` seconds since the epoch, then `i`, the ordinal of
// the operation within that second. Both are unsigned 32-bit integers. Manifests and plans write
// them as {"t": <seconds>, "i": <ordinal>}; mongorestore's --oplogLimit takes "<seconds>:<ordinal>".

export interface Timestamp {
  t: number;
  i: number;
}

export const UINT32_MAX = 0xffffffff;

export function isUint32(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= UINT32_MAX;
}

export function isTimestamp(x: unknown): x is Timestamp {
  return typeof x === "object" && x !== null && isUint32((x as Timestamp).t) && isUint32((x as Timestamp).i);
}

/** Oplog order: by seconds, then by ordinal. Negative, zero or positive like Array.sort wants. */
export function compareTs(a: Timestamp, b: Timestamp): number {
  return a.t !== b.t ? a.t - b.t : a.i - b.i;
}

export function tsEquals(a: Timestamp, b: Timestamp): boolean {
  return a.t === b.t && a.i === b.i;
}

export function maxTs(a: Timestamp, b: Timestamp): Timestamp {
  return compareTs(a, b) >= 0 ? a : b;
}

/** The next timestamp in oplog order; undefined past the last one a BSON Timestamp can hold. */
export function tsAfter(ts: Timestamp): Timestamp | undefined {
  if (ts.i < UINT32_MAX) return { t: ts.t, i: ts.i + 1 };
  return ts.t < UINT32_MAX ? { t: ts.t + 1, i: 0 } : undefined;
}

/** The previous timestamp in oplog order; undefined before 0:0. */
export function tsBefore(ts: Timestamp): Timestamp | undefined {
  if (ts.i > 0) return { t: ts.t, i: ts.i - 1 };
  return ts.t > 0 ? { t: ts.t - 1, i: UINT32_MAX } : undefined;
}

/** Canonical "<seconds>:<ordinal>", the form --oplogLimit takes. */
export function formatTs(ts: Timestamp): string {
  return `${ts.t}:${ts.i}`;
}

/** Parses "<seconds>:<ordinal>" (decimal, each an unsigned 32-bit integer); undefined otherwise. */
export function parseTs(text: string): Timestamp | undefined {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(text);
  if (!m) return undefined;
  const ts = { t: Number(m[1]), i: Number(m[2]) };
  return isUint32(ts.t) && isUint32(ts.i) ? ts : undefined;
}

/** The second of a timestamp in ISO 8601 UTC, e.g. "2024-05-01T10:14:04Z". */
export function tsSecondIso(ts: Timestamp): string {
  return new Date(ts.t * 1000).toISOString().replace(".000Z", "Z");
}

/** "2024-05-01T10:14:04Z (1714558444:3)": both forms, as every message shows a timestamp. */
export function describeTs(ts: Timestamp): string {
  return `${tsSecondIso(ts)} (${formatTs(ts)})`;
}
