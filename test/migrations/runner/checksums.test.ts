import type { Migration } from "../../../migrations/migration";
import { loadMigrations } from "../../../migrations/registry";
import { RunnerError } from "../../../migrations/runner/errors";
import { assertChecksumsMatch, checksumProblems } from "../../../migrations/runner/checksums";

const loaded = loadMigrations();
const recorded = (ids: number[]) => ids.map((id) => ({ id, name: loaded[id - 1].migration.name, checksum: loaded[id - 1].checksum }));

describe("checksum verification", () => {
  it("accepts a changelog whose checksums match the files", () => {
    expect(checksumProblems(recorded([1, 2, 3]), loaded)).toEqual([]);
    expect(() => assertChecksumsMatch(recorded([1, 2, 3]), loaded)).not.toThrow();
  });

  it("refuses an applied migration whose file changed, naming the file", () => {
    // The file as it would be after someone edited an applied migration: one index renamed.
    const edited: Migration = structuredClone(loaded[1].migration);
    const op = edited.up.find((o) => o.op === "createIndexes");
    if (op?.op !== "createIndexes") throw new Error("migration 2 has no createIndexes");
    op.indexes[0].name = "renamed";
    const changed = loadMigrations([loaded[0].migration, edited, ...loaded.slice(2).map((m) => m.migration)]);

    const problems = checksumProblems(recorded([1, 2]), changed);
    expect(problems).toEqual([
      { kind: "changed", id: 2, name: "create-tests", file: "migrations/0002-create-tests.ts", recorded: loaded[1].checksum, current: changed[1].checksum },
    ]);
    expect(() => assertChecksumsMatch(recorded([1, 2]), changed)).toThrow(RunnerError);
    expect(() => assertChecksumsMatch(recorded([1, 2]), changed)).toThrow(/^migrations\/0002-create-tests\.ts changed after it was applied/);
  });

  it("a changed migration that is not applied yet is not a problem", () => {
    const edited = structuredClone(loaded[4].migration);
    edited.up = edited.up.slice(0, 1);
    const changed = loadMigrations([...loaded.slice(0, 4).map((m) => m.migration), edited]);
    expect(checksumProblems(recorded([1, 2, 3, 4]), changed)).toEqual([]);
  });

  it("refuses an applied migration that has no file any more", () => {
    const entries = [...recorded([1]), { id: 9, name: "from-another-branch", checksum: "abc" }];
    expect(checksumProblems(entries, loaded)).toEqual([{ kind: "missing-file", id: 9, name: "from-another-branch" }]);
    expect(() => assertChecksumsMatch(entries, loaded)).toThrow("migration 0009 from-another-branch is recorded as applied but no migration file has id 9");
  });

  it("reports every problem at once, with a machine-readable code", () => {
    const entries = [{ ...recorded([1])[0], checksum: "0".repeat(64) }, { id: 7, name: "gone", checksum: "x" }];
    try {
      assertChecksumsMatch(entries, loaded);
      throw new Error("expected a refusal");
    } catch (error) {
      expect((error as RunnerError).code).toBe("checksum-mismatch");
      expect((error as RunnerError).message.split("\n")).toHaveLength(2);
      expect((error as RunnerError).details?.problems).toHaveLength(2);
    }
  });
});
