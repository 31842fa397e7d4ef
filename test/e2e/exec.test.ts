import { NOT_FOUND, processRunner, TIMED_OUT } from "../../e2e/exec";

const runner = processRunner({ PATH: process.env.PATH, KEEP: "base" });

describe("the process runner", () => {
  it("captures stdout and stderr, passes stdin and the extra environment, streams as it comes", async () => {
    const streamed: string[] = [];
    const r = await runner.run("sh", ["-c", 'cat; echo "$KEEP $EXTRA"; echo oops >&2; exit 3'], { input: "in\n", env: { EXTRA: "more" }, stream: (t) => streamed.push(t) });
    expect(r).toEqual({ code: 3, stdout: "in\nbase more\n", stderr: "oops\n" });
    expect(streamed.join("")).toContain("base more");
  });

  it("a command not on PATH is 127, as a shell says", async () => {
    const r = await runner.run("no-such-tool-e2e", ["version"]);
    expect(r.code).toBe(NOT_FOUND);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it("ends a command when its signal aborts (a command run alongside one that failed)", async () => {
    const abort = new AbortController();
    const started = Date.now();
    const p = runner.run("sleep", ["30"], { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    expect((await p).code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("kills a command that runs past its limit: 124, as timeout(1)", async () => {
    const started = Date.now();
    const r = await runner.run("sleep", ["30"], { timeoutMs: 300 });
    expect(r.code).toBe(TIMED_OUT);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
