// Canonical JSON: one text for documents that MongoDB treats as the same. Object keys are sorted
// (the order of fields in a filter or a validator does not change its meaning) except in an index
// key, where field order IS the meaning; BSON number wrappers compare as the numbers they hold
// (the server compares 1, 1.0 and NumberLong(1) as equal: "Comparison/Sort Order", numeric types).
//
// Every other BSON value keeps what distinguishes it, in Extended JSON v2 form
// (https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/): a Date is
// {$date: milliseconds}, a RegExp {$regex, $options}, Binary, Timestamp and Decimal128 exactly.
// A type with no canonical form here throws rather than collapsing to {} (what the first version
// of this file did with Date and RegExp: two partial filters differing only in a date were equal).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface BsonLike {
  _bsontype?: string;
  toNumber?: () => number;
  toHexString?: () => string;
  toString(format?: string): string;
  valueOf(): unknown;
}

/** RegExp flags in a fixed order: /a/im and /a/mi are the same expression. */
function sortedFlags(flags: string): string {
  return [...flags].sort().join("");
}

function bsonValue(value: BsonLike): Json | undefined {
  const v = value as unknown as Record<string, unknown>;
  switch (value._bsontype) {
    case "Int32":
    case "Double":
      return Number(value.valueOf());
    case "Long":
      return value.toNumber ? value.toNumber() : Number(String(value));
    case "Decimal128":
      // Kept as written: the decimal's exact digits are its meaning (bson Decimal128.toString).
      return { $numberDecimal: String(value) };
    case "ObjectId":
      return { $oid: value.toHexString ? value.toHexString() : String(value) };
    case "Binary": {
      const bin = value as unknown as { sub_type: number; toString(encoding: string): string };
      return { $binary: { base64: bin.toString("base64"), subType: bin.sub_type.toString(16).padStart(2, "0") } };
    }
    case "Timestamp": {
      const ts = v as { t?: number; i?: number; high?: number; low?: number };
      return { $timestamp: { i: Number(ts.i ?? ts.low), t: Number(ts.t ?? ts.high) } };
    }
    case "BSONRegExp":
      return { $regex: String(v.pattern), $options: sortedFlags(String(v.options)) };
    case undefined:
      return undefined;
    default:
      throw new Error(`cannot put a BSON ${value._bsontype} into a schema document: it has no canonical form here`);
  }
}

/** The value with sorted object keys; `orderedKeyFields` names fields whose object value keeps its order (as [field, value] pairs). */
export function canonicalize(value: unknown, orderedKeyFields: ReadonlySet<string> = new Set()): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => canonicalize(v, orderedKeyFields));
  // Tag checks rather than instanceof: a value may come from another realm (structuredClone, vm).
  const tag = Object.prototype.toString.call(value);
  if (tag === "[object Date]") {
    const ms = (value as Date).getTime();
    if (Number.isNaN(ms)) throw new Error("cannot put an invalid Date into a schema document");
    return { $date: ms };
  }
  if (tag === "[object RegExp]") return { $regex: (value as RegExp).source, $options: sortedFlags((value as RegExp).flags) };
  if (typeof value === "object") {
    const bson = bsonValue(value as BsonLike);
    if (bson !== undefined) return bson;
    const proto = Object.getPrototypeOf(value) as unknown;
    // A plain object's prototype is some realm's Object.prototype, whose own prototype is null.
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      throw new Error(`cannot put a ${(value as object).constructor?.name ?? "non-plain object"} into a schema document: it has no canonical form here`);
    }
    const record = value as Record<string, unknown>;
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue;
      const field = record[key];
      out[key] =
        orderedKeyFields.has(key) && field !== null && typeof field === "object" && !Array.isArray(field)
          ? Object.entries(field as Record<string, unknown>).map(([k, v]) => [k, canonicalize(v, orderedKeyFields)])
          : canonicalize(field, orderedKeyFields);
    }
    return out;
  }
  throw new Error(`cannot put a ${typeof value} into a schema document`);
}

/**
 * The first version of the canonical form, frozen: checksums recorded by deployed databases were
 * taken with it (Date and RegExp became {}, Decimal128 a number). Used only to verify those.
 */
export function canonicalizeV1(value: unknown, orderedKeyFields: ReadonlySet<string> = new Set()): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => canonicalizeV1(v, orderedKeyFields));
  if (typeof value === "object") {
    const b = value as BsonLike;
    switch (b._bsontype) {
      case "Int32":
      case "Double":
        return Number(b.valueOf());
      case "Long":
        return b.toNumber ? b.toNumber() : Number(String(b));
      case "Decimal128":
        return Number(String(b));
      case "ObjectId":
        return { $oid: b.toHexString ? b.toHexString() : String(b) };
    }
    const record = value as Record<string, unknown>;
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue;
      const field = record[key];
      out[key] =
        orderedKeyFields.has(key) && field !== null && typeof field === "object" && !Array.isArray(field)
          ? Object.entries(field as Record<string, unknown>).map(([k, v]) => [k, canonicalizeV1(v, orderedKeyFields)])
          : canonicalizeV1(field, orderedKeyFields);
    }
    return out;
  }
  throw new Error(`cannot put a ${typeof value} into a schema document`);
}

export function canonicalJson(value: unknown, orderedKeyFields?: ReadonlySet<string>): string {
  return JSON.stringify(canonicalize(value, orderedKeyFields));
}

/** Same document for MongoDB's purposes: equal up to the order of object keys. */
export function sameDocument(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Index keys are equal only with the same fields in the same order and the same directions. */
export function sameIndexKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.entries(a);
  const kb = Object.entries(b);
  return ka.length === kb.length && ka.every(([field, dir], i) => kb[i][0] === field && sameDocument(dir, kb[i][1]));
}
