// Writes catalogs to a temporary directory: real artifacts in each manifest's format (a packed
// directory dump, a gzipped archive, an oplog stream), whose oplog runs from the manifest's
// firstTs to its lastTs, and manifests with their true size and sha256, laid out as the backup
// jobs lay them out.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { artifactPath, CatalogEntry } from "../../backup/manifest";

const { archive, bsonStream, dirTar } = require("./mongosh/fixtures/artifact-builder.js");

/** The artifact's bytes: its oplog holds the manifest's firstTs and lastTs. */
function artifactBytes(e: CatalogEntry, file: string): Buffer {
  const oplog = [e.firstTs, e.lastTs].filter((x, k, all) => k === 0 || x.t !== all[0].t || x.i !== all[0].i).map((x) => `${x.t}:${x.i}`);
  if (e.format === "dir-tar+gzip") {
    dirTar(file, oplog);
    return readFileSync(file);
  }
  if (e.format === "archive+gzip") return gzipSync(archive(oplog));
  if (e.format === "archive") return archive(oplog);
  return e.format === "bson+gzip" ? gzipSync(bsonStream(oplog)) : bsonStream(oplog);
}

export interface DiskCatalog {
  dir: string;
  entries: CatalogEntry[];
  cleanup(): void;
}

/** Writes each entry's manifest and an artifact whose size and sha256 the manifest then holds. */
export function writeCatalog(entries: CatalogEntry[], dir = mkdtempSync(join(tmpdir(), "restore-catalog-"))): DiskCatalog {
  const written = entries.map((e) => {
    const artifact = join(dir, artifactPath(e));
    mkdirSync(dirname(artifact), { recursive: true });
    const bytes = artifactBytes(e, artifact);
    writeFileSync(artifact, bytes);
    const entry = { ...e, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") } as CatalogEntry;
    const { manifestPath, ...manifest } = entry;
    writeFileSync(join(dir, manifestPath), JSON.stringify(manifest, null, 2));
    return entry;
  });
  return { dir, entries: written, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
