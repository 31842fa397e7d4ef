// The restore CLI end to end in-process: a catalog on disk, a stand-in for mongorestore.

import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { StepExit } from "../../backup/restore/executor";
import { CliDeps, runCli } from "../../backup/restore/restore-command";
import type { TargetFacts } from "../../backup/restore/target-check";
import { fileInspector } from "../../backup/restore/verify-artifacts";
import type { FoundUser } from "../../backup/restore/target-probe";
import { restoreRole } from "../../replicaset/users";
import { authorize } from "../support/mongod-authz";
import { authzMergeRefusal, dumpedUsers, mongorestoreRefusal } from "../support/mongorestore-rules";
import { runRealTar } from "./real-tar";
import { DiskCatalog, writeCatalog } from "./disk-catalog";
import { fullDump, sliceChain, ts } from "./fixtures";

const T0 = 1714528800; // 2024-05-01T02:00:00Z
const d1 = fullDump(ts(T0 + 12, 4));
const slices = sliceChain(ts(T0 + 12, 4), [ts(T0 + 300, 1), ts(T0 + 600, 2), ts(T0 + 900, 3)]);

interface Call {
  argv: readonly string[];
  config?: string;
  configMode?: number;
  /** The `ts` of every entry of the --oplogFile it was handed, in order. */
  oplog?: string[];
  /** The users its --dir held (admin/system.users.bson.gz) when it ran; undefined: none. */
  dumpUsers?: string[];
}

const { topLevelFields } = require("../../backup/mongosh/oplog-window.js");
const { DUMP_USERS } = require("./mongosh/fixtures/artifact-builder.js");
/** The entries' timestamps of a (gzipped, with --gzip) oplog file, as mongorestore would read them. */
function oplogOf(argv: readonly string[]): string[] | undefined {
  const file = argv.find((a) => a.startsWith("--oplogFile="))?.slice("--oplogFile=".length);
  if (!file) return undefined;
  let buf = readFileSync(file);
  if (argv.includes("--gzip")) buf = gunzipSync(buf);
  const out: string[] = [];
  for (let at = 0; at < buf.length; at += buf.readInt32LE(at)) {
    const ts = topLevelFields(buf.subarray(at, at + buf.readInt32LE(at))).ts;
    out.push(`${ts.t}:${ts.i}`);
  }
  return out;
}

/** A stand-in for mongorestore: records argv and the config file it was handed, then exits as told. */
function standIn(exits: Partial<StepExit & { lines: string[] }>[] = []) {
  const calls: Call[] = [];
  const run = async (argv: readonly string[], onLine: (line: string) => void): Promise<StepExit> => {
    if (argv[0] === "tar") return runRealTar(argv, onLine);
    const configArg = argv.find((a) => a.startsWith("--config="));
    const path = configArg?.slice("--config=".length);
    // As strict as the real tool: what mongorestore refuses before restoring anything, it refuses
    // here; a --dir or --oplogFile that is not there fails as it does (mongorestore.go Restore:
    // "error reading oplog file", filepath.go CreateAllIntents: "error reading root dump folder").
    const refusal = mongorestoreRefusal(argv.slice(1));
    const dir = argv.find((a) => a.startsWith("--dir="))?.slice("--dir=".length);
    const oplogFile = argv.find((a) => a.startsWith("--oplogFile="))?.slice("--oplogFile=".length);
    const missing = dir !== undefined && !existsSync(dir) ? `Failed: error reading root dump folder: open ${dir}: no such file or directory` : oplogFile !== undefined && !existsSync(oplogFile) ? `Failed: error reading oplog file: stat ${oplogFile}: no such file or directory` : undefined;
    const config = path && existsSync(path) ? readFileSync(path, "utf8") : undefined;
    calls.push({ argv, config, configMode: path && existsSync(path) ? statSync(path).mode & 0o777 : undefined, oplog: missing ? undefined : oplogOf(argv), dumpUsers: dir && existsSync(dir) ? dumpedUsers(dir) : undefined });
    // What its users-and-roles step does to the user it runs as (mongorestore-rules.ts, from the
    // mongo-tools and server source): with --drop, a dump holding users the connection's user is
    // not among logs that user out before the replay.
    const user = /^uri: '?mongodb:\/\/([^:@/]+)/m.exec(config ?? "")?.[1];
    const lost = !refusal && !missing && user ? authzMergeRefusal(argv.slice(1), `${decodeURIComponent(user)}@admin`) : undefined;
    if (refusal ?? missing ?? lost) {
      onLine((refusal ?? missing ?? lost) as string);
      return { code: 1 };
    }
    const exit = exits[calls.length - 1] ?? {};
    for (const line of exit.lines ?? ["0 document(s) restored successfully. 0 document(s) failed to restore."]) onLine(line);
    return { code: exit.code ?? 0, signal: exit.signal, spawnError: exit.spawnError };
  };
  return { calls, run };
}

let catalog: DiskCatalog;
let work: string;
beforeEach(() => {
  catalog = writeCatalog([d1, ...slices]);
  work = mkdtempSync(join(tmpdir(), "restore-cli-test-"));
});
afterEach(() => {
  catalog.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** The users on the target after a restore (listUsers), and the roles the listing user holds; undefined: no listUsers dep. */
let usersOnTarget: FoundUser[] | undefined;
let listingRoles: { role: string; db: string }[];
beforeEach(() => {
  usersOnTarget = undefined;
  listingRoles = [{ role: "nyrkioRestore", db: "admin" }];
});

/** The users dropUser was asked to drop (the temporary user's drop of itself at the end of a run). */
let droppedUsers: string[];
beforeEach(() => {
  droppedUsers = [];
});

/** What the target probe answers: an empty replica set unless a test says otherwise. */
let targetFacts: TargetFacts;
let probed: { uri: string; password?: string }[];
beforeEach(() => {
  targetFacts = { mongos: false, namespacesWithData: [] };
  probed = [];
});

async function cli(argv: string[], run = standIn().run) {
  let stdout = "";
  let stderr = "";
  let clock = 0;
  const deps: CliDeps = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    run,
    inspector: fileInspector,
    now: () => (clock += 1500),
    probeTarget: async (c) => {
      probed.push(c);
      return targetFacts;
    },
    ...(usersOnTarget
      ? {
          // usersInfo {forAllDBs: true} as the restore user, through mongod's authorization model.
          listUsers: async () => {
            authorize({ hasUsers: true, arbiter: false, customRoles: [restoreRole()] }, { fromLocalhost: false, roles: listingRoles }, { usersInfo: { forAllDBs: true } });
            return usersOnTarget!;
          },
        }
      : {}),
    // dropUser as the temporary user itself, through mongod's authorization model (its anyAction covers it).
    dropUser: async (c) => {
      authorize({ hasUsers: true, arbiter: false, customRoles: [restoreRole()] }, { fromLocalhost: false, roles: [{ role: "nyrkioRestore", db: "admin" }] }, { dropUser: "x" });
      droppedUsers.push(decodeURIComponent(/^mongodb:\/\/([^:@/]+)/.exec(c.uri)![1]));
      return "dropped";
    },
    tmpdir: work,
  };
  const code = await runCli(argv, deps);
  return { code, stdout, stderr };
}

function secrets(): string[] {
  writeFileSync(join(work, "uri"), "mongodb://restore:s3cr3t@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin\n");
  return ["--uri-file", join(work, "uri")];
}

describe("restore windows", () => {
  it("lists the reachable ranges", async () => {
    const r = await cli(["windows", "--catalog", catalog.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Replica set rs0: 1 full dump(s), 3 oplog slice(s)");
    expect(r.stdout).toContain(`2024-05-01T02:00:12Z (${T0 + 12}:4)  ..  2024-05-01T02:15:00Z (${T0 + 900}:3)`);
  });

  it("as JSON", async () => {
    const r = await cli(["windows", "--catalog", catalog.dir, "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({
      replicaSet: "rs0",
      fullDumps: 1,
      oplogSlices: 3,
      windows: [{ from: { t: T0 + 12, i: 4, iso: "2024-05-01T02:00:12Z" }, to: { t: T0 + 900, i: 3, iso: "2024-05-01T02:15:00Z" } }],
    });
  });
});

describe("restore plan", () => {
  it("prints the plan as JSON and exits 0", async () => {
    const r = await cli(["plan", "--catalog", catalog.dir, "--to", "2024-05-01T02:07:00Z", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const plan = JSON.parse(r.stdout);
    expect(plan.base).toBe(`full/${d1.file}`);
    expect(plan.slices).toEqual([`oplog/${slices[0].file}`, `oplog/${slices[1].file}`]);
    expect(plan.oplogLimit).toBe(`${T0 + 421}:0`);
    // The preparation steps, then exactly one mongorestore, with its argv.
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual(["unpack", "merge-oplog", "mongorestore"]);
    expect(plan.steps[0].argv).toEqual(["tar", "-x", "--no-same-owner", "-f", `${catalog.dir}/full/${d1.file}`, "-C", "<work-dir>/base"]);
    expect(plan.steps[1]).toMatchObject({
      base: { path: "<work-dir>/base/oplog.bson.gz", gzip: true },
      slices: [0, 1].map((k) => ({ file: `oplog/${slices[k].file}`, path: `${catalog.dir}/oplog/${slices[k].file}`, gzip: true })),
      after: { t: T0 + 12, i: 4 },
      limit: { t: T0 + 421, i: 0 },
      out: "<work-dir>/replay-oplog.bson.gz",
    });
    expect(plan.steps[2].argv).toEqual([
      "mongorestore",
      "--config=<mongorestore-config.yaml>",
      "--dir=<work-dir>/base/dump",
      "--gzip",
      "--oplogReplay",
      "--oplogFile=<work-dir>/replay-oplog.bson.gz",
      `--oplogLimit=${T0 + 421}:0`,
      "--stopOnError",
      "--numParallelCollections=4",
      "--numInsertionWorkersPerCollection=4",
    ]);
    expect(plan.target).toEqual({ mode: "to", input: "2024-05-01T02:07:00Z", lastIncluded: { t: T0 + 420, i: 4294967295, iso: "2024-05-01T02:07:00Z" }, oplogLimit: `${T0 + 421}:0` });
  });

  it("prints a readable plan without --json, and says nothing was run", async () => {
    const r = await cli(["plan", "--catalog", catalog.dir, "--before", `${T0 + 300}:1`, "--config-file", "/etc/restore.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Restore plan for replica set rs0");
    expect(r.stdout).toContain(`target:  --before ${T0 + 300}:1: everything up to and including ${T0 + 300}:0`);
    expect(r.stdout).toContain("1/3  unpack the base full dump");
    expect(r.stdout).toContain("3/3  the one mongorestore call");
    expect(r.stdout).toContain("--config=/etc/restore.yaml");
    expect(r.stdout).toContain("Nothing was run.");
  });

  it("refuses an unreachable target with exit 4 and the reachable range on stderr", async () => {
    const r = await cli(["plan", "--catalog", catalog.dir, "--to", "2024-05-01T03:00:00Z", "--json"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^restore: --to 2024-05-01T03:00:00Z .* is after the newest saved oplog entry .*the catalog reaches \[2024-05-01T02:00:12Z/);
  });

  it("refuses a malformed target with exit 2", async () => {
    const r = await cli(["plan", "--catalog", catalog.dir, "--to", "2024-05-01T02:07:00"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no zone/);
  });

  it("refuses a catalog with a malformed manifest, naming the file and field, unless told to skip it", async () => {
    const bad = join(catalog.dir, "oplog", "broken.manifest.json");
    writeFileSync(bad, JSON.stringify({ ...slices[0], manifestPath: undefined, sha256: "nope" }));
    const r = await cli(["plan", "--catalog", catalog.dir, "--to", `${T0 + 100}:0`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('restore: malformed manifest: oplog/broken.manifest.json: field "sha256": must be 64 lower-case hex digits, got "nope"');
    const skipped = await cli(["plan", "--catalog", catalog.dir, "--to", `${T0 + 100}:0`, "--ignore-invalid"]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain("warning: skipped: oplog/broken.manifest.json");
  });

  it("refuses hostile names (issue 12 item 12): a file with a newline or an escape sequence, a manifest whose path holds one; what it prints has control characters escaped", async () => {
    writeFileSync(join(catalog.dir, "oplog", "evil.manifest.json"), JSON.stringify({ ...slices[0], manifestPath: undefined, file: "x.bson.gz\nstep archive \u001b[2Jevil.gz" }));
    writeFileSync(join(catalog.dir, "oplog", "b\u001b]0;pwned\u0007\n.manifest.json"), JSON.stringify({ ...slices[0], manifestPath: undefined }));
    const r = await cli(["plan", "--catalog", catalog.dir, "--to", `${T0 + 100}:0`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('oplog/evil.manifest.json: field "file": must match ^[A-Za-z0-9._-]+(\\/[A-Za-z0-9._-]+)*$');
    expect(r.stderr).toContain("malformed manifest: oplog/b\\u001b]0;pwned\\u0007\\u000a.manifest.json: its path must match");
    // eslint-disable-next-line no-control-regex -- no raw control character reaches the terminal
    expect(r.stderr + r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it("needs --replica-set when the catalog holds several", async () => {
    const both = writeCatalog([fullDump(ts(T0 + 50, 1), { replicaSet: "cfg", dir: "cfg" })], catalog.dir);
    const r = await cli(["windows", "--catalog", both.dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/several replica sets \(cfg, rs0\): choose one with --replica-set/);
    expect((await cli(["windows", "--catalog", both.dir, "--replica-set", "cfg"])).stdout).toContain("Replica set cfg: 1 full dump(s)");
    expect((await cli(["windows", "--catalog", both.dir, "--replica-set", "nope"])).stderr).toMatch(/no manifest of replica set "nope"; it holds: cfg, rs0/);
  });

  it("refuses a catalog directory that does not exist, or holds no manifest", async () => {
    expect((await cli(["windows", "--catalog", join(work, "missing")])).code).toBe(2);
    const empty = await cli(["windows", "--catalog", work]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/holds no manifest/);
  });

  it("--verify checks every artifact and fails naming a corrupt one", async () => {
    expect((await cli(["plan", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--verify"])).stdout).toContain("Every artifact matches its manifest.");
    writeFileSync(join(catalog.dir, "oplog", slices[1].file), "X".repeat(catalog.entries[2].bytes));
    const r = await cli(["plan", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--verify", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).verification.ok).toBe(false);
    expect(r.stderr).toContain(`FAILED verification: step 2: oplog/${slices[1].file} has sha256`);
  });
});

describe("restore run", () => {
  it("refuses a target that already holds documents unless --drop (exit 5), before writing anything", async () => {
    targetFacts = { mongos: false, namespacesWithData: ["nyrkio.results", "nyrkio.users"] };
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes"], run);
    expect(r.code).toBe(5);
    expect(calls).toEqual([]);
    expect(r.stderr).toContain("already holds documents (nyrkio.results, nyrkio.users)");
    expect(r.stderr).toContain("add --drop");
    expect(r.stderr + r.stdout).not.toContain("s3cr3t");
    expect(probed).toEqual([{ uri: "mongodb://restore:s3cr3t@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin" }]);
    // With --drop the dump's collections are dropped first.
    expect((await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes", "--drop"], run)).code).toBe(0);
  });

  it("refuses a mongos (exit 5): an oplog replay goes through applyOps, which mongos does not serve", async () => {
    targetFacts = { mongos: true, namespacesWithData: [] };
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes", "--drop"], run);
    expect(r.code).toBe(5);
    expect(calls).toEqual([]);
    expect(r.stderr).toMatch(/is a mongos: mongorestore --oplogReplay replays through applyOps/);
  });

  it("probes the connection of a --config-file too, and fails (exit 1) when the target cannot be checked", async () => {
    writeFileSync(join(work, "restore.yaml"), "uri: 'mongodb://restore@h:27017/?replicaSet=rs0'\npassword: 'it''s'\n");
    expect((await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--config-file", join(work, "restore.yaml"), "--yes"])).code).toBe(0);
    expect(probed).toEqual([{ uri: "mongodb://restore@h:27017/?replicaSet=rs0", password: "it's" }]);
    writeFileSync(join(work, "odd.yaml"), "host: h\n");
    const odd = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--config-file", join(work, "odd.yaml"), "--yes"]);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toContain('has no one-line "uri: mongodb://..."');
  });

  it("a failed step is reported with the step and mongorestore's own message (exit 1)", async () => {
    const { run } = standIn([{ code: 1, lines: ["Failed: restore error: error applying oplog: applyOps: (Unauthorized) not authorized on admin"] }]);
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes", "--json"], run);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).toContain("FAILED at step 3/3");
    expect(JSON.stringify(report)).toContain("(Unauthorized) not authorized on admin");
  });

  it("without --yes prints the plan, says where it would restore, and runs nothing", async () => {
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--drop"], run);
    expect(r.code).toBe(2);
    expect(calls).toEqual([]);
    expect(r.stderr).toContain("nothing was run: this restores into mongodb://<credentials>@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin with --drop");
    expect(r.stderr + r.stdout).not.toContain("s3cr3t");
  });

  it("verifies, then runs ONE mongorestore over the unpacked dump and the merged oplog, with a private config file that holds the credentials, and removes both", async () => {
    writeFileSync(join(work, "pw"), "pa'ss\n");
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, ...secrets(), "--password-file", join(work, "pw"), "--yes", "--json"], run);
    expect(r.code).toBe(0);
    expect(calls).toHaveLength(1);
    const [c] = calls;
    expect(c.config).toBe("uri: 'mongodb://restore:s3cr3t@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin'\npassword: 'pa''ss'\n");
    expect(c.configMode).toBe(0o600);
    expect(c.argv.join(" ")).not.toMatch(/s3cr3t|pa'ss|--password|--uri|--username/);
    // The dump's own oplog (firstTs, lastTs), then every slice entry after its lastTs and before the limit T0+700:1.
    expect(c.oplog).toEqual([`${d1.firstTs.t}:${d1.firstTs.i}`, `${T0 + 12}:4`, `${T0 + 13}:1`, `${T0 + 300}:1`, `${T0 + 301}:1`, `${T0 + 600}:2`, `${T0 + 601}:1`]);
    const dumpDir = c.argv.find((a) => a.startsWith("--dir="))?.slice("--dir=".length) as string;
    expect(dumpDir.startsWith(join(work, "nyrkio-restore-"))).toBe(true);
    // Nothing of the run is left behind: the config file held the password, the work directory the dump.
    expect(existsSync(dumpDir)).toBe(false);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, phase: "done", replicaSet: "rs0", target: { oplogLimit: `${T0 + 700}:1` } });
    expect(report.steps.map((s: { kind: string; status: string }) => `${s.kind}:${s.status}`)).toEqual(["unpack:done", "merge-oplog:done", "mongorestore:done"]);
    expect(r.stderr).toMatch(/verifying 4 artifact\(s\)/);
    expect(r.stderr).toMatch(/step 1\/3: unpack the base full dump/);
    expect(r.stderr).toMatch(/merged 7 entries \(2 of the dump's own oplog, 5 from 3 slice\(s\)\); dropped 0 at or before the base's lastTs .* and 1 at or after the limit/);
    expect(r.stderr).toMatch(/ {2}\| 0 document\(s\) restored successfully/);
    expect(r.stderr).toMatch(/step 3\/3 done in 1\.5s: the target holds everything up to and including 2024-05-01T02:11:40Z \(1714529500:0\)/);
  });

  it("lists the users found in the restored data after a successful run, read from the dump, which it set aside (issue 12)", async () => {
    usersOnTarget = [{ user: "target-only", db: "admin", roles: [] }];
    const text = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, ...secrets(), "--yes"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "Users in the restored data (3), set aside and NOT restored (the target keeps its own users and roles; accessControl.externalUsers must exist on the target):\n" +
        "  app@admin  roles: nyrkioApp@admin\n  mallory@admin  roles: root@admin\n  nyrkio-root@admin  roles: root@admin\n",
    );
    expect(text.stdout).toMatch(/Run the reconcile Job now: it resets the managed users' roles and passwords and drops every user and role it does not manage/);
    const json = JSON.parse((await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, ...secrets(), "--yes", "--json"])).stdout);
    expect(json.restoredUsers).toEqual(DUMP_USERS);
    expect(json.restoredUsersSetAside).toBe(true);
  });

  it("in place with --drop as a temporary restore user: mongorestore never sees the dump's users, so its merge cannot drop the user before the replay (issue 12)", async () => {
    // Today's code handed mongorestore the dump with admin/system.users.bson.gz: with --drop its
    // _mergeAuthzCollections removed restore-<random> (not in any dump) and the replay's first
    // applyOps was refused (mongorestore-rules.ts authzMergeRefusal, from the source).
    writeFileSync(join(work, "uri"), "mongodb://restore-0123456789abcdef@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin\n");
    writeFileSync(join(work, "pw"), "s3cr3t-s3cr3t-s3cr3t\n");
    targetFacts = { mongos: false, namespacesWithData: ["nyrkio.results"] };
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, "--uri-file", join(work, "uri"), "--password-file", join(work, "pw"), "--drop", "--yes"], run);
    expect({ code: r.code, err: r.stderr.split("\n").filter((l) => /FAILED|Unauthorized/.test(l)) }).toEqual({ code: 0, err: [] });
    const restore = calls.filter((c) => c.argv[0] === "mongorestore");
    expect(restore).toHaveLength(1);
    expect(restore[0].argv).toContain("--drop");
    expect(restore[0].dumpUsers).toBeUndefined();
    expect(r.stderr).toMatch(/set the dump's users and roles aside \(3 user\(s\)\)/);
  });

  it("a failed run lists no users", async () => {
    usersOnTarget = [{ user: "root", db: "admin", roles: [] }];
    // One mongorestore per replica set (k10a): its failure is the run's.
    const { run } = standIn([{ code: 1, lines: ["Failed: applyOps: Unauthorized"] }]);
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, ...secrets(), "--yes"], run);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("Users in the restored data");
  });

  it("passes a --config-file through as is", async () => {
    const { calls, run } = standIn();
    writeFileSync(join(work, "restore.yaml"), "uri: mongodb://x\n");
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 12}:4`, "--config-file", join(work, "restore.yaml"), "--yes"], run);
    expect(r.code).toBe(0);
    expect(calls.map((c) => c.argv[1])).toEqual([`--config=${join(work, "restore.yaml")}`]);
    expect(r.stdout).toMatch(/^restored rs0 to --to 1714528812:4/);
  });

  it("refuses a checksum mismatch before any step runs, naming the file", async () => {
    writeFileSync(join(catalog.dir, "oplog", slices[2].file), "Y".repeat(catalog.entries[3].bytes));
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 800}:0`, ...secrets(), "--yes"], run);
    expect(r.code).toBe(1);
    expect(calls).toEqual([]);
    expect(r.stderr).toContain(`REFUSED: step 2: oplog/${slices[2].file} has sha256`);
    expect(r.stdout).toContain(`refused: 1 artifact(s) failed verification (oplog/${slices[2].file}); nothing was run, the target is untouched`);
  });

  it("refuses a missing or truncated artifact before any step runs", async () => {
    rmSync(join(catalog.dir, "full", d1.file));
    writeFileSync(join(catalog.dir, "oplog", slices[0].file), "short");
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes"], run);
    expect(r.code).toBe(1);
    expect(calls).toEqual([]);
    expect(r.stderr).toMatch(new RegExp(`REFUSED: step 1: full/${d1.file} cannot be read \\(ENOENT\\)`));
    expect(r.stderr).toMatch(new RegExp(`REFUSED: step 2: oplog/${slices[0].file} is 5 bytes, its manifest says \\d+: truncated or replaced`));
  });

  it("a failed mongorestore: exit 1, names the step, says the target is partial and the way forward is a rerun with --drop", async () => {
    const { calls, run } = standIn([{ code: 1, lines: ["2024-05-01T10:00:00.000+0000\tFailed: restore error: error applying oplog: applyOps: (Unauthorized)"] }]);
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 800}:0`, ...secrets(), "--yes", "--json"], run);
    expect(r.code).toBe(1);
    expect(calls).toHaveLength(1);
    const report = JSON.parse(r.stdout);
    expect(report.failedStep).toBe(3);
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(["done", "done", "failed"]);
    expect(report.message).toMatch(
      /^FAILED at step 3\/3 \(the one mongorestore call: .*\): mongorestore exited with code 1 \(last error: .*applyOps: \(Unauthorized\)\)\. The target holds a PARTIAL restore/,
    );
    expect(report.next).toBe("fix the cause, then rerun the same command with --drop (or restore into a new, empty replica set)");
  });

  it("a corrupt base oplog stops the merge before anything is written to the target", async () => {
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 800}:0`, ...secrets(), "--yes"], (argv, onLine) => {
      if (argv[0] !== "tar") return run(argv, onLine);
      const exit = runRealTar(argv, onLine);
      writeFileSync(join(argv[argv.length - 1], "oplog.bson.gz"), gzipSync(Buffer.from("not bson")));
      return Promise.resolve(exit);
    });
    expect(r.code).toBe(1);
    expect(calls).toEqual([]);
    expect(r.stdout).toMatch(/FAILED at step 2\/3 \(merge the dump's oplog and 3 slice\(s\).*the oplog could not be merged: .*corrupt stream.*Nothing was written to the target/s);
  });

  it("treats documents that failed to restore as a failure even when mongorestore exits 0", async () => {
    const { run } = standIn([{ lines: ["1200 document(s) restored successfully. 3 document(s) failed to restore."] }]);
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes"], run);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED at step 3\/3 .*reported 3 document\(s\) that failed to restore.*PARTIAL restore/s);
  });

  it("reports a mongorestore that cannot start or is killed", async () => {
    const missing = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes"], standIn([{ code: null, spawnError: "spawn mongorestore ENOENT", lines: [] }]).run);
    expect(missing.stdout).toMatch(/could not start mongorestore: spawn mongorestore ENOENT/);
    const killed = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, ...secrets(), "--yes"], standIn([{ code: null, signal: "SIGKILL", lines: [] }]).run);
    expect(killed.code).toBe(1);
    expect(killed.stdout).toMatch(/FAILED at step 3\/3 .*killed by SIGKILL/);
  });

  it("refuses --from-step: one mongorestore process cannot resume in the middle", async () => {
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 800}:0`, ...secrets(), "--yes", "--from-step", "3", "--json"], run);
    expect(r.code).toBe(2);
    expect(calls).toEqual([]);
    expect(r.stderr).toMatch(/--from-step 3: a restore is one mongorestore process per replica set .*cannot resume in the middle; rerun it whole with --drop/);
  });

  it("refuses an unreachable target before reading any credentials", async () => {
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 5}:0`, "--uri-file", join(work, "does-not-exist"), "--yes"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/before the oldest restore point/);
  });

  it("refuses a config file it cannot read before running anything", async () => {
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--config-file", join(work, "nope.yaml"), "--yes"], run);
    expect(r.code).toBe(2);
    expect(calls).toEqual([]);
    expect(r.stderr).toMatch(/cannot read the mongorestore config file: ENOENT/);
  });

  it("refuses, exit 2, a URI file that turns a TLS check off, naming the option, before anything runs (issue 15)", async () => {
    const { calls, run } = standIn();
    writeFileSync(join(work, "uri"), "mongodb://restore:s3cr3t@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&tls=true&TLSInsecure=true\n");
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--uri-file", join(work, "uri"), "--yes"], run);
    expect(r.code).toBe(2);
    expect(calls).toEqual([]);
    expect(probed).toEqual([]);
    expect(r.stderr).toMatch(/turns off TLS verification \(TLSInsecure\)/);
    expect(r.stderr).not.toContain("s3cr3t");
  });

  it("passes tls=true&tlsCAFile through to mongorestore's config and the target probe (mongo-tools reads TLS from --uri: options.go setOptionsFromURI)", async () => {
    const { calls, run } = standIn();
    const uri = "mongodb://restore:s3cr3t@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin&tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt";
    writeFileSync(join(work, "uri"), `${uri}\n`);
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--uri-file", join(work, "uri"), "--yes"], run);
    expect(r.code).toBe(0);
    expect(probed.map((p) => p.uri)).toEqual([uri]);
    for (const call of calls) expect(call.config).toContain(`uri: '${uri}'`);
  });

  it("refuses a URI file that does not hold a connection string", async () => {
    writeFileSync(join(work, "uri"), "restore:s3cr3t@host\n");
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 400}:0`, "--uri-file", join(work, "uri"), "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must hold a connection string starting with "mongodb:\/\/"/);
    expect(r.stderr).not.toContain("s3cr3t");
  });
});

describe("restore user-secret and run --user-file (issue 12: no permanent restore user)", () => {
  const { parseUserFile, TEMPORARY_USER_NAME, uriWithUser } = require("../../backup/restore/user-secret");
  // What backup/mongosh/restore-user.js accepts (the restore-user Job refuses any other name).
  const jobNameRule = /const RESTORE_USER_NAME = (\/.*\/);/.exec(readFileSync("backup/mongosh/restore-user.js", "utf8"))![1];

  it("writes a new temporary user's name and password to a new 0600 file and prints the commands, never the password", async () => {
    const file = join(work, "rs0.user");
    const r = await cli(["user-secret", "--replica-set", "rs0", "--namespace", "nyrkio-db", "--out", file]);
    expect(r.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const parsed = parseUserFile(readFileSync(file, "utf8"));
    expect(parsed.ok).toBe(true);
    const { username, password } = parsed.credentials;
    expect(username).toMatch(TEMPORARY_USER_NAME);
    expect(String(TEMPORARY_USER_NAME)).toBe(jobNameRule);
    expect(password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(password);
    expect(r.stdout).toContain(`kubectl -n nyrkio-db create secret generic mongodb-rs0-restore-credentials --from-env-file=${file}`);
    expect(r.stdout).toMatch(/kubectl -n nyrkio-db create job --from=cronjob\/mongodb-rs0-restore-user restore-user-\d+/);
    // Two runs, two users; the file is never replaced.
    const again = await cli(["user-secret", "--replica-set", "rs0", "--namespace", "nyrkio-db", "--out", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/it exists .*never replaced/);
    expect(readFileSync(file, "utf8")).toContain(username);
    const json = JSON.parse((await cli(["user-secret", "--replica-set", "cfg", "--namespace", "ns", "--out", join(work, "cfg.user"), "--json"])).stdout);
    expect(json).toMatchObject({ secretName: "mongodb-cfg-restore-credentials", cronJob: "mongodb-cfg-restore-user", file: join(work, "cfg.user") });
    expect(json.user).not.toBe(username);
  });

  it("usage errors: the three options are required, catalog options do not apply", async () => {
    expect((await cli(["user-secret", "--replica-set", "rs0", "--namespace", "n"])).stderr).toMatch(/needs --out/);
    expect((await cli(["user-secret", "--replica-set", "rs0", "--namespace", "n", "--out", join(work, "x"), "--catalog", "c"])).code).toBe(2);
    writeFileSync(join(work, "c.yaml"), "uri: mongodb://h\n");
    expect((await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 12}:4`, "--config-file", join(work, "c.yaml"), "--user-file", join(work, "x"), "--yes"])).stderr).toMatch(/--user-file goes with --uri-file/);
    expect((await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 12}:4`, "--uri-file", join(work, "c.yaml"), "--password-file", "p", "--user-file", join(work, "x"), "--yes"])).stderr).toMatch(/--user-file or --password-file, not both/);
  });

  it("run --user-file: the URI file names the hosts, the user file the user and password, which reach mongorestore's private config only", async () => {
    const userFile = join(work, "rs0.user");
    await cli(["user-secret", "--replica-set", "rs0", "--namespace", "nyrkio-db", "--out", userFile]);
    const { username, password } = parseUserFile(readFileSync(userFile, "utf8")).credentials;
    writeFileSync(join(work, "hosts"), "mongodb://mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin\n");
    const { calls, run } = standIn();
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, "--uri-file", join(work, "hosts"), "--user-file", userFile, "--yes"], run);
    expect(r.code).toBe(0);
    expect(probed).toEqual([{ uri: `mongodb://${username}@mongodb-rs0-0.mongodb-rs0.nyrkio-db.svc:27017/?replicaSet=rs0&authSource=admin`, password }]);
    const restore = calls.find((c) => c.argv[0] === "mongorestore")!;
    expect(restore.config).toContain(`password: '${password}'`);
    expect(restore.argv.join(" ")).not.toContain(password);
    expect(r.stderr).not.toMatch(/warning: the restore connects as/);
    // The user was made for this restore: it drops itself at the end (issue 12), as the in-cluster Job's does.
    expect(droppedUsers).toEqual([username]);
    expect(r.stderr).toContain(`the temporary restore user ${username} dropped itself`);
    // ... on failure too.
    droppedUsers = [];
    const failed = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, "--uri-file", join(work, "hosts"), "--user-file", userFile, "--yes"], standIn([{ code: 1, lines: ["Failed: x"] }]).run);
    expect(failed.code).toBe(1);
    expect(droppedUsers).toEqual([username]);
    // A URI file that names a user too is refused: the user comes from one place.
    writeFileSync(join(work, "hosts"), "mongodb://someone@h:27017/\n");
    const both = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, "--uri-file", join(work, "hosts"), "--user-file", userFile, "--yes"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/names the hosts only/);
    expect(uriWithUser("mongodb+srv://c.example.net/?tls=true", "restore-0123456789abcdef")).toEqual({ ok: true, uri: "mongodb+srv://restore-0123456789abcdef@c.example.net/?tls=true&authSource=admin" });
    // The user lives in admin: a URI naming a database would otherwise authenticate there.
    expect(uriWithUser("mongodb://h:27017/nyrkio", "restore-0123456789abcdef")).toEqual({ ok: true, uri: "mongodb://restore-0123456789abcdef@h:27017/nyrkio?authSource=admin" });
    expect(uriWithUser("mongodb://h:27017", "restore-0123456789abcdef")).toEqual({ ok: true, uri: "mongodb://restore-0123456789abcdef@h:27017/?authSource=admin" });
    expect(uriWithUser("mongodb://h:27017/?authSource=admin&tls=true", "restore-0123456789abcdef")).toEqual({ ok: true, uri: "mongodb://restore-0123456789abcdef@h:27017/?authSource=admin&tls=true" });
  });

  it("a restore as another user is warned about, not refused (the dump's users are set aside, so none is lost; docs/runbooks/restore.md)", async () => {
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, ...secrets(), "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the restore connects as "restore", not as a temporary restore-<random> user/);
    // A user the CLI did not make for this restore is never dropped.
    expect(droppedUsers).toEqual([]);
  });

  it("a user file that is not one is a usage error naming the file", async () => {
    writeFileSync(join(work, "bad.user"), "user=x\n");
    writeFileSync(join(work, "hosts"), "mongodb://h:27017/\n");
    const r = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 700}:0`, "--uri-file", join(work, "hosts"), "--user-file", join(work, "bad.user"), "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--user-file .*bad\.user: unknown key "user"/);
  });
});
