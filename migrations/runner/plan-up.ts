// `migrate plan`: what `up` would send, as the exact commands, without sending anything. The
// pending migrations are planned one after the other against the live schema, each against the
// state the previous ones would leave (the same planner `up` uses right before sending).
import type { Db } from "mongodb";
import type { DatabaseState } from "../plan/database-state";
import { planOperations } from "../plan/in-memory-database";
import type { LoadedMigration } from "../registry";
import { readChangelog, type ChangelogEntry } from "./changelog";
import { assertChecksumsMatch } from "./checksums";
import { readDatabaseState } from "./live-state";
import type { PlanReport } from "./reports";
import { selectUp } from "./targets";

/** The plan from what is applied and what exists; throws like `up` would (changed files, bad --to). */
export function buildPlanReport(
  database: string,
  changelog: Pick<ChangelogEntry, "id" | "name" | "checksum">[],
  migrations: LoadedMigration[],
  live: DatabaseState,
  to?: number,
): PlanReport {
  assertChecksumsMatch(changelog, migrations);
  const applied = changelog.map((e) => e.id);
  const report: PlanReport = {
    command: "plan",
    database,
    ok: true,
    lastApplied: applied.length ? Math.max(...applied) : 0,
    migrations: [],
    commandCount: 0,
    problems: [],
  };
  let state = live;
  for (const m of selectUp(migrations, applied, to)) {
    const planned = planOperations(m.migration.up, state);
    report.migrations.push({
      id: m.migration.id,
      name: m.migration.name,
      file: m.file,
      steps: planned.plans.map((p) => ({ operation: p.operation, commands: p.commands, notes: [...p.notes, ...p.problems] })),
    });
    report.commandCount += planned.plans.reduce((n, p) => n + p.commands.length, 0);
    if (planned.blocked) {
      report.ok = false;
      report.problems.push(...planned.blocked.problems.map((p) => `${m.file}: ${p}`));
      break;
    }
    state = planned.state;
  }
  return report;
}

export async function planUp(db: Db, migrations: LoadedMigration[], to?: number): Promise<PlanReport> {
  const [changelog, live] = await Promise.all([readChangelog(db), readDatabaseState(db)]);
  return buildPlanReport(db.databaseName, changelog, migrations, live, to);
}
