// The one place the restore's mongorestore argv is built (the planner of one replica set and of a
// cluster both call it; the pod's restore.sh and verify.sh mirror it in lib.sh
// mongorestore_replay_args). Connection and TLS flags come first and from the caller, so the TLS
// work (config/tls.ts toolsTlsArgs) adds them in one place.
//
// Rules, from mongo-tools 100.18.0 mongorestore/mongorestore.go ParseAndValidateOptions:
//   - "--oplogFile without --oplogReplay" and "--oplogFile with --archive specified" are refused
//     (lines 217-223), so a restore with slices reads a directory dump (--dir), never --archive;
//   - "--preserveUUID without --drop" is refused;
//   - --gzip applies to the dump directory's files AND to --oplogFile (mongorestore/filepath.go
//     CreateIntentForOplog: `gzip: restore.InputOptions.Gzip`), so the merged oplog is written
//     gzipped whenever the dump's files are.
// --stopOnError on every call: without it mongorestore exits 0 over documents that failed
// (mongorestore/main/mongorestore.go exits non-zero on result.Err only).

export interface ReplayArgs {
  /** argv[0]. */
  tool: string;
  /** Connection flags (e.g. `--config=<file>`, or host/user flags), placed first. */
  connection: readonly string[];
  /** The dump: a directory (`--dir`) or, for a schemaVersion 1 dump restored without slices, an archive. */
  source: { dir: string } | { archive: string };
  /** The one oplog to replay besides a directory dump; absent: the archive's own. */
  oplogFile?: string;
  gzip: boolean;
  /** Canonical "<seconds>:<ordinal>", exclusive. */
  oplogLimit: string;
  drop: boolean;
  preserveUUID: boolean;
  numParallelCollections?: number;
  numInsertionWorkersPerCollection?: number;
}

/** The argv of the one mongorestore call of a replica set; throws on a combination mongorestore refuses. */
export function mongorestoreReplayArgv(a: ReplayArgs): string[] {
  if (a.oplogFile !== undefined && "archive" in a.source) {
    throw new Error("--oplogFile cannot be combined with --archive: mongorestore refuses it (mongorestore/mongorestore.go: cannot use --oplogFile with --archive specified)");
  }
  if (a.preserveUUID && !a.drop) {
    throw new Error("--preserveUUID needs --drop: mongorestore refuses it without (mongorestore/mongorestore.go: cannot specify --preserveUUID without --drop)");
  }
  return [
    a.tool,
    ...a.connection,
    "archive" in a.source ? `--archive=${a.source.archive}` : `--dir=${a.source.dir}`,
    ...(a.gzip ? ["--gzip"] : []),
    "--oplogReplay",
    ...(a.oplogFile !== undefined ? [`--oplogFile=${a.oplogFile}`] : []),
    `--oplogLimit=${a.oplogLimit}`,
    "--stopOnError",
    ...(a.drop ? ["--drop"] : []),
    ...(a.preserveUUID ? ["--preserveUUID"] : []),
    ...(a.numParallelCollections !== undefined ? [`--numParallelCollections=${a.numParallelCollections}`] : []),
    ...(a.numInsertionWorkersPerCollection !== undefined ? [`--numInsertionWorkersPerCollection=${a.numInsertionWorkersPerCollection}`] : []),
  ];
}

/** The tar argv that unpacks a "dir-tar+gzip" full dump into `into` (which must exist). */
export function unpackArgv(artifact: string, into: string): string[] {
  // GNU tar (in the official mongo image: docker-library/mongo 8.0/Dockerfile runs `tar -xz` in
  // its own build on ubuntu:noble, where tar is Essential) strips leading "/" and refuses ".."
  // members when extracting; --no-same-owner keeps a root-run extraction from chowning files.
  return ["tar", "-x", "--no-same-owner", "-f", artifact, "-C", into];
}

/** Where the one-call restore puts its files inside its private working directory. */
export function workPaths(workDir: string): { unpacked: string; dumpDir: string; baseOplog: string; mergedOplog: string; authzAside: string } {
  const unpacked = joinPath(workDir, "base");
  return {
    unpacked,
    dumpDir: joinPath(unpacked, "dump"),
    baseOplog: joinPath(unpacked, "oplog.bson.gz"),
    mergedOplog: joinPath(workDir, "replay-oplog.bson.gz"),
    // The dump's users and roles, moved out of dumpDir before mongorestore (backup/mongosh/dump-authz.js).
    authzAside: joinPath(workDir, "users-and-roles"),
  };
}

export function joinPath(dir: string, rel: string): string {
  if (dir === "" || dir === ".") return rel;
  return dir.endsWith("/") ? `${dir}${rel}` : `${dir}/${rel}`;
}
