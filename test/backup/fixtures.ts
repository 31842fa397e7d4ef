// Catalog entries for tests: full dumps and slices with consistent manifests.

import type { FullDumpManifest, OplogSliceManifest } from "../../backup/manifest";

type FullEntry = FullDumpManifest & { manifestPath: string };
type SliceEntry = OplogSliceManifest & { manifestPath: string };
import type { Timestamp } from "../../backup/timestamp";

export const ts = (t: number, i = 0): Timestamp => ({ t, i });
const name = (x: Timestamp) => `${x.t}-${x.i}`;
const sha = (seed: string) => Array.from({ length: 64 }, (_, k) => "0123456789abcdef"[(seed.charCodeAt(k % seed.length) + k) % 16]).join("");

/** A full dump: schemaVersion 2 (a packed directory dump) unless `legacy` asks for a version-1 archive. */
export function fullDump(lastTs: Timestamp, opts: { firstTs?: Timestamp; replicaSet?: string; dir?: string; createdAt?: string; legacy?: boolean } = {}): FullEntry {
  const dir = opts.dir ?? "full";
  return {
    schemaVersion: opts.legacy ? 1 : 2,
    kind: "full",
    format: opts.legacy ? "archive+gzip" : "dir-tar+gzip",
    file: `${name(lastTs)}.${opts.legacy ? "archive.gz" : "dump.tar"}`,
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
    schemaVersion: 2,
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
