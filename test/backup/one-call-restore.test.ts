// Property: the one mongorestore call a plan runs replays exactly the right oplog. Over generated
// catalogs written to disk as real artifacts (packed directory dumps, gzipped slices: their oplog
// runs from each manifest's firstTs to its lastTs, so slices that straddle a dump's lastTs, many
// entries in one second and ordinals i > 0 all occur), for targets everywhere a window reaches
// (on an artifact's boundary, inside a slice), the planner's steps run through the executor with
// the real tar and the real merge (backup/mongosh/oplog-merge.js), and a mongorestore stand-in as
// strict as the real one reads the --oplogFile it is handed. That oplog must be: the base's own
// entries, then every entry of the plan's slices strictly after the base's lastTs, all before the
// exclusive limit, strictly increasing; it must reach the target (nothing of the chain up to the
// target is missing); and there is exactly one mongorestore call, the last step.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { artifactPath, type CatalogEntry } from "../../backup/manifest";
import { executePlan, type StepExit } from "../../backup/restore/executor";
import { planRestore } from "../../backup/restore/planner";
import { parseTarget } from "../../backup/restore/target";
import { fileInspector } from "../../backup/restore/verify-artifacts";
import { compareTs, formatTs, type Timestamp } from "../../backup/timestamp";
import { mongorestoreRefusal } from "../support/mongorestore-rules";
import { generateCatalog, interestingPoints } from "./catalog-generator";
import { writeCatalog } from "./disk-catalog";
import { runRealTar } from "./real-tar";

const { topLevelFields } = require("../../backup/mongosh/oplog-window.js");
const text = (ts: Timestamp) => `${ts.t}:${ts.i}`;

/** The oplog entries the disk catalog wrote for an artifact (disk-catalog.ts artifactBytes). */
function entriesOf(e: CatalogEntry): Timestamp[] {
  return compareTs(e.firstTs, e.lastTs) === 0 ? [e.lastTs] : [e.firstTs, e.lastTs];
}

function oplogOf(argv: readonly string[]): string[] {
  const file = argv.find((a) => a.startsWith("--oplogFile="))?.slice("--oplogFile=".length) as string;
  let buf = readFileSync(file);
  if (argv.includes("--gzip")) buf = gunzipSync(buf);
  const out: string[] = [];
  for (let at = 0; at < buf.length; at += buf.readInt32LE(at)) out.push(text(topLevelFields(buf.subarray(at, at + buf.readInt32LE(at))).ts));
  return out;
}

describe("property: the one mongorestore call replays the base's oplog, then the slices after its lastTs, up to the target", () => {
  it.each([3, 7, 11])("generated catalog, seed %d", async (seed) => {
    const catalog = writeCatalog(generateCatalog(seed));
    const work = mkdtempSync(join(tmpdir(), "one-call-"));
    try {
      const byPath = new Map(catalog.entries.map((e) => [artifactPath(e), e]));
      let planned = 0;
      for (const point of interestingPoints(catalog.entries, seed).slice(0, 24)) {
        const target = parseTarget("to", text(point));
        if (!target.ok) continue;
        const workDir = join(work, `p${planned}-${point.t}-${point.i}`);
        const result = planRestore(catalog.entries, target.target, { catalogDir: catalog.dir, configFile: "/dev/null", workDir, drop: false, numParallelCollections: 1, numInsertionWorkersPerCollection: 1 });
        if (!result.ok) continue;
        planned++;
        const plan = result.plan;
        const where = `seed ${seed}, --to ${text(point)}`;
        const calls: { argv: readonly string[]; oplog: string[] }[] = [];
        const run = async (argv: readonly string[], onLine: (l: string) => void): Promise<StepExit> => {
          if (argv[0] === "tar") return runRealTar(argv, onLine);
          const refusal = mongorestoreRefusal(argv.slice(1));
          if (refusal) throw new Error(`${where}: mongorestore would refuse ${argv.join(" ")}: ${refusal}`);
          calls.push({ argv, oplog: oplogOf(argv) });
          onLine("0 document(s) restored successfully. 0 document(s) failed to restore.");
          return { code: 0 };
        };
        const report = await executePlan(plan, { resolve: (f) => join(catalog.dir, f), fromStep: 1 }, { run, inspector: fileInspector, now: () => 0, progress: () => {} });
        expect({ where, ok: report.ok, message: report.message }).toEqual({ where, ok: true, message: report.message });
        expect({ where, calls: calls.length, last: plan.steps[plan.steps.length - 1].kind }).toEqual({ where, calls: 1, last: "mongorestore" });

        const base = byPath.get(plan.base) as CatalogEntry;
        const limit = target.target.limit;
        const before = (ts: Timestamp) => compareTs(ts, limit) < 0;
        const expected = [
          ...entriesOf(base).filter(before),
          ...plan.slices.flatMap((f) => entriesOf(byPath.get(f) as CatalogEntry)).filter((ts) => compareTs(ts, base.lastTs) > 0 && before(ts)),
        ].map(text);
        const got = calls[0].oplog;
        expect({ where, got }).toEqual({ where, got: expected });
        // Strictly increasing: nothing at or before the base's lastTs from a slice, nothing twice.
        for (let k = 1; k < got.length; k++) expect({ where, k, ordered: compareTs(parse(got[k - 1]), parse(got[k])) < 0 }).toEqual({ where, k, ordered: true });
        // The target is reached: every entry up to and including it that the base's data does not
        // already hold (the base's own oplog, and every slice entry after its lastTs) is there.
        const chain = [...entriesOf(base), ...plan.slices.flatMap((f) => entriesOf(byPath.get(f) as CatalogEntry)).filter((ts) => compareTs(ts, base.lastTs) > 0)];
        for (const ts of chain) if (compareTs(ts, point) <= 0) expect({ where, missing: text(ts), has: got.includes(text(ts)) }).toEqual({ where, missing: text(ts), has: true });
        expect(calls[0].argv).toContain(`--oplogLimit=${formatTs(limit)}`);
      }
      expect(planned).toBeGreaterThan(3);
    } finally {
      catalog.cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

function parse(s: string): Timestamp {
  const [t, i] = s.split(":").map(Number);
  return { t, i };
}
