// The run-wide synth cache (test/support/synth-cache.ts): equal props share one synthesis, unequal
// ones never do, and a suite cannot change what another gets.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../config/environments";
import { synthDatabase } from "../stacks/database-synth";
import { memoSynthText, stableKey, SYNTH_CACHE_ENV } from "./synth-cache";

describe("stableKey", () => {
  it("is the same for equal plain data whatever the key order, and differs for any other value", () => {
    expect(stableKey({ a: 1, b: [1, { c: "x", d: null }] })).toBe(stableKey({ b: [1, { d: null, c: "x" }], a: 1 }));
    const distinct = [{}, { a: undefined }, { a: null }, { a: 0 }, { a: -0 }, { a: "0" }, { a: false }, { a: [] }, { a: [undefined] }, { a: [null] }, { a: {} }, [1, 2], [2, 1], { a: NaN }, { a: Infinity }];
    expect(new Set(distinct.map(stableKey)).size).toBe(distinct.length);
  });

  it("refuses what it cannot key exactly: functions, class instances, symbols, bigints", () => {
    expect(() => stableKey({ f: () => 1 })).toThrow("cannot key a function");
    expect(() => stableKey({ m: new Map() })).toThrow("cannot key a Map object");
    expect(() => stableKey({ d: new Date(0) })).toThrow("cannot key a Date object");
    expect(() => stableKey([Symbol("s")])).toThrow("cannot key a symbol");
    expect(() => stableKey(1n)).toThrow("cannot key a bigint");
    expect(stableKey(Object.assign(Object.create(null), { a: 1 }))).toBe('{"a":1}');
    expect(stableKey(structuredClone({ a: [1] }))).toBe('{"a":[1]}');
  });
});

describe("memoSynthText", () => {
  const saved = process.env[SYNTH_CACHE_ENV];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "synth-cache-test-"));
    process.env[SYNTH_CACHE_ENV] = dir;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env[SYNTH_CACHE_ENV];
    else process.env[SYNTH_CACHE_ENV] = saved;
  });

  it("synthesizes once per kind and props within a suite, and once per run across suites (the run's directory)", () => {
    const calls: string[] = [];
    const synth = (label: string) => () => {
      calls.push(label);
      return `text of ${label}`;
    };
    const kind = `test ${Math.random()}`;
    expect(memoSynthText(kind, { a: 1, b: 2 }, synth("first"))).toBe("text of first");
    expect(memoSynthText(kind, { b: 2, a: 1 }, synth("again"))).toBe("text of first");
    expect(memoSynthText(kind, { a: 1, b: 3 }, synth("other props"))).toBe("text of other props");
    expect(memoSynthText(`${kind} other`, { a: 1, b: 2 }, synth("other kind"))).toBe("text of other kind");
    expect(calls).toEqual(["first", "other props", "other kind"]);
    expect(readdirSync(dir)).toHaveLength(3);

    // Another suite (a fresh module registry, as Jest gives each test file) reads the file.
    jest.isolateModules(() => {
      const other = require("./synth-cache") as typeof import("./synth-cache");
      expect(other.memoSynthText(kind, { a: 1, b: 2 }, synth("other suite"))).toBe("text of first");
    });
    expect(calls).toEqual(["first", "other props", "other kind"]);
  });

  it("caches nothing when the synthesis throws", () => {
    const kind = `test ${Math.random()}`;
    expect(() =>
      memoSynthText(kind, {}, () => {
        throw new Error("invalid config");
      }),
    ).toThrow("invalid config");
    expect(memoSynthText(kind, {}, () => "now valid")).toBe("now valid");
  });

  it("gives every caller its own objects: a change to one synth's JSON is not seen by the next", () => {
    const first = synthDatabase(environments.dev);
    first.json.resource.kubernetes_stateful_set_v1.mongodb_rs0.spec.replicas = 99;
    const second = synthDatabase(environments.dev);
    expect(second.json.resource.kubernetes_stateful_set_v1.mongodb_rs0.spec.replicas).not.toBe(99);
    expect(second.text).toBe(first.text);
  });
});
