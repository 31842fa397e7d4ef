// `restore windows|plan|run --cluster` end to end in-process: a cluster's catalog root on disk
// (one catalog per replica set), a stand-in for mongorestore.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CatalogEntry } from "../../backup/manifest";
import { parseArgs } from "../../backup/restore/cli-args";
import { runRealTar } from "./real-tar";
import type { StepExit } from "../../backup/restore/executor";
import { CliDeps, runCli } from "../../backup/restore/restore-command";
import type { TargetFacts } from "../../backup/restore/target-check";
import { fileInspector } from "../../backup/restore/verify-artifacts";
import { authzMergeRefusal, mongorestoreRefusal } from "../support/mongorestore-rules";
import { writeCatalog } from "./disk-catalog";
import { fullDump, sliceChain, ts } from "./fixtures";
import { fragments, prng, randomPassword } from "../support/password-property";

const T0 = 1714528800; // 2024-05-01T02:00:00Z
const forRs = (replicaSet: string, entries: CatalogEntry[]) => entries.map((e) => ({ ...e, replicaSet }));
// cfg reaches [+10:1 .. +900:1], rs0 [+12:4 .. +1200:2], rs1 [+5:1 .. +600:3]: together [+12:4 .. +600:3].
const CLUSTER: Record<string, CatalogEntry[]> = {
  cfg: forRs("cfg", [fullDump(ts(T0 + 10, 1)), ...sliceChain(ts(T0 + 10, 1), [ts(T0 + 300, 1), ts(T0 + 900, 1)])]),
  rs0: forRs("rs0", [fullDump(ts(T0 + 12, 4)), ...sliceChain(ts(T0 + 12, 4), [ts(T0 + 300, 2), ts(T0 + 1200, 2)])]),
  rs1: forRs("rs1", [fullDump(ts(T0 + 5, 1)), ...sliceChain(ts(T0 + 5, 1), [ts(T0 + 300, 3), ts(T0 + 600, 3)])]),
};

let root: string;
let work: string;
let entries: Record<string, CatalogEntry[]>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "restore-cluster-"));
  work = mkdtempSync(join(tmpdir(), "restore-cluster-work-"));
  entries = Object.fromEntries(Object.entries(CLUSTER).map(([rs, es]) => [rs, writeCatalog(es, join(root, rs)).entries]));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

interface Call {
  argv: readonly string[];
  config?: string;
  configMode?: number;
}

function standIn(exits: Partial<StepExit & { lines: string[] }>[] = []) {
  const calls: Call[] = [];
  const run = async (argv: readonly string[], onLine: (line: string) => void): Promise<StepExit> => {
    if (argv[0] === "tar") return runRealTar(argv, onLine);
    const path = argv.find((a) => a.startsWith("--config="))?.slice("--config=".length);
    calls.push({ argv, config: path && existsSync(path) ? readFileSync(path, "utf8") : undefined, configMode: path && existsSync(path) ? statSync(path).mode & 0o777 : undefined });
    // As strict as the real tool: what mongorestore refuses before restoring anything, it refuses
    // here, and a dump whose users lack the connection's user loses it before the replay with
    // --drop, which every cluster restore uses (mongorestore-rules.ts authzMergeRefusal).
    const user = /^uri: '?mongodb:\/\/([^:@/]+)/m.exec(path && existsSync(path) ? readFileSync(path, "utf8") : "")?.[1];
    const refusal = mongorestoreRefusal(argv.slice(1)) ?? (user ? authzMergeRefusal(argv.slice(1), `${decodeURIComponent(user)}@admin`) : undefined);
    if (refusal) {
      onLine(refusal);
      return { code: 1 };
    }
    const exit = exits[calls.length - 1] ?? {};
    for (const line of exit.lines ?? ["0 document(s) restored successfully. 0 document(s) failed to restore."]) onLine(line);
    return { code: exit.code ?? 0, signal: exit.signal, spawnError: exit.spawnError };
  };
  return { calls, run };
}

let mongosUris: string[];
let probed: string[];
beforeEach(() => {
  mongosUris = [];
  probed = [];
});

async function cli(argv: string[], run: CliDeps["run"] = standIn().run, inspector = fileInspector, onSignal?: CliDeps["onSignal"]) {
  let stdout = "";
  let stderr = "";
  let clock = 0;
  // The balancer-settings write is tested in cluster-balancer-settings.test.ts; here it succeeds.
  const deps: CliDeps = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), run, inspector, now: () => (clock += 1000), tmpdir: work,
    stopBalancer: async () => undefined,
    onSignal,
    probeTarget: async (c): Promise<TargetFacts> => {
      probed.push(c.uri);
      // A cluster restore drops every collection: data on the target does not matter, only whether it is a mongos.
      return { mongos: mongosUris.includes(c.uri), namespacesWithData: ["nyrkio.results"] };
    },
  };
  const code = await runCli(argv, deps);
  return { code, stdout, stderr };
}

/** <dir>/<rs>.uri (and .password) for every replica set named. */
function uriDir(...replicaSets: string[]): string {
  const dir = join(work, "connections");
  mkdirSync(dir, { recursive: true });
  for (const rs of replicaSets) {
    writeFileSync(join(dir, `${rs}.uri`), `mongodb://restore:s3cr3t@mongodb-${rs}-0.mongodb-${rs}.nyrkio-db-restore.svc:27017/?replicaSet=${rs}&authSource=admin\n`);
    writeFileSync(join(dir, `${rs}.password`), `pw-${rs}\n`);
  }
  return dir;
}
const artifact = (rs: string, k: number) => join(root, rs, entries[rs][k].manifestPath.replace(/[^/]*$/, entries[rs][k].file));
/** The dump a mongorestore call restores: its --dir (or, for a schemaVersion 1 base, --archive). */
const fileArg = (argv: readonly string[]) => argv.find((a) => a.startsWith("--archive=") || a.startsWith("--dir="))?.replace(/^--\w+=/, "");

describe("restore windows --cluster", () => {
  it("lists every replica set's windows and the intersection", async () => {
    const r = await cli(["windows", "--cluster", "--catalog", root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Cluster: 3 replica set(s), cfg (config servers), rs0 (shard), rs1 (shard)");
    expect(r.stdout).toContain("Replica set rs1: 1 full dump(s), 2 oplog slice(s)");
    expect(r.stdout).toMatch(/Cluster-wide restore windows \(every replica set reaches these: --to any point inside one\):\n {2}2024-05-01T02:00:12Z \(1714528812:4\) {2}\.\. {2}2024-05-01T02:10:00Z \(1714529400:3\)$/m);
  });

  it("as JSON", async () => {
    const r = await cli(["windows", "--cluster", "--catalog", root, "--json"]);
    const json = JSON.parse(r.stdout);
    expect(json.replicaSets.map((s: { replicaSet: string; role: string; fullDumps: number }) => [s.replicaSet, s.role, s.fullDumps])).toEqual([
      ["cfg", "configsvr", 1],
      ["rs0", "shard", 1],
      ["rs1", "shard", 1],
    ]);
    expect(json.windows).toEqual([{ from: { t: T0 + 12, i: 4, iso: "2024-05-01T02:00:12Z" }, to: { t: T0 + 600, i: 3, iso: "2024-05-01T02:10:00Z" } }]);
  });
});

describe("restore plan --cluster", () => {
  it("prints one plan per replica set, config servers first, each the one-replica-set plan of its catalog", async () => {
    const r = await cli(["plan", "--cluster", "--catalog", root, "--to", "2024-05-01T02:07:00Z", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const json = JSON.parse(r.stdout);
    expect(json.oplogLimit).toBe(`${T0 + 421}:0`);
    expect(json.target).toMatchObject({ mode: "to", input: "2024-05-01T02:07:00Z", oplogLimit: `${T0 + 421}:0` });
    expect(json.replicaSets.map((s: { replicaSet: string; role: string }) => [s.replicaSet, s.role])).toEqual([
      ["cfg", "configsvr"],
      ["rs0", "shard"],
      ["rs1", "shard"],
    ]);
    for (const { replicaSet, plan } of json.replicaSets) {
      // The one-replica-set plan with --drop, plus --preserveUUID on every call: config.chunks names collections by UUID.
      const single = JSON.parse((await cli(["plan", "--catalog", join(root, replicaSet), "--to", "2024-05-01T02:07:00Z", "--drop", "--json"])).stdout);
      // Each replica set unpacks and merges in a directory of its own.
      const text = JSON.stringify(single).split("<work-dir>/").join(`<work-dir>/${replicaSet}/`);
      const same = JSON.parse(text);
      const call = same.steps[same.steps.length - 1];
      call.argv.splice(call.argv.indexOf("--drop") + 1, 0, "--preserveUUID");
      expect(plan).toEqual(same);
      expect(plan.oplogLimit).toBe(json.oplogLimit);
      // Exactly one mongorestore per replica set, one the real tool accepts.
      const calls = plan.steps.filter((s: { kind: string }) => s.kind === "mongorestore");
      expect(calls).toHaveLength(1);
      expect(calls[0].argv).toEqual(expect.arrayContaining(["--stopOnError", "--drop", "--preserveUUID"]));
      expect(mongorestoreRefusal(calls[0].argv.slice(1))).toBeUndefined();
    }
  });

  it("prints a readable plan that names the order and says nothing was run", async () => {
    const r = await cli(["plan", "--cluster", "--catalog", root, "--before", `${T0 + 400}:0`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Cluster-wide restore plan: 3 replica set(s), every one to the same point");
    expect(r.stdout).toContain("order:   cfg (config servers), then rs0 (shard), then rs1 (shard)");
    expect(r.stdout).toContain("[1/3] Restore plan for replica set cfg");
    expect(r.stdout).toContain("[3/3] Restore plan for replica set rs1");
    expect(r.stdout).toContain("Nothing was run.");
  });

  it("refuses with exit 4 a target one replica set cannot reach, naming it and the cluster-wide range", async () => {
    const r = await cli(["plan", "--cluster", "--catalog", root, "--to", `${T0 + 700}:0`, "--json"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.every((l) => l.startsWith("restore: "))).toBe(true);
    expect(lines[0]).toMatch(/cannot be restored cluster-wide: 1 of 3 replica set\(s\) does not reach it, .*\(rs1\)$/);
    expect(lines[1]).toMatch(/^restore: {3}rs1: is after the newest saved oplog entry 2024-05-01T02:10:00Z/);
    expect(lines[2]).toBe(`restore: A cluster-wide restore can reach (the points every replica set reaches): [2024-05-01T02:00:12Z (${T0 + 12}:4) .. 2024-05-01T02:10:00Z (${T0 + 600}:3)]`);
  });

  it("--verify checks every replica set's artifacts and fails naming the corrupt one", async () => {
    expect((await cli(["plan", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--verify"])).stdout).toContain("Every artifact of every replica set matches its manifest.");
    writeFileSync(artifact("rs1", 2), "X".repeat(entries.rs1[2].bytes));
    const r = await cli(["plan", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--verify", "--json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.replicaSets.map((s: { plan: { verification: { ok: boolean } } }) => s.plan.verification.ok)).toEqual([true, true, false]);
    expect(r.stderr).toMatch(/FAILED verification: rs1: step 2: oplog\/\S+ has sha256/);
  });

  it("refuses (exit 3) one replica set's catalog, a directory named after another set, a set without manifests, a missing config server catalog", async () => {
    const one = await cli(["plan", "--cluster", "--catalog", join(root, "rs0"), "--to", `${T0 + 100}:0`]);
    expect(one.code).toBe(3);
    expect(one.stderr).toMatch(/full\/, oplog\/ under the root: this is one replica set's catalog; --cluster wants the directory above/);

    mkdirSync(join(root, "rs2"));
    const empty = await cli(["windows", "--cluster", "--catalog", root]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/rs2\/ holds no manifest: a replica set without backups cannot be restored with the others/);
    rmSync(join(root, "rs2"), { recursive: true });

    writeCatalog(forRs("rs0", [fullDump(ts(T0 + 50, 1))]), join(root, "shard-b"));
    const misnamed = await cli(["windows", "--cluster", "--catalog", root]);
    expect(misnamed.code).toBe(3);
    expect(misnamed.stderr).toMatch(/shard-b\/ holds manifests of replica set rs0: each replica set's catalog is the directory named after it/);
    rmSync(join(root, "shard-b"), { recursive: true });

    rmSync(join(root, "cfg"), { recursive: true });
    mkdirSync(join(root, "lost+found"));
    const noConfig = await cli(["plan", "--cluster", "--catalog", root, "--to", `${T0 + 100}:0`]);
    expect(noConfig.code).toBe(3);
    expect(noConfig.stderr).toMatch(/no catalog of the config server replica set cfg \(found: rs0, rs1\)/);
  });

  it("refuses a malformed manifest naming it under its replica set, unless told to skip it", async () => {
    writeFileSync(join(root, "rs1", "oplog", "broken.manifest.json"), "{");
    const r = await cli(["windows", "--cluster", "--catalog", root]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/malformed manifest: rs1\/oplog\/broken.manifest.json: not valid JSON/);
    const skipped = await cli(["windows", "--cluster", "--catalog", root, "--ignore-invalid"]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/warning: skipped: rs1\/oplog\/broken.manifest.json/);
  });

  it("without --cluster, a cluster's root points to --cluster", async () => {
    const r = await cli(["windows", "--catalog", root]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/several replica sets \(cfg, rs0, rs1\): choose one with --replica-set, or .* with --cluster/);
  });
});

describe("restore run --cluster", () => {
  it("each replica set as its own temporary user from <rs>.user (restore user-secret --out): the hosts from <rs>.uri, no warning (issue 12)", async () => {
    const dir = join(work, "temporary");
    mkdirSync(dir, { recursive: true });
    for (const rs of ["cfg", "rs0", "rs1"]) {
      writeFileSync(join(dir, `${rs}.uri`), `mongodb://mongodb-${rs}-0.mongodb-${rs}.nyrkio-db.svc:27017/?directConnection=true&authSource=admin\n`);
      expect((await cli(["user-secret", "--replica-set", rs, "--namespace", "nyrkio-db", "--out", join(dir, `${rs}.user`)])).code).toBe(0);
    }
    const { calls, run } = standIn();
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", dir, "--yes"], run);
    expect({ code: r.code, warnings: r.stderr.split("\n").filter((l) => /warning|FAILED/.test(l)) }).toEqual({ code: 0, warnings: [] });
    expect(probed.map((u) => /^mongodb:\/\/(restore-[0-9a-f]{24})@mongodb-(\w+)-0/.exec(u)?.[2])).toEqual(["cfg", "rs0", "rs1"]);
    expect(calls).toHaveLength(3);
    // <rs>.user and <rs>.password together are refused: the user file holds the password.
    writeFileSync(join(dir, "rs0.password"), "pw\n");
    const both = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", dir, "--yes"], standIn().run);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/rs0: give rs0.user or rs0.password in --uri-dir, not both/);
  });

  it("refuses (exit 5) before anything runs when a connection reaches a mongos: UUIDs cannot be preserved through it", async () => {
    const dir = uriDir("cfg", "rs0", "rs1");
    mongosUris = ["mongodb://restore:s3cr3t@mongodb-rs0-0.mongodb-rs0.nyrkio-db-restore.svc:27017/?replicaSet=rs0&authSource=admin"];
    const { calls, run } = standIn();
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", dir, "--yes"], run);
    expect(r.code).toBe(5);
    expect(calls).toEqual([]);
    expect(r.stderr).toMatch(/replica set rs0 \(mongodb:\/\/<credentials>@.*\) is a mongos: a cluster restore keeps collection UUIDs \(--preserveUUID\)/);
    expect(r.stderr).not.toContain("s3cr3t");
  });

  it("restores every replica set with --drop --preserveUUID even without --drop, and does not refuse data on the targets", async () => {
    const dir = uriDir("cfg", "rs0", "rs1");
    const { calls, run } = standIn();
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", dir, "--yes"], run);
    expect(r.code).toBe(0);
    expect(probed).toHaveLength(3);
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.argv).toEqual(expect.arrayContaining(["--drop", "--preserveUUID", "--stopOnError"]));
  });

  it("without --yes prints the plan, the order and the connections, and runs nothing", async () => {
    const { calls, run } = standIn();
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1")], run);
    expect(r.code).toBe(2);
    expect(calls).toEqual([]);
    expect(r.stdout).toContain("Cluster-wide restore plan");
    expect(r.stderr).toContain("nothing was run: this restores, in this order, cfg into mongodb://<credentials>@mongodb-cfg-0.mongodb-cfg.nyrkio-db-restore.svc:27017/?replicaSet=cfg&authSource=admin; rs0 into");
    expect(r.stderr).toMatch(/Stop the balancer and every mongos first/);
    expect(r.stdout + r.stderr).not.toMatch(/s3cr3t|pw-/);
  });

  it("verifies everything, then restores the config servers first and every shard, each with its own private connection", async () => {
    const { calls, run } = standIn();
    const hashed: string[] = [];
    const counting = { ...fileInspector, sha256: (path: string) => (hashed.push(path), fileInspector.sha256(path)) };
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes", "--json"], run, counting);
    expect(r.code).toBe(0);
    // One mongorestore per replica set, in order, each over its own unpacked dump.
    expect(calls.map((c) => /\/work\/(\w+)\/base\/dump$/.exec(fileArg(c.argv) as string)?.[1])).toEqual(["cfg", "rs0", "rs1"]);
    for (const c of calls) {
      const rs = /\/work\/(\w+)\/base\/dump$/.exec(fileArg(c.argv) as string)?.[1] as string;
      expect(c.config).toBe(`uri: 'mongodb://restore:s3cr3t@mongodb-${rs}-0.mongodb-${rs}.nyrkio-db-restore.svc:27017/?replicaSet=${rs}&authSource=admin'\npassword: 'pw-${rs}'\n`);
      expect(c.configMode).toBe(0o600);
      expect(c.argv).toContain(`--oplogLimit=${T0 + 400}:1`);
      expect(c.argv.join(" ")).not.toMatch(/s3cr3t|pw-/);
    }
    // The private directory with the connection files is gone.
    const config = calls[0].argv.find((a) => a.startsWith("--config="))?.slice("--config=".length) as string;
    expect(existsSync(config)).toBe(false);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, oplogLimit: `${T0 + 400}:1` });
    expect(report.replicaSets.map((s: { replicaSet: string; status: string }) => [s.replicaSet, s.status])).toEqual([
      ["cfg", "done"],
      ["rs0", "done"],
      ["rs1", "done"],
    ]);
    expect(report.message).toMatch(/^restored every replica set \(cfg, rs0, rs1\) to --to 1714529200:0.*Next: run flushRouterConfig on every shard member.*start the balancer explicitly/);
    // Every artifact was verified before the first call, and hashed once.
    expect(r.stderr.indexOf("rs1: verified")).toBeLessThan(r.stderr.indexOf("== replica set 1/3: cfg (config servers)"));
    expect(hashed.sort()).toEqual(["cfg", "rs0", "rs1"].flatMap((rs) => [0, 1, 2].map((k) => artifact(rs, k))).sort());
  });

  it("a signal during the config servers' restore stops their mongorestore, starts no shard, removes the private directory and exits 143 (issue 12 item 14)", async () => {
    let handler: ((s: "SIGINT" | "SIGTERM") => void) | undefined;
    const calls: { argv: readonly string[]; aborted: boolean }[] = [];
    // The real runner (process-runner.ts) kills the child when `stop` aborts and resolves with its signal.
    const run: CliDeps["run"] = async (argv, _onLine, stop) => {
      (handler as (s: "SIGTERM") => void)("SIGTERM");
      calls.push({ argv, aborted: stop?.aborted === true });
      return { code: null, signal: "SIGTERM" };
    };
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes"], run, fileInspector, (h) => {
      handler = h;
      return () => (handler = undefined);
    });
    expect(r.code).toBe(143);
    expect(calls).toHaveLength(1);
    expect(calls[0].aborted).toBe(true);
    expect(r.stdout).toMatch(/FAILED in replica set cfg \(1\/3\): FAILED at step 1\/\d .*killed by SIGTERM/);
    expect(r.stdout).toMatch(/rs0, rs1 were not started/);
    expect(handler).toBeUndefined();
    expect(readdirSync(work).filter((f) => f.startsWith("nyrkio-restore-"))).toEqual([]);
  });

  it("refuses a corrupt artifact of any replica set before restoring anything", async () => {
    writeFileSync(artifact("rs1", 1), "Y".repeat(entries.rs1[1].bytes));
    const { calls, run } = standIn();
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes"], run);
    expect(r.code).toBe(1);
    expect(calls).toEqual([]);
    expect(r.stderr).toMatch(/REFUSED: rs1: step 2: oplog\/\S+ has sha256/);
    expect(r.stdout).toMatch(/refused: 1 artifact\(s\) failed verification \(rs1\/oplog\/\S+\); nothing was run, no replica set was touched/);
  });

  it("refuses before anything runs when a replica set has no connection file (exit 2) or a connection file has no catalog (exit 3)", async () => {
    const { calls, run } = standIn();
    const missing = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0"), "--yes"], run);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the connection of replica set rs1 \(rs1.uri in --uri-dir\): ENOENT/);
    const stray = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1", "rs2"), "--yes"], run);
    expect(stray.code).toBe(3);
    expect(stray.stderr).toMatch(/--uri-dir names replica set\(s\) the catalog root holds no catalog of: rs2/);
    expect(calls).toEqual([]);
  });

  it("refuses an unreachable target before reading any connection", async () => {
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 700}:0`, "--uri-dir", join(work, "nowhere"), "--yes"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot be restored cluster-wide/);
  });

  it("stops at the first failure: says which replica sets are restored and how to resume", async () => {
    // cfg's mongorestore succeeds, rs0's fails.
    const { calls, run } = standIn([{}, { code: 1, lines: ["Failed: restore error: connection refused"] }]);
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes", "--json"], run);
    expect(r.code).toBe(1);
    expect(calls).toHaveLength(2);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.replicaSets.map((s: { status: string }) => s.status)).toEqual(["done", "failed", "not run"]);
    expect(report.replicaSets[1].report.failedStep).toBe(3);
    expect(report.message).toMatch(/^FAILED in replica set rs0 \(2\/3\): FAILED at step 3\/3 .*The cluster is NOT at the target: cfg is restored to .*; rs0 failed; rs1 was not started\. Keep mongos and the balancer stopped\.$/s);
    expect(report.next).toMatch(/^fix the cause, then rerun with --from-replica-set rs0 \(its restore starts over from the dump, with --drop; step 3 failed\): the replica sets before rs0 are skipped\./);
  });

  it("resumes at --from-replica-set, reading nothing of the replica sets before it; --from-step beyond 1 is refused", async () => {
    rmSync(artifact("cfg", 0));
    const { calls, run } = standIn();
    const r = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes", "--from-replica-set", "rs0", "--json"], run);
    expect(r.code).toBe(0);
    expect(calls.map((c) => /\/work\/(\w+)\/base\/dump$/.exec(fileArg(c.argv) as string)?.[1])).toEqual(["rs0", "rs1"]);
    const report = JSON.parse(r.stdout);
    expect(report.replicaSets.map((s: { status: string }) => s.status)).toEqual(["skipped", "done", "done"]);
    const later = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes", "--from-replica-set", "rs0", "--from-step", "2"], standIn().run);
    expect(later.code).toBe(2);
    expect(later.stderr).toMatch(/--from-step 2: a restore is one mongorestore process per replica set .*, which cannot resume in the middle/);
    const unknown = await cli(["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", uriDir("cfg", "rs0", "rs1"), "--yes", "--from-replica-set", "rs9"], run);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--from-replica-set rs9: not one of this cluster's replica sets \(cfg, rs0, rs1\)/);
  });
});

describe("--cluster arguments", () => {
  it.each([
    [["plan", "--cluster", "--catalog", "/b", "--to", "1:1", "--replica-set", "rs0"], /--replica-set picks one replica set and --cluster takes them all/],
    [["run", "--cluster", "--catalog", "/b", "--to", "1:1", "--yes"], /`run --cluster` needs every replica set's connection: --uri-dir <dir>/],
    [["run", "--cluster", "--catalog", "/b", "--to", "1:1", "--uri-file", "u"], /--uri-file does not go with --cluster/],
    [["plan", "--cluster", "--catalog", "/b", "--to", "1:1", "--config-file", "c"], /--config-file does not go with --cluster/],
    [["run", "--cluster", "--catalog", "/b", "--to", "1:1", "--uri-dir", "d", "--from-step", "1"], /with --cluster, --from-step needs --from-replica-set <name>/],
    [["run", "--cluster", "--catalog", "/b", "--to", "1:1", "--uri-dir", "d", "--from-replica-set", "rs0", "--from-step", "2"], /--from-step 2: a restore is one mongorestore process per replica set/],
    [["run", "--catalog", "/b", "--to", "1:1", "--uri-file", "u", "--uri-dir", "d"], /--uri-dir goes with --cluster/],
    [["run", "--catalog", "/b", "--to", "1:1", "--uri-file", "u", "--from-replica-set", "rs0"], /--from-replica-set goes with --cluster/],
    [["plan", "--cluster", "--catalog", "/b", "--to", "1:1", "--uri-dir", "d"], /--uri-dir does not apply to `plan`/],
  ])("refuses %j", (argv, message) => {
    const r = parseArgs(argv);
    expect(r.kind === "usage-error" && r.message).toMatch(message);
  });

  it("parses run --cluster", () => {
    const r = parseArgs(["run", "--cluster", "--catalog", "/b", "--before", "1:1", "--uri-dir", "/d", "--from-replica-set", "rs1", "--from-step", "1", "--yes"]);
    expect(r).toMatchObject({ kind: "command", options: { command: "run", cluster: true, catalog: "/b", uriDir: "/d", fromReplicaSet: "rs1", fromStep: 1, yes: true } });
  });
});

describe("property: no fragment of a password reaches any output of run --cluster (issue 12 item 13)", () => {
  const SEED = 20261206 + 2;
  const next = prng(SEED);
  const passwords = Array.from({ length: 6 }, () => randomPassword(next));

  it.each(passwords.map((p, i) => [i, p]))("password #%d in every <rs>.uri, as written and percent-encoded", async (_i, password) => {
    const forms = [password as string, encodeURIComponent(password as string)];
    const secrets = forms.flatMap(fragments);
    for (const form of forms) {
      const dir = join(work, "connections");
      mkdirSync(dir, { recursive: true });
      for (const rs of ["cfg", "rs0", "rs1"]) writeFileSync(join(dir, `${rs}.uri`), `mongodb://restore:${form}@mongodb-${rs}-0.example:27017/?replicaSet=${rs}\n`);
      const argv = ["run", "--cluster", "--catalog", root, "--to", `${T0 + 400}:0`, "--uri-dir", dir];
      // mongorestore's lines quote the connection (the worst it could do).
      const careless = standIn(Array.from({ length: 9 }, () => ({ lines: [`connecting to mongodb://restore:${form}@h/ (${password as string})`, "0 document(s) restored successfully. 0 document(s) failed to restore."] })));
      const runs = [await cli(argv), await cli([...argv, "--yes", "--json"], careless.run)];
      if (form === password) expect(runs.map((r) => r.code)).toEqual([2, 2]);
      else {
        expect(runs.map((r) => r.code)).toEqual([2, 0]);
        expect(runs[0].stderr).toContain("cfg into mongodb://<credentials>@mongodb-cfg-0.example:27017/?replicaSet=cfg");
      }
      for (const r of runs) {
        const text = (r.stdout + r.stderr).toLowerCase();
        for (const secret of secrets) if (text.includes(secret)) throw new Error(`seed ${SEED}: fragment ${JSON.stringify(secret)} reached the output: ${r.stdout}${r.stderr}`);
      }
    }
  });
});
