// `migrate create <name>`: the next numbered migration from a template, listed in the registry.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registryWithMigration } from "../../../migrations/cli/create-migration";
import { runMigrateCli } from "../../../migrations/cli/migrate-cli";
import type { CliIo } from "../../../migrations/cli/cli-io";

const REGISTRY = readFileSync(join(__dirname, "../../../migrations/registry.ts"), "utf8");

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "migrate-create-"));
  mkdirSync(join(dir, "migrations"));
  writeFileSync(join(dir, "migrations", "registry.ts"), REGISTRY);
  return dir;
}

function io(): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
      env: {},
      readFile: (p) => readFileSync(p, "utf8"),
      writeFile: (p, text, o) => writeFileSync(p, text, { flag: o?.createOnly ? "wx" : "w" }),
    },
  };
}

describe("migrate create", () => {
  it("writes the next numbered file and lists it last in the registry", async () => {
    const dir = project();
    const { io: i, out } = io();
    expect(await runMigrateCli(["create", "add-results-branch-index", "--dir", dir, "--json"], i)).toBe(0);
    const ids = [...REGISTRY.matchAll(/from "\.\/(\d{4})-/g)].map((m) => Number(m[1]));
    const next = Math.max(...ids) + 1;
    const file = `migrations/${String(next).padStart(4, "0")}-add-results-branch-index.ts`;
    expect(JSON.parse(out.stdout)).toEqual({ command: "create", ok: true, id: next, name: "add-results-branch-index", file, registry: "migrations/registry.ts" });
    const text = readFileSync(join(dir, file), "utf8");
    expect(text).toContain(`id: ${next},`);
    expect(text).toContain('name: "add-results-branch-index",');
    const registry = readFileSync(join(dir, "migrations", "registry.ts"), "utf8");
    const variable = `m${String(next).padStart(4, "0")}`;
    expect(registry).toContain(`import { migration as ${variable} } from "./${String(next).padStart(4, "0")}-add-results-branch-index";`);
    expect(registry).toMatch(new RegExp(`export const MIGRATIONS: readonly Migration\\[\\] = \\[m0001, [^\\]]*, ${variable}\\];`));
  });

  it("refuses a bad name (exit 2) and never overwrites a file", async () => {
    const dir = project();
    const { io: i } = io();
    expect(await runMigrateCli(["create", "Add_Index", "--dir", dir], i)).toBe(2);
    expect(await runMigrateCli(["create", "--dir", dir], i)).toBe(2);
    const ids = [...REGISTRY.matchAll(/from "\.\/(\d{4})-/g)].map((m) => Number(m[1]));
    const clash = join(dir, "migrations", `${String(Math.max(...ids) + 1).padStart(4, "0")}-x.ts`);
    writeFileSync(clash, "// someone's work\n");
    const second = io();
    expect(await runMigrateCli(["create", "x", "--dir", dir, "--json"], second.io)).toBe(1);
    expect(readFileSync(clash, "utf8")).toBe("// someone's work\n");
    expect(JSON.parse(second.out.stdout).error.message).toMatch(/cannot write .*EEXIST/);
  });

  it("needs no database, and refuses a registry in another shape", async () => {
    const { io: i, out } = io();
    expect(await runMigrateCli(["create", "x", "--dir", "/nonexistent"], i)).toBe(2);
    expect(out.stderr).toMatch(/cannot read \/nonexistent\/migrations\/registry.ts \(ENOENT\)/);
    expect(existsSync("/nonexistent")).toBe(false);
    expect(() => registryWithMigration("export const X = 1;\n", 7, "x")).toThrow(/not in the shape/);
  });
});
