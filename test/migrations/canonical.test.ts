import { BSONRegExp, Binary, Code, Decimal128, Double, Int32, Long, MinKey, ObjectId, Timestamp } from "mongodb";
import type { Migration } from "../../migrations/migration";
import { canonicalJson, checksumMatches, checksumVersion, indexDifferences, migrationChecksum, migrationChecksumV1, sameDocument, sameIndexKey } from "../../migrations/plan";
import { MIGRATIONS, loadMigrations } from "../../migrations/registry";
import { checksumProblems, describeChecksumProblem } from "../../migrations/runner/checksums";

describe("canonical documents", () => {
  it("ignore object key order, but not array order", () => {
    expect(sameDocument({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
    expect(sameDocument({ $and: [{ a: 1 }, { b: 2 }] }, { $and: [{ b: 2 }, { a: 1 }] })).toBe(false);
  });

  it("keep the field order of the fields named as ordered (index keys)", () => {
    expect(canonicalJson({ key: { b: 1, a: 1 } }, new Set(["key"]))).toBe('{"key":[["b",1],["a",1]]}');
    expect(canonicalJson({ key: { b: 1, a: 1 } })).toBe('{"key":{"a":1,"b":1}}');
  });

  it("compare BSON number wrappers (as a driver may return them) by value", () => {
    expect(sameIndexKey({ a: new Int32(1), b: new Double(-1) }, { a: 1, b: -1 })).toBe(true);
    expect(sameDocument({ n: Long.fromNumber(7776000) }, { n: 7776000 })).toBe(true);
    expect(indexDifferences({ v: new Int32(2), key: { timestamp: new Double(1) }, name: "t", expireAfterSeconds: new Int32(60) }, { key: { timestamp: 1 }, name: "t", expireAfterSeconds: 60 })).toEqual([]);
    expect(canonicalJson({ id: new ObjectId("64b7f0c2a1b2c3d4e5f60718") })).toBe('{"id":{"$oid":"64b7f0c2a1b2c3d4e5f60718"}}');
  });

  it("drop undefined fields, as BSON does", () => {
    expect(sameDocument({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });
});

// Issue 11 defect 7: the first canonical form turned every Date and RegExp into {}.
describe("canonical form, version 2", () => {
  it("keeps a Date as $date in milliseconds: filters differing only in a date differ", () => {
    const a = { createdAt: { $gte: new Date("2024-01-01T00:00:00Z") } };
    const b = { createdAt: { $gte: new Date("2025-01-01T00:00:00Z") } };
    expect(sameDocument(a, b)).toBe(false);
    expect(canonicalJson(a)).toBe('{"createdAt":{"$gte":{"$date":1704067200000}}}');
  });

  it("keeps a RegExp's pattern and flags (flags in a fixed order)", () => {
    expect(sameDocument({ n: /^a/i }, { n: /^b/i })).toBe(false);
    expect(sameDocument({ n: /^a/i }, { n: /^a/ })).toBe(false);
    expect(sameDocument({ n: /^a/im }, { n: new BSONRegExp("^a", "mi") })).toBe(true);
  });

  it("keeps Binary, Timestamp and Decimal128 exactly", () => {
    expect(canonicalJson({ b: new Binary(Buffer.from([1, 2, 3]), 4) })).toBe('{"b":{"$binary":{"base64":"AQID","subType":"04"}}}');
    expect(sameDocument({ b: new Binary(Buffer.from([1])) }, { b: new Binary(Buffer.from([2])) })).toBe(false);
    expect(canonicalJson({ t: new Timestamp({ t: 1700000000, i: 3 }) })).toBe('{"t":{"$timestamp":{"i":3,"t":1700000000}}}');
    expect(sameDocument({ d: Decimal128.fromString("0.10") }, { d: Decimal128.fromString("0.1") })).toBe(false);
    expect(canonicalJson({ d: Decimal128.fromString("0.10") })).toBe('{"d":{"$numberDecimal":"0.10"}}');
  });

  it("still folds numbers (1 and 1.0 are equal to the server) and keeps index key order", () => {
    expect(sameDocument({ a: new Int32(1) }, { a: new Double(1.0) })).toBe(true);
    expect(canonicalJson({ key: { b: 1, a: 1 } }, new Set(["key"]))).toBe('{"key":[["b",1],["a",1]]}');
  });

  it.each([
    ["a MinKey", new MinKey()],
    ["a Code", new Code("function () {}")],
    ["a Map", new Map()],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["an invalid Date", new Date(NaN)],
  ])("throws on %s instead of collapsing it", (_name, value) => {
    expect(() => canonicalJson({ x: value })).toThrow(/cannot put/);
  });
});

describe("versioned checksums", () => {
  // Version 1 checksums as the runner before version 2 recorded them (computed with that code):
  // deployed changelogs hold exactly these, and they must still verify.
  const V1 = [
    "13033e45bf93551f3446becf70986d3197dca002506957413a50ad3c9f0ca62b",
    "759db56ec68f0ca472ddcc7ba5ed289e6394733b1df421c1807e6b419f98d431",
    "e34d9d414f184fafea975aa1a95c25935d24af2b16b25cdd7da080750004ba69",
    "04fdb9e44fb73c0d2b102867251bcd10e652c4c4ed4237004cbb6daed8077369",
    "ee04613d77835912f9266bb6e9128a87284f580c769786afd67ab118d9a457a6",
  ];

  it("verifies a recorded version 1 checksum with the version 1 algorithm", () => {
    MIGRATIONS.slice(0, V1.length).forEach((m, i) => {
      expect(migrationChecksumV1(m)).toBe(V1[i]);
      expect(checksumVersion(V1[i])).toBe(1);
      expect(checksumMatches(V1[i], m)).toBe(true);
    });
    expect(checksumProblems(V1.map((checksum, i) => ({ id: i + 1, name: MIGRATIONS[i].name, checksum })), loadMigrations())).toEqual([]);
    // Mixed: v1 records of the first five, a v2 record of a later one.
    const later = loadMigrations().slice(V1.length).map((m) => ({ id: m.migration.id, name: m.migration.name, checksum: m.checksum }));
    expect(checksumProblems([...V1.map((checksum, i) => ({ id: i + 1, name: MIGRATIONS[i].name, checksum })), ...later], loadMigrations())).toEqual([]);
  });

  it("writes version 2, and a date edit changes it (version 1 could not see it)", () => {
    const base: Migration = { id: 9, name: "x", up: [{ op: "createIndexes", collection: "c", indexes: [{ key: { t: 1 }, name: "t", partialFilterExpression: { t: { $gte: new Date("2024-01-01T00:00:00Z") } } }] }] };
    const edited = structuredClone(base);
    const op = edited.up[0];
    if (op.op !== "createIndexes") throw new Error("expected createIndexes");
    op.indexes[0].partialFilterExpression = { t: { $gte: new Date("2025-01-01T00:00:00Z") } };
    expect(migrationChecksum(base)).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(migrationChecksumV1(edited)).toBe(migrationChecksumV1(base));
    expect(migrationChecksum(edited)).not.toBe(migrationChecksum(base));
    expect(checksumMatches(migrationChecksum(base), edited)).toBe(false);
  });

  it("never matches a checksum of an unknown version, and says why", () => {
    const recorded = `v3:${"0".repeat(64)}`;
    expect(checksumMatches(recorded, MIGRATIONS[0])).toBe(false);
    const [problem] = checksumProblems([{ id: 1, name: MIGRATIONS[0].name, checksum: recorded }], loadMigrations());
    expect(describeChecksumProblem(problem)).toMatch(/checksum algorithm this runner does not know/);
  });
});
