// The wait-job CLI: arguments, progress, outcome and exit codes in-process (kubectl and the clock
// replaced), then at the process edge with a stand-in kubectl on PATH that refuses what the real
// one refuses (stand-in/kubectl).

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { CliIo } from "../../migrations/cli/cli-io";
import { kubectlArgs, parseDuration, parseWaitJobArgs } from "../../ops/wait-job/wait-job-args";
import { KubectlResult, runKubectl, runWaitJobCli, WaitJobDeps } from "../../ops/wait-job/wait-job-cli";

const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", `${name}.json`), "utf8");

function io() {
  const out = { stdout: "", stderr: "" };
  const cliIo: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: {}, readFile: () => "" };
  return { out, cliIo };
}

/** kubectl answering the fixtures in turn (the last repeats), and a clock that sleeping advances. */
function deps(answers: (string | KubectlResult)[]) {
  let clock = Date.parse("2026-12-05T10:12:30Z");
  const calls: string[][] = [];
  const d: WaitJobDeps = {
    kubectl: async (args) => {
      calls.push(args);
      const a = answers[Math.min(calls.length, answers.length) - 1];
      return typeof a === "string" ? { code: 0, stdout: fixture(a), stderr: "" } : a;
    },
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
  return { d, calls };
}

describe("arguments", () => {
  it("needs the namespace; selects the deploy Jobs by their series label by default", () => {
    expect(() => parseWaitJobArgs([])).toThrow("--namespace is required");
    expect(parseWaitJobArgs(["-n", "nyrkio-db"])).toMatchObject({ kind: "wait", namespace: "nyrkio-db", selector: "nyrkio.io/deploy-job", intervalSeconds: 10, reportEverySeconds: 300 });
  });

  it("refuses unknown flags and positionals, and bad durations", () => {
    expect(() => parseWaitJobArgs(["-n", "x", "--wait"])).toThrow("Unknown option '--wait'");
    expect(() => parseWaitJobArgs(["-n", "x", "job-name"])).toThrow();
    expect(() => parseWaitJobArgs(["-n", "x", "--timeout", "soon"])).toThrow('--timeout "soon": expected a duration');
    expect(() => parseWaitJobArgs(["-n", "x", "--interval", "0s"])).toThrow("at least 1s");
  });

  it("reads durations as Go and kubectl write them", () => {
    expect(["30", "30s", "15m", "8h", "1h30m"].map((t) => parseDuration("--timeout", t))).toEqual([30, 30, 900, 28800, 5400]);
  });

  it("asks kubectl for JSON, with long flags", () => {
    expect(kubectlArgs({ namespace: "db", selector: "a=b", context: "prod" })).toEqual(["--context=prod", "get", "jobs", "--namespace=db", "--selector=a=b", "--output=json"]);
  });
});

describe("waiting (in-process)", () => {
  it("--help prints the exit codes", async () => {
    const { out, cliIo } = io();
    expect(await runWaitJobCli(["--help"], cliIo)).toBe(0);
    expect(out.stdout).toContain("Exit codes: 0 every Job completed, 1 a Job failed or kubectl failed, 2 usage error,\n3 no Job matches the selector, 4 --timeout reached");
  });

  it("polls until the Job completes, reporting each change once, and exits 0", async () => {
    const { out, cliIo } = io();
    const { d, calls } = deps(["pending", "running", "running", "retrying", "complete"]);
    expect(await runWaitJobCli(["-n", "nyrkio-db-dev", "--interval", "30s"], cliIo, d)).toBe(0);
    expect(calls).toHaveLength(5);
    expect(out.stderr.split("\n").filter(Boolean)).toEqual([
      "wait-job: mongodb-rs0-reconcile-5f6a7b8c9d: pending",
      "wait-job: mongodb-rs0-reconcile-5f6a7b8c9d: running, 1 pod active, 13m of 7h deadline",
      "wait-job: mongodb-rs0-reconcile-5f6a7b8c9d: running, 1 pod active, 1 pod failed (the Job fails at 3), 14m of 7h deadline",
      "wait-job: mongodb-rs0-reconcile-5f6a7b8c9d: complete, 41m10s of 7h deadline",
    ]);
    expect(out.stdout).toBe("wait-job: every Job completed (1)\n  mongodb-rs0-reconcile-5f6a7b8c9d: complete, 41m10s of 7h deadline\n");
  });

  it("repeats an unchanged line every --report-every", async () => {
    const { out, cliIo } = io();
    const { d } = deps(["running", "running", "running", "running", "complete"]);
    await runWaitJobCli(["-n", "nyrkio-db-dev", "--interval", "1m", "--report-every", "2m"], cliIo, d);
    expect(out.stderr.split("\n").filter((l) => l.includes(": running"))).toHaveLength(2);
  });

  it("a failed Job: exit 1, the reason, and where its log is; --json gives the result as one document", async () => {
    const { out, cliIo } = io();
    const { d } = deps(["sharded-one-failed"]);
    expect(await runWaitJobCli(["-n", "nyrkio-db-sharded", "--json"], cliIo, d)).toBe(1);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ command: "wait-job", ok: false, outcome: "failed", namespace: "nyrkio-db-sharded", selector: "nyrkio.io/deploy-job" });
    expect(result.jobs.map((j: { name: string; state: string }) => `${j.name} ${j.state}`)).toEqual([
      "mongodb-cfg-reconcile-1111111111 complete",
      "mongodb-rs0-reconcile-2222222222 running",
      "mongodb-sharding-3333333333 failed",
    ]);
    const text = io();
    await runWaitJobCli(["-n", "nyrkio-db-sharded"], text.cliIo, deps(["sharded-one-failed"]).d);
    expect(text.out.stdout).toContain("wait-job: mongodb-sharding-3333333333 failed; its log: kubectl -n nyrkio-db-sharded logs job/mongodb-sharding-3333333333");
    expect(text.out.stdout).toContain("BackoffLimitExceeded: Job has reached the specified backoff limit");
  });

  it("no Job matches: exit 3", async () => {
    const { out, cliIo } = io();
    expect(await runWaitJobCli(["-n", "nyrkio-db-dev"], cliIo, deps(["empty"]).d)).toBe(3);
    expect(out.stdout).toBe("wait-job: no Job in namespace nyrkio-db-dev matches nyrkio.io/deploy-job\n");
  });

  it("--timeout reached while the Job runs: exit 4, the Job keeps running", async () => {
    const { out, cliIo } = io();
    const { d, calls } = deps(["running"]);
    expect(await runWaitJobCli(["-n", "nyrkio-db-dev", "--timeout", "5m", "--interval", "1m", "--json"], cliIo, d)).toBe(4);
    expect(calls).toHaveLength(6);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, outcome: "timed-out", waitedSeconds: 300 });
  });

  it("kubectl fails: exit 1 with its message; a usage error: exit 2", async () => {
    const { out, cliIo } = io();
    const { d } = deps([{ code: 1, stdout: "", stderr: 'Error from server (Forbidden): jobs.batch is forbidden: User "dev" cannot list resource "jobs"\n' }]);
    expect(await runWaitJobCli(["-n", "db", "--json"], cliIo, d)).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: "kubectl", message: expect.stringContaining("cannot list resource") } });
    expect(await runWaitJobCli(["--nope"], io().cliIo, d)).toBe(2);
  });
});

it("once kubectl has answered, survives a few failures in a row, not more", async () => {
  const blip: KubectlResult = { code: 1, stdout: "", stderr: "E1206 memcache.go:265 ...\nUnable to connect to the server: net/http: TLS handshake timeout\n" };
  const { out, cliIo } = io();
  expect(await runWaitJobCli(["-n", "nyrkio-db-dev"], cliIo, deps(["running", blip, blip, "complete"]).d)).toBe(0);
  expect(out.stderr).toContain("kubectl get jobs failed (exit 1): Unable to connect to the server: net/http: TLS handshake timeout (failure 2 of 5 in a row; polling on)");
  expect(await runWaitJobCli(["-n", "nyrkio-db-dev"], io().cliIo, deps(["running", blip]).d)).toBe(1);
});

describe("at the process edge, with a stand-in kubectl on PATH", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "wait-job-"));
  const bin = path.join(__dirname, "stand-in");
  const env = { PATH: `${bin}${path.delimiter}${process.env.PATH}`, KUBECTL_STANDIN_DIR: dir, HOME: dir };
  const cliIo = () => {
    const r = io();
    return { ...r, cliIo: { ...r.cliIo, env } };
  };
  beforeAll(() => {
    copyFileSync(path.join(__dirname, "fixtures", "running.json"), path.join(dir, "1.json"));
    copyFileSync(path.join(__dirname, "fixtures", "complete.json"), path.join(dir, "2.json"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const REFUSED = [
    ["get", "jobs", "--wait-for-completion"],
    ["get", "jobs", "-x"],
    ["get", "jobs", "--namespace"],
    ["get", "jobs", "--selector"],
  ].map((args) => [args.join(" "), args] as const);
  it.each(REFUSED)("the stand-in refuses `kubectl %s`", (_, args) => {
    const r = spawnSync("kubectl", [...args], { encoding: "utf8", env });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Error: (unknown flag|unknown shorthand flag|flag needs an argument)/);
  });

  // The real kubectl, where one is installed, with no cluster behind it (an empty kubeconfig: it
  // tries localhost:8080 and is refused): its flag errors come before any connection.
  const real = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
  if (!real) process.stderr.write("wait-job-cli: no kubectl on PATH, the stand-in is not compared with the real one\n");
  (real ? describe : describe.skip)("compared with the real kubectl", () => {
    const realEnv = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: path.join(dir, "empty-kubeconfig") };
    beforeAll(() => writeFileSync(realEnv.KUBECONFIG, ""));
    it.each(REFUSED)("`kubectl %s`: the same refusal", (_, args) => {
      const theirs = spawnSync("kubectl", [...args], { encoding: "utf8", env: realEnv });
      const ours = spawnSync("kubectl", [...args], { encoding: "utf8", env });
      expect([ours.status, ours.stderr]).toEqual([theirs.status, theirs.stderr]);
    });
    it("accepts the command line wait-job sends (it fails only at the connection)", () => {
      const theirs = spawnSync("kubectl", kubectlArgs({ namespace: "db", selector: "nyrkio.io/deploy-job", context: "", kubeconfig: realEnv.KUBECONFIG }), { encoding: "utf8", env: realEnv });
      expect(theirs.stderr).not.toMatch(/unknown|flag needs|See 'kubectl/);
      expect(theirs.stderr).toMatch(/localhost:8080|connection refused/);
    });
  });

  it("waits through the real spawn: the selector and namespace reach kubectl, and only matching Jobs come back", async () => {
    const { out, cliIo: c } = cliIo();
    const code = await runWaitJobCli(["-n", "nyrkio-db-dev", "-l", "nyrkio.io/deploy-job=mongodb-rs0-reconcile", "--interval", "1s", "--json"], c);
    expect([code, out.stderr]).toEqual([0, expect.stringContaining("running, 1 pod active")]);
    expect(JSON.parse(out.stdout).jobs.map((j: { name: string }) => j.name)).toEqual(["mongodb-rs0-reconcile-5f6a7b8c9d"]);
    expect(readFileSync(path.join(dir, "argv"), "utf8").split("\n")[0]).toBe(JSON.stringify(["get", "jobs", "--namespace=nyrkio-db-dev", "--selector=nyrkio.io/deploy-job=mongodb-rs0-reconcile", "--output=json"]));
  });

  it("another namespace has no deploy Job: exit 3", async () => {
    expect(await runWaitJobCli(["-n", "elsewhere"], cliIo().cliIo)).toBe(3);
  });

  it("kubectl missing from PATH: exit 1, saying so", async () => {
    const r = await runKubectl(["get", "jobs"], { PATH: "/nonexistent" });
    expect(r.spawnError).toContain("ENOENT");
    const { out, cliIo: c } = io();
    expect(await runWaitJobCli(["-n", "x"], { ...c, env: { PATH: "/nonexistent" } })).toBe(1);
    expect(out.stderr).toContain("kubectl could not be started");
  });
});
