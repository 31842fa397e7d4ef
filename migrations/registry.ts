// The migrations, in order. Adding one: write migrations/NNNN-<name>.ts exporting `migration`
// (id NNNN, name <name>), then list it here; a test fails when a file is not listed.
import type { Migration } from "./migration";
import { migrationChecksum } from "./plan/checksum";
import { migration as m0001 } from "./0001-create-users";
import { migration as m0002 } from "./0002-create-tests";
import { migration as m0003 } from "./0003-create-results";
import { migration as m0004 } from "./0004-create-changes";
import { migration as m0005 } from "./0005-create-organizations";
import { migration as m0006 } from "./0006-enforce-github-id-types";

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006];

export interface LoadedMigration {
  migration: Migration;
  /** The source file, relative to the project root: what the runner names when a checksum changes. */
  file: string;
  /** See plan/checksum.ts: sha256 of the canonical JSON of `up` and `down`. */
  checksum: string;
}

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const COLLECTION = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function migrationFile(migration: Pick<Migration, "id" | "name">): string {
  return `migrations/${String(migration.id).padStart(4, "0")}-${migration.name}.ts`;
}

/** One line per problem: ids not 1, 2, 3... in order, bad names, empty `up`, malformed operations. */
export function migrationProblems(list: readonly Migration[]): string[] {
  const problems: string[] = [];
  list.forEach((m, i) => {
    const where = `migration #${i + 1} (${migrationFile(m)})`;
    if (m.id !== i + 1) problems.push(`${where}: id is ${m.id}, expected ${i + 1} (ids run 1, 2, 3... without gaps, in list order)`);
    if (!NAME.test(m.name)) problems.push(`${where}: name "${m.name}" must be lower-case words joined by "-"`);
    if (m.up.length === 0) problems.push(`${where}: up has no operations`);
    for (const [direction, operations] of [["up", m.up], ["down", m.down ?? []]] as const) {
      operations.forEach((op, j) => {
        const at = `${where}: ${direction}[${j}] ${op.op}`;
        if (!COLLECTION.test(op.collection)) problems.push(`${at}: "${op.collection}" is not a collection name`);
        if (op.op === "code") {
          if (!NAME.test(op.name)) problems.push(`${at}: name "${op.name}" must be lower-case words joined by "-"`);
          if (!Number.isInteger(op.revision) || op.revision < 1) problems.push(`${at}: revision must be a whole number from 1 (bump it when the code changes)`);
          if (typeof op.run !== "function") problems.push(`${at}: run must be a function`);
          for (const other of op.alsoTouches ?? []) if (!COLLECTION.test(other)) problems.push(`${at}: "${other}" is not a collection name`);
        }
        if (op.op === "createIndexes") {
          if (op.indexes.length === 0) problems.push(`${at}: no indexes`);
          const names = op.indexes.map((x) => x.name);
          const duplicate = names.find((n, k) => names.indexOf(n) !== k);
          if (duplicate) problems.push(`${at}: index name "${duplicate}" appears twice`);
          for (const index of op.indexes) {
            if (!index.name) problems.push(`${at}: an index has no name (every index is named)`);
            if (Object.keys(index.key).length === 0) problems.push(`${at}: index "${index.name}" has an empty key`);
          }
        }
      });
    }
  });
  return problems;
}

/** The migrations with file names and checksums; throws when the list is malformed. */
export function loadMigrations(list: readonly Migration[] = MIGRATIONS): LoadedMigration[] {
  const problems = migrationProblems(list);
  if (problems.length > 0) throw new Error(`the migration list is malformed:\n${problems.join("\n")}`);
  return list.map((migration) => ({ migration, file: migrationFile(migration), checksum: migrationChecksum(migration) }));
}
