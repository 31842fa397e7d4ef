// An offline evaluator of the `$jsonSchema` subset the catalog uses, with MongoDB's semantics, so
// that the design's example documents (and the seed data) can be proven to satisfy the validators
// without a server. A keyword outside the subset throws: the evaluator never passes a document by
// ignoring a rule it does not implement.
//
// Semantics, from "$jsonSchema" (https://www.mongodb.com/docs/manual/reference/operator/query/jsonSchema/):
// - `bsonType`: a BSON type alias or an array of them; "number" matches int, long, double and decimal.
// - `required`: the fields must be present (a field holding null is present).
// - `properties`: each present field must satisfy its schema; absent fields are not checked.
// - `items` (a schema): every element of an array must satisfy it; on a non-array it does not apply.
// - `pattern`, `minLength`, `maxLength`: apply to strings only; `minimum`/`maximum` to numbers only.
// - `enum`: the value must equal one of the listed values.
// - `additionalProperties: false`: no field outside `properties`; `description`/`title` are ignored.

export type BsonTypeName = "double" | "string" | "object" | "array" | "binData" | "objectId" | "bool" | "date" | "null" | "regex" | "int" | "timestamp" | "long" | "decimal";

const KNOWN = new Set(["bsonType", "required", "properties", "items", "pattern", "minLength", "maxLength", "minimum", "maximum", "enum", "additionalProperties", "description", "title"]);

/** The BSON type a value has once written by the driver: integers that fit 32 bits are int, other integers long, other numbers double. */
export function bsonTypeOf(value: unknown): BsonTypeName {
  if (value === null) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "bigint") return "long";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value >= -(2 ** 31) && value < 2 ** 31 ? "int" : "long";
    return "double";
  }
  if (Array.isArray(value)) return "array";
  if (Object.prototype.toString.call(value) === "[object Date]") return "date";
  if (Object.prototype.toString.call(value) === "[object RegExp]") return "regex";
  const tag = (value as { _bsontype?: string })._bsontype;
  switch (tag) {
    case "Int32":
      return "int";
    case "Long":
      return "long";
    case "Double":
      return "double";
    case "Decimal128":
      return "decimal";
    case "ObjectId":
      return "objectId";
    case "Binary":
      return "binData";
    case "Timestamp":
      return "timestamp";
    case "BSONRegExp":
      return "regex";
    case undefined:
      return "object";
    default:
      throw new Error(`no $jsonSchema type for a BSON ${tag}`);
  }
}

const NUMBER_TYPES: readonly BsonTypeName[] = ["int", "long", "double", "decimal"];

function typeMatches(alias: string, actual: BsonTypeName): boolean {
  return alias === "number" ? NUMBER_TYPES.includes(actual) : alias === actual;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const v = value as { _bsontype?: string; valueOf(): unknown; toNumber?: () => number };
  if (v && (v._bsontype === "Int32" || v._bsontype === "Double")) return Number(v.valueOf());
  if (v && v._bsontype === "Long" && v.toNumber) return v.toNumber();
  return undefined;
}

export interface Violation {
  /** Dotted path of the field (array elements by index), "" for the document. */
  path: string;
  rule: string;
}

function at(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function check(schema: Record<string, unknown>, value: unknown, path: string, out: Violation[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) throw new Error(`$jsonSchema keyword "${keyword}" (at ${path || "the document"}) is outside the subset this evaluator implements`);
  }
  const type = bsonTypeOf(value);
  if (schema.bsonType !== undefined) {
    const aliases = Array.isArray(schema.bsonType) ? (schema.bsonType as string[]) : [schema.bsonType as string];
    if (!aliases.some((a) => typeMatches(a, type))) {
      out.push({ path, rule: `bsonType ${JSON.stringify(schema.bsonType)}, found ${type}` });
      return;
    }
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value))) out.push({ path, rule: `enum ${JSON.stringify(schema.enum)}` });
  if (type === "string") {
    const s = value as string;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern as string, "u").test(s)) out.push({ path, rule: `pattern ${JSON.stringify(schema.pattern)}` });
    if (schema.minLength !== undefined && [...s].length < (schema.minLength as number)) out.push({ path, rule: `minLength ${schema.minLength}` });
    if (schema.maxLength !== undefined && [...s].length > (schema.maxLength as number)) out.push({ path, rule: `maxLength ${schema.maxLength}` });
  }
  const n = numeric(value);
  if (n !== undefined) {
    if (schema.minimum !== undefined && n < (schema.minimum as number)) out.push({ path, rule: `minimum ${schema.minimum}` });
    if (schema.maximum !== undefined && n > (schema.maximum as number)) out.push({ path, rule: `maximum ${schema.maximum}` });
  }
  if (type === "object") {
    const doc = value as Record<string, unknown>;
    for (const field of (schema.required as string[] | undefined) ?? []) {
      if (!(field in doc) || doc[field] === undefined) out.push({ path: at(path, field), rule: "required" });
    }
    const properties = (schema.properties as Record<string, Record<string, unknown>> | undefined) ?? {};
    for (const [field, sub] of Object.entries(properties)) {
      if (field in doc && doc[field] !== undefined) check(sub, doc[field], at(path, field), out);
    }
    if (schema.additionalProperties === false) {
      for (const field of Object.keys(doc)) if (!(field in properties)) out.push({ path: at(path, field), rule: "additionalProperties false" });
    }
  }
  if (type === "array" && schema.items !== undefined) {
    if (Array.isArray(schema.items)) throw new Error("$jsonSchema `items` as an array of schemas is outside the subset this evaluator implements");
    (value as unknown[]).forEach((element, i) => check(schema.items as Record<string, unknown>, element, at(path, i), out));
  }
}

/** Every rule of `validator` ({$jsonSchema: ...}) that `doc` breaks; [] when it satisfies it. */
export function validateDocument(validator: { $jsonSchema: Record<string, unknown> }, doc: Record<string, unknown>): Violation[] {
  const keys = Object.keys(validator);
  if (keys.length !== 1 || keys[0] !== "$jsonSchema") throw new Error(`only a validator of exactly {$jsonSchema: ...} is evaluated here (got ${keys.join(", ")})`);
  const out: Violation[] = [];
  check(validator.$jsonSchema, doc, "", out);
  return out;
}
