import { CliOptions, EXIT, parseArgs, USAGE } from "../../backup/restore/cli-args";

function options(...argv: string[]): CliOptions {
  const r = parseArgs(argv);
  if (r.kind !== "command") throw new Error(JSON.stringify(r));
  return r.options;
}
function usageError(...argv: string[]): string {
  const r = parseArgs(argv);
  if (r.kind !== "usage-error") throw new Error(`accepted: ${JSON.stringify(r)}`);
  return r.message;
}

describe("restore CLI arguments", () => {
  it("parses plan with defaults", () => {
    expect(options("plan", "--catalog", "/backups", "--to", "2024-05-01T10:14:04Z", "--json")).toEqual({
      command: "plan",
      catalog: "/backups",
      target: { mode: "to", input: "2024-05-01T10:14:04Z" },
      replicaSet: undefined,
      cluster: false,
      json: true,
      drop: false,
      numParallelCollections: 4,
      numInsertionWorkersPerCollection: 4,
      configFile: undefined,
      uriFile: undefined,
      passwordFile: undefined,
      mongorestore: "mongorestore",
      fromStep: 1,
      verify: false,
      ignoreInvalid: false,
      yes: false,
      allowUnwindowed: false,
    });
  });

  it("accepts --name=value and every run option", () => {
    const o = options(
      "run",
      "--catalog=/b",
      "--before=1714558444:3",
      "--uri-file",
      "/s/uri",
      "--password-file=/s/pw",
      "--drop",
      "--yes",
      "--parallel-collections=8",
      "--insertion-workers",
      "2",
      "--from-step",
      "1",
      "--mongorestore",
      "/opt/bin/mongorestore",
      "--replica-set",
      "rs0",
    );
    expect(o).toMatchObject({ command: "run", target: { mode: "before", input: "1714558444:3" }, uriFile: "/s/uri", passwordFile: "/s/pw", drop: true, yes: true, numParallelCollections: 8, numInsertionWorkersPerCollection: 2, fromStep: 1, mongorestore: "/opt/bin/mongorestore", replicaSet: "rs0" });
  });

  it("takes --name=value as well as --name value", () => {
    expect(parseArgs(["plan", "--catalog=/b", "--to=1:1"])).toMatchObject({ kind: "command", options: { catalog: "/b", target: { mode: "to", input: "1:1" } } });
  });

  it("shows help for no arguments, help, -h and --help anywhere", () => {
    for (const argv of [[], ["help"], ["-h"], ["plan", "--help"]]) expect(parseArgs(argv)).toEqual({ kind: "help" });
    expect(USAGE).toMatch(/Exit codes: 0 ok; 1 .*; 2 usage .*3 the catalog .*4 the target is outside/s);
  });

  it.each([
    [["restore"], /unknown command "restore"/],
    [["plan", "--to", "1:1"], /--catalog <dir> is required/],
    [["plan", "--catalog", "/b"], /needs a target: --to <t> \(inclusive\) or --before <t> \(exclusive\)/],
    [["plan", "--catalog", "/b", "--to", "1:1", "--before", "1:1"], /--to or --before, not both/],
    [["plan", "--catalog", "/b", "--to"], /--to needs a value/],
    [["plan", "--catalog", "--to", "1:1"], /--catalog needs a value/],
    [["plan", "--catalog", "/b", "--catalog", "/c", "--to", "1:1"], /--catalog given twice/],
    [["plan", "--catalog", "/b", "--to", "1:1", "--uri", "mongodb://x"], /unknown option "--uri"/],
    [["plan", "--catalog", "/b", "--to", "1:1", "--password", "hunter2"], /unknown option "--password"/],
    [["windows", "--catalog", "/b", "--to", "1:1"], /--to does not apply to `windows`/],
    [["plan", "--catalog", "/b", "--to", "1:1", "--yes"], /--yes does not apply to `plan`/],
    [["plan", "--catalog", "/b", "--to", "1:1", "--parallel-collections", "0"], /--parallel-collections must be a whole number from 1 to 9999, got "0"/],
    [["plan", "--catalog", "/b", "--to", "1:1", "--insertion-workers", "two"], /--insertion-workers must be a whole number/],
    [["run", "--catalog", "/b", "--to", "1:1"], /`run` needs the target's connection/],
    [["run", "--catalog", "/b", "--to", "1:1", "--config-file", "c", "--uri-file", "u"], /--config-file or --uri-file, not both/],
    [["run", "--catalog", "/b", "--to", "1:1", "--config-file", "c", "--password-file", "p"], /--password-file goes with --uri-file/],
    // node:util parseArgs (as the migrate CLI) with the same wording: a flag given a value, a short option it does not know.
    [["plan", "--catalog", "/b", "--to", "1:1", "--json=yes"], /^--json takes no value$/],
    [["plan", "--catalog", "/b", "--to", "1:1", "-x"], /^unknown option "-x"$/],
    [["plan", "--catalog", "/b", "--to", "1:1", "stray"], /^unknown option "stray"$/],
  ])("refuses %j", (argv, message) => {
    expect(usageError(...argv)).toMatch(message);
  });

  it("documents distinct exit codes", () => {
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });
});
