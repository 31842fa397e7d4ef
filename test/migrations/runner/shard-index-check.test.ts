// Issue 11 defect 9: through mongos, listIndexes shows one shard; before recording, every shard
// must hold the indexes. The replies are shaped as the checkMetadataConsistency reference shows
// them: a cursor whose documents are {type, description, details: {namespace, info}}.
import type { Db, Document } from "mongodb";
import { assertIndexesOnEveryShard, describeIndexInconsistencies, indexCollections } from "../../../migrations/runner/shard-index-check";

const inconsistent = {
  type: "InconsistentIndex",
  description: "Found an index of a sharded collection that is inconsistent between different shards",
  details: { namespace: "nyrkio.results", info: { missingFromShards: ["shard-1"], inconsistentProperties: [], indexName: "test_id_1_timestamp_1" } },
};

/** mongos or a replica-set member, as `hello` says; checkMetadataConsistency exists only on mongos. */
function server(mongos: boolean, batches: Document[][]) {
  const sent: Document[] = [];
  let next = 0;
  const db = {
    admin: () => ({ command: async () => (mongos ? { msg: "isdbgrid" } : { setName: "rs0" }) }),
    async command(cmd: Document) {
      sent.push(cmd);
      if (cmd.checkMetadataConsistency !== undefined) {
        if (!mongos) throw Object.assign(new Error("no such command: 'checkMetadataConsistency'"), { code: 59 });
        const batch = batches[next++] ?? [];
        return { cursor: { id: next < batches.length ? 42 : 0, ns: "nyrkio.$cmd.aggregate", firstBatch: batch }, ok: 1 };
      }
      if (cmd.getMore !== undefined) {
        const batch = batches[next++] ?? [];
        return { cursor: { id: next < batches.length ? 42 : 0, ns: "nyrkio.$cmd.aggregate", nextBatch: batch }, ok: 1 };
      }
      throw new Error(`unexpected ${JSON.stringify(cmd)}`);
    },
  } as unknown as Db;
  return { db, sent };
}

const ops = [{ op: "createIndexes" as const, collection: "results", indexes: [{ key: { test_id: 1 as const, timestamp: 1 as const }, name: "test_id_1_timestamp_1" }] }];

describe("every shard holds the indexes before a migration is recorded", () => {
  it("knows which collections' indexes a migration changes", () => {
    expect(indexCollections([...ops, { op: "dropIndex", collection: "users", name: "x" }, { op: "dropCollection", collection: "tmp" }])).toEqual(["results", "users"]);
  });

  it("refuses to record when a shard lacks an index (also in a later batch)", async () => {
    const { db, sent } = server(true, [[], [inconsistent]]);
    await expect(assertIndexesOnEveryShard(db, ops, "migrations/0003-create-results.ts", () => undefined)).rejects.toMatchObject({
      code: "shard-index-inconsistent",
      message: expect.stringMatching(/^migrations\/0003-create-results\.ts: the shards do not hold the same indexes, so the migration is NOT recorded: nyrkio\.results: Found an index/),
    });
    expect(sent[0]).toEqual({ checkMetadataConsistency: 1, coll: "results", checkIndexes: true });
    expect(sent[1]).toMatchObject({ getMore: 42, collection: "$cmd.aggregate" });
  });

  it("passes when the shards agree, and does not ask a replica set (the command is mongos-only)", async () => {
    await expect(assertIndexesOnEveryShard(server(true, [[]]).db, ops, "f", () => undefined)).resolves.toBeUndefined();
    const rs = server(false, []);
    await expect(assertIndexesOnEveryShard(rs.db, ops, "f", () => undefined)).resolves.toBeUndefined();
    expect(rs.sent).toEqual([]);
  });

  it("ignores other inconsistency types here", () => {
    expect(describeIndexInconsistencies([{ type: "MisplacedCollection", description: "x", details: {} }])).toEqual([]);
  });
});
