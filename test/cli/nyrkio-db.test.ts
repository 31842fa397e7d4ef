// The single command-line tool: one registry of subcommands, --help/--json/--version everywhere,
// one error wording and one exit-code table.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT_CODES, nyrkioDbHelp, runNyrkioDb } from "../../cli/nyrkio-db";
import { SUBCOMMANDS, type Subcommand } from "../../cli/subcommands";
import { packageVersion, wantsVersion, type CliIo } from "../../migrations/cli/cli-io";

function io(env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  const value: CliIo = { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), env, readFile: () => "" };
  return { io: value, out };
}

const pkg = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string; bin: Record<string, string>; scripts: Record<string, string> };

describe("nyrkio-db", () => {
  it("is the package's bin, and the npm run scripts stay as aliases", () => {
    expect(pkg.bin).toEqual({ "nyrkio-db": "dist/cli/nyrkio-db.js" });
    expect(pkg.scripts.migrate).toMatch(/dist\/migrations\/cli\/migrate-cli\.js$/);
    expect(pkg.scripts.restore).toMatch(/dist\/backup\/restore\/restore-cli\.js$/);
    expect(pkg.scripts["check:queries"]).toMatch(/dist\/migrations\/cli\/check-queries-cli\.js$/);
  });

  it("has migrate, restore, check-queries, wait-job, status and e2e", () => {
    expect(SUBCOMMANDS.map((c) => c.name)).toEqual(["migrate", "restore", "check-queries", "wait-job", "status", "tls-names", "e2e"]);
  });

  it("--help lists every subcommand and the exit-code table", async () => {
    const { io: i, out } = io();
    expect(await runNyrkioDb(["--help"], i)).toBe(0);
    for (const c of SUBCOMMANDS) expect(out.stdout).toContain(`  ${c.name}`);
    for (const [code] of EXIT_CODES) expect(out.stdout).toMatch(new RegExp(`^ +${code}  `, "m"));
  });

  it("no command: the help on stdout, exit 2", async () => {
    const { io: i, out } = io();
    expect(await runNyrkioDb([], i)).toBe(2);
    expect(out.stdout).toBe(nyrkioDbHelp());
  });

  it("--version for the tool and for every subcommand, also as JSON", async () => {
    for (const argv of [["--version"], ...SUBCOMMANDS.map((c) => [c.name, "--version"])]) {
      const { io: i, out } = io();
      expect(await runNyrkioDb(argv, i)).toBe(0);
      expect(out.stdout).toContain(pkg.version);
    }
    const { io: i, out } = io();
    expect(await runNyrkioDb(["migrate", "--version", "--json"], i)).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ ok: true, command: "migrate", version: pkg.version });
  });

  it("--version is read before any `--`, from the project's package.json", () => {
    expect(packageVersion()).toBe(pkg.version);
    expect(wantsVersion(["migrate", "--version"])).toBe(true);
    expect(wantsVersion(["restore", "run", "--", "--version"])).toBe(false);
  });

  it("an unknown command: exit 2, one wording, one JSON document with --json", async () => {
    const { io: i, out } = io();
    expect(await runNyrkioDb(["mgirate", "status", "--json"], i)).toBe(2);
    expect(out.stderr).toBe('nyrkio-db: unknown command "mgirate": expected one of migrate, restore, check-queries, wait-job, status, tls-names, e2e\nnyrkio-db: see `nyrkio-db --help`\n');
    expect(JSON.parse(out.stdout)).toEqual({ ok: false, error: { code: "usage", message: expect.stringMatching(/^unknown command "mgirate"/) } });
  });

  it.each(SUBCOMMANDS.map((c) => [c.name]))("%s --help exits 0 and prints its help", async (name) => {
    const { io: i, out } = io();
    expect(await runNyrkioDb([name, "--help"], i)).toBe(0);
    expect(out.stdout).toMatch(/Usage:|migrate/);
  });

  it("hands the rest of argv to the subcommand: migrate schema --json", async () => {
    const { io: i, out } = io();
    expect(await runNyrkioDb(["migrate", "schema", "--json"], i)).toBe(0);
    expect(JSON.parse(out.stdout).collections.map((c: { name: string }) => c.name)).toContain("users");
  });

  it("a new subcommand is one registry line", async () => {
    const extra: Subcommand = { name: "example", summary: "an example", run: async (argv, cliIo) => (cliIo.stdout(argv.join(" ")), 0) };
    const { io: i, out } = io();
    expect(await runNyrkioDb(["example", "a", "b"], i, [...SUBCOMMANDS, extra])).toBe(0);
    expect(out.stdout).toBe("a b");
    expect(nyrkioDbHelp([...SUBCOMMANDS, extra])).toContain("  example        an example");
  });
});
