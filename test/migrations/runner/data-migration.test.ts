// Data migrations (issue 11, "what users expect"): code steps run under the lock, batched and
// resumable from a checkpoint, idempotent; `plan` says they run code and what they touch; the
// checksum covers what they declare.
import type { CodeContext, Migration } from "../../../migrations/migration";
import { migrationChecksum, planOperations, emptyDatabase, applyInMemory } from "../../../migrations/plan";
import { loadMigrations, migrationProblems } from "../../../migrations/registry";
import { inBatches } from "../../../migrations/runner/data-migration";
import { buildPlanReport } from "../../../migrations/runner/plan-up";

/** A collection of documents keyed by a numeric _id, fetched in ascending _id order after a key. */
function table(n: number) {
  const docs = Array.from({ length: n }, (_, i) => ({ _id: i + 1, flag: undefined as boolean | undefined, applied: 0 }));
  const fetch = async (after: unknown, limit: number) => docs.filter((d) => after === undefined || d._id > (after as number)).slice(0, limit);
  return { docs, fetch };
}

function context(store: { checkpoint?: Record<string, unknown> }): CodeContext {
  return {
    db: undefined as never,
    checkpoint: store.checkpoint,
    progress: () => undefined,
    save: async (state) => {
      store.checkpoint = structuredClone(state);
    },
  };
}

describe("inBatches: a resumable, idempotent backfill", () => {
  it("applies every document once per batch and checkpoints after each batch", async () => {
    const { docs, fetch } = table(10);
    const store: { checkpoint?: Record<string, unknown> } = {};
    const result = await inBatches(context(store), fetch, (d) => d._id, async (batch) => batch.forEach((d) => ((d.flag = true), (d.applied += 1))), 4);
    expect(result).toEqual({ batches: 3, documents: 10 });
    expect(store.checkpoint).toEqual({ after: 10, done: 10 });
    expect(docs.every((d) => d.flag && d.applied === 1)).toBe(true);
  });

  it("after a crash, resumes after the last checkpoint: nothing before it is applied again", async () => {
    const { docs, fetch } = table(10);
    const store: { checkpoint?: Record<string, unknown> } = {};
    let calls = 0;
    const crashing = async (batch: typeof docs) => {
      calls += 1;
      batch.forEach((d) => ((d.flag = true), (d.applied += 1)));
      if (calls === 2) throw new Error("killed"); // after applying batch 2, before its checkpoint
    };
    await expect(inBatches(context(store), fetch, (d) => d._id, crashing, 4)).rejects.toThrow("killed");
    expect(store.checkpoint).toEqual({ after: 4, done: 4 });
    // The next run: same code, checkpoint given back.
    const result = await inBatches(context(store), fetch, (d) => d._id, async (batch) => batch.forEach((d) => ((d.flag = true), (d.applied += 1))), 4);
    expect(result).toEqual({ batches: 2, documents: 10 });
    expect(docs.every((d) => d.flag)).toBe(true);
    // Batch 2 (ids 5-8) ran twice: which is why a step must be idempotent; 1-4 and 9-10 once.
    expect(docs.map((d) => d.applied)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 1, 1]);
  });
});

describe("a migration with a code step", () => {
  const backfill = (revision: number): Migration => ({
    id: 7,
    name: "backfill-branch",
    up: [
      { op: "createIndexes", collection: "results", indexes: [{ key: { branch: 1 }, name: "branch_1" }] },
      { op: "code", collection: "results", alsoTouches: ["tests"], name: "copy-branch", revision, run: async () => undefined },
    ],
    down: [{ op: "dropIndex", collection: "results", name: "branch_1" }],
  });

  it("is checksummed by what it declares: a bumped revision changes the checksum", () => {
    expect(migrationChecksum(backfill(1))).toMatch(/^v2:/);
    expect(migrationChecksum(backfill(2))).not.toBe(migrationChecksum(backfill(1)));
    expect(migrationChecksum({ ...backfill(1), up: backfill(1).up.map((o) => (o.op === "code" ? { ...o, run: async () => void 1 } : o)) })).toBe(migrationChecksum(backfill(1)));
  });

  it("plan shows that it runs code and which collections it touches, and sends no command for it", () => {
    const base = loadMigrations().map((m) => m.migration);
    const list = loadMigrations([...base, backfill(1)]);
    let state = emptyDatabase();
    for (const m of base) state = applyInMemory(m.up, state);
    const changelog = list.slice(0, base.length).map((m) => ({ id: m.migration.id, name: m.migration.name, checksum: m.checksum }));
    const report = buildPlanReport("nyrkio", changelog, list, state);
    const [step] = report.migrations[0].steps.filter((s) => s.operation.op === "code");
    expect(step.commands).toEqual([]);
    expect(step.notes).toEqual(['runs code "copy-branch" (revision 1), touching results, tests; batched, resumable from its checkpoint']);
    expect(planOperations(backfill(1).up, state).plans).toHaveLength(2);
  });

  it("is validated: a name, a revision from 1, a function", () => {
    const bad: Migration = { id: 1, name: "x", up: [{ op: "code", collection: "results", name: "Bad Name", revision: 0, run: undefined as never }] };
    expect(migrationProblems([bad])).toEqual([
      'migration #1 (migrations/0001-x.ts): up[0] code: name "Bad Name" must be lower-case words joined by "-"',
      "migration #1 (migrations/0001-x.ts): up[0] code: revision must be a whole number from 1 (bump it when the code changes)",
      "migration #1 (migrations/0001-x.ts): up[0] code: run must be a function",
    ]);
  });
});
