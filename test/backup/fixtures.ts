// Catalog entries for tests: full dumps and slices with consistent manifests.

import type { FullDumpManifest, OplogSliceManifest } from "../../backup/manifest";

type FullEntry = FullDumpManifest & { manifestPath: string };
type SliceEntry = OplogSliceManifest & { manifestPath: string };
import type { Timestamp } from "../../backup/timestamp";

export const ts = (t: number, i = 0): Timestamp => ({ t, i });
const name = (x: Timestamp) => `${x.t}-${x.i}`;
const sha = (seed: string) => Array.from({ length: 64 }, (_, k) => "0123456789abcdef"[(seed.charCodeAt(k % seed.length) + k) % 16]).join("");

export function fullDump(lastTs: Timestamp, opts: { firstTs?: Timestamp; replicaSet?: string; dir?: string; createdAt?: string } = {}): FullEntry {
  const dir = opts.dir ?? "full";
  return {
    schemaVersion: 1,
    kind: "full",
    format: "archive+gzip",
    file: `${name(lastTs)}.archive.gz`,
    bytes: 1000 + lastTs.t,
    sha256: sha(`full${name(lastTs)}`),
    replicaSet: opts.replicaSet ?? "rs0",
    firstTs: opts.firstTs ?? { t: Math.max(0, lastTs.t - 30), i: 1 },
    lastTs,
    createdAt: opts.createdAt ?? new Date((lastTs.t + 5) * 1000).toISOString(),
    manifestPath: `${dir}/${name(lastTs)}.manifest.json`,
  };
}

export function oplogSlice(prevTs: Timestamp, lastTs: Timestamp, opts: { firstTs?: Timestamp; replicaSet?: string; dir?: string } = {}): SliceEntry {
  const dir = opts.dir ?? "oplog";
  return {
    schemaVersion: 1,
    kind: "oplog",
    format: "bson+gzip",
    file: `${name(prevTs)}_${name(lastTs)}.bson.gz`,
    bytes: 100 + lastTs.t - prevTs.t,
    sha256: sha(`oplog${name(lastTs)}`),
    replicaSet: opts.replicaSet ?? "rs0",
    firstTs: opts.firstTs ?? (lastTs.t > prevTs.t ? { t: prevTs.t + 1, i: 1 } : lastTs),
    lastTs,
    prevTs,
    createdAt: new Date((lastTs.t + 2) * 1000).toISOString(),
    manifestPath: `${dir}/${name(prevTs)}_${name(lastTs)}.manifest.json`,
  };
}

/** Slices chained from `start` through each of `ends`: prevTs of each is the previous lastTs. */
export function sliceChain(start: Timestamp, ends: Timestamp[]): SliceEntry[] {
  let prev = start;
  return ends.map((end) => {
    const s = oplogSlice(prev, end);
    prev = end;
    return s;
  });
}

export const paths = (entries: { manifestPath: string }[]) => entries.map((e) => e.manifestPath);
