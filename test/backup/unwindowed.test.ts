// Full dumps of a sharded cluster taken without the balancer window (issue 13, item 3): the
// manifest marks them, and `restore plan|run --cluster` refuses them unless --allow-unwindowed.

import { runRealTar } from "./real-tar";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CatalogEntry, manifestProblems } from "../../backup/manifest";
import { parseArgs } from "../../backup/restore/cli-args";
import { CliDeps, runCli } from "../../backup/restore/restore-command";
import { fileInspector } from "../../backup/restore/verify-artifacts";
import { writeCatalog } from "./disk-catalog";
import { fullDump, sliceChain, ts } from "./fixtures";

const T0 = 1714528800;
const forRs = (replicaSet: string, entries: CatalogEntry[]) => entries.map((e) => ({ ...e, replicaSet }));

let root: string;
let work: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "unwindowed-"));
  work = mkdtempSync(join(tmpdir(), "unwindowed-work-"));
  const rs1Base = { ...fullDump(ts(T0 + 5, 1)), unwindowed: true as const };
  const cluster: Record<string, CatalogEntry[]> = {
    cfg: forRs("cfg", [fullDump(ts(T0 + 10, 1)), ...sliceChain(ts(T0 + 10, 1), [ts(T0 + 300, 1)])]),
    rs0: forRs("rs0", [fullDump(ts(T0 + 12, 4)), ...sliceChain(ts(T0 + 12, 4), [ts(T0 + 300, 2)])]),
    rs1: forRs("rs1", [rs1Base, ...sliceChain(ts(T0 + 5, 1), [ts(T0 + 300, 3)])]),
  };
  for (const [rs, es] of Object.entries(cluster)) writeCatalog(es, join(root, rs));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const calls: (readonly string[])[] = [];
  const deps: CliDeps = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    probeTarget: async () => ({ mongos: false, namespacesWithData: [] }),
    run: async (a, onLine) => (a[0] === "tar" ? runRealTar(a, onLine) : (calls.push(a), onLine("0 document(s) restored successfully. 0 document(s) failed to restore."), { code: 0 })),
    inspector: fileInspector,
    now: () => 0,
    tmpdir: work,
    stopBalancer: async () => undefined,
  };
  return { code: await runCli(argv, deps), stdout, stderr, calls };
}

const target = ["--to", "2024-05-01T02:03:20Z"]; // T0 + 200 s

describe("the manifest's unwindowed mark", () => {
  it("is accepted as true on a full dump, refused otherwise", () => {
    const base = fullDump(ts(T0, 1));
    expect(manifestProblems({ ...base, unwindowed: true })).toEqual([]);
    expect(manifestProblems({ ...base, unwindowed: false })).toEqual([{ field: "unwindowed", message: "must be true when present, got false" }]);
    const [slice] = sliceChain(ts(T0, 1), [ts(T0 + 60, 1)]);
    expect(manifestProblems({ ...slice, unwindowed: true })).toEqual([{ field: "unwindowed", message: "is only for a full dump (slices need no balancer window)" }]);
  });
});

describe("cluster restores and unwindowed base dumps", () => {
  it("plan --cluster refuses (exit 3) naming the replica set and the manifest", async () => {
    const r = await cli(["plan", "--cluster", "--catalog", root, ...target]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused: base dump\(s\) taken without the balancer window \(rs1\/full\/[^)]+\.manifest\.json\)/);
    expect(r.stderr).toContain("--allow-unwindowed");
  });

  it("plan --cluster --allow-unwindowed plans, with a warning", async () => {
    const r = await cli(["plan", "--cluster", "--catalog", root, ...target, "--allow-unwindowed"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --allow-unwindowed: restoring base dump\(s\) taken without the balancer window \(rs1\//);
  });

  it("run --cluster refuses before reading a connection or running anything", async () => {
    const dir = join(work, "connections");
    mkdirSync(dir);
    for (const rs of ["cfg", "rs0", "rs1"]) writeFileSync(join(dir, `${rs}.uri`), `mongodb://restore@${rs}:27017/?authSource=admin\n`);
    const r = await cli(["run", "--cluster", "--catalog", root, ...target, "--uri-dir", dir, "--yes"]);
    expect(r.code).toBe(3);
    expect(r.calls).toEqual([]);
    const allowed = await cli(["run", "--cluster", "--catalog", root, ...target, "--uri-dir", dir, "--yes", "--allow-unwindowed"]);
    expect(allowed.code).toBe(0);
    expect(allowed.calls.length).toBeGreaterThan(0);
  });

  it("--allow-unwindowed goes with --cluster only", () => {
    expect(parseArgs(["plan", "--catalog", "c", ...target, "--allow-unwindowed"])).toMatchObject({ kind: "usage-error", message: expect.stringContaining("goes with --cluster") });
    expect(parseArgs(["windows", "--cluster", "--catalog", "c", "--allow-unwindowed"])).toMatchObject({ kind: "usage-error" });
  });
});
