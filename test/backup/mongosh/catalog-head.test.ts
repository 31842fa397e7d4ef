// Issue 10 item 8: the catalog head (backup/mongosh/catalog.js catalogHead) stands for the whole
// catalog in the slice job's decisions: over catalogs with chain breaks, forks and unconfirmed
// dumps, the head's manifests plus its spans give the same newest restorable point, the same
// slice start and the same unconfirmed dumps as every manifest, with a number of entries that
// does not grow with the number of days kept.
import type { CatalogEntry } from "../../../backup/manifest";
import { analyzeChain, newestRestorable } from "../../../backup/restore/chain";
import { seededRandom } from "../../../migrations/seed-data";
import { fullDump, oplogSlice, ts } from "../fixtures";

const catalog = require("../../../backup/mongosh/catalog.js");

type Entry = CatalogEntry & { artifactPath: string };
const withArtifact = (m: CatalogEntry): Entry => ({ ...m, artifactPath: m.manifestPath.replace(".manifest.json", ".bin") });

/** Days of daily dumps and slices every `step` seconds; `breaks` days restart the chain; some dumps unconfirmed. */
function build(days: number, rand: () => number): Entry[] {
  const out: Entry[] = [];
  const T0 = 1_714_521_600;
  let prev = ts(T0 - 60, 1);
  for (let d = 0; d < days; d++) {
    const day = T0 + d * 86400;
    const broken = d > 0 && rand() < 0.2;
    const dump = { ...fullDump(ts(day + 7230, 3), { firstTs: ts(day + 7200, 1) }), manifestPath: `full/${new Date((day + 7200) * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z")}-x.manifest.json` };
    const unconfirmed = rand() < 0.3;
    out.push(withArtifact(unconfirmed ? ({ ...dump, lastTerm: 3, majorityCommit: "unconfirmed" } as CatalogEntry) : dump));
    if (broken) prev = ts(day + 7200, 1); // the new chain starts inside the dump's window
    for (let t = day + 3 * 3600; t < day + 86400; t += 3 * 3600) {
      const s = oplogSlice(prev, ts(t, 1));
      out.push(withArtifact(rand() < 0.1 ? { ...s, counts: { "nyrkio.results": 1 } } : s));
      prev = ts(t, 1);
    }
  }
  return out;
}

function fromHead(entries: Entry[]): { manifests: Entry[]; spans: unknown[] } {
  const head = catalog.parseHeadText(catalog.headText(catalog.catalogHead(entries, [], analyzeChain)));
  const manifests = head.entries.map((e: { manifestPath: string; manifest: CatalogEntry; confirmation?: unknown }) => ({ ...e.manifest, manifestPath: e.manifestPath, artifactPath: e.manifestPath.replace(".manifest.json", ".bin"), ...(e.confirmation ? { confirmed: true } : {}) }));
  return { manifests, spans: head.spans };
}

describe("catalogHead", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])("gives the slice job the same decisions as the whole catalog (seed %i)", (seed) => {
    const rand = seededRandom(seed);
    const all = build(4 + Math.floor(rand() * 20), rand);
    const { manifests, spans } = fromHead(all);
    const restorable = (list: unknown[]) => newestRestorable(list as CatalogEntry[], analyzeChain);
    expect(restorable([...manifests, ...spans])).toEqual(restorable(all));
    const oldest = ts(all[all.length - 1].lastTs.t - 3600, 1);
    expect(catalog.sliceStart({ manifests, oldest })).toEqual(catalog.sliceStart({ manifests: all, oldest }));
    const paths = (l: Entry[]) => l.map((m) => m.manifestPath);
    // Unconfirmed dumps from the base of the furthest chain on (older ones are superseded: retention
    // deletes them, rule 5); reaches come newest dump first, so the first furthest is the newest.
    let base: { dump: CatalogEntry; to: { t: number; i: number } } | undefined;
    for (const r of analyzeChain(all).reaches) if (!base || r.to.t > base.to.t || (r.to.t === base.to.t && r.to.i > base.to.i)) base = r;
    const waiting = catalog.unconfirmedDumps(all).filter((m: Entry) => !base || m.lastTs.t >= base.dump.lastTs.t);
    expect(paths(catalog.unconfirmedDumps(manifests))).toEqual(paths(waiting));
  });

  it("does not grow with the days kept", () => {
    const size = (days: number) => catalog.headText(catalog.catalogHead(build(days, () => 0.5), [], analyzeChain)).length;
    expect(size(60)).toBe(size(7));
  });

  it("folds an earlier head's spans into the next one", () => {
    const all = build(10, () => 0.5);
    const first = fromHead(all);
    const next = oplogSlice(all[all.length - 1].lastTs, ts(all[all.length - 1].lastTs.t + 300, 1));
    const second = catalog.parseHeadText(catalog.headText(catalog.catalogHead([...first.manifests, withArtifact(next)], first.spans, analyzeChain)));
    expect(second.spans).toHaveLength(1);
    expect(newestRestorable([...second.entries.map((e: { manifest: CatalogEntry }) => e.manifest), ...second.spans], analyzeChain)).toEqual(next.lastTs);
  });

  it("refuses a head that is not one, or names a path outside the catalog", () => {
    expect(() => catalog.parseHeadText("{}")).toThrow(/not a catalog head/);
    expect(() => catalog.parseHeadText('nyrkio-catalog-head 1\n---\n{"entries":[{"manifestPath":"../x.manifest.json","manifest":{}}],"spans":[]}\n')).toThrow(/not a manifest path/);
    expect(() => catalog.parseHeadText('nyrkio-catalog-head 1\n---\n{"entries":[],"spans":[{"prevTs":{"t":5,"i":1},"lastTs":{"t":5,"i":1}}]}\n')).toThrow(/later lastTs/);
  });
});
