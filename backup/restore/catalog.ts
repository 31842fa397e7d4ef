// Reads a catalog directory: every file named `manifest.json` or `*.manifest.json` under the root,
// parsed and validated. A malformed manifest is reported by name, never half-read; the caller
// decides whether that stops it (by default the CLI refuses the whole catalog: a silently
// skipped manifest could hide the very dump an SRE is looking for).

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { CatalogEntry, ManifestError, parseManifest } from "../manifest";

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
    try {
      const manifest = parseManifest(await readFile(join(root, rel), "utf8"), rel);
      entries.push({ ...manifest, manifestPath: rel });
    } catch (e) {
      if (e instanceof ManifestError) problems.push(e);
      else throw e;
    }
  }
  return { entries, problems };
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
  if (names.length > 1) return { ok: false, error: `the catalog holds several replica sets (${names.join(", ")}): choose one with --replica-set` };
  return { ok: true, entries, replicaSet: names[0] };
}
