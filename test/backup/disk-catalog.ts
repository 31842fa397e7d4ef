// Writes catalogs to a temporary directory: artifacts with real bytes, manifests with their true
// size and sha256, laid out as the backup jobs lay them out.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { artifactPath, CatalogEntry } from "../../backup/manifest";

export interface DiskCatalog {
  dir: string;
  entries: CatalogEntry[];
  cleanup(): void;
}

/** Writes each entry's manifest and an artifact whose size and sha256 the manifest then holds. */
export function writeCatalog(entries: CatalogEntry[], dir = mkdtempSync(join(tmpdir(), "restore-catalog-"))): DiskCatalog {
  const written = entries.map((e) => {
    const bytes = Buffer.from(`artifact ${e.manifestPath}\n`.repeat(1 + (e.lastTs.t % 7)));
    const entry = { ...e, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") } as CatalogEntry;
    const artifact = join(dir, artifactPath(entry));
    mkdirSync(dirname(artifact), { recursive: true });
    writeFileSync(artifact, bytes);
    const { manifestPath, ...manifest } = entry;
    writeFileSync(join(dir, manifestPath), JSON.stringify(manifest, null, 2));
    return entry;
  });
  return { dir, entries: written, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
