// Issue 11 defect 10: a `down` killed after dropping its collection but before its changelog
// write left `status` saying "applied". Applied migrations are now planned against the live schema.
import { emptyDatabase, type DatabaseState } from "../../../migrations/plan";
import { loadMigrations } from "../../../migrations/registry";
import { driftError, expectedState, schemaDrift } from "../../../migrations/runner/drift";
import { buildStatusReport } from "../../../migrations/runner/status";

const migrations = loadMigrations();
const all = expectedState(migrations.map((m) => m.migration));
const changelog = migrations.map((m) => ({ id: m.migration.id, name: m.migration.name, checksum: m.checksum, appliedAt: new Date(0), durationMs: 1 }));
const without = (state: DatabaseState, collection: string): DatabaseState => ({ collections: state.collections.filter((c) => c.name !== collection) });
const now = new Date("2026-12-06T00:00:00Z");

describe("drift between the applied migrations and the live schema", () => {
  it("none when the live schema is what the applied migrations leave (runner collections aside)", () => {
    const live = { collections: [...all.collections, { name: "nyrkio_migrations", options: {}, indexes: [] }] };
    expect(schemaDrift(all, live)).toEqual([]);
    const report = buildStatusReport("nyrkio", changelog, migrations, null, now, live);
    expect(report.ok).toBe(true);
    expect(report.migrations.every((m) => m.state === "applied")).toBe(true);
  });

  it("a killed down: migration 5's collection is gone but still recorded; status says drifted and exits 1", () => {
    const upTo5 = changelog.filter((e) => e.id <= 5);
    const live = without(expectedState(migrations.filter((m) => m.migration.id <= 5).map((m) => m.migration)), "organizations");
    const report = buildStatusReport("nyrkio", upTo5, migrations, null, now, live);
    expect(report.ok).toBe(false);
    expect(report.migrations.find((m) => m.id === 5)?.state).toBe("drifted");
    expect(report.migrations.filter((m) => m.id < 5).every((m) => m.state === "applied")).toBe(true);
    expect(report.problems).toEqual(['drift: collection "organizations" is missing']);
  });

  it("a missing or different index and a changed validator are drift too", () => {
    const live: DatabaseState = structuredClone(all);
    const results = live.collections.find((c) => c.name === "results");
    if (!results) throw new Error("no results");
    const [, second] = results.indexes;
    results.indexes = results.indexes.filter((i) => i.name !== second.name);
    results.options.validationAction = results.options.validationAction === "warn" ? "error" : "warn";
    const problems = schemaDrift(all, live).map((d) => d.problem);
    expect(problems).toContain(`collection "results": index "${second.name}" is missing`);
    expect(problems.some((p) => /validationLevel\/validationAction/.test(p))).toBe(true);
  });

  it("up refuses with a message that says how to finish", () => {
    expect(driftError(schemaDrift(all, emptyDatabase())).message).toMatch(/finish it \(`migrate down --to N`\)/);
  });
});
