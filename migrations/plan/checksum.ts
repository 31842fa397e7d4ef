// A migration's checksum: sha256 of the canonical JSON of what it does (`up` and `down`). Taken
// from the operations rather than the file's bytes, so it is the same whether the runner loads the
// .ts source (jest) or esbuild's .js in dist/, and a comment or formatting change does not count as
// a change; any change to what the migration sends does. Index keys keep their field order.
//
// The algorithm is versioned: a checksum is written "v2:<hex>". Version 1 (a bare hex digest of
// the first canonical form, which turned Date and RegExp into {}) is what databases deployed
// before version 2 recorded; a recorded v1 checksum is checked with the v1 algorithm, so
// upgrading the runner does not report every applied migration as edited.
import { createHash } from "node:crypto";
import type { Migration, SchemaOperation } from "../migration";
import { canonicalJson, canonicalizeV1 } from "./canonical";

const ORDERED = new Set(["key"]);

export const CHECKSUM_VERSION = 2;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A code step is checksummed by what it declares; its function's text differs between source and build. */
function declared(operations: readonly SchemaOperation[]): unknown[] {
  return operations.map((o) => (o.op === "code" ? { op: o.op, collection: o.collection, alsoTouches: o.alsoTouches ?? [], name: o.name, revision: o.revision } : o));
}

function body(migration: Pick<Migration, "up" | "down">): unknown {
  return { up: declared(migration.up), down: migration.down ? declared(migration.down) : null };
}

/** The current checksum ("v2:<sha256 hex>"). */
export function migrationChecksum(migration: Pick<Migration, "up" | "down">): string {
  return `v${CHECKSUM_VERSION}:${sha256(canonicalJson(body(migration), ORDERED))}`;
}

/** The version 1 checksum: a bare sha256 hex digest of the first canonical form. */
export function migrationChecksumV1(migration: Pick<Migration, "up" | "down">): string {
  return sha256(JSON.stringify(canonicalizeV1(body(migration), ORDERED)));
}

/** The version a recorded checksum was taken with: "vN:" prefix, or 1 for a bare digest. */
export function checksumVersion(recorded: string): number | undefined {
  if (/^[0-9a-f]{64}$/.test(recorded)) return 1;
  const m = /^v(\d+):[0-9a-f]{64}$/.exec(recorded);
  return m ? Number(m[1]) : undefined;
}

/** Whether `recorded` is this migration's checksum under the algorithm version it names. */
export function checksumMatches(recorded: string, migration: Pick<Migration, "up" | "down">): boolean {
  switch (checksumVersion(recorded)) {
    case 1:
      return recorded === migrationChecksumV1(migration);
    case CHECKSUM_VERSION:
      return recorded === migrationChecksum(migration);
    default:
      // An unknown version (a newer runner wrote it): never silently equal.
      return false;
  }
}
