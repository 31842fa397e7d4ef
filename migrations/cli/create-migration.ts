// `migrate create <name>`: the next numbered migration file from a template, and its line in
// migrations/registry.ts. Pure: the texts in, the texts out; the CLI reads and writes the files.
import { UsageError } from "../runner/errors";

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function validMigrationName(name: string): string {
  if (!NAME.test(name)) throw new UsageError(`create ${JSON.stringify(name)}: a migration name is lower-case words joined by "-" (e.g. add-results-branch-index)`);
  return name;
}

export function migrationFileName(id: number, name: string): string {
  return `${String(id).padStart(4, "0")}-${name}.ts`;
}

export function migrationTemplate(id: number, name: string): string {
  return `// ${name}: say what this migration changes and why.
// Immutable once applied: it carries its own copy of the definitions (it does not read the
// catalog). Change migrations/catalog/ to match in the same commit; \`npx jest test/migrations\`
// proves that all migrations together yield the catalog. Operations: createCollection, collMod,
// dropCollection, createIndexes, dropIndex (migrations/migration.ts). \`up\` must not be empty:
// until it has an operation, the runner refuses to load the list.
import type { Migration } from "./migration";

export const migration: Migration = {
  id: ${id},
  name: "${name}",
  up: [
    // { op: "createIndexes", collection: "results", indexes: [{ key: { branch: 1 }, name: "branch_1" }] },
  ],
  // What reverts \`up\`, in reverse order; leave it out if the migration cannot be reverted.
  down: [
    // { op: "dropIndex", collection: "results", name: "branch_1" },
  ],
};
`;
}

/** registry.ts with the new migration imported and listed last; throws if the file is not in the expected shape. */
export function registryWithMigration(registry: string, id: number, name: string): string {
  const variable = `m${String(id).padStart(4, "0")}`;
  const importLine = `import { migration as ${variable} } from "./${migrationFileName(id, name).replace(/\.ts$/, "")}";`;
  const imports = [...registry.matchAll(/^import \{ migration as m\d{4} \} from "\.\/\d{4}-[a-z0-9-]+";$/gm)];
  const list = /^export const MIGRATIONS: readonly Migration\[\] = \[([^\]]*)\];$/m.exec(registry);
  if (imports.length === 0 || !list) throw new Error("migrations/registry.ts is not in the shape `migrate create` edits; add the migration by hand");
  const lastImport = imports[imports.length - 1];
  const afterImport = (lastImport.index ?? 0) + lastImport[0].length;
  const withImport = `${registry.slice(0, afterImport)}\n${importLine}${registry.slice(afterImport)}`;
  return withImport.replace(/^export const MIGRATIONS: readonly Migration\[\] = \[([^\]]*)\];$/m, (_all, items: string) => `export const MIGRATIONS: readonly Migration[] = [${items.trim()}${items.trim() ? ", " : ""}${variable}];`);
}
