import { parseCheckQueriesArgs } from "../../../migrations/cli/check-queries-args";
import { scratchDatabaseName } from "../../../migrations/cli/check-queries-run";
import { UsageError } from "../../../migrations/runner/errors";

describe("check:queries arguments", () => {
  it("seeds a scratch database by default", () => {
    expect(parseCheckQueriesArgs([])).toEqual({ kind: "run", json: false, uriFile: undefined, sampleDb: undefined, keep: false, maxExaminedPerReturned: 10 });
  });

  it("samples a named database with --db and --sample", () => {
    expect(parseCheckQueriesArgs(["--db", "nyrkio", "--sample", "--json", "--max-ratio", "25", "--uri-file", "/s/uri"])).toEqual({
      kind: "run",
      json: true,
      uriFile: "/s/uri",
      sampleDb: "nyrkio",
      keep: false,
      maxExaminedPerReturned: 25,
    });
  });

  it("has help", () => {
    const help = parseCheckQueriesArgs(["--help"]);
    expect(help.kind).toBe("help");
    if (help.kind === "help") expect(help.text).toMatch(/Exit codes: 0 every pattern passes/);
  });

  it.each([
    [["--db", "nyrkio"], /--db needs --sample: seeding writes only to a fresh scratch database/],
    [["--sample"], /--sample needs --db <name>/],
    [["--db", "nyrkio", "--sample", "--keep"], /--keep applies to the scratch database/],
    [["--max-ratio", "0.5"], /--max-ratio "0.5": expected a number of at least 1/],
    [["--max-ratio", "many"], /--max-ratio "many"/],
    [["extra"], /Unexpected argument 'extra'/],
    [["--uri", "mongodb://u:p@h"], /--uri-file <path>, or set MONGODB_URI/],
    [["--db", "a/b", "--sample"], /not a valid database name/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCheckQueriesArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseCheckQueriesArgs(argv as string[])).toThrow(message);
  });

  it("names scratch databases by time, unique per run", () => {
    expect(scratchDatabaseName(new Date("2025-03-04T05:06:07.890Z"), "ab12")).toBe("nyrkio_querycheck_20250304050607_ab12");
    expect(scratchDatabaseName(new Date())).toMatch(/^nyrkio_querycheck_\d{14}_[0-9a-f]{4}$/);
  });
});
