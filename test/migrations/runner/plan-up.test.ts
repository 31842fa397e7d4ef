import { renderPlan } from "../../../migrations/cli/migrate-output";
import { catalog } from "../../../migrations/catalog";
import type { DatabaseState } from "../../../migrations/plan/database-state";
import { applyInMemory } from "../../../migrations/plan/in-memory-database";
import { emptyDatabase } from "../../../migrations/plan/database-state";
import { loadMigrations } from "../../../migrations/registry";
import { buildPlanReport } from "../../../migrations/runner/plan-up";

const migrations = loadMigrations();
const changelogOf = (ids: number[]) => ids.map((id) => ({ id, name: migrations[id - 1].migration.name, checksum: migrations[id - 1].checksum }));
const stateAfter = (ids: number[]): DatabaseState => ids.reduce((s, id) => applyInMemory(migrations[id - 1].migration.up, s), emptyDatabase());

describe("plan: what up would send", () => {
  it("from an empty database: every collection, then all its indexes in ONE createIndexes", () => {
    const report = buildPlanReport("nyrkio", [], migrations, emptyDatabase());
    expect(report.ok).toBe(true);
    expect(report.migrations.map((m) => m.file)).toEqual(migrations.map((m) => m.file));
    const commands = report.migrations.flatMap((m) => m.steps.flatMap((s) => s.commands));
    const byName = (name: string) => commands.filter((c) => Object.keys(c)[0] === name);
    expect(byName("create").map((c) => c.create)).toEqual(catalog.collections.map((c) => c.name));
    // One createIndexes per collection that has indexes, each listing all of its indexes.
    for (const spec of catalog.collections.filter((c) => c.indexes.length > 0)) {
      const builds = byName("createIndexes").filter((c) => c.createIndexes === spec.name);
      expect(builds).toHaveLength(1);
      expect((builds[0].indexes as { name: string }[]).map((i) => i.name).sort()).toEqual(spec.indexes.map((i) => i.name).sort());
    }
    expect(report.commandCount).toBe(commands.length);
  });

  it("on an up-to-date database: nothing", () => {
    const every = migrations.map((m) => m.migration.id);
    const last = every[every.length - 1];
    const report = buildPlanReport("nyrkio", changelogOf(every), migrations, stateAfter(every));
    expect(report).toMatchObject({ ok: true, lastApplied: last, migrations: [], commandCount: 0 });
    expect(renderPlan(report)).toBe(`database nyrkio: up to date (last applied ${last}); \`up\` would send nothing\n`);
  });

  it("with --to: only up to that migration", () => {
    const report = buildPlanReport("nyrkio", changelogOf([1]), migrations, stateAfter([1]), 3);
    expect(report.migrations.map((m) => m.id)).toEqual([2, 3]);
  });

  it("a migration whose schema already exists (a run that died before recording it) sends nothing for it", () => {
    const report = buildPlanReport("nyrkio", changelogOf([1]), migrations, stateAfter([1, 2]));
    const second = report.migrations[0];
    expect(second.id).toBe(2);
    expect(second.steps.flatMap((s) => s.commands)).toEqual([]);
    expect(second.steps.flatMap((s) => s.notes).join("\n")).toMatch(/exists/);
  });

  it("an existing index with other options stops the plan, naming the file and the index", () => {
    const state = stateAfter([1]);
    const users = state.collections.find((c) => c.name === "users");
    if (!users) throw new Error("no users collection");
    const name = String(users.indexes[1].name);
    users.indexes[1] = { ...users.indexes[1], unique: false };
    // Pretend only the collection (not yet its indexes) was recorded: migration 1 is re-planned.
    const report = buildPlanReport("nyrkio", [], migrations, state);
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(new RegExp(`^migrations/0001-create-users\\.ts: users: an index named "${name.replace(/\./g, "\\.")}" exists with another definition`));
    expect(report.migrations).toHaveLength(1);
    expect(renderPlan(report)).toMatch(/\nSTOP: migrations\/0001-create-users\.ts/);
  });

  it("prints the exact commands", () => {
    const text = renderPlan(buildPlanReport("nyrkio", changelogOf([1, 2, 3, 4]), migrations, stateAfter([1, 2, 3, 4]), 5));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("database nyrkio: `up` would apply 1 migration(s) and send 2 command(s):");
    expect(lines[1]).toBe(`0005 ${migrations[4].migration.name}  ${migrations[4].file}`);
    expect(lines[2]).toMatch(/^ {2}db\.runCommand\(\{"create":"organizations","validator":\{"\$jsonSchema":/);
    expect(lines[3]).toMatch(/^ {2}db\.runCommand\(\{"createIndexes":"organizations","indexes":\[/);
  });
});
