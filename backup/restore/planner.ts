// The restore planner (pure): from a catalog of manifests and a target, the base dump, the slices
// that carry it to the target, and the exact steps: preparation, then ONE mongorestore process.
//
// The base is the newest full dump that ends at or before the target: dump.lastTs <= the last
// position the target includes. A dump restores to its own lastTs and no earlier (its data was
// copied while the oplog ran up to lastTs), so with `--to S:I` a dump whose lastTs is exactly S:I
// serves, and with `--before S:I` it does not.
//
// Why one process: mongorestore buffers a transaction's entries within one process (mongo-tools
// common/txn/meta.go, HandleTxnOp), so a transaction split across two calls is torn or dropped;
// it applies index DDL from the oplog to its own index catalog (common/idx/index_catalog.go),
// which only the call that read the dump directory holds; and every call logs in again, after the
// first restored admin.system.users. So the steps of a schemaVersion 2 ("dir-tar+gzip") base are:
//   1. unpack   tar -x of the base into the private working directory: `dump/` and `oplog.bson.gz`;
//               then <dump>/admin/system.{users,roles}.* are set aside: the dump's users and roles
//               are listed, never restored (backup/mongosh/dump-authz.js says why, from the source)
//   2. merge    the dump's own oplog, then every slice entry strictly after the base's lastTs and
//               before the target's exclusive limit, as ONE gzipped BSON file (oplog-merge.js,
//               run in-process by the CLI and by the pod's replay-oplog.js): entries at or before
//               the base are never applied twice (a unique secondary index can refuse them)
//   3. mongorestore --dir=<work>/base/dump --gzip --oplogReplay --oplogFile=<merged>
//               --oplogLimit=<limit> --stopOnError ... : the only call, per replica set.
// The dump's oplog sits beside `dump/`, not in it: mongorestore refuses --oplogFile when the dump
// directory holds a top-level oplog.bson (mongorestore/mongorestore.go Restore, GetOplogConflict).
//
// A schemaVersion 1 base (an --archive file) cannot take --oplogFile (refused with --archive), so
// it is used only for points its own oplog reaches: one `--archive --oplogReplay` call, no slices.
// A point beyond it needs slices, and the planner then looks for another dump; when only version
// 1 dumps reach the point, it refuses and says why (never several calls: they lose transactions).
//
// --preserveUUID (cluster restores: config.chunks is keyed by collection UUID since 5.0) keeps
// every collection's UUID (mongorestore/oplog.go filterUUIDs strips `ui` without it), and needs
// --drop (mongorestore.go ParseAndValidateOptions): the argv builder (tool-args.ts) enforces both.

import { artifactPath, CatalogEntry } from "../manifest";
import { compareTs, describeTs, formatTs, Timestamp } from "../timestamp";
import { isChainBase } from "../majority";
import { analyzeChain, RestoreWindow, windowsOf } from "./chain";
import { RestoreTarget } from "./target";
import { joinPath, mongorestoreReplayArgv, unpackArgv, workPaths } from "./tool-args";

export interface PlanOptions {
  /** Prefix of every artifact path in argv (the catalog directory as the restoring host sees it). */
  catalogDir: string;
  /** mongorestore's --config: a YAML file with `uri:` (and `password:`); credentials never go in argv. */
  configFile: string;
  /** The private working directory of the run: the unpacked dump and the merged oplog go there. */
  workDir: string;
  /** Add --drop: drop each collection before restoring it (in-place restores). */
  drop: boolean;
  /**
   * Add --preserveUUID (and --drop, which it needs): every cluster restore does.
   * Refused (an Error) without `drop`: mongorestore refuses the combination.
   */
  preserveUUID?: boolean;
  numParallelCollections: number;
  numInsertionWorkersPerCollection: number;
  /** argv[0]; default "mongorestore". */
  mongorestore?: string;
}

/** An artifact the plan reads, checked against its manifest before any step runs. */
export interface PlanArtifact {
  /** The step that reads it. */
  step: number;
  kind: "full" | "oplog";
  /** Relative to the catalog. */
  file: string;
  manifestPath: string;
  bytes: number;
  sha256: string;
}

export interface UnpackStep {
  step: number;
  kind: "unpack";
  /** The base dump, relative to the catalog. */
  file: string;
  /** The directory it is unpacked into (created first). */
  into: string;
  argv: string[];
  /**
   * Where the dump's users and roles (`<dump>/admin/system.{users,roles}.*`) are moved once it is
   * unpacked: mongorestore then restores neither, so its `_mergeAuthzCollections` never drops the
   * temporary restore user (backup/mongosh/dump-authz.js says why, from the source).
   */
  authzAside: { dumpDir: string; into: string };
}

export interface OplogInput {
  /** Relative to the catalog (slices), or the unpacked dump's oplog (base). */
  file: string;
  path: string;
  gzip: boolean;
}

export interface MergeOplogStep {
  step: number;
  kind: "merge-oplog";
  /** The base dump's own oplog, as unpacked. */
  base: OplogInput;
  /** In chain order. */
  slices: OplogInput[];
  /** The base's lastTs: slice entries at or before it are dropped. */
  after: Timestamp;
  /** Exclusive: entries at or after it are dropped (the same as --oplogLimit). */
  limit: Timestamp;
  /** The merged oplog, gzipped (mongorestore reads --oplogFile with --gzip like the dump's files). */
  out: string;
  gzip: boolean;
}

export interface MongorestoreStep {
  step: number;
  kind: "mongorestore";
  /** When this step succeeds the target holds every operation up to and including this position. */
  holdsThrough: Timestamp;
  argv: string[];
}

export type RestoreStep = UnpackStep | MergeOplogStep | MongorestoreStep;

export interface RestorePlan {
  replicaSet: string;
  target: RestoreTarget;
  /** The base full dump's artifact, relative to the catalog. */
  base: string;
  /** The base's manifest format ("dir-tar+gzip"; "archive+gzip"/"archive" for a schemaVersion 1 dump). */
  baseFormat: string;
  /** The base's lastTs: what the dump alone restores to. */
  baseLastTs: Timestamp;
  /** The slices' artifacts in replay order, relative to the catalog. */
  slices: string[];
  /** Canonical "<seconds>:<ordinal>", exclusive. */
  oplogLimit: string;
  /** The restore window the target lies in. */
  window: RestoreWindow;
  /** Every artifact the steps read, base first. */
  artifacts: PlanArtifact[];
  /** Preparation, then exactly one mongorestore step (the last). */
  steps: RestoreStep[];
}

export type PlanResult = { ok: true; plan: RestorePlan } | { ok: false; error: string; windows: RestoreWindow[] };

/** Whether a full dump is a packed directory dump (schemaVersion 2), which a one-call replay of slices can use. */
export function isDirectoryDump(e: Pick<CatalogEntry, "format">): boolean {
  return e.format === "dir-tar+gzip";
}

export function planRestore(entries: CatalogEntry[], target: RestoreTarget, options: PlanOptions): PlanResult {
  const replicaSets = [...new Set(entries.map((e) => e.replicaSet))];
  if (replicaSets.length > 1) {
    return { ok: false, error: `the catalog holds more than one replica set (${replicaSets.join(", ")}): plan one at a time`, windows: [] };
  }
  if (options.preserveUUID && !options.drop) {
    throw new Error("--preserveUUID needs --drop: mongorestore refuses it without (mongorestore/mongorestore.go: cannot specify --preserveUUID without --drop)");
  }
  const chain = analyzeChain(entries);
  const windows = windowsOf(chain.reaches);
  const point = target.lastIncluded;
  const covering = chain.reaches.filter((r) => compareTs(r.from, point) <= 0 && compareTs(point, r.to) <= 0);
  let chosen: { dump: CatalogEntry; slices: CatalogEntry[] } | undefined;
  let legacy: CatalogEntry | undefined;
  for (const r of covering) {
    const slices = chain.slicesTo(r.dump, point);
    if (!slices) continue;
    if (isDirectoryDump(r.dump) || slices.length === 0) {
      chosen = { dump: r.dump, slices };
      break;
    }
    legacy ??= r.dump;
  }
  if (!chosen) {
    if (legacy) {
      return {
        ok: false,
        error:
          `${unreachableMessageHead(target)} needs oplog slices after the full dump ${artifactPath(legacy)}, which is in the schemaVersion 1 format (an --archive file): ` +
          `mongorestore cannot replay another oplog with --archive (mongorestore/mongorestore.go: cannot use --oplogFile with --archive specified), and replaying the slices in ` +
          `further calls loses transactions and index changes, so it is refused. That dump restores to its own lastTs ${describeTs(legacy.lastTs)}; ` +
          `points after it are restorable from the first schemaVersion 2 full dump on (run the full-dump job now: docs/backups.md)`,
        windows,
      };
    }
    // Full dumps that base no chain yet (majority confirmation, ../majority.ts) are named, so the refusal says why.
    const waiting = entries.filter((e) => e.kind === "full" && !isChainBase(e)).map((e) => e.manifestPath);
    const note = waiting.length ? `; unconfirmed full dumps, which base no chain until the majority commit point is seen past their lastTs: ${waiting.join(", ")}` : "";
    return { ok: false, error: unreachableMessage(target, windows) + note, windows };
  }

  const window = windows.find((w) => compareTs(w.from, point) <= 0 && compareTs(point, w.to) <= 0) as RestoreWindow;
  const limit = formatTs(target.limit);
  const base = chosen.dump;
  const at = (e: CatalogEntry) => joinPath(options.catalogDir, artifactPath(e));
  const gzip = (e: CatalogEntry) => e.format.endsWith("+gzip");
  const common = {
    tool: options.mongorestore ?? "mongorestore",
    connection: [`--config=${options.configFile}`],
    oplogLimit: limit,
    drop: options.drop || options.preserveUUID === true,
    preserveUUID: options.preserveUUID === true,
    numParallelCollections: options.numParallelCollections,
    numInsertionWorkersPerCollection: options.numInsertionWorkersPerCollection,
  };
  const ref = (e: CatalogEntry, step: number): PlanArtifact => ({ step, kind: e.kind, file: artifactPath(e), manifestPath: e.manifestPath, bytes: e.bytes, sha256: e.sha256 });
  let steps: RestoreStep[];
  let artifacts: PlanArtifact[];
  if (!isDirectoryDump(base)) {
    if (common.drop) {
      // Its users sit inside the archive, where they cannot be set aside: with --drop they would
      // replace every user, the temporary restore user included (dump-authz.js), mid-restore.
      return {
        ok: false,
        error:
          `the full dump ${artifactPath(base)} is in the schemaVersion 1 format (an --archive file): its users and roles cannot be set aside, and restored with drop ` +
          `(an in-place or cluster restore) they replace every user, the temporary restore user included, before the oplog replay. Restore it without --drop into an ` +
          `empty replica set, or pick a target at or after the first schemaVersion 2 full dump`,
        windows,
      };
    }
    steps = [{ step: 1, kind: "mongorestore", holdsThrough: point, argv: mongorestoreReplayArgv({ ...common, source: { archive: at(base) }, gzip: gzip(base) }) }];
    artifacts = [ref(base, 1)];
  } else {
    const work = workPaths(options.workDir);
    steps = [
      { step: 1, kind: "unpack", file: artifactPath(base), into: work.unpacked, argv: unpackArgv(at(base), work.unpacked), authzAside: { dumpDir: work.dumpDir, into: work.authzAside } },
      {
        step: 2,
        kind: "merge-oplog",
        base: { file: `${artifactPath(base)}:oplog.bson.gz`, path: work.baseOplog, gzip: true },
        slices: chosen.slices.map((s) => ({ file: artifactPath(s), path: at(s), gzip: gzip(s) })),
        after: base.lastTs,
        limit: target.limit,
        out: work.mergedOplog,
        gzip: true,
      },
      { step: 3, kind: "mongorestore", holdsThrough: point, argv: mongorestoreReplayArgv({ ...common, source: { dir: work.dumpDir }, oplogFile: work.mergedOplog, gzip: true }) },
    ];
    artifacts = [ref(base, 1), ...chosen.slices.map((s) => ref(s, 2))];
  }
  return {
    ok: true,
    plan: {
      replicaSet: base.replicaSet,
      target,
      base: artifactPath(base),
      baseFormat: base.format,
      baseLastTs: base.lastTs,
      slices: chosen.slices.map(artifactPath),
      oplogLimit: limit,
      window,
      artifacts,
      steps,
    },
  };
}

/** The plan's one mongorestore step. */
export function mongorestoreStep(plan: RestorePlan): MongorestoreStep {
  return plan.steps.find((s): s is MongorestoreStep => s.kind === "mongorestore") as MongorestoreStep;
}

function unreachableMessageHead(target: RestoreTarget): string {
  return `--${target.mode} ${target.input} (up to and including ${describeTs(target.lastIncluded)})`;
}

/** Why a target cannot be restored, with the ranges the catalog does reach. */
export function unreachableMessage(target: RestoreTarget, windows: RestoreWindow[]): string {
  return `${unreachableMessageHead(target)} ${unreachableReason(target.lastIncluded, windows)}`;
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
