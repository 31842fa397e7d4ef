import { describeIndexBuild, indexBuildOp, indexBuildOpsPipeline, mostInformative } from "../../../migrations/runner/index-build-progress";

// $currentOp documents while `createIndexes` runs on MongoDB 7/8 (trimmed): the client's command
// waits for the build, the build thread reports the phase and counters.
const clientOp = {
  type: "op",
  desc: "conn42",
  active: true,
  opid: 5120,
  secs_running: 12,
  microsecs_running: 12_345_678,
  op: "command",
  ns: "nyrkio.results",
  command: { createIndexes: "results", indexes: [{ key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" }, { key: { user_id: 1 }, name: "user_id_1" }], commitQuorum: "votingMembers", $db: "nyrkio" },
  waitingForLock: false,
};
const buildThreadOp = {
  type: "op",
  desc: "IndexBuildsCoordinatorMongod-3",
  active: true,
  opid: 5121,
  secs_running: 11,
  microsecs_running: 11_900_000,
  op: "command",
  ns: "nyrkio.results",
  command: { createIndexes: "results", indexes: clientOp.command.indexes, $db: "nyrkio" },
  msg: "Index Build: scanning collection Index Build: scanning collection: 412345/1000000 41%",
  progress: { done: 412345, total: 1000000 },
};

describe("index build progress", () => {
  it("finds createIndexes on the collection's namespace", () => {
    expect(indexBuildOpsPipeline("nyrkio.results", "results")).toEqual([
      { $currentOp: { allUsers: true, idleConnections: false } },
      { $match: { ns: "nyrkio.results", $or: [{ "command.createIndexes": "results" }, { msg: { $regex: "^Index Build" } }] } },
    ]);
  });

  it("reads the indexes, the time running, the phase and the counters", () => {
    expect(indexBuildOp(buildThreadOp)).toEqual({
      indexes: ["test_id_1_timestamp_1", "user_id_1"],
      secondsRunning: 11.9,
      phase: "Index Build: scanning collection",
      done: 412345,
      total: 1000000,
    });
    expect(indexBuildOp(clientOp)).toEqual({ indexes: ["test_id_1_timestamp_1", "user_id_1"], secondsRunning: 12.345678, phase: undefined, done: undefined, total: undefined });
  });

  it("prefers the op with counters", () => {
    expect(mostInformative([indexBuildOp(clientOp), indexBuildOp(buildThreadOp)])?.total).toBe(1000000);
    expect(mostInformative([])).toBeUndefined();
  });

  it("prints which indexes, on which collection, for how long, and how far", () => {
    expect(describeIndexBuild("results", ["x"], 12_400, indexBuildOp(buildThreadOp))).toBe(
      "building test_id_1_timestamp_1, user_id_1 on results: 12 s — Index Build: scanning collection 412345/1000000 (41%)",
    );
    expect(describeIndexBuild("results", ["test_id_1_timestamp_1"], 5_000, undefined)).toBe("building test_id_1_timestamp_1 on results: 5 s");
    const draining = indexBuildOp({ ...buildThreadOp, msg: "Index Build: draining writes received during build", progress: undefined });
    expect(describeIndexBuild("results", [], 30_000, draining)).toBe("building test_id_1_timestamp_1, user_id_1 on results: 30 s — Index Build: draining writes received during build");
  });
});
