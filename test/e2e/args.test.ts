import { E2E_HELP, E2E_OPTIONS, parseE2eArgs, parseSteps, STEP_IDS, UsageError } from "../../e2e/args";

const run = (argv: string[]) => {
  const r = parseE2eArgs(argv);
  if (r.kind !== "run") throw new Error("expected a run");
  return r;
};

describe("e2e arguments", () => {
  it("defaults: a kind cluster of its own, every step in order, no report", () => {
    const r = run([]);
    expect(r).toMatchObject({ context: undefined, clusterName: "nyrkio-e2e", keep: false, json: false, reportFile: "e2e-report.json", logsDir: "e2e-logs", timeoutFactor: 1 });
    expect(r.steps).toEqual([...STEP_IDS]);
  });

  it("--help returns the help text, which documents every option the parser accepts", () => {
    expect(parseE2eArgs(["--help"])).toEqual({ kind: "help", text: E2E_HELP });
    // The option names straight from the parser's table, so an undocumented new option fails here.
    const names = Object.keys(E2E_OPTIONS);
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const n of names) expect(E2E_HELP).toContain(`--${n}`);
    for (const id of STEP_IDS) expect(E2E_HELP).toContain(`  ${id} `);
    expect(E2E_HELP).toMatch(/Exit codes: 0 .*\n?.*1 a step failed[\s\S]*2 usage error; 3 a prerequisite/);
  });

  it("--context uses an existing cluster; --cluster-name and --node-image are refused with it", () => {
    expect(run(["--context", "staging"]).context).toBe("staging");
    expect(() => parseE2eArgs(["--context", "x", "--cluster-name", "y"])).toThrow(/give one of them/);
    expect(() => parseE2eArgs(["--context", "x", "--node-image", "kindest/node:v1.31.0"])).toThrow(/--node-image/);
    expect(() => parseE2eArgs(["--context", " "])).toThrow(/--context: must not be empty/);
  });

  it("refuses a cluster name kind cannot use", () => {
    expect(() => parseE2eArgs(["--cluster-name", "Bad_Name"])).toThrow(/DNS label/);
  });

  it("--steps keeps the documented order and refuses an unknown step", () => {
    expect(parseSteps("restore,deploy")).toEqual(["deploy", "restore"]);
    expect(() => parseSteps("deploy,backup")).toThrow(/unknown step "backup"/);
    expect(() => parseSteps(",")).toThrow(UsageError);
  });

  it("--report needs --json; --timeout-factor must be a positive number; unknown options are usage errors", () => {
    expect(run(["--json", "--report", "r.json"])).toMatchObject({ json: true, reportFile: "r.json" });
    expect(() => parseE2eArgs(["--report", "r.json"])).toThrow(/add --json/);
    expect(run(["--timeout-factor", "2.5"]).timeoutFactor).toBe(2.5);
    expect(() => parseE2eArgs(["--timeout-factor", "0"])).toThrow(/positive number/);
    expect(() => parseE2eArgs(["--timeout-factor", "x"])).toThrow(/positive number/);
    expect(() => parseE2eArgs(["--bogus"])).toThrow(UsageError);
    expect(() => parseE2eArgs(["deploy"])).toThrow(UsageError);
  });
});
