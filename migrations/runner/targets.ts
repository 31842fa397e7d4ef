// Which migrations `up` applies and `down` reverts, from what the changelog says is applied.
// `--to N` is inclusive: `up --to 3` leaves 3 as the last applied, `down --to 3` leaves 3 as the
// last applied (`down --to 0` reverts everything); a bare `down` reverts the last applied one.
import { RunnerError, UsageError } from "./errors";
import type { LoadedMigration } from "../registry";
import { label } from "./migration-label";

function lastApplied(appliedIds: readonly number[]): number {
  return appliedIds.length === 0 ? 0 : Math.max(...appliedIds);
}

function assertKnown(to: number, available: LoadedMigration[], command: string): void {
  if (to === 0 && command === "down") return;
  if (!available.some((m) => m.migration.id === to)) {
    const ids = available.map((m) => m.migration.id).join(", ") || "none";
    throw new UsageError(`${command} --to ${to}: there is no migration ${to} (known: ${ids})`);
  }
}

/** Migrations to apply, in order. `available` must be sorted by id. */
export function selectUp(available: LoadedMigration[], appliedIds: readonly number[], to?: number): LoadedMigration[] {
  const applied = new Set(appliedIds);
  const last = lastApplied(appliedIds);
  if (to !== undefined) {
    assertKnown(to, available, "up");
    if (to < last) {
      throw new UsageError(`up --to ${to}: migrations up to ${last} are already applied; \`down --to ${to}\` reverts to ${to}`);
    }
  }
  // A pending migration numbered below the last applied one would run out of order.
  const skipped = available.filter((m) => !applied.has(m.migration.id) && m.migration.id < last);
  if (skipped.length > 0) {
    throw new RunnerError(
      `${skipped.map((m) => m.file).join(", ")}: not applied, but migration ${last} is; a migration must be numbered after the last applied one (renumber it)`,
      "out-of-order",
    );
  }
  return available.filter((m) => !applied.has(m.migration.id) && (to === undefined || m.migration.id <= to));
}

/** Migrations to revert, last applied first. */
export function selectDown(available: LoadedMigration[], appliedIds: readonly number[], to?: number): LoadedMigration[] {
  const last = lastApplied(appliedIds);
  if (to !== undefined) {
    assertKnown(to, available, "down");
    if (to > last) throw new UsageError(`down --to ${to}: only migrations up to ${last} are applied`);
  }
  const byId = new Map(available.map((m) => [m.migration.id, m]));
  const revert = [...appliedIds]
    .sort((a, b) => b - a)
    .filter((id) => (to === undefined ? id === last : id > to))
    .map((id) => {
      const m = byId.get(id);
      if (!m) throw new RunnerError(`migration ${id} is applied but has no file: it cannot be reverted`, "missing-file");
      return m;
    });
  const irreversible = revert.filter((m) => m.migration.down === undefined);
  if (irreversible.length > 0) {
    throw new RunnerError(
      `${irreversible.map((m) => `${m.file} (${label(m.migration)})`).join(", ")} cannot be reverted: it has no \`down\`; nothing was reverted`,
      "irreversible",
    );
  }
  return revert;
}
