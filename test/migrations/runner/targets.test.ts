import type { Migration } from "../../../migrations/migration";
import { MIGRATIONS, loadMigrations } from "../../../migrations/registry";
import { RunnerError, UsageError } from "../../../migrations/runner/errors";
import { selectDown, selectUp } from "../../../migrations/runner/targets";

// The selection rules on the first five migrations (the numbers below assume exactly five).
const all = loadMigrations(MIGRATIONS.slice(0, 5));
const ids = (list: { migration: Migration }[]) => list.map((m) => m.migration.id);

describe("up: which migrations to apply", () => {
  it("applies every pending migration in order", () => {
    expect(ids(selectUp(all, []))).toEqual([1, 2, 3, 4, 5]);
    expect(ids(selectUp(all, [1, 2]))).toEqual([3, 4, 5]);
  });

  it("applies nothing on an up-to-date database", () => {
    expect(selectUp(all, [1, 2, 3, 4, 5])).toEqual([]);
  });

  it("--to N is inclusive: N is the last applied afterwards", () => {
    expect(ids(selectUp(all, [], 3))).toEqual([1, 2, 3]);
    expect(ids(selectUp(all, [1], 3))).toEqual([2, 3]);
    expect(selectUp(all, [1, 2, 3], 3)).toEqual([]);
  });

  it("refuses --to below what is applied, pointing at down", () => {
    expect(() => selectUp(all, [1, 2, 3, 4], 2)).toThrow(UsageError);
    expect(() => selectUp(all, [1, 2, 3, 4], 2)).toThrow("up --to 2: migrations up to 4 are already applied; `down --to 2` reverts to 2");
  });

  it("refuses --to that names no migration", () => {
    expect(() => selectUp(all, [], 9)).toThrow("up --to 9: there is no migration 9 (known: 1, 2, 3, 4, 5)");
  });

  it("refuses to apply a migration numbered below the last applied one", () => {
    expect(() => selectUp(all, [1, 3])).toThrow(RunnerError);
    expect(() => selectUp(all, [1, 3])).toThrow(/^migrations\/0002-create-tests\.ts: not applied, but migration 3 is/);
  });
});

describe("down: which migrations to revert", () => {
  it("a bare down reverts the last applied migration only", () => {
    expect(ids(selectDown(all, [1, 2, 3]))).toEqual([3]);
  });

  it("--to N is inclusive: everything after N is reverted, last first", () => {
    expect(ids(selectDown(all, [1, 2, 3, 4, 5], 3))).toEqual([5, 4]);
    expect(ids(selectDown(all, [1, 2, 3], 0))).toEqual([3, 2, 1]);
  });

  it("reverts nothing when N is already the last applied, or nothing is applied", () => {
    expect(selectDown(all, [1, 2, 3], 3)).toEqual([]);
    expect(selectDown(all, [])).toEqual([]);
  });

  it("refuses --to above the last applied migration or naming no migration", () => {
    expect(() => selectDown(all, [1, 2], 3)).toThrow("down --to 3: only migrations up to 2 are applied");
    expect(() => selectDown(all, [1, 2], 8)).toThrow(UsageError);
  });

  it("refuses before reverting anything when one of them has no down", () => {
    const irreversible: Migration = { id: 6, name: "backfill-flags", up: [{ op: "dropIndex", collection: "results", name: "x" }] };
    const list = loadMigrations([...all.map((m) => m.migration), irreversible]);
    expect(() => selectDown(list, [1, 2, 3, 4, 5, 6], 4)).toThrow(
      "migrations/0006-backfill-flags.ts (0006 backfill-flags) cannot be reverted: it has no `down`; nothing was reverted",
    );
    expect(ids(selectDown(list, [1, 2, 3, 4, 5]))).toEqual([5]);
  });

  it("refuses to revert an applied migration whose file is gone", () => {
    expect(() => selectDown(all, [1, 2, 3, 4, 5, 6])).toThrow("migration 6 is applied but has no file: it cannot be reverted");
  });
});
