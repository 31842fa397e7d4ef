// The merged, trimmed oplog of a one-call restore (backup/mongosh/oplog-merge.js): the base
// dump's own oplog, then only the slice entries after the base's lastTs and before the limit.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

const { keepEntry, mergeOplog } = require("../../../backup/mongosh/oplog-merge.js");
const { topLevelFields } = require("../../../backup/mongosh/oplog-window.js");
const { bsonStream } = require("./fixtures/artifact-builder.js");

type Ts = { t: number; i: number };
const dir = mkdtempSync(join(tmpdir(), "oplog-merge-"));
let n = 0;
function file(timestamps: string[], gzip: boolean): { path: string; gzip: boolean } {
  const path = join(dir, `oplog-${n++}.bson${gzip ? ".gz" : ""}`);
  const bytes: Buffer = bsonStream(timestamps);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return { path, gzip };
}
const text = (ts: Ts) => `${ts.t}:${ts.i}`;
const ts = (s: string): Ts => ({ t: Number(s.split(":")[0]), i: Number(s.split(":")[1]) });
/** The `ts` of every entry of a written merged oplog, in order. */
function written(path: string): string[] {
  const buf = readFileSync(path);
  const out: string[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const size = buf.readInt32LE(pos);
    out.push(text(topLevelFields(buf.subarray(pos, pos + size)).ts));
    pos += size;
  }
  return out;
}

describe("keepEntry", () => {
  const after = ts("100:5");
  it("keeps every entry of the base's own oplog below the limit", () => {
    expect(keepEntry(ts("90:1"), "base", after, null)).toBe(true);
    expect(keepEntry(ts("100:5"), "base", after, null)).toBe(true);
    expect(keepEntry(ts("100:5"), "base", after, ts("100:5"))).toBe(false);
  });
  it("keeps a slice entry only after the base's lastTs, comparing the ordinal within the same second", () => {
    expect(keepEntry(ts("100:4"), "slice", after, null)).toBe(false);
    expect(keepEntry(ts("100:5"), "slice", after, null)).toBe(false);
    expect(keepEntry(ts("100:6"), "slice", after, null)).toBe(true);
    expect(keepEntry(ts("99:4294967295"), "slice", after, null)).toBe(false);
    expect(keepEntry(ts("101:0"), "slice", after, null)).toBe(true);
  });
  it("drops everything at or after the exclusive limit", () => {
    expect(keepEntry(ts("120:2"), "slice", after, ts("120:2"))).toBe(false);
    expect(keepEntry(ts("120:1"), "slice", after, ts("120:2"))).toBe(true);
  });
});

describe("mergeOplog", () => {
  it("a missing or corrupt input fails the merge (never hangs) and leaves no output", async () => {
    const out = join(dir, "merged-missing.bson");
    await expect(mergeOplog({ base: { path: join(dir, "absent.bson.gz"), gzip: true }, slices: [], after: ts("100:5"), limit: null }, out)).rejects.toThrow(/ENOENT/);
    await expect(mergeOplog({ base: file(["90:1"], true), slices: [{ path: join(dir, "absent.bson"), gzip: false }], after: ts("100:5"), limit: null, gzipOut: true }, out)).rejects.toThrow(/ENOENT/);
    const bad = join(dir, "not-gzip.bson.gz");
    writeFileSync(bad, "plain text");
    await expect(mergeOplog({ base: { path: bad, gzip: true }, slices: [], after: ts("100:5"), limit: null }, out)).rejects.toThrow(/incorrect header check/);
    expect(existsSync(out)).toBe(false);
  });

  it("writes gzip when asked: what mongorestore reads as --oplogFile with --gzip", async () => {
    const out = join(dir, "merged-gz.bson.gz");
    const r = await mergeOplog({ base: file(["90:1", "100:5"], true), slices: [file(["100:5", "101:1"], true)], after: ts("100:5"), limit: ts("200:0"), gzipOut: true }, out);
    expect(r.entries).toBe(3);
    const plain = join(dir, "merged-gz-plain.bson");
    writeFileSync(plain, gunzipSync(readFileSync(out)));
    expect(written(plain)).toEqual(["90:1", "100:5", "101:1"]);
  });

  it("a slice that straddles the base's lastTs: its entries up to it are dropped, within the same second too", async () => {
    const base = file(["90:1", "95:3", "100:5"], false);
    const s1 = file(["100:2", "100:5", "100:6", "100:7", "110:1"], true); // prevTs 98:0 < base lastTs 100:5 < lastTs
    const s2 = file(["111:1", "111:2", "130:4"], true);
    const out = join(dir, "merged-1.bson");
    const r = await mergeOplog({ base, slices: [s1, s2], after: ts("100:5"), limit: ts("111:2") }, out);
    expect(written(out)).toEqual(["90:1", "95:3", "100:5", "100:6", "100:7", "110:1", "111:1"]);
    expect(r).toMatchObject({ entries: 7, fromBase: 3, fromSlices: 4, skippedAtOrBeforeBase: 2, skippedAtOrAfterLimit: 2, firstTs: ts("90:1"), lastTs: ts("111:1") });
  });

  it("refuses an out-of-order result, and a base oplog past the manifest's lastTs", async () => {
    const base = file(["90:1", "100:5"], false);
    await expect(mergeOplog({ base, slices: [file(["120:1"], true), file(["110:1"], true)], after: ts("100:5"), limit: null }, join(dir, "bad-1.bson"))).rejects.toThrow(
      /entry 110:1 is not after 120:1/,
    );
    await expect(mergeOplog({ base: file(["90:1", "101:1"], false), slices: [], after: ts("100:5"), limit: null }, join(dir, "bad-2.bson"))).rejects.toThrow(
      /holds 101:1, after its lastTs 100:5/,
    );
  });

  // Property: over generated chains (ordinals i > 0, several entries per second, the base's lastTs
  // anywhere, inside a slice or on its boundary, the limit anywhere after it), the merged oplog is
  // exactly the base's entries, then every slice entry strictly between the base's lastTs and the
  // limit, strictly increasing, each once.
  it("over generated chains: base entries, then exactly the slice entries in (lastTs, limit), in order, each once", async () => {
    let seed = 20240501;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    for (let round = 0; round < 40; round++) {
      // One oplog timeline: seconds with 1..4 entries each, ordinals from 1 (real ordinals start at 1) or larger.
      const timeline: Ts[] = [];
      for (let t = 1000; timeline.length < 40; t += 1 + rnd(3)) {
        const first = 1 + rnd(3);
        for (let k = 0; k < 1 + rnd(4); k++) timeline.push({ t, i: first + k });
      }
      const baseEnd = 5 + rnd(20); // index of the base's lastTs
      const baseStart = rnd(baseEnd);
      // Slices cut the timeline after a start at or before the base's end (the joining slice straddles it).
      const joinAt = Math.max(0, baseEnd - rnd(4));
      const cuts = [joinAt];
      while (cuts[cuts.length - 1] < timeline.length) cuts.push(Math.min(timeline.length, cuts[cuts.length - 1] + 1 + rnd(8)));
      const slices = cuts.slice(1).map((end, k) => file(timeline.slice(cuts[k], end).map(text), rnd(2) === 0));
      const limitIndex = baseEnd + 1 + rnd(timeline.length - baseEnd);
      const limit = limitIndex < timeline.length ? timeline[limitIndex] : null;
      const base = file(timeline.slice(baseStart, baseEnd + 1).map(text), false);
      const out = join(dir, `merged-p${round}.bson`);
      const after = timeline[baseEnd];
      await mergeOplog({ base, slices, after, limit }, out);
      const expected = timeline.slice(baseStart, limit ? limitIndex : timeline.length).map(text);
      const got = written(out);
      expect({ round, got }).toEqual({ round, got: expected });
      // Nothing from a slice at or before the base's lastTs, nothing at or after the limit.
      expect(new Set(got).size).toBe(got.length);
    }
  }, 60_000);
});

describe("users and roles are not replayed (issue 12: the dump's users are set aside, dump-authz.js)", () => {
  const { serialize, Timestamp } = require("bson");
  const entry = (t: number, fields: object) => serialize({ ...fields, ts: new Timestamp({ t, i: 1 }) });
  // What the server writes for createUser (an insert into admin.system.users), updateUser (an
  // update), and a user-management transaction (applyOps of its writes: user_management_commands.cpp UMCTransaction).
  const createUser = { op: "i", ns: "admin.system.users", o: { _id: "admin.x", user: "x", db: "admin" } };
  const updateUser = { op: "u", ns: "admin.system.users", o: { $v: 2, diff: { u: { customData: {} } } }, o2: { _id: "admin.app" } };
  const dropRole = { op: "c", ns: "admin.$cmd", o: { applyOps: [{ op: "u", ns: "admin.system.users", o2: { _id: "admin.app" }, o: {} }, { op: "d", ns: "admin.system.roles", o: { _id: "admin.r" } }] } };
  const data = { op: "i", ns: "nyrkio.results", o: { _id: 1 } };
  const mixed = { op: "c", ns: "admin.$cmd", o: { applyOps: [{ op: "i", ns: "nyrkio.results", o: { _id: 2 } }, { op: "u", ns: "admin.system.users", o2: { _id: "admin.app" }, o: {} }] } };
  const nested = { op: "c", ns: "admin.$cmd", o: { applyOps: [dropRole] } };

  it("isAuthzEntry: entries on admin.system.users/roles and applyOps made only of them; data and mixed applyOps are kept", () => {
    const { isAuthzEntry } = require("../../../backup/mongosh/oplog-merge.js");
    expect([createUser, updateUser, dropRole, nested, data, mixed, { op: "c", ns: "nyrkio.$cmd", o: { drop: "results" } }].map((e) => isAuthzEntry(entry(1, e)))).toEqual([true, true, true, true, false, false, false]);
  });

  // Every user-management command first upserts the auth schema document (user_management_commands.cpp
  // r8.0, requireWritableAuthSchema28SCRAM → writeAuthSchemaVersionIfNeeded: {_id: "authSchema"},
  // $set currentVersion); the other documents of admin.system.version (the FCV) are not users or roles.
  const authSchemaInsert = { op: "i", ns: "admin.system.version", o: { _id: "authSchema", currentVersion: 5 } };
  const authSchemaUpdate = { op: "u", ns: "admin.system.version", o: { $v: 2, diff: { u: { currentVersion: 5 } } }, o2: { _id: "authSchema" } };
  const fcv = { op: "u", ns: "admin.system.version", o: { $v: 2, diff: { u: { version: "8.0" } } }, o2: { _id: "featureCompatibilityVersion" } };
  const fcvInsert = { op: "i", ns: "admin.system.version", o: { _id: "featureCompatibilityVersion", version: "8.0" } };
  const firstUser = { op: "c", ns: "admin.$cmd", o: { applyOps: [authSchemaInsert, createUser] } };

  it("isAuthzEntry: the auth schema document of admin.system.version (alone or in applyOps) is left out, the FCV document is kept", () => {
    const { isAuthzEntry } = require("../../../backup/mongosh/oplog-merge.js");
    expect([authSchemaInsert, authSchemaUpdate, firstUser, fcv, fcvInsert].map((e) => isAuthzEntry(entry(1, e)))).toEqual([true, true, true, false, false]);
  });

  // The DDL of the users and roles collections, as the server logs it on admin.$cmd (the first user
  // or role creates the collection; its unique index user_1_db_1 / role_1_db_1 is built).
  const ddl = [
    { create: "system.roles", idIndex: { v: 2, key: { _id: 1 }, name: "_id_" } },
    { createIndexes: "system.users", v: 2, key: { user: 1, db: 1 }, name: "user_1_db_1", unique: true },
    { commitIndexBuild: "system.roles", indexBuildUUID: "x", indexes: [{ v: 2, key: { role: 1, db: 1 }, name: "role_1_db_1", unique: true }] },
    { drop: "system.users" },
    { collMod: "system.roles", validator: {} },
    { renameCollection: "admin.tempusers", to: "admin.system.users" },
  ].map((o) => ({ op: "c", ns: "admin.$cmd", o }));
  // Kept: admin's other collections (mongorestore's own temporary admin.tempusers), and the same commands elsewhere.
  const otherDdl = [
    { op: "c", ns: "admin.$cmd", o: { create: "tempusers" } },
    { op: "c", ns: "admin.$cmd", o: { drop: "tempusers" } },
    { op: "c", ns: "nyrkio.$cmd", o: { create: "system.users" } },
    { op: "c", ns: "admin.$cmd", o: { renameCollection: "admin.a", to: "admin.b" } },
  ];

  it("isAuthzEntry: DDL of admin.system.users and admin.system.roles is left out; other admin collections' DDL is kept", () => {
    const { isAuthzEntry } = require("../../../backup/mongosh/oplog-merge.js");
    expect(ddl.map((e) => isAuthzEntry(entry(1, e)))).toEqual(ddl.map(() => true));
    expect(otherDdl.map((e) => isAuthzEntry(entry(1, e)))).toEqual(otherDdl.map(() => false));
  });

  it("mergeOplog leaves them out of the one oplog mongorestore replays, and counts them", async () => {
    const path = join(dir, "authz-base.bson");
    writeFileSync(path, Buffer.concat([entry(100, data), entry(101, createUser), entry(102, updateUser), entry(103, dropRole), entry(104, mixed)]));
    const out = join(dir, "authz-merged.bson");
    const r = await mergeOplog({ base: { path, gzip: false }, slices: [], after: ts("104:1"), limit: null }, out);
    expect(written(out)).toEqual(["100:1", "104:1"]);
    expect({ entries: r.entries, skippedUsersAndRoles: r.skippedUsersAndRoles, lastTs: r.lastTs }).toEqual({ entries: 2, skippedUsersAndRoles: 3, lastTs: ts("104:1") });
  });
});
