// The CLIs in-process without a database: usage errors, help, and `schema`, which needs none.
import { runCheckQueriesCli } from "../../../migrations/cli/check-queries-cli";
import { runMigrateCli } from "../../../migrations/cli/migrate-cli";
import { catalog } from "../../../migrations/catalog";
import { schemaDocument } from "../../../migrations/plan/schema-document";

async function run(cli: typeof runMigrateCli, argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await cli(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env,
    readFile: () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    },
  });
  return { code, stdout, stderr };
}

describe("migrate CLI without a database", () => {
  it("schema --json prints exactly one JSON document: the catalog as listIndexes shows it", async () => {
    const r = await run(runMigrateCli, ["schema", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.endsWith("\n")).toBe(true);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual(JSON.parse(JSON.stringify(schemaDocument(catalog))));
    expect(Object.keys(doc)).toEqual(["collections"]);
    for (const c of doc.collections) {
      expect(Object.keys(c)).toEqual(["name", "validator", "validationLevel", "validationAction", "indexes"]);
      expect(c.indexes.map((i: { name: string }) => i.name)).not.toContain("_id_");
    }
  });

  it("schema without --json lists collections and indexes for people", async () => {
    const r = await run(runMigrateCli, ["schema"]);
    expect(r.code).toBe(0);
    for (const c of catalog.collections) expect(r.stdout).toMatch(new RegExp(`^${c.name} {2}\\(validationLevel ${c.validationLevel}, validationAction ${c.validationAction}\\)$`, "m"));
    // The validators too, indented under their collection.
    expect(r.stdout).toMatch(/^users {2}\(validationLevel moderate, validationAction error\)\n {2}validator: \{\n {4}"\$jsonSchema": \{/m);
  });

  it("usage errors exit 2, say why on stderr, and still print one JSON document with --json", async () => {
    const r = await run(runMigrateCli, ["up", "--to", "x", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^migrate: --to "x": expected a whole number\nmigrate: see `migrate --help`\n$/);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { code: "usage", message: '--to "x": expected a whole number' } });
  });

  it("a database command without a target exits 2", async () => {
    const r = await run(runMigrateCli, ["status"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/no target database: set MONGODB_URI or pass --uri-file <path>/);
  });

  it("an unreadable --uri-file exits 2", async () => {
    const r = await run(runMigrateCli, ["status", "--uri-file", "/nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--uri-file \/nope: cannot read it \(ENOENT\)/);
  });

  it("a connection string in argv exits 2 without echoing it", async () => {
    const r = await run(runMigrateCli, ["up", "--uri=mongodb://admin:hunter2@db:27017", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toMatch(/hunter2/);
    expect(JSON.parse(r.stdout).error.message).toMatch(/--uri-file <path>, or set MONGODB_URI/);
  });

  it("--help prints the help on stdout and exits 0", async () => {
    const r = await run(runMigrateCli, ["plan", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^migrate plan \[--to N\] \[--json\]/);
  });
});

describe("check:queries CLI without a database", () => {
  it("usage errors exit 2", async () => {
    const r = await run(runCheckQueriesCli, ["--db", "nyrkio", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "usage" } });
  });

  it("needs a target", async () => {
    const r = await run(runCheckQueriesCli, []);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no target database/);
  });
});
