// A small, strict schema language for the deployment config. Each schema both validates an
// unknown value (collecting every problem with its field path, never stopping at the first) and
// gives the TypeScript type of a valid value, so the config's types and its rules cannot drift.

/** One thing wrong with the config: where, and which rule it breaks. */
export interface ConfigProblem {
  path: string;
  rule: string;
}

export interface Schema<T> {
  /** Human-readable description of what the schema accepts, used in messages. */
  readonly describe: string;
  check(value: unknown, path: string, problems: ConfigProblem[]): value is T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function fail(problems: ConfigProblem[], path: string, rule: string): false {
  problems.push({ path: path || "(root)", rule });
  return false;
}

export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function string(opts: { pattern?: RegExp; rule?: string; minLength?: number } = {}): Schema<string> {
  const rule = opts.rule ?? "must be a string";
  return {
    describe: "a string",
    check(value, path, problems): value is string {
      if (typeof value !== "string") return fail(problems, path, `must be a string, got ${typeName(value)}`);
      if (opts.minLength !== undefined && value.length < opts.minLength) return fail(problems, path, rule);
      if (opts.pattern && !opts.pattern.test(value)) return fail(problems, path, `${rule}, got ${JSON.stringify(value)}`);
      return true;
    },
  };
}

export function number(opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {}): Schema<number> {
  const parts: string[] = [opts.integer ? "a whole number" : "a number"];
  if (opts.exclusiveMin !== undefined) parts.push(`greater than ${opts.exclusiveMin}`);
  if (opts.min !== undefined && opts.max !== undefined) parts.push(`from ${opts.min} to ${opts.max}`);
  else if (opts.min !== undefined) parts.push(`at least ${opts.min}`);
  else if (opts.max !== undefined) parts.push(`at most ${opts.max}`);
  const describe = parts.join(" ");
  return {
    describe,
    check(value, path, problems): value is number {
      const ok =
        typeof value === "number" &&
        Number.isFinite(value) &&
        (!opts.integer || Number.isInteger(value)) &&
        (opts.min === undefined || value >= opts.min) &&
        (opts.max === undefined || value <= opts.max) &&
        (opts.exclusiveMin === undefined || value > opts.exclusiveMin);
      return ok || fail(problems, path, `must be ${describe}, got ${typeName(value)}`);
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    describe: "true or false",
    check(value, path, problems): value is boolean {
      return typeof value === "boolean" || fail(problems, path, `must be true or false, got ${typeName(value)}`);
    },
  };
}

export function literal<const L extends readonly (string | number | boolean)[]>(...allowed: L): Schema<L[number]> {
  const describe = `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
  return {
    describe,
    check(value, path, problems): value is L[number] {
      return (allowed as readonly unknown[]).includes(value) || fail(problems, path, `must be ${describe}, got ${typeName(value)}`);
    },
  };
}

export function array<T>(item: Schema<T>, opts: { minItems?: number; maxItems?: number } = {}): Schema<T[]> {
  return {
    describe: `a list of ${item.describe}`,
    check(value, path, problems): value is T[] {
      if (!Array.isArray(value)) return fail(problems, path, `must be a list, got ${typeName(value)}`);
      let ok = true;
      if (opts.minItems !== undefined && value.length < opts.minItems)
        ok = fail(problems, path, `must have at least ${opts.minItems} item(s), got ${value.length}`);
      if (opts.maxItems !== undefined && value.length > opts.maxItems)
        ok = fail(problems, path, `must have at most ${opts.maxItems} item(s), got ${value.length}`);
      value.forEach((v, i) => {
        if (!item.check(v, join(path, i), problems)) ok = false;
      });
      return ok;
    },
  };
}

/** A map with free-form keys (labels, node selectors, shard keys). */
export function record<T>(item: Schema<T>, opts: { key?: RegExp; keyRule?: string } = {}): Schema<Record<string, T>> {
  return {
    describe: `a map of ${item.describe}`,
    check(value, path, problems): value is Record<string, T> {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return fail(problems, path, `must be an object, got ${typeName(value)}`);
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        if (opts.key && !opts.key.test(k)) ok = fail(problems, join(path, k), opts.keyRule ?? "is not an allowed key");
        if (!item.check(v, join(path, k), problems)) ok = false;
      }
      return ok;
    },
  };
}

type Optional<T> = Schema<T | undefined> & { readonly optional: true };

export function optional<T>(inner: Schema<T>): Optional<T> {
  return {
    optional: true,
    describe: inner.describe,
    check(value, path, problems): value is T | undefined {
      return value === undefined || inner.check(value, path, problems);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { -readonly [K in RequiredKeys<S>]: Infer<S[K]> } & {
  -readonly [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
};

/**
 * A field that was removed: absent is fine, present is a problem with `rule` (what replaced it),
 * so an old override gets a message that says what to do, not only "is not a known field".
 */
const REMOVED = "nothing (a removed field)";

export function removed(rule: string): Optional<never> {
  return {
    optional: true,
    describe: REMOVED,
    check(value, path, problems): value is undefined {
      return value === undefined || fail(problems, path, rule);
    },
  };
}

/** A closed object: unknown keys (typos) are problems, each named with its path. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> & { shape: S } {
  return {
    shape,
    describe: "an object",
    check(value, path, problems): value is ObjectOf<S> {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return fail(problems, path, `must be an object, got ${typeName(value)}`);
      let ok = true;
      const known = Object.keys(shape).filter((key) => shape[key].describe !== REMOVED);
      for (const key of Object.keys(value)) {
        if (!(key in shape)) ok = fail(problems, join(path, key), `is not a known field (known here: ${known.join(", ")})`);
      }
      for (const [key, schema] of Object.entries(shape)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined && !("optional" in schema)) {
          ok = fail(problems, join(path, key), `is required (${schema.describe})`);
        } else if (!schema.check(v, join(path, key), problems)) {
          ok = false;
        }
      }
      return ok;
    },
  };
}

/** A union told apart by one literal field, such as `backend: "s3"`. */
export function tagged<K extends string, V extends Record<string, Schema<object> & { shape: Shape }>>(
  tag: K,
  variants: V,
): Schema<Infer<V[keyof V]>> {
  const names = Object.keys(variants);
  return {
    describe: `an object with ${tag}: ${names.join(" | ")}`,
    check(value, path, problems): value is Infer<V[keyof V]> {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return fail(problems, path, `must be an object, got ${typeName(value)}`);
      const t = (value as Record<string, unknown>)[tag];
      if (typeof t !== "string" || !(t in variants))
        return fail(problems, join(path, tag), `must be one of ${names.map((n) => JSON.stringify(n)).join(", ")}, got ${typeName(t)}`);
      return variants[t].check(value, path, problems);
    },
  };
}

/** A schema narrowed by an extra rule on a value that already has the right type. */
export function refine<T>(inner: Schema<T>, rule: (value: T) => string | undefined): Schema<T> {
  return {
    describe: inner.describe,
    check(value, path, problems): value is T {
      if (!inner.check(value, path, problems)) return false;
      const broken = rule(value);
      return broken === undefined || fail(problems, path, broken);
    },
  };
}
