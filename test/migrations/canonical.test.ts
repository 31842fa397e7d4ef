import { Double, Int32, Long, ObjectId } from "mongodb";
import { canonicalJson, indexDifferences, sameDocument, sameIndexKey } from "../../migrations/plan";

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
