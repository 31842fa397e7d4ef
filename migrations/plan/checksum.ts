// A migration's checksum: sha256 of the canonical JSON of what it does (`up` and `down`). Taken
// from the operations rather than the file's bytes, so it is the same whether the runner loads the
// .ts source (jest) or esbuild's .js in dist/, and a comment or formatting change does not count as
// a change; any change to what the migration sends does. Index keys keep their field order.
import { createHash } from "node:crypto";
import type { Migration } from "../migration";
import { canonicalJson } from "./canonical";

const ORDERED = new Set(["key"]);

export function migrationChecksum(migration: Pick<Migration, "up" | "down">): string {
  const text = canonicalJson({ up: migration.up, down: migration.down ?? null }, ORDERED);
  return createHash("sha256").update(text).digest("hex");
}
