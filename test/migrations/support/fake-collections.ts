// A stand-in for a database in unit tests: collections of plain documents, queried with the
// subset of MongoDB's filter language this project sends (equality, $eq, $ne, $lt, $lte, $gt,
// $gte, $in, $nin; dotted paths through arrays), with MongoDB's semantics for missing fields and
// arrays (a condition matches if any element does; $ne and $nin only if none equals). It records every
// call, and offers mongosh's synchronous surface and the Node.js driver's asynchronous one.
export type Doc = Record<string, unknown>;

function equal(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "number" && typeof b === "number" && a === b);
}

/** MongoDB compares only within a type bracket: a number is never $lt a string. */
function comparable(a: unknown, b: unknown): boolean {
  return (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");
}

function matchOperator(value: unknown, op: string, arg: unknown): boolean {
  switch (op) {
    case "$eq":
      return equal(value, arg);
    case "$ne":
      return !equal(value, arg);
    case "$lt":
      return comparable(value, arg) && (value as number) < (arg as number);
    case "$lte":
      return comparable(value, arg) && (value as number) <= (arg as number);
    case "$gt":
      return comparable(value, arg) && (value as number) > (arg as number);
    case "$gte":
      return comparable(value, arg) && (value as number) >= (arg as number);
    case "$in":
      return (arg as unknown[]).some((x) => equal(value, x));
    case "$nin":
      return !(arg as unknown[]).some((x) => equal(value, x));
    default:
      throw new Error(`the fake database does not support ${op}`);
  }
}

/** The values a dotted path reaches, through arrays; [undefined] when it reaches nothing. */
function valuesAt(doc: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(doc) ? [doc, ...doc] : [doc];
  if (Array.isArray(doc)) {
    const reached = doc.flatMap((element) => (element !== null && typeof element === "object" ? valuesAt(element, path) : []));
    return reached.length > 0 ? reached : [undefined];
  }
  if (doc === null || typeof doc !== "object") return [undefined];
  return valuesAt((doc as Doc)[path[0]], path.slice(1));
}

const NEGATIVE = new Set(["$ne", "$nin"]);

export function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    const values = valuesAt(doc, field.split("."));
    if (condition !== null && typeof condition === "object" && !Array.isArray(condition) && Object.keys(condition).every((k) => k.startsWith("$"))) {
      return Object.entries(condition as Doc).every(([op, arg]) =>
        NEGATIVE.has(op) ? values.every((v) => matchOperator(v, op, arg)) : values.some((v) => matchOperator(v, op, arg)),
      );
    }
    return values.some((v) => equal(v, condition));
  });
}

function project(doc: Doc, projection: Record<string, 0 | 1> | undefined): Doc {
  if (!projection) return { ...doc };
  const out: Doc = {};
  const includeId = projection._id !== 0;
  if (includeId && "_id" in doc) out._id = doc._id;
  for (const [field, on] of Object.entries(projection)) if (on && field !== "_id" && field in doc) out[field] = doc[field];
  return out;
}

function sorted(docs: Doc[], sort: Record<string, 1 | -1> | undefined): Doc[] {
  if (!sort) return docs;
  const [[field, dir]] = Object.entries(sort);
  // Stable: equal keys keep insertion order, like an index scan in record-id order.
  return [...docs].sort((a, b) => ((a[field] as number) - (b[field] as number)) * dir);
}

export type Call =
  | { op: "find"; collection: string; filter: Doc; projection?: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; limit?: number; returned: number }
  | { op: "deleteMany"; collection: string; filter: Doc; deleted: number };

export class FakeCollections {
  readonly calls: Call[] = [];
  private readonly data: Record<string, Doc[]>;

  constructor(data: Record<string, Doc[]>) {
    this.data = Object.fromEntries(Object.entries(data).map(([name, docs]) => [name, docs.map((d) => ({ ...d }))]));
  }

  docs(collection: string): Doc[] {
    return this.data[collection] ?? [];
  }

  find(collection: string, filter: Doc, options: { projection?: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; limit?: number }): Doc[] {
    let found = sorted(this.docs(collection).filter((d) => matches(d, filter)), options.sort);
    if (options.limit) found = found.slice(0, options.limit);
    this.calls.push({ op: "find", collection, filter, ...options, returned: found.length });
    return found.map((d) => project(d, options.projection));
  }

  deleteMany(collection: string, filter: Doc): number {
    const before = this.docs(collection);
    const after = before.filter((d) => !matches(d, filter));
    this.data[collection] = after;
    this.calls.push({ op: "deleteMany", collection, filter, deleted: before.length - after.length });
    return before.length - after.length;
  }

  /** mongosh's surface: db.getCollection(name).find(filter, projection).sort(s).limit(n).toArray(). */
  mongoshDatabase() {
    return {
      getCollection: (name: string) => ({
        find: (filter: Doc, projection?: Record<string, 0 | 1>) => {
          const options: { projection?: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; limit?: number } = { projection };
          const cursor = {
            sort: (sort: Record<string, 1 | -1>) => ((options.sort = sort), cursor),
            limit: (limit: number) => ((options.limit = limit), cursor),
            toArray: () => this.find(name, filter, options),
          };
          return cursor;
        },
        deleteMany: (filter: Doc) => ({ acknowledged: true, deletedCount: this.deleteMany(name, filter) }),
      }),
    };
  }

  /** The Node.js driver's surface: db.collection(name).find(filter, options).toArray(), deleteMany(). */
  driverDatabase() {
    return {
      collection: (name: string) => ({
        find: (filter: Doc, options: { projection?: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; limit?: number } = {}) => ({
          toArray: async () => this.find(name, filter, options),
        }),
        deleteMany: async (filter: Doc) => ({ acknowledged: true, deletedCount: this.deleteMany(name, filter) }),
      }),
    };
  }
}
