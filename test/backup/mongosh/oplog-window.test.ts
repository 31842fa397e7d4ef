// The oplog window read from an artifact itself (backup/mongosh/oplog-window.js), over artifacts
// built in mongodump's formats (fixtures/artifact-builder.js).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const { archiveOplogWindow, bsonOplogWindow, topLevelFields } = require("../../../backup/mongosh/oplog-window.js");
const { archive, bsonStream, oplogEntry } = require("./fixtures/artifact-builder.js");

const dir = mkdtempSync(join(tmpdir(), "oplog-window-"));
let n = 0;
function file(bytes: Buffer, gzip = true): string {
  const path = join(dir, `artifact-${n++}`);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

describe("the window of a mongodump --oplog archive", () => {
  it("is the first and last entry of the archive's own oplog", async () => {
    await expect(archiveOplogWindow(file(archive(["100:1", "100:2", "130:7"])))).resolves.toEqual({
      firstTs: { t: 100, i: 1 },
      lastTs: { t: 130, i: 7 },
      entries: 3,
      lastTerm: 3,
    });
  });

  it("follows the oplog across segments interleaved with other namespaces' blocks", async () => {
    const ts = Array.from({ length: 9 }, (_, k) => `${200 + k}:${k + 1}`);
    await expect(archiveOplogWindow(file(archive(ts, { splitOplog: true, documents: 50 })))).resolves.toEqual({
      firstTs: { t: 200, i: 1 },
      lastTs: { t: 208, i: 9 },
      entries: 9,
      lastTerm: 3,
    });
  });

  it("does not mistake the collections' own timestamp fields for the oplog", async () => {
    // The collection documents carry ts values 1:1..; only the oplog's count.
    const w = await archiveOplogWindow(file(archive(["500:1"], { documents: 200 })));
    expect(w).toEqual({ firstTs: { t: 500, i: 1 }, lastTs: { t: 500, i: 1 }, lastTerm: 3, entries: 1 });
  });

  it("reads an uncompressed archive when told", async () => {
    await expect(archiveOplogWindow(file(archive(["1:1", "2:2"]), false), { gzip: false })).resolves.toMatchObject({ lastTs: { t: 2, i: 2 } });
  });

  it("refuses an archive without an oplog (a dump made without --oplog)", async () => {
    await expect(archiveOplogWindow(file(archive([])))).rejects.toThrow(/holds no oplog/);
  });

  it("refuses something that is not an archive", async () => {
    await expect(archiveOplogWindow(file(bsonStream(["1:1"])))).rejects.toThrow(/bad magic number/);
  });

  it("refuses a truncated archive (a dump cut short)", async () => {
    const bytes = archive(["1:1", "2:2", "3:3"]);
    await expect(archiveOplogWindow(file(bytes.subarray(0, bytes.length - 30)))).rejects.toThrow(/truncated|corrupt/);
  });

  it("refuses entries out of oplog order", async () => {
    await expect(archiveOplogWindow(file(archive(["5:1", "4:9"])))).rejects.toThrow(/out of order/);
  });
});

describe("the window of an oplog slice (a BSON stream)", () => {
  it("is its first and last entry", async () => {
    await expect(bsonOplogWindow(file(bsonStream(["10:1", "10:2", "11:1", "4294967295:4294967295"])))).resolves.toEqual({
      firstTs: { t: 10, i: 1 },
      lastTs: { t: 4294967295, i: 4294967295 },
      entries: 4,
      lastTerm: 3,
    });
  });

  it("is empty for an empty slice", async () => {
    await expect(bsonOplogWindow(file(Buffer.alloc(0)))).resolves.toEqual({ firstTs: null, lastTs: null, lastTerm: null, entries: 0 });
  });

  it("handles documents split across read chunks", async () => {
    const ts = Array.from({ length: 3000 }, (_, k) => `${1000 + Math.floor(k / 7)}:${(k % 7) + 1}`);
    const w = await bsonOplogWindow(file(bsonStream(ts)));
    expect(w).toEqual({ firstTs: { t: 1000, i: 1 }, lastTs: { t: 1428, i: 4 }, lastTerm: 3, entries: 3000 });
  });

  it("refuses trailing bytes that are not a document", async () => {
    await expect(bsonOplogWindow(file(Buffer.concat([bsonStream(["1:1"]), Buffer.from([1, 2, 3])])))).rejects.toThrow(/truncated/);
  });

  it("refuses an archive terminator in a plain stream", async () => {
    await expect(bsonOplogWindow(file(Buffer.concat([bsonStream(["1:1"]), Buffer.from([0xff, 0xff, 0xff, 0xff])])))).rejects.toThrow(/terminator/);
  });
});

describe("top-level BSON fields", () => {
  it("steps over every BSON type", () => {
    const b = require("bson");
    const doc = b.serialize({
      double: 1.5,
      string: "s",
      doc: { a: 1 },
      array: [1, "x"],
      binary: new b.Binary(Buffer.from("abc")),
      oid: new b.ObjectId(),
      flag: true,
      date: new Date(0),
      nothing: null,
      regex: new b.BSONRegExp("a.c", "i"),
      code: new b.Code("function () {}"),
      scoped: new b.Code("x", { y: 1 }),
      int32: new b.Int32(7),
      int64: b.Long.fromNumber(8),
      decimal: b.Decimal128.fromString("1.25"),
      min: new b.MinKey(),
      max: new b.MaxKey(),
      ts: new b.Timestamp({ t: 9, i: 10 }),
      last: "end",
    });
    // Integers too: an oplog entry's term `t` is a long (the majority confirmation compares it).
    expect(topLevelFields(doc)).toEqual({ string: "s", flag: true, ts: { t: 9, i: 10 }, int32: 7, int64: 8, last: "end" });
  });

  it("skips every kind of field to reach ts, which the server writes after the nested document", () => {
    const fields = topLevelFields(oplogEntry({ t: 77, i: 3 }, 0));
    expect(fields).toMatchObject({ op: "i", ns: "nyrkio.results", ts: { t: 77, i: 3 } });
  });
});
