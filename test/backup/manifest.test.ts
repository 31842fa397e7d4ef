import { artifactPath, ManifestError, manifestProblems, parseManifest } from "../../backup/manifest";

const valid = {
  schemaVersion: 1,
  kind: "oplog",
  format: "bson+gzip",
  file: "1714558444-3_1714558744-1.bson.gz",
  bytes: 52311,
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  replicaSet: "rs0",
  firstTs: { t: 1714558445, i: 1 },
  lastTs: { t: 1714558744, i: 1 },
  prevTs: { t: 1714558444, i: 3 },
  createdAt: "2024-05-01T10:19:06.120Z",
  chainId: "20240501T020000Z",
  entries: 1200,
  counts: { "nyrkio.users": 10 },
  tools: { mongosh: "2.2.5" },
};

function problemsOf(change: Record<string, unknown>) {
  return manifestProblems({ ...valid, ...change });
}
function fieldsOf(change: Record<string, unknown>) {
  return problemsOf(change).map((p) => p.field);
}

describe("manifest parsing", () => {
  it("accepts a valid slice and a valid full dump", () => {
    expect(parseManifest(JSON.stringify(valid), "oplog/a.manifest.json")).toEqual(valid);
    const full = { ...valid, kind: "full", format: "archive+gzip", prevTs: undefined, entries: undefined };
    expect(manifestProblems(JSON.parse(JSON.stringify(full)))).toEqual([]);
    expect(manifestProblems(JSON.parse(JSON.stringify({ ...full, schemaVersion: 2, format: "dir-tar+gzip" })))).toEqual([]);
    expect(manifestProblems({ ...valid, schemaVersion: 2 })).toEqual([]);
  });

  it("ties a full dump's format to its schemaVersion: 2 is a packed directory dump, 1 an archive (still read)", () => {
    const full = { ...valid, kind: "full", prevTs: undefined, entries: undefined };
    expect(manifestProblems(JSON.parse(JSON.stringify({ ...full, schemaVersion: 2, format: "archive+gzip" })))).toEqual([
      { field: "format", message: 'for kind "full" and schemaVersion 2 must be "dir-tar+gzip", got "archive+gzip"' },
    ]);
    expect(manifestProblems(JSON.parse(JSON.stringify({ ...full, schemaVersion: 1, format: "dir-tar+gzip" })))).toEqual([
      { field: "format", message: 'for kind "full" and schemaVersion 1 must be "archive+gzip" or "archive", got "dir-tar+gzip"' },
    ]);
  });

  it("names the file and the field of every problem", () => {
    const text = JSON.stringify({ ...valid, bytes: -1, lastTs: { t: 1714558744, i: -2 } });
    let error: unknown;
    try {
      parseManifest(text, "oplog/bad.manifest.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).source).toBe("oplog/bad.manifest.json");
    expect((error as Error).message).toBe(
      'oplog/bad.manifest.json: field "bytes": must be a non-negative integer, got -1\n' +
        'oplog/bad.manifest.json: field "lastTs.i": must be an integer 0..4294967295, got -2',
    );
  });

  it("refuses text that is not JSON, or JSON that is not an object", () => {
    expect(() => parseManifest("{not json", "m.json")).toThrow(/^m\.json: not valid JSON: /);
    expect(() => parseManifest("[]", "m.json")).toThrow(/^m\.json: must be a JSON object, got \[\]/);
  });

  it.each([
    [{ schemaVersion: 3 }, "schemaVersion"],
    [{ kind: "incremental" }, "kind"],
    [{ format: "archive+gzip" }, "format"],
    [{ kind: "full", format: "bson+gzip", prevTs: undefined }, "format"],
    [{ file: "" }, "file"],
    [{ file: "/backups/a.bson.gz" }, "file"],
    [{ file: "../other/a.bson.gz" }, "file"],
    [{ file: "a//b.bson.gz" }, "file"],
    [{ file: "a\\b.bson.gz" }, "file"],
    // Hostile catalogs (issue 12 item 12): only ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$.
    [{ file: "a.bson.gz\nstep archive evil.gz" }, "file"],
    [{ file: "a b.bson.gz" }, "file"],
    [{ file: "a\u001b[2J.bson.gz" }, "file"],
    [{ file: "oplog/../../etc/passwd" }, "file"],
    [{ file: "ä.bson.gz" }, "file"],
    [{ bytes: 1.5 }, "bytes"],
    [{ bytes: "12" }, "bytes"],
    [{ sha256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08" }, "sha256"],
    [{ sha256: "abc" }, "sha256"],
    [{ replicaSet: "" }, "replicaSet"],
    [{ createdAt: "2024-05-01T10:19:06" }, "createdAt"],
    [{ createdAt: "yesterday" }, "createdAt"],
    [{ firstTs: "1714558445:1" }, "firstTs"],
    [{ firstTs: { t: 1714558445 } }, "firstTs.i"],
    [{ lastTs: { t: 4294967296, i: 0 } }, "lastTs.t"],
    [{ lastTs: { t: 1714558445, i: 0 } }, "lastTs"],
    [{ prevTs: undefined }, "prevTs"],
    [{ prevTs: { t: 1714558445, i: 1 } }, "prevTs"],
    [{ entries: 0 }, "entries"],
    [{ chainId: 7 }, "chainId"],
    [{ counts: { users: 3 } }, "counts.users"],
    [{ counts: { "nyrkio.users": -3 } }, "counts.nyrkio.users"],
    [{ counts: [] }, "counts"],
    [{ tools: { mongodump: 100 } }, "tools.mongodump"],
  ])("%j is refused naming field %s", (change, field) => {
    expect(fieldsOf(change)).toEqual([field]);
  });

  it("refuses prevTs on a full dump", () => {
    const full = { ...valid, kind: "full", format: "archive+gzip" };
    expect(manifestProblems(full).map((p) => p.field)).toEqual(["prevTs"]);
  });

  it("reports a missing field as missing", () => {
    const { sha256: _drop, ...rest } = valid;
    expect(manifestProblems(rest)).toEqual([{ field: "sha256", message: "must be 64 lower-case hex digits, got nothing (the field is missing)" }]);
  });

  it("tolerates unknown fields (newer writers may add some)", () => {
    expect(problemsOf({ compressor: "zstd-later" })).toEqual([]);
  });

  it("resolves the artifact next to its manifest", () => {
    expect(artifactPath({ manifestPath: "oplog/2024/a.manifest.json", file: "a.bson.gz" })).toBe("oplog/2024/a.bson.gz");
    expect(artifactPath({ manifestPath: "a.manifest.json", file: "a.bson.gz" })).toBe("a.bson.gz");
  });
});
