// Issue 11 defects 2 and 5: --timeout and SIGINT/SIGTERM stop a run; this run's index builds are
// aborted and confirmed gone before the lock is released.
import { MongoServerError, type Db, type Document, type MongoClient } from "mongodb";
import { acquireMigrationLock } from "../../../migrations/runner/lock";
import { runMigrateCli } from "../../../migrations/cli/migrate-cli";
import { parseMigrateArgs } from "../../../migrations/cli/migrate-args";
import { abortIndexBuilds, buildsStillRunning } from "../../../migrations/runner/index-build-abort";
import { EXIT_ABORT_UNCONFIRMED, EXIT_SIGINT, EXIT_SIGTERM, EXIT_TIMEOUT, StopController, StoppedError, stopExitCode } from "../../../migrations/runner/stop";

describe("StopController", () => {
  it("stops on its timeout, and the first reason wins", async () => {
    const stop = new StopController(20);
    expect(await stop.stopped).toBe("timeout");
    stop.request("SIGINT");
    expect(stop.reason).toBe("timeout");
    expect(() => stop.throwIfStopped("nothing was sent")).toThrow(StoppedError);
    expect(() => stop.throwIfStopped("nothing was sent")).toThrow(/reached its --timeout of 0 s; nothing was sent/);
  });

  it("maps reasons to the documented exit codes", () => {
    expect([stopExitCode("timeout"), stopExitCode("SIGINT"), stopExitCode("SIGTERM")]).toEqual([EXIT_TIMEOUT, EXIT_SIGINT, EXIT_SIGTERM]);
    expect([EXIT_TIMEOUT, EXIT_ABORT_UNCONFIRMED, EXIT_SIGINT, EXIT_SIGTERM]).toEqual([4, 5, 130, 143]);
  });
});

describe("--timeout", () => {
  it("defaults to 30 minutes for up and down, and is refused elsewhere", () => {
    expect(parseMigrateArgs(["up"])).toMatchObject({ timeoutMs: 1_800_000 });
    expect(parseMigrateArgs(["down", "--timeout", "90"])).toMatchObject({ timeoutMs: 90_000 });
    expect(() => parseMigrateArgs(["status", "--timeout", "5"])).toThrow(/status does not take --timeout/);
    expect(() => parseMigrateArgs(["up", "--timeout", "0"])).toThrow(/--timeout "0": expected a positive number of seconds/);
  });
});

// $currentOp documents as a 7.0/8.0 server shows an index build: the client's createIndexes and
// the build thread "IndexBuildsCoordinatorMongod-N" (index-build-progress.ts has the same shapes).
const clientOp = (names: string[]) => ({ ns: "nyrkio.results", command: { createIndexes: "results", indexes: names.map((name) => ({ name, key: { [name]: 1 } })) } });
const buildThread = (names: string[]) => ({ ns: "nyrkio.results", desc: "IndexBuildsCoordinatorMongod-3", msg: "Index Build: scanning collection", command: { createIndexes: "results", indexes: names.map((name) => ({ name })) } });

describe("which builds are still running", () => {
  it("finds this run's build, by its index names, and ignores other builds", () => {
    expect(buildsStillRunning([clientOp(["a_1"]), buildThread(["a_1"])], "results", ["a_1"])).toHaveLength(2);
    expect(buildsStillRunning([clientOp(["other_1"])], "results", ["a_1"])).toEqual([]);
    expect(buildsStillRunning([], "results", ["a_1"])).toEqual([]);
  });
});

/**
 * A stand-in for mongod's build registry, as dropIndexes and $currentOp see it: a build is aborted
 * only by a dropIndexes naming all its indexes (dropIndexes reference: "you must specify all
 * indexes associated with a single createIndexes"); otherwise it keeps running. `$currentOp`
 * needs the inprog privilege (code 13 Unauthorized without it, with allUsers: true).
 */
function buildRegistry(builds: string[][], opts: { inprog?: boolean; dropFails?: boolean } = {}) {
  const sent: Document[] = [];
  const db = {
    databaseName: "nyrkio",
    async command(cmd: Document) {
      sent.push(cmd);
      if (opts.dropFails) throw Object.assign(new Error("not authorized on nyrkio to execute command { dropIndexes: ... }"), { code: 13 });
      const names = cmd.index as string[];
      const i = builds.findIndex((b) => b.length === names.length && b.every((n) => names.includes(n)));
      if (i === -1) throw Object.assign(new Error("index not found"), { code: 27 });
      builds.splice(i, 1);
      return { ok: 1 };
    },
  } as unknown as Db;
  const client = {
    db: () => ({
      aggregate: () => ({
        async toArray() {
          if (opts.inprog === false) throw Object.assign(new Error("not authorized on admin to execute command { aggregate: 1, pipeline: [ { $currentOp: ..."), { code: 13 });
          return builds.flatMap((b) => [clientOp(b), buildThread(b)]);
        },
      }),
    }),
  } as unknown as MongoClient;
  return { db, client, sent };
}

describe("aborting this run's index builds", () => {
  const quiet = () => undefined;

  it("drops every index of the build with a wtimeout, then confirms with $currentOp", async () => {
    const { db, client, sent } = buildRegistry([["a_1", "b_1"]]);
    expect(await abortIndexBuilds(client, db, "results", ["a_1", "b_1"], quiet, 200, 10)).toEqual({ confirmed: true });
    expect(sent).toEqual([{ dropIndexes: "results", index: ["a_1", "b_1"], writeConcern: { w: "majority", wtimeout: 60_000 } }]);
  });

  it("is not confirmed when the build keeps running", async () => {
    const { db, client } = buildRegistry([["a_1", "b_1"]]);
    // Naming only part of the build aborts nothing.
    const outcome = await abortIndexBuilds(client, db, "results", ["a_1"], quiet, 50, 10);
    expect(outcome.confirmed).toBe(false);
    expect(outcome.reason).toMatch(/still running after 0.05 s/);
  });

  it("is not confirmed when $currentOp cannot be read, or dropIndexes is refused", async () => {
    expect((await abortIndexBuilds(buildRegistry([["a_1"]], { inprog: false }).client, buildRegistry([["a_1"]], { inprog: false }).db, "results", ["a_1"], quiet, 50, 10)).confirmed).toBe(false);
    const refused = buildRegistry([["a_1"]], { dropFails: true });
    expect(await abortIndexBuilds(refused.client, refused.db, "results", ["a_1"], quiet, 50, 10)).toMatchObject({ confirmed: false, reason: expect.stringMatching(/^dropIndexes failed/) });
  });
});

describe("signals reach the CLI (issue 11 defect 5)", () => {
  async function runWithSignal(argv: string[], signal: "SIGINT" | "SIGTERM" | undefined, afterMs: number) {
    let handler: ((s: "SIGINT" | "SIGTERM") => void) | undefined;
    let stderr = "";
    let stdout = "";
    const started = Date.now();
    const running = runMigrateCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      // Nothing listens on port 1: the driver keeps selecting a server for 10 s.
      env: { MONGODB_URI: "mongodb://127.0.0.1:1/nyrkio?serverSelectionTimeoutMS=10000" },
      readFile: () => "",
      onSignal: (h) => {
        handler = h;
        return () => (handler = undefined);
      },
    });
    if (signal) setTimeout(() => handler?.(signal), afterMs);
    const code = await running;
    return { code, stderr, stdout, ms: Date.now() - started, unsubscribed: handler === undefined };
  }

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s while connecting stops at once with exit %d and one JSON document", async (signal, exit) => {
    const r = await runWithSignal(["up", "--json"], signal, 100);
    expect(r.code).toBe(exit);
    expect(r.ms).toBeLessThan(3000);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "interrupted", message: expect.stringMatching(`received ${signal}`) } });
    expect(r.unsubscribed).toBe(true);
  });

  it("--timeout while connecting exits 4", async () => {
    const r = await runWithSignal(["up", "--timeout", "0.3", "--json"], undefined, 0);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error.code).toBe("timeout");
    expect(r.ms).toBeLessThan(3000);
  });
});

describe("a stop while waiting for the lock", () => {
  it("ends the wait at once instead of after --wait-lock", async () => {
    // The lock is held by another run: the upsert's filter does not match and the insert of the
    // same _id fails with a duplicate key (lease.ts, acquireUpdate), as the server answers.
    const held = { _id: "migrate", owner: "other:1:x", token: 3, command: "up", expiresAt: new Date(Date.now() + 600_000) };
    const collection = {
      findOneAndUpdate: async () => {
        throw new MongoServerError({ code: 11000, errmsg: "E11000 duplicate key error" });
      },
      findOne: async () => held,
    };
    const db = {
      listCollections: () => ({ toArray: async () => [{ name: "nyrkio_migration_lock" }] }),
      collection: () => collection,
      admin: () => ({ command: async () => ({ localTime: new Date() }) }),
    } as unknown as Db;
    const stop = new StopController();
    setTimeout(() => stop.request("SIGINT"), 100);
    const started = Date.now();
    await expect(acquireMigrationLock(db, { command: "up", leaseMs: 60_000, waitMs: 300_000, stop })).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/while waiting for the lock/) });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
