// One argument convention for the option-only CLIs (wait-job, status, e2e): node:util parseArgs,
// strict, a refusal or a repeated option is a UsageError (exit 2), as migrate and check-queries do.
import { parseE2eArgs } from "../../e2e/args";
import { UsageError } from "../../migrations/runner/errors";
import { parseOptions } from "../../migrations/cli/parse-options";
import { parseStatusArgs } from "../../monitoring/status/status-cli";
import { parseWaitJobArgs } from "../../ops/wait-job/wait-job-args";

describe("parseOptions", () => {
  const options = { json: { type: "boolean" }, namespace: { type: "string", short: "n" } } as const;

  it("returns the values", () => expect(parseOptions(["--json", "-n", "db"], options)).toEqual({ json: true, namespace: "db" }));

  it.each([
    [["--namespace", "a", "--namespace", "b"], /^--namespace is given more than once/],
    [["-n", "a", "--namespace", "b"], /^--namespace is given more than once/],
    [["--nope"], /Unknown option '--nope'/],
    [["stray"], /Unexpected argument 'stray'/],
  ])("refuses %j with a UsageError", (argv, message) => {
    expect(() => parseOptions(argv, options)).toThrow(UsageError);
    expect(() => parseOptions(argv, options)).toThrow(message);
  });
});

describe.each([
  ["wait-job", () => parseWaitJobArgs(["--namespace", "a", "--namespace", "b"])],
  ["status", () => parseStatusArgs(["--catalog", "a", "--catalog", "b"], { env: {} })],
  ["e2e", () => parseE2eArgs(["--context", "a", "--context", "b"])],
])("%s", (_name, parse) => {
  it("refuses a repeated option instead of letting the last one win", () => expect(parse).toThrow(/is given more than once/));
});
