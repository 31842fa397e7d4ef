// The driver as a process edge: e2eCli run in-process with a real process runner, and stand-in
// kubectl, kind, terraform, docker and cdktf on PATH (test/e2e/stand-ins/standin.js) that record
// their arguments, refuse flags the real tools refuse, and simulate the failures of every step.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { e2eCli } from "../../e2e/e2e-cli";
import { processRunner } from "../../e2e/exec";
import { fakeClock } from "./fake-clock";

const REPO = join(__dirname, "../..");
const STANDIN = join(__dirname, "stand-ins/standin.js");
const TOOLS = ["kubectl", "kind", "terraform", "docker", "cdktf"] as const;
/** Real programs the run and scripts/create-secrets.sh use besides the stand-ins. */
const REAL = ["node", "bash", "sh", "openssl", "tr", "mktemp", "rm", "mkdir", "tar", "gzip", "cat", "sleep", "env", "dirname", "cp", "chmod", "base64"];

function which(cmd: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

interface Setup {
  dir: string;
  bin: string;
  calls(tool?: string): string[][];
  run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

function setup(scenario: Record<string, unknown>, opts: { without?: string[]; state?: unknown } = {}): Setup {
  const dir = mkdtempSync(join(tmpdir(), "e2e-standin-"));
  made.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  for (const tool of TOOLS) {
    if (opts.without?.includes(tool)) continue;
    writeFileSync(join(bin, tool), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(STANDIN)} ${tool} "$@"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  for (const real of REAL) {
    const path = real === "node" ? process.execPath : which(real);
    if (path) symlinkSync(path, join(bin, real));
  }
  writeFileSync(join(dir, "scenario.json"), JSON.stringify(scenario));
  if (opts.state) writeFileSync(join(dir, "state.json"), JSON.stringify(opts.state));
  const env = { PATH: bin, STANDIN_DIR: dir, HOME: dir };
  return {
    dir,
    bin,
    calls: (tool) =>
      existsSync(join(dir, "calls.jsonl"))
        ? readFileSync(join(dir, "calls.jsonl"), "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as { tool: string; argv: string[] })
            .filter((c) => !tool || c.tool === tool)
            .map((c) => c.argv)
        : [],
    async run(argv) {
      let stdout = "";
      let stderr = "";
      const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env, readFile: (p: string) => readFileSync(p, "utf8") };
      // Waits poll every 2 s of the fake clock: --timeout-factor 0.01 keeps a 10-minute wait to 3 polls.
      const fast = argv.includes("--help") || argv.includes("--timeout-factor") ? [] : ["--timeout-factor", "0.01"];
      const code = await e2eCli([...argv, ...fast, "--cdktf", join(bin, "cdktf"), "--logs-dir", join(dir, "logs")], io, { runner: processRunner(env, REPO), clock: fakeClock(), projectDir: REPO });
      return { code, stdout, stderr };
    },
  };
}

const CONTEXT = "kind-kept";
const onContext = (steps: string) => ["--context", CONTEXT, "--steps", steps];
/** A cluster kept from an earlier run, with the toolbox pod in place (for steps run alone). */
const keptState = { clusters: ["kept"], namespaces: [], objects: { pods: [{ name: "nyrkio-e2e-toolbox", ns: "nyrkio-db-dev", labels: { "nyrkio.io/e2e": "nyrkio-e2e-toolbox" } }] } };

jest.setTimeout(60_000);

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("prerequisites, before anything runs", () => {
  it("without Docker running: exit 3 (not the usage error's 2), naming it; no cluster command ran", async () => {
    const s = setup({ dockerDown: true });
    const r = await s.run([]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^e2e: 1 prerequisite\(s\) missing; nothing was run:\n {2}docker is installed but the Docker engine is not reachable: Cannot connect to the Docker daemon/);
    expect(s.calls("kind")).toEqual([["version"]]);
    expect(s.calls("kubectl")).toEqual([["version", "--client", "-o", "json"]]);
  });

  it("a missing tool and a too-old kind are each named with how to install them", async () => {
    const s = setup({ kindVersion: "v0.23.0" }, { without: ["terraform", "docker"] });
    const r = await s.run(["--json", "--report", join(s.dir, "r.json")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("docker is not installed (not on PATH): install Docker Engine");
    expect(r.stderr).toContain("kind 0.23.0 is too old, 0.24.0 or newer is needed");
    expect(r.stderr).toContain("terraform is not installed (not on PATH): install Terraform 1.10 or newer");
    expect(r.stderr).not.toContain("kubectl");
    expect(JSON.parse(readFileSync(join(s.dir, "r.json"), "utf8"))).toMatchObject({ result: "prerequisites-missing", cluster: null });
  });

  it("with --context only kubectl and terraform are needed", async () => {
    const s = setup({ dockerDown: true, fail: [{ tool: "kubectl", match: "get nodes", stderr: "Unable to connect to the server" }], contexts: [CONTEXT] }, { without: ["kind"] });
    const r = await s.run(onContext("cluster"));
    expect(r.stdout).toContain("prerequisites: kubectl v1.31.0, terraform 1.11.4");
    expect(r.code).toBe(1);
    expect(s.calls("docker")).toEqual([]);
  });

  it("a usage error exits 2 and runs nothing", async () => {
    const s = setup({});
    const r = await s.run(["--steps", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown step "nope"/);
    expect(s.calls()).toEqual([]);
  });
});

describe("step cluster", () => {
  it("creates a kind cluster from a config with three zone-labelled workers, and deletes it (its own) when the run fails", async () => {
    const s = setup({ zones: ["zone-a", "zone-b"] });
    const r = await s.run(["--json", "--report", join(s.dir, "report.json")]);
    expect(r.code).toBe(1);
    const create = s.calls("kind").find((a) => a[0] === "create")!;
    expect(create.slice(0, 4)).toEqual(["create", "cluster", "--name", "nyrkio-e2e"]);
    expect(create).toEqual(expect.arrayContaining(["--config", "--wait", "5m"]));
    expect(readFileSync(join(s.dir, "kind-config.yaml"), "utf8")).toMatch(/(- role: worker\n {4}labels:\n {6}topology\.kubernetes\.io\/zone: zone-[abc]\n[\s\S]*){3}/);
    expect(s.calls("kubectl")).toContainEqual(["--context", "kind-nyrkio-e2e", "get", "nodes", "-o", "json"]);
    expect(r.stderr).toMatch(/<== step cluster FAILED after .*: the cluster's nodes:\n {4}- 2 zone\(s\) among the schedulable nodes/);
    expect(s.calls("kind").at(-1)).toEqual(["delete", "cluster", "--name", "nyrkio-e2e"]);
    expect(r.stdout).toMatch(/cluster +failed/);
    expect(r.stdout).toMatch(/deploy +not run/);
    const report = JSON.parse(readFileSync(join(s.dir, "report.json"), "utf8"));
    expect(report).toMatchObject({ result: "failed", failedStep: "cluster", cluster: { context: "kind-nyrkio-e2e", createdByRun: true, kept: false } });
  });

  it("passes with three zones; the next step's failure still deletes the cluster it made, and the table shows both", async () => {
    const data = "app.kubernetes.io/name=mongodb,app.kubernetes.io/instance=nyrkio-db-dev,nyrkio.io/replset=rs0,app.kubernetes.io/component=data";
    const s = setup({ allNamespacesExist: true, neverReady: [data], podCounts: { [data]: 2 } });
    const r = await s.run(["--steps", "cluster,deploy"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/==> \[1\/2\] cluster: .*\n[\s\S]*schedulable nodes by zone: worker1=zone-a, worker2=zone-b, worker3=zone-c\n<== cluster passed in /);
    expect(r.stdout).toMatch(/\ncluster +passed +\S+ +kind cluster/);
    expect(r.stdout).toMatch(/\ndeploy +failed +/);
    // Every kubectl call after the cluster exists names its context; the deploy points the provider at it.
    expect(s.calls("kubectl").filter((a) => a[0] !== "version" && a[0] !== "--context")).toEqual([]);
    expect(findOverride(s.dir, "deploy-database")).toEqual({ kubernetes: { configPath: join(s.dir, ".kube/config"), configContext: "kind-nyrkio-e2e" } });
    expect(s.calls("kind").at(-1)).toEqual(["delete", "cluster", "--name", "nyrkio-e2e"]);
  });

  it("refuses a kind cluster of the same name that exists, and never deletes it", async () => {
    const s = setup({}, { state: { clusters: ["nyrkio-e2e"], namespaces: [], objects: {} } });
    const r = await s.run(["--steps", "cluster"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a kind cluster named nyrkio-e2e exists already; it is not this run's/);
    expect(s.calls("kind").filter((a) => a[0] === "delete" || a[0] === "create")).toEqual([]);
  });

  it("a kind create that fails is reported with kind's words; the half-made cluster is deleted", async () => {
    const s = setup({ fail: [{ tool: "kind", match: "^create cluster", stderr: "ERROR: failed to create cluster: could not find a log line that matches \"Reached target .*Multi-User System.*\"" }] });
    const r = await s.run(["--steps", "cluster"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/`kind create cluster --name nyrkio-e2e .*` failed \(exit 1\): ERROR: failed to create cluster/);
    expect(s.calls("kind").at(-1)).toEqual(["delete", "cluster", "--name", "nyrkio-e2e"]);
  });

  it("--keep leaves its own cluster up; --context never creates or deletes one", async () => {
    const kept = setup({ zones: ["zone-a"] });
    const keptRun = await kept.run(["--keep", "--steps", "cluster"]);
    expect(keptRun.stdout).toContain("--keep: the cluster stays up (kubectl --context kind-nyrkio-e2e)");
    // --keep keeps the run's own files too (the kind config, overrides, catalog), and says where.
    const files = /--keep: the run's files are in (\S+)\n/.exec(keptRun.stdout)![1];
    expect(readdirSync(files)).toContain("kind-config.yaml");
    made.push(files);
    expect(kept.calls("kind").some((a) => a[0] === "delete")).toBe(false);
    const ctx = setup({ contexts: [CONTEXT], zones: ["zone-a"] });
    const r = await ctx.run(onContext("cluster"));
    expect(r.code).toBe(1);
    expect(ctx.calls("kind")).toEqual([]);
    expect(r.stdout).toContain(`the cluster of --context ${CONTEXT} is not this run's: left up`);
  });
});

describe("every later step's failure path stops the run, names the step, prints its pods' last 50 log lines", () => {
  const dataSelector = "app.kubernetes.io/name=mongodb,app.kubernetes.io/instance=nyrkio-db-dev,nyrkio.io/replset=rs0,app.kubernetes.io/component=data";

  it("deploy: create-secrets.sh and cdktf deploy run as the README says; a member that never becomes Ready times out", async () => {
    const s = setup({ contexts: [CONTEXT], allNamespacesExist: true, neverReady: [dataSelector], podCounts: { [dataSelector]: 2 } });
    const r = await s.run([...onContext("deploy,failover"), "--json", "--report", join(s.dir, "report.json")]);
    expect(r.code).toBe(1);
    // The real scripts/create-secrets.sh ran against the stand-in kubectl, with the run's context.
    const kubectl = s.calls("kubectl");
    expect(kubectl).toContainEqual(expect.arrayContaining(["--context", CONTEXT, "-n", "nyrkio-db-dev", "create", "secret", "generic", "nyrkio-mongodb-root"]));
    // dev runs requireTLS: the certificate Secret is made with the others.
    expect(kubectl.some((a) => a.includes("nyrkio-mongodb-tls"))).toBe(true);
    expect(s.calls("cdktf")).toEqual([["deploy", "nyrkio-db-dev", "--auto-approve"]]);
    expect(r.stderr).toMatch(/<== step deploy FAILED after .*: timed out after 6\.0s waiting for 2 Ready pod\(s\) app\.kubernetes\.io\/name=mongodb,.*component=data in nyrkio-db-dev; last seen: 0\/2 Ready: pod-0 Pending, unschedulable: 0\/4 nodes are available/);
    // The pods involved: every container's last 50 lines, printed and saved.
    expect(kubectl).toContainEqual(["--context", CONTEXT, "logs", "-n", "nyrkio-db-dev", "pod-0", "-c", "mongod", "--tail=50"]);
    expect(r.stderr).toContain("--- nyrkio-db-dev/pod-0 [install-keyfile] last 50 lines");
    expect(r.stderr).toMatch(/ {2}\| pod-0 line 71\n[\s\S]* {2}\| pod-0 line 120\n/);
    expect(r.stderr).not.toContain("| pod-0 line 70\n");
    expect(readdirSync(join(s.dir, "logs"))).toContain("nyrkio-db-dev_pod-0_mongod.log");
    expect(r.stdout).toMatch(/failover +not run/);
    const report = JSON.parse(readFileSync(join(s.dir, "report.json"), "utf8"));
    expect(report.steps[0]).toMatchObject({ id: "deploy", status: "failed", logs: expect.arrayContaining([{ pod: "nyrkio-db-dev/pod-0/mongod", file: join(s.dir, "logs", "nyrkio-db-dev_pod-0_mongod.log") }]) });
  });

  it("deploy: a failed reconcile Job (found by its labels, its name is hashed) stops the run at once", async () => {
    const reconcile = "app.kubernetes.io/instance=nyrkio-db-dev,app.kubernetes.io/component=reconcile";
    const s = setup({ contexts: [CONTEXT], allNamespacesExist: true, podCounts: { [dataSelector]: 2 }, failJobs: [reconcile] });
    const r = await s.run(onContext("deploy"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step deploy FAILED .*Job nyrkio-db-dev\/stack-job failed: BackoffLimitExceeded/);
    expect(s.calls("kubectl")).toContainEqual(["--context", CONTEXT, "get", "jobs", "-n", "nyrkio-db-dev", "-l", reconcile, "-o", "json"]);
    // Failed, not waited out: one look at the Job.
    expect(s.calls("kubectl").filter((a) => a.includes("jobs"))).toHaveLength(1);
    expect(s.calls("cdktf")).toEqual([["deploy", "nyrkio-db-dev", "--auto-approve"]]);
  });

  it("deploy: a failing cdktf deploy is named with its output", async () => {
    const s = setup({ contexts: [CONTEXT], allNamespacesExist: true, fail: [{ tool: "cdktf", match: "deploy nyrkio-db-dev", stderr: "Error: Provider produced inconsistent result after apply" }] });
    const r = await s.run(onContext("deploy"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step deploy FAILED .*`.*cdktf deploy nyrkio-db-dev --auto-approve` failed \(exit 1\): Error: Provider produced inconsistent result/);
  });

  it("deploy: create-secrets.sh failing is named, with its own words", async () => {
    const s = setup({ contexts: [CONTEXT], allNamespacesExist: true, fail: [{ tool: "kubectl", match: "create secret generic nyrkio-mongodb-keyfile", stderr: "error: failed to create secret secrets is forbidden: User cannot create resource" }] });
    const r = await s.run(onContext("deploy"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step deploy FAILED .*`bash scripts\/create-secrets\.sh --namespace nyrkio-db-dev --tls --env dev --wait-for-namespace \d+ --context kind-kept` failed \(exit 1\): error: failed to create secret secrets is forbidden/);
  });

  it("failover: no primary ever seen (the toolbox is gone) times out after the election timeout plus margin", async () => {
    const s = setup({ contexts: [CONTEXT] });
    const r = await s.run(onContext("failover"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step failover FAILED .*timed out after 900ms waiting for mongodb-rs0-0\.mongodb-rs0\.nyrkio-db-dev\.svc\.cluster\.local:27017 to be primary/);
    expect(r.stderr).toContain("--- nyrkio-db-dev/pod-0 [mongod] last 50 lines");
  });

  it("migrations: the CLIs are bundled into a ConfigMap; a failing migrate Job stops the run", async () => {
    const s = setup({ contexts: [CONTEXT], failJobs: ["nyrkio-e2e-migrate-1"] }, { state: keptState });
    const r = await s.run(onContext("migrations"));
    expect(r.code).toBe(1);
    const kubectl = s.calls("kubectl");
    expect(kubectl).toContainEqual(expect.arrayContaining(["create", "configmap", "nyrkio-e2e-cli", "-n", "nyrkio-db-dev"]));
    expect(kubectl).toContainEqual(["--context", CONTEXT, "apply", "-f", "-"]);
    expect(r.stderr).toMatch(/step migrations FAILED .*Job nyrkio-db-dev\/nyrkio-e2e-migrate-1 failed: BackoffLimitExceeded: Job has reached the specified backoff limit/);
    expect(r.stderr).toContain("pods involved (nyrkio-db-dev: nyrkio.io/e2e=nyrkio-e2e-migrate-1)");
  });

  it("restore: a full dump Job created from its CronJob that fails stops the run", async () => {
    const s = setup({ contexts: [CONTEXT], execResult: "1700000000:1", failJobs: ["e2e-full"] }, { state: keptState });
    const r = await s.run(onContext("restore"));
    expect(r.code).toBe(1);
    const create = s.calls("kubectl").find((a) => a.includes("job") && a.includes("create"))!;
    expect(create).toEqual(["--context", CONTEXT, "create", "job", create[4], "--from=cronjob/mongodb-rs0-backup-full", "-n", "nyrkio-db-dev"]);
    expect(r.stderr).toMatch(/step restore FAILED .*Job nyrkio-db-dev\/e2e-full-\d+ failed: BackoffLimitExceeded/);
    // Found by the name the run gave it (job-name labels its pods, not the Job).
    expect(s.calls("kubectl")).toContainEqual(["--context", CONTEXT, "get", "jobs", "-n", "nyrkio-db-dev", "--field-selector", `metadata.name=${create[4]}`, "-o", "json"]);
    expect(r.stderr).toContain("nyrkio-db-dev: nyrkio.io/backup-replset=rs0");
  });

  it("day2: a failing deploy of the priority change stops the run", async () => {
    const s = setup({ contexts: [CONTEXT], fail: [{ tool: "cdktf", match: "deploy", stderr: "Error: replsets[0].members[0].priority: refused" }] }, { state: keptState });
    const r = await s.run(onContext("day2"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step day2 FAILED .*cdktf deploy nyrkio-db-dev --auto-approve` failed \(exit 1\): Error: replsets\[0\]/);
    const override = findOverride(s.dir, "day2-priority") as { replsets: { members: { priority: number }[] }[]; kubernetes: { configContext: string } };
    expect(override.replsets[0].members.map((m) => m.priority)).toEqual([3, 1]);
    expect(override.kubernetes.configContext).toBe(CONTEXT);
  });

  it("scale-out: the third data member never becomes Ready after the first conversion deploy", async () => {
    const s = setup({ contexts: [CONTEXT] }, { state: keptState });
    const r = await s.run(onContext("scale-out"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step scale-out FAILED .*waiting for 3 Ready pod\(s\) .*component=data in nyrkio-db-dev; last seen: 1\/3 Ready/);
    expect(s.calls("cdktf")).toEqual([["deploy", "nyrkio-db-dev", "--auto-approve"]]);
  });
});

/** The override the stand-in cdktf was given for `label` (as it recorded it: the run removes its work directory). */
function findOverride(dir: string, label: string): Record<string, unknown> {
  const calls = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { tool: string; env: { NYRKIO_DB_CONFIG?: string }; override?: string });
  const call = calls.find((c) => c.tool === "cdktf" && c.env.NYRKIO_DB_CONFIG?.endsWith(`${label}.json`));
  if (!call?.override) throw new Error(`no override ${label}`);
  return JSON.parse(call.override) as Record<string, unknown>;
}

describe("the stand-ins refuse what the real tools refuse", () => {
  const s = setup({ contexts: [CONTEXT] });
  const run = (tool: string, args: string[]) => spawnSync(join(s.bin, tool), args, { env: { PATH: s.bin, STANDIN_DIR: s.dir }, encoding: "utf8" });

  it("kubectl: unknown flags, a flag of another subcommand, --grace-period=0 without --force, exec without a command", () => {
    expect(run("kubectl", ["--context", CONTEXT, "get", "pods", "--tail=5", "-o", "json"]).stderr).toMatch(/^error: unknown flag: --tail/);
    expect(run("kubectl", ["--context", CONTEXT, "delete", "pod", "p", "--grace-period=0"]).stderr).toMatch(/--grace-period=0 can only be used with --force/);
    expect(run("kubectl", ["--context", CONTEXT, "delete", "pod", "p", "--grace-period=0", "--force"]).status).toBe(0);
    expect(run("kubectl", ["--context", CONTEXT, "exec", "p", "-c", "c"]).stderr).toMatch(/must specify at least one command/);
    expect(run("kubectl", ["--context", "nope", "get", "nodes", "-o", "json"]).stderr).toMatch(/context was not found/);
  });

  it("kind: unknown flags and an invalid config", () => {
    expect(run("kind", ["create", "cluster", "--nodes", "3"]).stderr).toMatch(/^ERROR: unknown flag: --nodes/);
    writeFileSync(join(s.dir, "bad.yaml"), "kind: Cluster\napiVersion: v1\n");
    expect(run("kind", ["create", "cluster", "--config", join(s.dir, "bad.yaml")]).stderr).toMatch(/unknown apiVersion/);
  });

  // The real kubectl is on some machines (this one has it without a cluster): every flag the
  // stand-in accepts for a subcommand must be in that subcommand's --help.
  const realKubectl = which("kubectl");
  (realKubectl ? it : it.skip)("every kubectl flag the stand-in accepts is one the real kubectl documents", () => {
    const source = readFileSync(STANDIN, "utf8");
    const table = /const KUBECTL = \{([\s\S]*?)\n\};/.exec(source)![1];
    for (const m of table.matchAll(/^\s+"?([a-z -]+?)"?: \{ value: \[(.*?)\], bool: \[(.*?)\] \}/gm)) {
      const sub = m[1] === "create --raw" ? ["create"] : m[1].split(" ");
      const help = spawnSync(realKubectl!, [...sub, "--help"], { encoding: "utf8" }).stdout;
      const flags = `${m[2]},${m[3]}`.split(",").map((f) => f.trim().replace(/"/g, "")).filter(Boolean);
      for (const flag of flags) {
        const documented = flag.startsWith("--") ? help.includes(`${flag}=`) || help.includes(`${flag} `) : new RegExp(`${flag}, --`).test(help);
        if (!documented) throw new Error(`kubectl ${m[1]}: the stand-in accepts ${flag}, the real kubectl's --help does not list it`);
      }
    }
    const globals = spawnSync(realKubectl!, ["options"], { encoding: "utf8" }).stdout;
    for (const g of ["--context=", "--namespace=", "--kubeconfig="]) expect(globals).toContain(g);
  });
});
