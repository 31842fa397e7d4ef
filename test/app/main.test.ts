// main.ts as a user runs it: the built app as a process, its exit code, what it prints, what it writes.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");

beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root });
});

function synth(env: Record<string, string>) {
  const out = mkdtempSync(join(tmpdir(), "nyrkio-synth-"));
  const result = spawnSync(process.execPath, [join(root, "dist/main.js")], {
    cwd: out,
    env: { PATH: process.env.PATH ?? "", CDKTF_OUTDIR: join(out, "cdktf.out"), ...env },
    encoding: "utf8",
  });
  return { ...result, out: join(out, "cdktf.out"), dir: out };
}

describe("main", () => {
  it("writes every stack of the default environment", () => {
    const r = synth({});
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readdirSync(join(r.out, "stacks")).sort()).toEqual(["nyrkio-db-dev", "nyrkio-db-dev-backup"]);
  });

  it("stops on a bad config with one line per problem, no stack trace and nothing written", () => {
    const dir = mkdtempSync(join(tmpdir(), "nyrkio-cfg-"));
    const file = join(dir, "override.json");
    writeFileSync(file, JSON.stringify({ image: "mongo:8.1.0", replsets: [{ name: "rs0", members: [{ priority: 2, votes: 1 }], arbiter: { enabled: true, priority: 1, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } }, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } }, storage: { size: "10 Gi" }, oplogMinRetentionHours: 24 }] }));
    const r = synth({ NYRKIO_DB_CONFIG: file });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("nyrkio-db: the config is not valid; nothing was written:");
    expect(lines.slice(1).map((l) => l.trim().split(":")[0]).sort()).toEqual(["image", "replsets[0].storage.size"]);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(existsSync(r.out)).toBe(false);
  });

  it("names the known environments for an unknown one", () => {
    const r = synth({ NYRKIO_DB_ENV: "stagng" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('NYRKIO_DB_ENV: unknown environment "stagng"; known environments: dev, prod, prod-pss, sharded');
  });
});

describe("main with the sharded environment", () => {
  it("refuses a shard key that a unique index of the catalog does not start with", () => {
    const dir = mkdtempSync(join(tmpdir(), "nyrkio-cfg-"));
    const file = join(dir, "override.json");
    writeFileSync(file, JSON.stringify({ sharding: { collections: [{ name: "users", key: { user_id: 1 } }] } }));
    const r = synth({ NYRKIO_DB_ENV: "sharded", NYRKIO_DB_CONFIG: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sharding\.collections\[0\]\.key: .*unique index/);
    expect(existsSync(r.out)).toBe(false);
  });
});

describe("main: the provider and the kubernetes state backend use the user's kubeconfig", () => {
  const providerOf = (out: string, stack: string) => JSON.parse(readFileSync(join(out, "stacks", stack, "cdk.tf.json"), "utf8")).provider.kubernetes[0];
  const backendOf = (out: string, stack: string) => JSON.parse(readFileSync(join(out, "stacks", stack, "cdk.tf.json"), "utf8")).terraform.backend;

  it("KUBECONFIG, one file or a list (provider 2.38 ignores the variable itself)", () => {
    const one = synth({ KUBECONFIG: "/srv/kube/eu.yaml", HOME: "/nonexistent" });
    expect(one.status).toBe(0);
    expect(providerOf(one.out, "nyrkio-db-dev")).toEqual({ config_path: "/srv/kube/eu.yaml" });
    const list = synth({ KUBECONFIG: "/srv/kube/a.yaml:/srv/kube/b.yaml", NYRKIO_DB_ENV: "prod" });
    expect(list.status).toBe(0);
    for (const stack of ["nyrkio-db-prod", "nyrkio-db-prod-backup"]) {
      expect(providerOf(list.out, stack)).toEqual({ config_paths: ["/srv/kube/a.yaml", "/srv/kube/b.yaml"] });
      expect(backendOf(list.out, stack).kubernetes).toMatchObject({ config_paths: ["/srv/kube/a.yaml", "/srv/kube/b.yaml"], namespace: "terraform-state" });
    }
  });

  it("~/.kube/config when KUBECONFIG is unset and the file exists; nothing otherwise", () => {
    const home = mkdtempSync(join(tmpdir(), "nyrkio-home-"));
    const none = synth({ HOME: home });
    expect(providerOf(none.out, "nyrkio-db-dev")).toEqual({});
    mkdirSync(join(home, ".kube"));
    writeFileSync(join(home, ".kube", "config"), "apiVersion: v1\nkind: Config\n");
    const found = synth({ HOME: home, NYRKIO_DB_ENV: "prod" });
    expect(providerOf(found.out, "nyrkio-db-prod")).toEqual({ config_path: "~/.kube/config" });
    expect(backendOf(found.out, "nyrkio-db-prod").kubernetes).toMatchObject({ config_path: "~/.kube/config" });
  });

  it("kubernetes.configPath/configContext in the config win over KUBECONFIG", () => {
    const dir = mkdtempSync(join(tmpdir(), "nyrkio-cfg-"));
    const file = join(dir, "override.json");
    writeFileSync(file, JSON.stringify({ kubernetes: { configPath: "/etc/kube/ci.yaml", configContext: "ci" } }));
    const r = synth({ KUBECONFIG: "/srv/kube/a.yaml", NYRKIO_DB_CONFIG: file });
    expect(r.status).toBe(0);
    expect(providerOf(r.out, "nyrkio-db-dev")).toEqual({ config_path: "/etc/kube/ci.yaml", config_context: "ci" });
  });
});
