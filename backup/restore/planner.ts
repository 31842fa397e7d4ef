// The restore planner (pure): from a catalog of manifests and a target, the base dump, the slices
// that carry it to the target, and the exact mongorestore calls.
//
// The base is the newest full dump that ends at or before the target: dump.lastTs <= the last
// position the target includes. A dump restores to its own lastTs and no earlier (its data was
// copied while the oplog ran up to lastTs), so with `--to S:I` a dump whose lastTs is exactly S:I
// serves, and with `--before S:I` it does not.
//
// mongorestore reads one oplog source per call and does not combine --archive with --oplogFile:
// step 1 restores the archive and replays the dump's own oplog; then one call per slice replays
// it with --oplogFile. Every step carries the target's --oplogLimit: on all but the last it
// removes nothing (their entries end before the target), and it guarantees no step ever applies
// an entry past the target. Replaying an entry twice (the slice a dump joins overlaps the dump's
// own oplog) is safe: oplog entries are idempotent.
//
// Every call carries --stopOnError: without it mongorestore exits 0 when documents fail to insert
// (duplicate keys, validation), because mongo-tools mongorestore/main/mongorestore.go exits
// non-zero on result.Err only and merely logs result.Failures. A restore must never report success
// over lost writes.
//
// --preserveUUID (cluster restores: config.chunks is keyed by collection UUID since 5.0) keeps
// every collection's UUID, from the dump's metadata and the oplog's `ui` fields
// (mongorestore/oplog.go filterUUIDs strips `ui` without it). mongorestore refuses it without
// --drop (mongorestore/mongorestore.go ParseAndValidateOptions: "cannot specify --preserveUUID
// without --drop"), so it comes with --drop on every call; on a slice call --drop drops nothing
// (its --dir is empty: no collection to restore, so none to drop).

import { artifactPath, CatalogEntry } from "../manifest";
import { compareTs, describeTs, formatTs, Timestamp } from "../timestamp";
import { isChainBase } from "../majority";
import { analyzeChain, RestoreWindow, windowsOf } from "./chain";
import { RestoreTarget } from "./target";

export interface PlanOptions {
  /** Prefix of every artifact path in argv (the catalog directory as the restoring host sees it). */
  catalogDir: string;
  /** mongorestore's --config: a YAML file with `uri:` (and `password:`); credentials never go in argv. */
  configFile: string;
  /** An empty directory: the dump directory mongorestore needs beside --oplogFile. */
  emptyDir: string;
  /** Add --drop to the base step: drop each collection before restoring it (in-place restores). */
  drop: boolean;
  /**
   * Add --preserveUUID to every call (and --drop, which it needs): every cluster restore does.
   * Refused (an Error) without `drop`: mongorestore refuses the combination.
   */
  preserveUUID?: boolean;
  numParallelCollections: number;
  numInsertionWorkersPerCollection: number;
  /** argv[0]; default "mongorestore". */
  mongorestore?: string;
}

export interface RestoreStep {
  /** 1-based position. */
  step: number;
  kind: "full" | "oplog";
  /** The artifact, relative to the catalog. */
  file: string;
  manifestPath: string;
  bytes: number;
  sha256: string;
  /** After this step the target holds every operation up to and including this position. */
  holdsThrough: Timestamp;
  argv: string[];
}

export interface RestorePlan {
  replicaSet: string;
  target: RestoreTarget;
  /** The base full dump's artifact, relative to the catalog. */
  base: string;
  /** The slices' artifacts in replay order, relative to the catalog. */
  slices: string[];
  /** Canonical "<seconds>:<ordinal>", exclusive. */
  oplogLimit: string;
  /** The restore window the target lies in. */
  window: RestoreWindow;
  steps: RestoreStep[];
}

export type PlanResult = { ok: true; plan: RestorePlan } | { ok: false; error: string; windows: RestoreWindow[] };

export function planRestore(entries: CatalogEntry[], target: RestoreTarget, options: PlanOptions): PlanResult {
  const replicaSets = [...new Set(entries.map((e) => e.replicaSet))];
  if (replicaSets.length > 1) {
    return { ok: false, error: `the catalog holds more than one replica set (${replicaSets.join(", ")}): plan one at a time`, windows: [] };
  }
  const chain = analyzeChain(entries);
  const windows = windowsOf(chain.reaches);
  const point = target.lastIncluded;
  const reach = chain.reaches.find((r) => compareTs(r.from, point) <= 0 && compareTs(point, r.to) <= 0);
  const slices = reach && chain.slicesTo(reach.dump, point);
  if (!reach || !slices) {
    // Full dumps that base no chain yet (majority confirmation, ../majority.ts) are named, so the refusal says why.
    const waiting = entries.filter((e) => e.kind === "full" && !isChainBase(e)).map((e) => e.manifestPath);
    const note = waiting.length ? `; unconfirmed full dumps, which base no chain until the majority commit point is seen past their lastTs: ${waiting.join(", ")}` : "";
    return { ok: false, error: unreachableMessage(target, windows) + note, windows };
  }

  const window = windows.find((w) => compareTs(w.from, point) <= 0 && compareTs(point, w.to) <= 0) as RestoreWindow;
  const limit = formatTs(target.limit);
  const tool = options.mongorestore ?? "mongorestore";
  const base = reach.dump;
  const at = (e: CatalogEntry) => joinPath(options.catalogDir, artifactPath(e));
  const earliest = (ts: Timestamp) => (compareTs(ts, point) < 0 ? ts : point);
  const gzip = (e: CatalogEntry) => (e.format.endsWith("+gzip") ? ["--gzip"] : []);

  if (options.preserveUUID && !options.drop) {
    throw new Error("--preserveUUID needs --drop: mongorestore refuses it without (mongorestore/mongorestore.go: cannot specify --preserveUUID without --drop)");
  }
  const uuids = options.preserveUUID ? ["--preserveUUID"] : [];
  const steps: RestoreStep[] = [
    {
      step: 1,
      kind: "full",
      file: artifactPath(base),
      manifestPath: base.manifestPath,
      bytes: base.bytes,
      sha256: base.sha256,
      holdsThrough: base.lastTs,
      argv: [
        tool,
        `--config=${options.configFile}`,
        `--archive=${at(base)}`,
        ...gzip(base),
        "--oplogReplay",
        `--oplogLimit=${limit}`,
        "--stopOnError",
        ...(options.drop ? ["--drop"] : []),
        ...uuids,
        `--numParallelCollections=${options.numParallelCollections}`,
        `--numInsertionWorkersPerCollection=${options.numInsertionWorkersPerCollection}`,
      ],
    },
    ...slices.map(
      (s, k): RestoreStep => ({
        step: k + 2,
        kind: "oplog",
        file: artifactPath(s),
        manifestPath: s.manifestPath,
        bytes: s.bytes,
        sha256: s.sha256,
        holdsThrough: earliest(s.lastTs),
        argv: [
          tool,
          `--config=${options.configFile}`,
          "--oplogReplay",
          `--oplogFile=${at(s)}`,
          ...gzip(s),
          `--oplogLimit=${limit}`,
          "--stopOnError",
          ...(options.preserveUUID ? ["--drop", ...uuids] : []),
          `--dir=${options.emptyDir}`,
        ],
      }),
    ),
  ];
  return {
    ok: true,
    plan: {
      replicaSet: base.replicaSet,
      target,
      base: artifactPath(base),
      slices: slices.map(artifactPath),
      oplogLimit: limit,
      window,
      steps,
    },
  };
}

/** Why a target cannot be restored, with the ranges the catalog does reach. */
export function unreachableMessage(target: RestoreTarget, windows: RestoreWindow[]): string {
  return `--${target.mode} ${target.input} (up to and including ${describeTs(target.lastIncluded)}) ${unreachableReason(target.lastIncluded, windows)}`;
}

/** Why no plan reaches `point` (which must lie outside `windows`), as the rest of a sentence about it. */
export function unreachableReason(point: Timestamp, windows: RestoreWindow[]): string {
  if (windows.length === 0) return "cannot be restored: the catalog has no full dump, so it reaches no restore point";
  const reachable = `the catalog reaches ${formatWindows(windows)}`;
  const first = windows[0];
  const last = windows[windows.length - 1];
  if (compareTs(point, first.from) < 0) return `is before the oldest restore point, the lastTs of the oldest full dump: ${reachable}`;
  if (compareTs(point, last.to) > 0) {
    return `is after the newest saved oplog entry ${describeTs(last.to)} (a later slice may not be saved yet): ${reachable}`;
  }
  const gapAfter = windows.findIndex((w, k) => k + 1 < windows.length && compareTs(w.to, point) < 0 && compareTs(point, windows[k + 1].from) < 0);
  if (gapAfter >= 0) {
    return `falls in a gap of the oplog chain, between ${describeTs(windows[gapAfter].to)} and the next full dump's ${describeTs(windows[gapAfter + 1].from)}: ${reachable}`;
  }
  return `cannot be reached from any full dump: ${reachable}`;
}

export function formatWindows(windows: RestoreWindow[]): string {
  return windows.map((w) => `[${describeTs(w.from)} .. ${describeTs(w.to)}]`).join(", ");
}

function joinPath(dir: string, rel: string): string {
  if (dir === "" || dir === ".") return rel;
  return dir.endsWith("/") ? `${dir}${rel}` : `${dir}/${rel}`;
}
