import { buildSync } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import type { CatalogEntry } from "../../backup/manifest";
import { embeddablePruner } from "../../backup/retention/embeddable-pruner";
import { prune, RetentionDecision } from "../../backup/retention/pruner";
import { fullDump, oplogSlice, paths, sliceChain, ts } from "./fixtures";

const DAY = 86400;
const at = (iso: string) => Date.parse(iso) / 1000;
const day = (iso: string, hour = 2) => at(`${iso}T${String(hour).padStart(2, "0")}:00:00Z`);

/** Full dumps at the given times, with one unbroken chain of slices every 6 hours across them all. */
function dailyCatalog(dumpTimes: number[], until: number): CatalogEntry[] {
  const dumps = dumpTimes.map((t) => fullDump(ts(t, 1)));
  const start = Math.min(...dumpTimes) - 3600;
  const ends: ReturnType<typeof ts>[] = [];
  for (let t = start + 6 * 3600; t <= until; t += 6 * 3600) ends.push(ts(t, 1));
  return [...dumps, ...sliceChain(ts(start, 1), ends)];
}
const kept = (d: RetentionDecision<CatalogEntry>, kind: "full" | "oplog") => d.keep.filter((k) => k.manifest.kind === kind).map((k) => k.manifest);
const deleted = (d: RetentionDecision<CatalogEntry>, kind: "full" | "oplog") => d.delete.filter((k) => k.manifest.kind === kind).map((k) => k.manifest);
const isoDays = (entries: CatalogEntry[]) => entries.map((e) => new Date(e.lastTs.t * 1000).toISOString().slice(0, 13)).sort();

/** The embedded source, evaluated the way mongosh would: as plain script text in a fresh context. */
function embeddedPrune(): (m: unknown[], now: string, policy: unknown) => RetentionDecision<CatalogEntry> {
  return vm.runInNewContext(`${embeddablePruner()}\nprune;`, {});
}
const summary = (d: RetentionDecision<CatalogEntry>) => ({
  keep: d.keep.map((k) => [k.manifest.manifestPath, k.reason]),
  delete: d.delete.map((k) => [k.manifest.manifestPath, k.reason]),
});

describe("retention pruner", () => {
  // One dump a day at 02:00 from Monday 2024-01-01 to Thursday 2024-02-29.
  const times: number[] = [];
  for (let t = day("2024-01-01"); t <= day("2024-02-29"); t += DAY) times.push(t);
  const catalog = dailyCatalog(times, day("2024-02-29", 20));
  const now = "2024-02-29T21:00:00Z";

  it("keeps N daily dumps and M weekly dumps beyond them (a week a daily represents does not count)", () => {
    const d = prune(catalog, now, { daily: 7, weekly: 4 });
    expect(isoDays(kept(d, "full"))).toEqual(
      ["2024-01-28", "2024-02-04", "2024-02-11", "2024-02-18", "2024-02-23", "2024-02-24", "2024-02-25", "2024-02-26", "2024-02-27", "2024-02-28", "2024-02-29"].map((x) => `${x}T02`),
    );
    expect(deleted(d, "full")).toHaveLength(times.length - 11);
  });

  it("deletes exactly the slices that end at or before the oldest kept dump", () => {
    const d = prune(catalog, now, { daily: 7, weekly: 4 });
    const windowStart = day("2024-01-28");
    expect(deleted(d, "oplog").every((s) => s.lastTs.t <= windowStart)).toBe(true);
    expect(kept(d, "oplog").every((s) => s.lastTs.t > windowStart)).toBe(true);
    expect(deleted(d, "oplog").length).toBeGreaterThan(0);
    expect(kept(d, "oplog").length).toBeGreaterThan(0);
  });

  it("keeps the newest dump of a day, not the first", () => {
    const three = [day("2024-03-01", 2), day("2024-03-01", 10), day("2024-03-01", 18), day("2024-03-02", 2), day("2024-03-02", 10)];
    const d = prune(dailyCatalog(three, day("2024-03-02", 12)), "2024-03-02T12:00:00Z", { daily: 2, weekly: 0 });
    expect(isoDays(kept(d, "full"))).toEqual(["2024-03-01T18", "2024-03-02T10"]);
  });

  it("counts days that have dumps, not days on the clock", () => {
    const d = prune(catalog, "2025-06-01T00:00:00Z", { daily: 3, weekly: 0 });
    expect(isoDays(kept(d, "full"))).toEqual(["2024-02-27T02", "2024-02-28T02", "2024-02-29T02"]);
  });

  it("keeps every entry in exactly one list, in input order, each with a reason", () => {
    const d = prune(catalog, now, { daily: 7, weekly: 4 });
    expect(d.keep.length + d.delete.length).toBe(catalog.length);
    const order = [...d.keep, ...d.delete].map((x) => catalog.indexOf(x.manifest));
    expect(new Set(order).size).toBe(catalog.length);
    expect(d.keep.map((x) => catalog.indexOf(x.manifest))).toEqual([...d.keep.map((x) => catalog.indexOf(x.manifest))].sort((a, b) => a - b));
    expect(d.keep.find((k) => k.manifest.lastTs.t === day("2024-02-29"))?.reason).toBe("daily 1/7: the newest full dump of 2024-02-29 (0d 19h old)");
    expect(d.keep.find((k) => k.manifest.lastTs.t === day("2024-01-28"))?.reason).toBe("weekly 4/4: the newest full dump of ISO week 2024-W04 (32d 19h old)");
    expect(d.delete.find((k) => k.manifest.kind === "full")?.reason).toMatch(
      /^beyond the policy \(7 daily, 4 weekly; 59d 19h old\); the points it reaches before the window's start 2024-01-28T02:00:00Z \(\d+:1\) are given up, the later ones stay reachable from a kept full dump$/,
    );
    expect(d.delete.find((k) => k.manifest.lastTs.t === day("2024-02-22"))?.reason).toMatch(/; every restore point it reaches stays reachable from a kept full dump$/);
    expect(d.delete.find((k) => k.manifest.kind === "oplog")?.reason).toMatch(/^ends at or before the oldest kept full dump's lastTs 2024-01-28T02:00:00Z \(\d+:1\): no kept dump replays it$/);
  });

  it("keeps a dump that restarted the chain after a gap when no kept dump reaches past the gap", () => {
    // 03-01 02:00 dump, slices until 03-02 05:00, gap; 03-02 06:00 dump restarts the chain; 03-02 20:00 dump joins it.
    const first = fullDump(ts(day("2024-03-01", 2), 1));
    const before = sliceChain(ts(day("2024-03-01", 2), 1), [ts(day("2024-03-01", 14), 1), ts(day("2024-03-02", 5), 1)]);
    const restart = fullDump(ts(day("2024-03-02", 6), 1));
    const after = sliceChain(ts(day("2024-03-02", 6), 1), [ts(day("2024-03-02", 12), 1), ts(day("2024-03-02", 23), 1)]);
    const evening = fullDump(ts(day("2024-03-02", 20), 1));
    const d = prune([first, ...before, restart, ...after, evening], "2024-03-03T00:00:00Z", { daily: 2, weekly: 0 });
    expect(paths(kept(d, "full"))).toEqual(paths([first, restart, evening]));
    expect(d.keep.find((k) => k.manifest === restart)?.reason).toMatch(/^no other kept full dump reaches the restore points 2024-03-02T06:00:00Z .* \.\. 2024-03-02T23:00:00Z/);
    expect(d.delete).toEqual([]);
  });

  it("deletes a dump whose chain ended in a gap before the window", () => {
    const old = fullDump(ts(day("2024-03-01", 2), 1));
    const oldSlices = sliceChain(ts(day("2024-03-01", 2), 1), [ts(day("2024-03-01", 8), 1)]);
    const restart = fullDump(ts(day("2024-03-02", 6), 1));
    const d = prune([old, ...oldSlices, restart], "2024-03-03T00:00:00Z", { daily: 1, weekly: 0 });
    expect(d.delete.map((x) => [x.manifest.manifestPath, x.reason.replace(/.*; /, "")])).toEqual([
      [old.manifestPath, "it reaches only points before the restore window"],
      [oldSlices[0].manifestPath, expect.stringMatching(/^ends at or before the oldest kept full dump's lastTs 2024-03-02T06:00:00Z/)],
    ]);
  });

  it("deletes a restart dump that a kept dump makes redundant", () => {
    const restart = fullDump(ts(day("2024-03-02", 6), 1));
    const after = sliceChain(ts(day("2024-03-02", 6), 1), [ts(day("2024-03-02", 12), 1), ts(day("2024-03-02", 23), 1)]);
    const evening = fullDump(ts(day("2024-03-02", 20), 1));
    const d = prune([restart, ...after, evening], "2024-03-03T00:00:00Z", { daily: 1, weekly: 0 });
    expect(paths(kept(d, "full"))).toEqual(paths([evening]));
    expect(paths(deleted(d, "oplog"))).toEqual(paths(after.slice(0, 1)));
  });

  it("deletes nothing for a replica set without a full dump", () => {
    const slices = sliceChain(ts(day("2024-03-01"), 1), [ts(day("2024-03-02"), 1)]);
    const d = prune(slices, now, { daily: 1, weekly: 0 });
    expect(d.delete).toEqual([]);
    expect(d.keep[0].reason).toMatch(/no full dump of this replica set/);
  });

  it("prunes each replica set on its own", () => {
    const rs0 = dailyCatalog([day("2024-03-01"), day("2024-03-02"), day("2024-03-03")], day("2024-03-03", 12));
    const shard = [fullDump(ts(day("2024-03-01"), 1), { replicaSet: "shard1", dir: "shard1" })];
    const d = prune([...rs0, ...shard], "2024-03-04T00:00:00Z", { daily: 1, weekly: 0 });
    expect(kept(d, "full").map((m) => m.replicaSet).sort()).toEqual(["rs0", "shard1"]);
  });

  it("keeps a manifest it does not understand", () => {
    const odd = { ...oplogSlice(ts(day("2024-01-01"), 1), ts(day("2024-01-01", 3), 1)), prevTs: undefined } as unknown as CatalogEntry;
    const d = prune([...catalog, odd], now, { daily: 1, weekly: 0 });
    expect(d.keep.find((k) => k.manifest === odd)?.reason).toMatch(/not a manifest the pruner understands/);
  });

  it("refuses a bad policy or a bad clock", () => {
    expect(() => prune(catalog, now, { daily: 0, weekly: 0 })).toThrow(/policy must be \{daily: an integer >= 1/);
    expect(() => prune(catalog, now, { daily: 1, weekly: -1 })).toThrow(/policy/);
    expect(() => prune(catalog, now, { daily: 1.5, weekly: 0 })).toThrow(/policy/);
    expect(() => prune(catalog, "not a time", { daily: 1, weekly: 0 })).toThrow(/nowIso must be an ISO 8601 time/);
  });

  it("handles ISO weeks across a year boundary", () => {
    // 2020-12-31 (Thu) is in 2020-W53; 2021-01-03 (Sun) too; 2021-01-04 (Mon) starts 2021-W01.
    const t = [day("2020-12-24"), day("2020-12-31"), day("2021-01-03"), day("2021-01-04")];
    const d = prune(dailyCatalog(t, day("2021-01-04", 12)), "2021-01-05T00:00:00Z", { daily: 1, weekly: 2 });
    expect(d.keep.filter((k) => k.manifest.kind === "full").map((k) => k.reason.replace(/ \(.*/, ""))).toEqual([
      "weekly 2/2: the newest full dump of ISO week 2020-W52",
      "weekly 1/2: the newest full dump of ISO week 2020-W53",
      "daily 1/1: the newest full dump of 2021-01-04",
    ]);
  });
});

describe("embeddablePruner", () => {
  const src = embeddablePruner();

  it("is one self-contained function declaration: no imports, requires or exports", () => {
    expect(src.startsWith("function prune(manifests, nowIso, policy) {")).toBe(true);
    expect(src).not.toMatch(/\brequire\(|\bimport\b|\bexports\b|__\w+\(/);
    expect(() => new vm.Script(src)).not.toThrow();
  });

  it("gives the same decisions and reasons as the imported pruner", () => {
    const policies = [
      { daily: 7, weekly: 4 },
      { daily: 1, weekly: 0 },
      { daily: 30, weekly: 2 },
    ];
    const times: number[] = [];
    for (let t = day("2024-01-01"); t <= day("2024-02-10"); t += DAY / 2) times.push(t);
    const catalog = dailyCatalog(times, day("2024-02-10", 20));
    const embedded = embeddedPrune();
    for (const policy of policies) {
      // JSON round trip: the pod passes parsed manifest files.
      const parsed = JSON.parse(JSON.stringify(catalog)) as CatalogEntry[];
      expect(summary(embedded(parsed, "2024-02-11T00:00:00Z", policy))).toEqual(summary(prune(catalog, "2024-02-11T00:00:00Z", policy)));
    }
  });

  it.each([false, true])("survives the production build (esbuild, bundled: %s)", (bundle) => {
    // scripts/build.mjs compiles each file on its own; a bundler may also rename functions.
    const out = mkdtempSync(join(tmpdir(), "embeddable-pruner-"));
    try {
      buildSync({ entryPoints: ["backup/retention/embeddable-pruner.ts"], bundle, outdir: out, format: "cjs", platform: "node", target: "node20", logLevel: "silent", ...(bundle ? {} : { outbase: "." }) });
      if (!bundle) buildSync({ entryPoints: ["backup/retention/pruner.ts", "backup/restore/chain.ts", "backup/timestamp.ts", "backup/majority.ts"], outdir: out, outbase: ".", format: "cjs", platform: "node", target: "node20", logLevel: "silent" });
      const built = require(join(out, bundle ? "embeddable-pruner.js" : "backup/retention/embeddable-pruner.js")) as { embeddablePruner(): string };
      const fromBuild = vm.runInNewContext(`${built.embeddablePruner()}\nprune;`, {});
      const catalog = dailyCatalog([day("2024-03-01"), day("2024-03-02"), day("2024-03-09")], day("2024-03-09", 20));
      const policy = { daily: 1, weekly: 1 };
      expect(summary(fromBuild(catalog, "2024-03-10T00:00:00Z", policy))).toEqual(summary(prune(catalog, "2024-03-10T00:00:00Z", policy)));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("runs under mongosh's async rewriter with the same decisions", async () => {
    // The pod runs the text through mongosh, which rewrites every script before running it.
    let AsyncWriter: (new () => { process(code: string): string; runtimeSupportCode(): string }) | undefined;
    try {
      AsyncWriter = require("@mongosh/async-rewriter2").default;
    } catch {
      console.log("skipping the async-rewriter check of the embedded pruner: @mongosh/async-rewriter2 is not installed");
      return;
    }
    const writer = new (AsyncWriter as NonNullable<typeof AsyncWriter>)();
    const times: number[] = [];
    for (let t = day("2024-01-01"); t <= day("2024-02-10"); t += DAY / 3) times.push(t);
    const catalog = JSON.parse(JSON.stringify(dailyCatalog(times, day("2024-02-10", 20)))) as CatalogEntry[];
    const policy = { daily: 5, weekly: 3 };
    const context = vm.createContext({ manifests: catalog, policy });
    vm.runInContext(writer.runtimeSupportCode(), context);
    const result = await vm.runInContext(writer.process(`${embeddablePruner()}\nprune(manifests, "2024-02-11T00:00:00Z", policy);`), context);
    expect(summary(result)).toEqual(summary(prune(catalog, "2024-02-11T00:00:00Z", policy)));
  });

  it("raises the same errors as the imported pruner", () => {
    expect(() => embeddedPrune()([], "2024-01-01T00:00:00Z", { daily: 0, weekly: 0 })).toThrow(/policy must be/);
  });
});
