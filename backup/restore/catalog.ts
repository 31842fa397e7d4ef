// Reads a catalog directory: every file named `manifest.json` or `*.manifest.json` under the root,
// parsed and validated. A malformed manifest is reported by name, never half-read; the caller
// decides whether that stops it (by default the CLI refuses the whole catalog: a silently
// skipped manifest could hide the very dump an SRE is looking for).

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { confirmationName, confirmationProblem } from "../majority";
import { CatalogEntry, catalogPathProblem, escapeControl, ManifestError, parseManifest } from "../manifest";

export interface LoadedCatalog {
  entries: CatalogEntry[];
  problems: ManifestError[];
}

export function isManifestName(name: string): boolean {
  return name === "manifest.json" || name.endsWith(".manifest.json");
}

/** Loads every manifest under `root`; `manifestPath`s are relative to it, "/"-separated, sorted. */
export async function loadCatalog(root: string): Promise<LoadedCatalog> {
  const paths = (await findManifests(root, "")).sort();
  const entries: CatalogEntry[] = [];
  const problems: ManifestError[] = [];
  for (const rel of paths) {
    // The manifest's own path reaches the same places as its artifact's (manifest.ts, SAFE_CATALOG_PATH).
    const pathProblem = catalogPathProblem(rel);
    if (pathProblem) {
      problems.push(new ManifestError(escapeControl(rel, false), [{ field: "(document)", message: `its path ${pathProblem}` }]));
      continue;
    }
    try {
      const manifest = parseManifest(await readFile(join(root, rel), "utf8"), rel);
      entries.push({ ...manifest, manifestPath: rel, ...((await isConfirmed(root, rel, manifest)) ? { confirmed: true } : {}) });
    } catch (e) {
      if (e instanceof ManifestError) problems.push(e);
      else throw e;
    }
  }
  return { entries, problems };
}

/**
 * Whether an unconfirmed full dump has a matching confirmation record beside its manifest. A
 * missing, unreadable or mismatched record leaves the dump unconfirmed (it bases no chain), which
 * is the safe side; the catalog itself stays readable.
 */
async function isConfirmed(root: string, rel: string, manifest: { kind: string; majorityCommit?: string; lastTs: { t: number; i: number }; lastTerm?: number }): Promise<boolean> {
  if (manifest.kind !== "full" || manifest.majorityCommit !== "unconfirmed") return false;
  const slash = rel.lastIndexOf("/");
  const name = rel.slice(slash + 1);
  let record: unknown;
  try {
    record = JSON.parse(await readFile(join(root, rel.slice(0, slash + 1) + confirmationName(name)), "utf8"));
  } catch {
    return false;
  }
  return confirmationProblem(record, manifest, name) === undefined;
}

async function findManifests(root: string, rel: string): Promise<string[]> {
  const found: string[] = [];
  // Symbolic links are not followed: a catalog is a plain tree, and a loop must not hang a restore.
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await findManifests(root, path)));
    else if (entry.isFile() && isManifestName(entry.name)) found.push(path);
  }
  return found;
}

/** The entries of one replica set: the named one, or the only one; otherwise why not. */
export function selectReplicaSet(entries: CatalogEntry[], name: string | undefined): { ok: true; entries: CatalogEntry[]; replicaSet: string } | { ok: false; error: string } {
  const names = [...new Set(entries.map((e) => e.replicaSet))].sort();
  if (name !== undefined) {
    if (!names.includes(name)) return { ok: false, error: `the catalog holds no manifest of replica set ${JSON.stringify(name)}; it holds: ${names.join(", ") || "nothing"}` };
    return { ok: true, entries: entries.filter((e) => e.replicaSet === name), replicaSet: name };
  }
  if (names.length === 0) return { ok: false, error: "the catalog holds no manifest (files named manifest.json or *.manifest.json)" };
  if (names.length > 1) return { ok: false, error: `the catalog holds several replica sets (${names.join(", ")}): choose one with --replica-set, or restore a sharded cluster's catalog root (one directory per replica set) with --cluster` };
  return { ok: true, entries, replicaSet: names[0] };
}

/** One replica set's catalog under a cluster's catalog root. */
export interface LoadedReplicaSetCatalog {
  replicaSet: string;
  /** Its directory, relative to the root (the replica set's name). */
  dir: string;
  entries: CatalogEntry[];
}

export interface LoadedClusterCatalog {
  catalogs: LoadedReplicaSetCatalog[];
  /** Malformed manifests; each source is relative to the root ("rs0/oplog/x.manifest.json"). */
  problems: ManifestError[];
  /** Why the root is not a cluster's catalog root; empty when it is. */
  errors: string[];
}

/** Directories that are never a replica set's catalog: hidden ones, and a file system's lost+found. */
const NOT_A_CATALOG = (name: string) => name.startsWith(".") || name === "lost+found";

/**
 * Loads a cluster's catalog root: one subdirectory per replica set, named after it, as the backup
 * storage lays them out (`/backup/<rs>/`, `s3://<bucket>/<prefix>/<rs>/`; docs/backups.md). The
 * directory's name must be the replica set its manifests name: a mix-up there would restore one
 * shard's data into another.
 */
export async function loadClusterCatalog(root: string): Promise<LoadedClusterCatalog> {
  const dirs = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !NOT_A_CATALOG(d.name))
    .map((d) => d.name)
    .sort();
  const layout = ["full", "oplog", "status"].filter((n) => dirs.includes(n));
  if (layout.length > 0) {
    return { catalogs: [], problems: [], errors: [`${layout.map((n) => `${n}/`).join(", ")} under the root: this is one replica set's catalog; --cluster wants the directory above the replica sets' catalogs (<root>/cfg/, <root>/rs0/, ...), or leave out --cluster`] };
  }
  const catalogs: LoadedReplicaSetCatalog[] = [];
  const problems: ManifestError[] = [];
  const errors: string[] = [];
  for (const dir of dirs) {
    const loaded = await loadCatalog(join(root, dir));
    problems.push(...loaded.problems.map((p) => new ManifestError(`${dir}/${p.source}`, p.problems)));
    const names = [...new Set(loaded.entries.map((e) => e.replicaSet))].sort();
    if (loaded.entries.length === 0 && loaded.problems.length === 0) errors.push(`${dir}/ holds no manifest: a replica set without backups cannot be restored with the others`);
    else if (names.length > 0 && (names.length > 1 || names[0] !== dir)) {
      errors.push(`${dir}/ holds manifests of replica set ${names.join(", ")}: each replica set's catalog is the directory named after it`);
    } else catalogs.push({ replicaSet: dir, dir, entries: loaded.entries });
  }
  if (dirs.length === 0) errors.push("the root holds no subdirectory: --cluster wants one catalog per replica set, <root>/<replica set>/");
  return { catalogs, problems, errors };
}
