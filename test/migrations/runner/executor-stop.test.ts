// Issue 11 defects 2 and 5 end to end through the executor: a run stopped (--timeout or a
// signal) during an index build aborts the build it started with dropIndexes of all its names,
// confirms with $currentOp that it is gone, and only then reports the stop; when the abort cannot
// be confirmed it says so (AbortUnconfirmedError: the caller keeps the lock).
import type { Db, Document, MongoClient } from "mongodb";
import type { SchemaOperation } from "../../../migrations/migration";
import { executeOperations } from "../../../migrations/runner/executor";
import { AbortUnconfirmedError, StopController, StoppedError } from "../../../migrations/runner/stop";

/**
 * A stand-in for one mongod collection with an index build that never finishes by itself (as a
 * votingMembers build waits while a member is down): createIndexes resolves only when the build
 * commits and rejects with IndexBuildAborted (276) when dropIndexes names every index of the
 * build (dropIndexes reference, "Aborts In-Progress Index Builds"); $currentOp lists the build
 * while it runs (needs `inprog`).
 */
function mongod(options: { inprog?: boolean; dropRefused?: boolean } = {}) {
  const sent: Document[] = [];
  let build: { names: string[]; abort: (e: Error) => void } | undefined;
  const db = {
    databaseName: "nyrkio",
    listCollections: () => ({ toArray: async () => [{ name: "results", type: "collection", options: {} }] }),
    collection: () => ({ listIndexes: () => ({ toArray: async () => [{ v: 2, key: { _id: 1 }, name: "_id_" }] }) }),
    async command(cmd: Document) {
      sent.push(cmd);
      if (cmd.createIndexes) {
        return new Promise((_resolve, reject) => {
          build = { names: (cmd.indexes as { name: string }[]).map((i) => i.name), abort: reject };
        });
      }
      if (cmd.dropIndexes) {
        if (options.dropRefused) throw Object.assign(new Error("not authorized on nyrkio to execute command { dropIndexes: ... }"), { code: 13 });
        const names = cmd.index as string[];
        if (build && build.names.length === names.length && build.names.every((n) => names.includes(n))) {
          build.abort(Object.assign(new Error("Index build aborted"), { code: 276, codeName: "IndexBuildAborted" }));
          build = undefined;
          return { ok: 1 };
        }
        throw Object.assign(new Error("index not found"), { code: 27 });
      }
      throw new Error(`unexpected ${JSON.stringify(cmd)}`);
    },
  } as unknown as Db;
  const client = {
    db: () => ({
      aggregate: () => ({
        toArray: async () => {
          if (options.inprog === false) throw Object.assign(new Error("not authorized"), { code: 13 });
          return build ? [{ ns: "nyrkio.results", command: { createIndexes: "results", indexes: build.names.map((name) => ({ name })) } }] : [];
        },
      }),
    }),
  } as unknown as MongoClient;
  return { db, client, sent, building: () => build !== undefined };
}

const operations: SchemaOperation[] = [{ op: "createIndexes", collection: "results", indexes: [{ key: { test_id: 1 }, name: "test_id_1" }, { key: { user_id: 1 }, name: "user_id_1" }] }];

describe("a run stopped during an index build", () => {
  it("--timeout: aborts the build it started, confirms it is gone, then reports the timeout", async () => {
    const server = mongod();
    const stop = new StopController(150);
    const lines: string[] = [];
    const run = executeOperations(server.client, server.db, operations, "migrations/0007-x.ts", { progressIntervalMs: 10_000, allowDataLoss: false, progress: (l) => lines.push(l), stop });
    await expect(run).rejects.toBeInstanceOf(StoppedError);
    await expect(run).rejects.toMatchObject({ exitCode: 4, code: "timeout", details: { collection: "results", abortedIndexes: ["test_id_1", "user_id_1"] } });
    expect(server.sent.map((c) => Object.keys(c)[0])).toEqual(["createIndexes", "dropIndexes"]);
    expect(server.sent[1]).toEqual({ dropIndexes: "results", index: ["test_id_1", "user_id_1"], writeConcern: { w: "majority", wtimeout: 60_000 } });
    expect(server.building()).toBe(false);
    expect(lines).toContain("confirmed: no build of test_id_1, user_id_1 on results is running");
  });

  it("SIGTERM: the same, exit 143", async () => {
    const server = mongod();
    const stop = new StopController();
    setTimeout(() => stop.request("SIGTERM"), 50);
    await expect(executeOperations(server.client, server.db, operations, "f", { progressIntervalMs: 10_000, allowDataLoss: false, progress: () => undefined, stop })).rejects.toMatchObject({
      exitCode: 143,
      code: "interrupted",
    });
  });

  it("without $currentOp the abort cannot be confirmed: exit 5, the caller keeps the lock", async () => {
    const server = mongod({ inprog: false });
    const stop = new StopController(50);
    const run = executeOperations(server.client, server.db, operations, "f", { progressIntervalMs: 10_000, allowDataLoss: false, progress: () => undefined, stop });
    await expect(run).rejects.toBeInstanceOf(AbortUnconfirmedError);
    await expect(run).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(/could not be confirmed aborted \(\$currentOp failed: not authorized\)\. The migration lock is kept/) });
  });

  it("a build that keeps running (dropIndexes refused) does not keep the run waiting: exit 5 at once", async () => {
    const server = mongod({ dropRefused: true });
    const stop = new StopController(50);
    const started = Date.now();
    await expect(executeOperations(server.client, server.db, operations, "f", { progressIntervalMs: 10_000, allowDataLoss: false, progress: () => undefined, stop })).rejects.toMatchObject({
      exitCode: 5,
      message: expect.stringMatching(/dropIndexes failed: not authorized/),
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.building()).toBe(true);
  });

  it("a stop before an operation sends nothing for it", async () => {
    const server = mongod();
    const stop = new StopController();
    stop.request("SIGINT");
    await expect(executeOperations(server.client, server.db, operations, "f", { progressIntervalMs: 10_000, allowDataLoss: false, progress: () => undefined, stop })).rejects.toMatchObject({ exitCode: 130 });
    expect(server.sent).toEqual([]);
  });
});
