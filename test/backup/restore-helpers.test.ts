import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isManifestName, loadCatalog, selectReplicaSet } from "../../backup/restore/catalog";
import { formatDuration, shellQuote } from "../../backup/restore/executor";
import { mongorestoreConfigYaml, redactUri, secretFileValue } from "../../backup/restore/mongorestore-config";
import { formatBytes } from "../../backup/restore/verify-artifacts";
import { writeCatalog } from "./disk-catalog";
import { fullDump, oplogSlice, ts } from "./fixtures";

describe("the mongorestore config file", () => {
  it("holds the URI and password as single-quoted YAML", () => {
    expect(mongorestoreConfigYaml({ uri: "mongodb://u:p@h/?replicaSet=rs0", password: "it's: #secret" })).toEqual({
      ok: true,
      yaml: "uri: 'mongodb://u:p@h/?replicaSet=rs0'\npassword: 'it''s: #secret'\n",
    });
    expect(mongorestoreConfigYaml({ uri: "mongodb+srv://cluster.example.com/" })).toEqual({ ok: true, yaml: "uri: 'mongodb+srv://cluster.example.com/'\n" });
  });

  it("refuses what it cannot write safely", () => {
    expect(mongorestoreConfigYaml({ uri: "http://h" })).toMatchObject({ ok: false });
    expect(mongorestoreConfigYaml({ uri: "mongodb://h\nevil: 1" })).toMatchObject({ ok: false, error: expect.stringMatching(/one line/) });
    expect(mongorestoreConfigYaml({ uri: "mongodb://h", password: "a\nb" })).toMatchObject({ ok: false, error: expect.stringMatching(/password file must hold one line/) });
  });

  it("reads secret files without their trailing newline, and hides credentials in messages", () => {
    expect(secretFileValue("hunter2\n")).toBe("hunter2");
    expect(secretFileValue("hunter2\r\n")).toBe("hunter2");
    expect(secretFileValue(" spaced \n\n")).toBe(" spaced \n");
    expect(redactUri("mongodb://restore:s3cr3t@h1:27017,h2:27017/?replicaSet=rs0")).toBe("mongodb://<credentials>@h1:27017,h2:27017/?replicaSet=rs0");
    expect(redactUri("mongodb+srv://user@c.example.com/")).toBe("mongodb+srv://<credentials>@c.example.com/");
    // Parsed, never pattern-matched: a string the driver would read differently is not printed at all.
    expect(redactUri("mongodb://h1/?x=a@b")).toBe("<a connection string that does not parse>");
    expect(redactUri("mongodb://restore:pa/ss%word@h1/")).toBe("<a connection string that does not parse>");
    expect(redactUri("mongodb://restore:pa%2Fss%25word@h1/")).toBe("mongodb://<credentials>@h1/");
  });
});

describe("progress formatting", () => {
  it("formats durations, sizes and copyable commands", () => {
    expect([0.42, 9.96, 12.4, 184, 3723].map(formatDuration)).toEqual(["0.4s", "10.0s", "12s", "3m04s", "1h02m03s"]);
    expect([0, 1023, 1024, 734003200].map(formatBytes)).toEqual(["0 B", "1023 B", "1.0 KiB", "700.0 MiB"]);
    expect(shellQuote("--oplogLimit=1714558445:0")).toBe("--oplogLimit=1714558445:0");
    expect(shellQuote("--archive=/b/my dump.gz")).toBe("'--archive=/b/my dump.gz'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe("loading a catalog", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "catalog-load-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("finds manifest.json and *.manifest.json anywhere, ignores everything else, and does not follow links", async () => {
    writeCatalog([fullDump(ts(100, 1), { dir: "full" }), oplogSlice(ts(100, 1), ts(200, 1), { dir: "oplog/2024/05" })], dir);
    mkdirSync(join(dir, "other"));
    writeFileSync(join(dir, "other", "manifest.json"), JSON.stringify({ ...fullDump(ts(300, 1)), manifestPath: undefined, file: "x.archive.gz" }));
    writeFileSync(join(dir, "oplog", ".200-1_300-1.manifest.json.part"), "{ partial");
    writeFileSync(join(dir, "status.json"), "{}");
    symlinkSync(dir, join(dir, "loop"));
    const loaded = await loadCatalog(dir);
    expect(loaded.problems).toEqual([]);
    expect(loaded.entries.map((e) => e.manifestPath)).toEqual(["full/100-1.manifest.json", "oplog/2024/05/100-1_200-1.manifest.json", "other/manifest.json"]);
    expect(["manifest.json", "a.manifest.json", "a.manifest.json.part", "manifest.json5", "amanifest.json"].map(isManifestName)).toEqual([true, true, false, false, false]);
  });

  it("reports every malformed manifest by name and keeps the others", async () => {
    writeCatalog([fullDump(ts(100, 1))], dir);
    writeFileSync(join(dir, "full", "bad.manifest.json"), "{");
    const loaded = await loadCatalog(dir);
    expect(loaded.entries).toHaveLength(1);
    expect(loaded.problems.map((p) => p.source)).toEqual(["full/bad.manifest.json"]);
  });

  it("selects one replica set", () => {
    const entries = [fullDump(ts(1, 1)), fullDump(ts(2, 1), { replicaSet: "cfg" })];
    expect(selectReplicaSet(entries, "cfg")).toMatchObject({ ok: true, replicaSet: "cfg", entries: [entries[1]] });
    expect(selectReplicaSet([entries[0]], undefined)).toMatchObject({ ok: true, replicaSet: "rs0" });
    expect(selectReplicaSet(entries, undefined)).toMatchObject({ ok: false, error: expect.stringMatching(/several replica sets \(cfg, rs0\)/) });
    expect(selectReplicaSet([], undefined)).toMatchObject({ ok: false, error: expect.stringMatching(/holds no manifest/) });
  });
});
