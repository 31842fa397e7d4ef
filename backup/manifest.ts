// The manifest beside every backup artifact (docs/backup-format.md states the format). The
// planner, the pruner and the verification job trust nothing about an artifact but its manifest,
// so a malformed manifest is refused with the file and the field named, never half-read.

import { compareTs, isTimestamp, isUint32, Timestamp, UINT32_MAX } from "./timestamp";

/**
 * 2: full dumps are directory-format dumps packed into one tar ("dir-tar+gzip"), so a restore can
 * replay the whole oplog in one mongorestore process (--oplogFile is refused with --archive:
 * mongo-tools mongorestore/mongorestore.go ParseAndValidateOptions). 1: full dumps were
 * `--archive` files; such manifests are still read (a slice's format did not change), and the
 * planner restores a version-1 dump only to points its own oplog reaches (planner.ts).
 */
export const MANIFEST_SCHEMA_VERSION = 2;
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

export type ManifestKind = "full" | "oplog";

/**
 * How mongorestore reads the artifact:
 *  - "dir-tar+gzip": schemaVersion 2 full dumps. A tar holding `dump/`, the directory
 *                    `mongodump --oplog --gzip --out` wrote (every file gzipped), and beside it
 *                    `oplog.bson.gz`, the dump's own oplog moved out of `dump/` (mongodump writes it
 *                    as `dump/oplog.bson`, gzipped: mongodump/prepare.go CreateOplogIntents,
 *                    oplog_dump.go), because mongorestore refuses --oplogFile beside a top-level
 *                    oplog.bson (mongorestore/mongorestore.go Restore: GetOplogConflict). Restored
 *                    by unpacking, merging that oplog with the slices, and one
 *                    `--dir=<unpacked>/dump --gzip --oplogFile=<merged>` call.
 *  - "archive+gzip": schemaVersion 1 full dumps: `mongodump --oplog --archive --gzip` output → `--archive=<file> --gzip`
 *  - "archive":      the same, uncompressed → `--archive=<file>`
 *  - "bson+gzip":    oplog entries as a gzipped BSON stream (oplog.bson.gz) → `--oplogFile=<file> --gzip`
 *  - "bson":         the same, uncompressed → `--oplogFile=<file>`
 */
export type ArtifactFormat = "dir-tar+gzip" | "archive+gzip" | "archive" | "bson+gzip" | "bson";

export const FORMATS_BY_KIND: Record<ManifestKind, readonly ArtifactFormat[]> = {
  full: ["dir-tar+gzip", "archive+gzip", "archive"],
  oplog: ["bson+gzip", "bson"],
};

/** The full-dump formats of each schemaVersion: a version-2 dump is a packed directory, a version-1 dump an archive. */
export const FULL_FORMATS_BY_VERSION: Record<number, readonly ArtifactFormat[]> = { 1: ["archive+gzip", "archive"], 2: ["dir-tar+gzip"] };

interface ManifestCommon {
  /** 2 since full dumps are packed directories; 1 in manifests of earlier releases (still read). */
  schemaVersion: 1 | 2;
  kind: ManifestKind;
  format: ArtifactFormat;
  /** The artifact, relative to the directory that holds the manifest ("/"-separated, no ".."). */
  file: string;
  bytes: number;
  /** Lower-case hex SHA-256 of the artifact's bytes as stored. */
  sha256: string;
  replicaSet: string;
  /**
   * The replica set's config.settings.replicaSetId (24 hex digits), written by every job since the
   * chains refuse to join across replica sets; absent in manifests of earlier releases.
   */
  replicaSetId?: string;
  /** Full dump: the oplog window the dump covers. Slice: its first entry. */
  firstTs: Timestamp;
  /** Full dump: the point the dump restores to. Slice: its last entry. */
  lastTs: Timestamp;
  /** When the artifact was finished, ISO 8601 with a zone. */
  createdAt: string;
  /** Label of the chain (set by the full dump that started it). Informational: chains are proven by timestamps. */
  chainId?: string;
  /** Documents per namespace ("db.collection") as of lastTs, for the verification job. */
  counts?: Record<string, number>;
  /** Versions of the tools that wrote the artifact, e.g. {"mongodump": "100.9.4"}. */
  tools?: Record<string, string>;
}

export interface FullDumpManifest extends ManifestCommon {
  kind: "full";
  format: "dir-tar+gzip" | "archive+gzip" | "archive";
  /**
   * Sharded clusters only: the dump ran without the balancer window (it could not be opened), so
   * chunks may have moved between shards while it ran. Cluster restores refuse it unless told
   * --allow-unwindowed. Absent otherwise.
   */
  unwindowed?: true;
  /** The term of the oplog entry at lastTs (its `t`), read from the dump itself (backup/majority.ts). */
  lastTerm?: number;
  /**
   * Whether the set's majority commit point had passed lastTs, in the same term, when the manifest
   * was written. An "unconfirmed" dump bases no chain until a `<name>.confirmed.json` record beside
   * it says so (written once by a later job); absent in manifests of earlier releases.
   */
  majorityCommit?: "confirmed" | "unconfirmed";
}

export interface OplogSliceManifest extends ManifestCommon {
  kind: "oplog";
  format: "bson+gzip" | "bson";
  /** lastTs of the artifact this slice continues: the slice holds the entries after it. */
  prevTs: Timestamp;
  /** Number of oplog entries in the slice. */
  entries?: number;
}

export type Manifest = FullDumpManifest | OplogSliceManifest;

export interface ManifestProblem {
  /** Dotted path of the field ("lastTs.i"), or "(document)" for the whole manifest. */
  field: string;
  message: string;
}

export class ManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ManifestProblem[],
  ) {
    super(problems.map((p) => `${source}: ${p.field === "(document)" ? "" : `field "${p.field}": `}${p.message}`).join("\n"));
    this.name = "ManifestError";
  }
}

/** Parses a manifest file's text; throws ManifestError naming `source` and every bad field. */
export function parseManifest(text: string, source: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(source, [{ field: "(document)", message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return validateManifest(value, source);
}

export function validateManifest(value: unknown, source: string): Manifest {
  const problems = manifestProblems(value);
  if (problems.length > 0) throw new ManifestError(source, problems);
  return value as Manifest;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Every problem of a would-be manifest; empty when it is valid. */
export function manifestProblems(value: unknown): ManifestProblem[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ field: "(document)", message: `must be a JSON object, got ${describe(value)}` }];
  }
  const m = value as Record<string, unknown>;
  const problems: ManifestProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });

  const versionOk = READABLE_SCHEMA_VERSIONS.includes(m.schemaVersion as number);
  if (!versionOk) problem("schemaVersion", `must be ${READABLE_SCHEMA_VERSIONS.join(" or ")}, got ${describe(m.schemaVersion)}`);

  const kind = m.kind;
  if (kind !== "full" && kind !== "oplog") problem("kind", `must be "full" or "oplog", got ${describe(kind)}`);
  else {
    const formats = kind === "full" && versionOk ? FULL_FORMATS_BY_VERSION[m.schemaVersion as number] : FORMATS_BY_KIND[kind];
    if (!(formats as readonly unknown[]).includes(m.format)) {
      const which = kind === "full" && versionOk ? `kind "full" and schemaVersion ${String(m.schemaVersion)}` : `kind "${kind}"`;
      problem("format", `for ${which} must be ${formats.map((f) => `"${f}"`).join(" or ")}, got ${describe(m.format)}`);
    }
  }

  const fileProblem = relativeFileProblem(m.file);
  if (fileProblem) problem("file", fileProblem);
  if (typeof m.bytes !== "number" || !Number.isSafeInteger(m.bytes) || m.bytes < 0) problem("bytes", `must be a non-negative integer, got ${describe(m.bytes)}`);
  if (typeof m.sha256 !== "string" || !SHA256_HEX.test(m.sha256)) problem("sha256", `must be 64 lower-case hex digits, got ${describe(m.sha256)}`);
  if (typeof m.replicaSet !== "string" || m.replicaSet.length === 0) problem("replicaSet", `must be a non-empty string, got ${describe(m.replicaSet)}`);
  if (m.replicaSetId !== undefined && (typeof m.replicaSetId !== "string" || !/^[0-9a-f]{24}$/.test(m.replicaSetId))) {
    problem("replicaSetId", `must be 24 lower-case hex digits (the replica set's config.settings.replicaSetId) when present, got ${describe(m.replicaSetId)}`);
  }
  if (typeof m.createdAt !== "string" || !ISO_WITH_ZONE.test(m.createdAt) || Number.isNaN(Date.parse(m.createdAt))) {
    problem("createdAt", `must be an ISO 8601 time with a zone (e.g. "2024-05-01T02:00:37Z"), got ${describe(m.createdAt)}`);
  }

  const tsOk = (field: "firstTs" | "lastTs" | "prevTs"): boolean => {
    const ts = m[field];
    if (isTimestamp(ts)) return true;
    if (typeof ts !== "object" || ts === null) problem(field, `must be {"t": <seconds>, "i": <ordinal>}, got ${describe(ts)}`);
    else {
      const { t, i } = ts as Record<string, unknown>;
      if (!isUint32(t)) problem(`${field}.t`, `must be an integer 0..${UINT32_MAX}, got ${describe(t)}`);
      if (!isUint32(i)) problem(`${field}.i`, `must be an integer 0..${UINT32_MAX}, got ${describe(i)}`);
    }
    return false;
  };
  const firstOk = tsOk("firstTs");
  const lastOk = tsOk("lastTs");
  if (firstOk && lastOk && compareTs(m.firstTs as Timestamp, m.lastTs as Timestamp) > 0) problem("lastTs", "must not be before firstTs");

  if (kind === "oplog") {
    if (m.prevTs === undefined) problem("prevTs", "is required for an oplog slice (the lastTs of the artifact it continues)");
    else if (tsOk("prevTs") && firstOk && compareTs(m.prevTs as Timestamp, m.firstTs as Timestamp) >= 0) {
      problem("prevTs", "must be before firstTs (a slice holds the entries after prevTs)");
    }
    if (m.entries !== undefined && (typeof m.entries !== "number" || !Number.isSafeInteger(m.entries) || m.entries < 1)) {
      problem("entries", `must be a positive integer when present, got ${describe(m.entries)}`);
    }
  } else if (kind === "full" && m.prevTs !== undefined) {
    problem("prevTs", "must be absent for a full dump (a full dump starts from nothing)");
  }
  if (m.unwindowed !== undefined) {
    if (kind !== "full") problem("unwindowed", "is only for a full dump (slices need no balancer window)");
    else if (m.unwindowed !== true) problem("unwindowed", `must be true when present, got ${describe(m.unwindowed)}`);
  }

  if (m.lastTerm !== undefined || m.majorityCommit !== undefined) {
    if (kind !== "full") problem(m.lastTerm !== undefined ? "lastTerm" : "majorityCommit", "is only for a full dump (slices stop at the majority commit point)");
    if (m.lastTerm !== undefined && (typeof m.lastTerm !== "number" || !Number.isSafeInteger(m.lastTerm) || m.lastTerm < 0)) problem("lastTerm", `must be a non-negative integer (the term of the entry at lastTs), got ${describe(m.lastTerm)}`);
    if (m.majorityCommit !== undefined && m.majorityCommit !== "confirmed" && m.majorityCommit !== "unconfirmed") problem("majorityCommit", `must be "confirmed" or "unconfirmed" when present, got ${describe(m.majorityCommit)}`);
    if (m.majorityCommit !== undefined && m.lastTerm === undefined) problem("lastTerm", "is required with majorityCommit (a confirmation compares terms)");
  }

  if (m.chainId !== undefined && (typeof m.chainId !== "string" || m.chainId.length === 0)) problem("chainId", `must be a non-empty string when present, got ${describe(m.chainId)}`);
  if (m.counts !== undefined) {
    if (typeof m.counts !== "object" || m.counts === null || Array.isArray(m.counts)) problem("counts", `must be an object of namespace → count, got ${describe(m.counts)}`);
    else {
      for (const [ns, n] of Object.entries(m.counts)) {
        if (!/^[^.\s]+\..+$/.test(ns)) problem(`counts.${ns}`, `key must be a namespace "<db>.<collection>"`);
        if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) problem(`counts.${ns}`, `must be a non-negative integer, got ${describe(n)}`);
      }
    }
  }
  if (m.tools !== undefined) {
    if (typeof m.tools !== "object" || m.tools === null || Array.isArray(m.tools)) problem("tools", `must be an object of tool → version, got ${describe(m.tools)}`);
    else for (const [tool, v] of Object.entries(m.tools)) if (typeof v !== "string") problem(`tools.${tool}`, `must be a version string, got ${describe(v)}`);
  }
  return problems;
}

/**
 * The names a catalog may hold (an artifact's `file`, a manifest's own path): letters, digits,
 * ".", "_" and "-" in "/"-separated segments. Names travel into mongorestore's argv, into the
 * in-pod reader's `step ...` lines that restore.sh reads word by word (backup/mongosh/catalog.js
 * holds the same rule), and onto terminals: a space, newline or control character in one would
 * split a line or inject a step. Every name the jobs write fits (backup/scripts/*.sh).
 */
export const SAFE_CATALOG_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Why `path` is not a name a catalog may hold, or undefined when it is. */
export function catalogPathProblem(path: string): string | undefined {
  if (!SAFE_CATALOG_PATH.test(path)) return `must match ${SAFE_CATALOG_PATH.source} (letters, digits, ".", "_" and "-", segments separated by "/"), got ${describe(path)}`;
  if (path.split("/").some((seg) => seg === "." || seg === "..")) return `must not contain "." or ".." segments, got ${describe(path)}`;
  return undefined;
}

/**
 * Text safe for a terminal: control characters (C0 but newline and tab, DEL, C1) become \uXXXX
 * escapes, so a name from a hostile catalog cannot move the cursor, clear the screen or fake a
 * line (`keepLineBreaks` false: newline and tab too, for one name). JSON stays valid (it escapes C0 itself; \u007f and C1 escapes are valid JSON too).
 */
export function escapeControl(text: string, keepLineBreaks = true): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return text.replace(keepLineBreaks ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Why `file` is not a safe relative path inside the catalog, or undefined when it is. */
function relativeFileProblem(file: unknown): string | undefined {
  if (typeof file !== "string" || file.length === 0) return `must be a non-empty path relative to the manifest, got ${describe(file)}`;
  if (file.startsWith("/")) return `must be relative to the manifest, got the absolute path ${JSON.stringify(file)}`;
  if (file.includes("\\") || file.includes("\0")) return `must use "/" as separator and no NUL, got ${JSON.stringify(file)}`;
  if (file.split("/").some((seg) => seg === "" || seg === "." || seg === "..")) return `must not contain empty, "." or ".." segments, got ${JSON.stringify(file)}`;
  return catalogPathProblem(file);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing (the field is missing)";
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** A manifest as found in a catalog: `manifestPath` is its path relative to the catalog root. */
export type CatalogEntry = Manifest & {
  manifestPath: string;
  /** An unconfirmed full dump whose `<name>.confirmed.json` record matches it (backup/majority.ts). */
  confirmed?: boolean;
};

/** The artifact's path relative to the catalog root ("/"-separated). */
export function artifactPath(entry: Pick<CatalogEntry, "manifestPath" | "file">): string {
  const slash = entry.manifestPath.lastIndexOf("/");
  return slash < 0 ? entry.file : `${entry.manifestPath.slice(0, slash)}/${entry.file}`;
}
