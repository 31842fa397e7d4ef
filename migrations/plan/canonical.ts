// Canonical JSON: one text for documents that MongoDB treats as the same. Object keys are sorted
// (the order of fields in a filter or a validator does not change its meaning) except in an index
// key, where field order IS the meaning; BSON number wrappers compare as the numbers they hold.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface BsonLike {
  _bsontype?: string;
  toNumber?: () => number;
  toHexString?: () => string;
  valueOf(): unknown;
}

function bsonValue(value: BsonLike): Json | undefined {
  switch (value._bsontype) {
    case "Int32":
    case "Double":
      return Number(value.valueOf());
    case "Long":
      return value.toNumber ? value.toNumber() : Number(String(value));
    case "Decimal128":
      return Number(String(value));
    case "ObjectId":
      return { $oid: value.toHexString ? value.toHexString() : String(value) };
    default:
      return undefined;
  }
}

/** The value with sorted object keys; `orderedKeyFields` names fields whose object value keeps its order (as [field, value] pairs). */
export function canonicalize(value: unknown, orderedKeyFields: ReadonlySet<string> = new Set()): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => canonicalize(v, orderedKeyFields));
  if (typeof value === "object") {
    const bson = bsonValue(value as BsonLike);
    if (bson !== undefined) return bson;
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
