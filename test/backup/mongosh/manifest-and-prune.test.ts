// The --nodb scripts that write manifests and decide deletions, run as the pod runs them
// (mongosh semantics through test/backup/mongosh/run-mongosh-script.js), checked against the
// restore side: every manifest a job writes is one the planner accepts, and pruning with the real
// embedded pruner deletes in a safe order and never breaks a restore point in the kept window.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseManifest } from "../../../backup/manifest";
import { restoreWindows } from "../../../backup/restore/chain";
import { prunerModuleSource } from "../../../stacks/constructs/backup/backup-scripts";

const SCRIPTS = join(__dirname, "../../../backup/mongosh");
const SHIM = join(__dirname, "run-mongosh-script.js");

function mongoshNodb(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SHIM, join(SCRIPTS, script)], { env: { ...process.env, BACKUP_MONGOSH_DIR: SCRIPTS, ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "backup-scripts-"));

describe("write-manifest.js", () => {
  const base = { M_BYTES: "1234", M_SHA256: "c".repeat(64), M_REPLSET: "rs0", M_CREATED_AT: "2024-05-01T02:00:37Z", M_TOOLS: "mongodump=100.10.0" };

  it("writes full-dump manifests the restore planner accepts, with counts as of lastTs", () => {
    const dir = tmp();
    writeFileSync(join(dir, "counts.json"), JSON.stringify({ "nyrkio.results": 12 }));
    const r = mongoshNodb("write-manifest.js", {
      ...base,
      M_OUT: join(dir, "m.json"),
      M_KIND: "full",
      M_FILE: "20240501T020000Z-x7k2q.dump.tar",
      M_FIRST: "1714528800:1",
      M_LAST: "1714528812:4",
      M_COUNTS: join(dir, "counts.json"),
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const m = parseManifest(readFileSync(join(dir, "m.json"), "utf8"), "m.json");
    expect(m).toEqual({
      schemaVersion: 2,
      kind: "full",
      format: "dir-tar+gzip",
      file: "20240501T020000Z-x7k2q.dump.tar",
      bytes: 1234,
      sha256: "c".repeat(64),
      replicaSet: "rs0",
      firstTs: { t: 1714528800, i: 1 },
      lastTs: { t: 1714528812, i: 4 },
      createdAt: "2024-05-01T02:00:37Z",
      counts: { "nyrkio.results": 12 },
      tools: { mongodump: "100.10.0" },
    });
  });

  it("marks a full dump taken without the balancer window, and only that", () => {
    const write = (window: string) => {
      const dir = tmp();
      const env = { ...base, M_OUT: join(dir, "m.json"), M_KIND: "full", M_FILE: "x.dump.tar", M_FIRST: "1714528800:1", M_LAST: "1714528812:4", M_BALANCER_WINDOW: window };
      expect(mongoshNodb("write-manifest.js", env).status).toBe(0);
      return parseManifest(readFileSync(join(dir, "m.json"), "utf8"), "m.json");
    };
    expect(write("unwindowed")).toMatchObject({ unwindowed: true });
    expect(write("windowed")).not.toHaveProperty("unwindowed");
    expect(write("")).not.toHaveProperty("unwindowed");
  });

  it("writes slice manifests with prevTs and entries", () => {
    const dir = tmp();
    const r = mongoshNodb("write-manifest.js", {
      ...base,
      M_OUT: join(dir, "m.json"),
      M_KIND: "oplog",
      M_FILE: "1714528812-4_1714529100-1.bson.gz",
      M_FIRST: "1714528812:5",
      M_LAST: "1714529100:1",
      M_PREV: "1714528812:4",
      M_ENTRIES: "1840",
    });
    expect(r.status).toBe(0);
    const m = parseManifest(readFileSync(join(dir, "m.json"), "utf8"), "m.json");
    expect(m).toMatchObject({ kind: "oplog", format: "bson+gzip", prevTs: { t: 1714528812, i: 4 }, entries: 1840 });
  });

  it("refuses to write a manifest the planner would refuse", () => {
    const dir = tmp();
    const r = mongoshNodb("write-manifest.js", { ...base, M_OUT: join(dir, "m.json"), M_KIND: "oplog", M_FILE: "x.bson.gz", M_FIRST: "2:1", M_LAST: "3:1", M_ENTRIES: "1" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/oplogLimit must be|prevTs/);
    expect(() => readFileSync(join(dir, "m.json"))).toThrow();
  });
});

describe("prune.js with the real pruner", () => {
  const DAY = 86400;
  const day0 = Date.UTC(2024, 4, 1) / 1000;

  /** Twelve daily dumps (each at 02:00) and a slice every six hours, one unbroken chain. */
  function catalogOfDays(root: string): void {
    mkdirSync(join(root, "full"), { recursive: true });
    mkdirSync(join(root, "oplog"), { recursive: true });
    // The manifest and, beside it, its artifact (named by the manifest's `file`).
    const write = (dir: string, base: string, manifest: { file: string; [field: string]: unknown }) => {
      writeFileSync(join(root, dir, `${base}.manifest.json`), JSON.stringify(manifest));
      writeFileSync(join(root, dir, manifest.file), "x");
    };
    const common = { schemaVersion: 1, bytes: 1, sha256: "d".repeat(64), replicaSet: "rs0" };
    let prev = { t: day0, i: 1 };
    for (let d = 0; d < 12; d++) {
      const dumpEnd = { t: day0 + d * DAY + 2 * 3600, i: 1 };
      const name = `${d}`.padStart(2, "0");
      write("full", name, { ...common, kind: "full", format: "archive+gzip", file: `${name}.archive.gz`, firstTs: { t: dumpEnd.t - 60, i: 1 }, lastTs: dumpEnd, createdAt: new Date(dumpEnd.t * 1000).toISOString() });
      for (let q = 0; q < 4; q++) {
        const last = { t: day0 + d * DAY + (q + 1) * 6 * 3600, i: 1 };
        const sname = `${prev.t}-${prev.i}_${last.t}-${last.i}`;
        write("oplog", sname, {
          ...common,
          kind: "oplog",
          format: "bson+gzip",
          file: `${sname}.bson.gz`,
          prevTs: prev,
          firstTs: { t: prev.t, i: prev.i + 1 },
          lastTs: last,
          createdAt: new Date(last.t * 1000).toISOString(),
        });
        prev = last;
      }
    }
  }

  function manifestsIn(root: string): { kind: string; lastTs: { t: number; i: number }; prevTs?: { t: number; i: number } }[] {
    const out = [];
    for (const dir of ["full", "oplog"]) {
      for (const f of readdirSync(join(root, dir))) {
        if (f.endsWith(".manifest.json")) out.push(JSON.parse(readFileSync(join(root, dir, f), "utf8")));
      }
    }
    return out;
  }

  it("deletes old dumps and the slices before the oldest kept one, manifests first, keeping the window whole", () => {
    const root = tmp();
    catalogOfDays(root);
    const pruner = join(tmp(), "pruner.js");
    writeFileSync(pruner, prunerModuleSource());
    const before = restoreWindows(manifestsIn(root));
    expect(before).toHaveLength(1);

    const r = mongoshNodb("prune.js", { CATALOG_DIR: root, BACKUP_PRUNER: pruner, RETENTION_DAILY: "3", RETENTION_WEEKLY: "0", LEFTOVER_MIN_AGE_SECONDS: "86400" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const deletes = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("delete "))
      .map((l) => l.slice(7));
    // Nine old dumps go, each manifest right before its artifact.
    const fullDeletes = deletes.filter((p) => p.startsWith("full/"));
    expect(fullDeletes).toHaveLength(18);
    for (let k = 0; k < deletes.length; k += 2) {
      expect(deletes[k]).toMatch(/\.manifest\.json$/);
      expect(deletes[k + 1]).toBe(deletes[k].replace(/manifest\.json$/, deletes[k].startsWith("full/") ? "archive.gz" : "bson.gz"));
    }
    expect(r.stdout).toMatch(/^kept=\d+$/m);

    // Apply the deletions as prune.sh does; the window that remains is the tail of the old one.
    for (const p of deletes) rmSync(join(root, p));
    const after = restoreWindows(manifestsIn(root));
    expect(after).toHaveLength(1);
    expect(after[0].to).toEqual(before[0].to);
    expect(after[0].from).toEqual({ t: day0 + 9 * DAY + 2 * 3600, i: 1 });
  });
});
