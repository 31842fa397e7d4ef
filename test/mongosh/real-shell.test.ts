// Every mongosh script the synthesized stacks put into pods, run by the REAL MongoDB Shell (the
// devDependency mongosh), where the other tests run them in node:vm or under the async rewriter
// with stand-ins. The stacks are synthesized as `cdktf synth` does (esbuild build, dist/main.js,
// every built-in environment) and each pod's files are laid out from its ConfigMaps as the pod
// mounts them (Secrets with dummy values; see synthesized-pods.ts).
//   1. The --nodb scripts of the backup jobs, on catalogs and artifacts built in temp dirs: their
//      output equals what the TypeScript functions (the pruner, the restore planner, the manifest
//      parser) and the catalog's own functions compute, and what the Node shim the other tests
//      run them with prints (test/backup/mongosh/run-mongosh-script.js).
//   2. Every server-facing script, pointed at a closed local port with the shortest timeouts the
//      script allows: it fails the way a script that parsed and started fails (a connection
//      error, its own "cannot reach" line and exit code), never with a SyntaxError,
//      ReferenceError or TypeError. Scripts the pod runs through mongosh's own connection (a URI
//      on the command line) never get evaluated when that connection fails, so they also run
//      with --nodb: parsed, started, and stopped at their first use of `db`.
//   3. The functions the generated scripts embed with Function.prototype.toString() (esbuild's
//      text, as synthesized), called in the real shell with the shell's own BSON types, give the
//      TypeScript functions' results.
// What needs a server (every command after the connection) is not covered here: see
// test/integration. Shells run two at a time; each run is bounded.
import { EJSON } from "bson";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { confirmationProblem } from "../../backup/majority";
import { artifactPath, CatalogEntry, parseManifest } from "../../backup/manifest";
import { planJson } from "../../backup/restore/report";
import { planRestore } from "../../backup/restore/planner";
import { analyzeChain, restoreWindows } from "../../backup/restore/chain";
import { parseTarget } from "../../backup/restore/target";
import { prune } from "../../backup/retention/pruner";
import { driveSync, retentionSteps, RetentionRequest } from "../../migrations/retention/retention-steps";
import { memberStatesFromStatus } from "../../replicaset/member-states";
import { planReconfig } from "../../replicaset/reconfig-plan";
import { defaultRWConcernNeedsUpdate } from "../../replicaset/rw-concern";
import { planUserChanges } from "../../replicaset/user-plan";
import { closeWindow, openWindow } from "../../sharding/balancer-holds";
import { planSharding } from "../../sharding/plan-sharding";
import { generateCatalog } from "../backup/catalog-generator";
import { writeCatalog } from "../backup/disk-catalog";
import { FakeCollections } from "../migrations/support/fake-collections";
import { NOW, retentionFixture } from "../migrations/support/retention-fixture";
import { healthy, host, liveConfig, psa } from "../replicaset/fixtures";
import { clashingNames, expectedLines, preambleOf, probeScript, ProbeCall, sectionLine, sections, shellSource } from "./embedded-probe";
import { closedPort, hasMongosh, limiter, removeTempDirs, REPO_ROOT, Run, runProgram, tempDir } from "./real-shell";
import { ConfigMapData, configMapsOf, findPod, MountedContainer, mountContainer, Pod, podsOf, synthesizeEveryEnvironment } from "./synthesized-pods";

const available = hasMongosh();
if (!available) console.log("skipping the real-shell tests: node_modules/.bin/mongosh is missing (run npm ci: mongosh is a devDependency)");
const describeReal = available ? describe : describe.skip;

const SHIM = join(REPO_ROOT, "test/backup/mongosh/run-mongosh-script.js");
const CONNECTION_FAILURE = /ECONNREFUSED|MongoServerSelectionError|MongoNetworkError/;
const BROKEN_SCRIPT = /SyntaxError|ReferenceError|TypeError|is not a function|is not defined|Unexpected token/;
const NO_DATABASE = /MongoshInvalidInputError: \[SHAPI-10004\] No connected database/;
const DAY = 86400;

/** The shells of this file, two at a time (the machine has two cores). */
const shell = limiter(2);
const mongoshRun = (argv: string[], m: MountedContainer, env: Record<string, string> = {}): Promise<Run> =>
  shell(() => runProgram(argv, { env: { ...shellEnv(m), ...env } }));

/** The container's env plus where mongosh finds its global config: /etc/mongosh.conf when the pod mounts one. */
function shellEnv(m: MountedContainer): Record<string, string> {
  const conf = m.at("/etc/mongosh.conf");
  return { ...m.env, HOME: m.env.HOME ?? m.at("/tmp"), ...(existsSync(conf) ? { MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: conf } : {}) };
}

/** How lib.sh's run_js starts a backup script (lib.sh exports BACKUP_MONGOSH_DIR, beside its own directory). */
const runJs = (m: MountedContainer, script: string, env: Record<string, string>) =>
  mongoshRun(["mongosh", "--nodb", "--quiet", "--norc", join(backupMongoshDir(m), script)], m, { BACKUP_MONGOSH_DIR: backupMongoshDir(m), ...env });
const shimRun = (m: MountedContainer, script: string, env: Record<string, string>) =>
  shell(() => runProgram([process.execPath, SHIM, join(backupMongoshDir(m), script)], { env: { ...m.env, BACKUP_MONGOSH_DIR: backupMongoshDir(m), ...env } }));
const backupMongoshDir = (m: MountedContainer) => m.at("/opt/nyrkio/backup/mongosh");

/** A run that parsed and started, then failed to reach the closed port. */
function expectConnectionFailure(run: Run): void {
  expect(run.timedOut).toBe(false);
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(BROKEN_SCRIPT);
  expect(run.stderr).toMatch(CONNECTION_FAILURE);
  expect(run.code).toBe(1);
}

/** A --nodb run of a script written for mongosh's own connection: parsed, started, stopped at `db`. */
function expectStoppedAtDb(run: Run): void {
  expect(run.timedOut).toBe(false);
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(BROKEN_SCRIPT);
  expect(run.stderr).toMatch(NO_DATABASE);
  expect(run.code).toBe(1);
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");
/** The pruner dates its reasons ("3d 04h old"): a second between two runs may cross an hour. */
const undated = (text: string) => text.replace(/\d+d \d\dh old/g, "<age> old");
const tsText = (x: { t: number; i: number }) => `${x.t}:${x.i}`;

/** A catalog in the pod's claim: generated manifests and artifacts (test/backup's generators). */
function podCatalog(m: MountedContainer, entries: CatalogEntry[]): { dir: string; entries: CatalogEntry[] } {
  // lib.sh: with pvc storage the catalog is $BACKUP_ROOT/$BACKUP_REPLSET.
  const dir = join(m.env.BACKUP_ROOT, m.env.BACKUP_REPLSET);
  mkdirSync(dir, { recursive: true });
  return { dir, entries: writeCatalog(entries, dir).entries };
}

/** `days` days of one full dump at 02:00 and a slice every six hours, one unbroken chain, up to today 00:00 UTC. */
function dailyCatalog(days: number): CatalogEntry[] {
  const end = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const start = end - days * DAY;
  const entries: CatalogEntry[] = [];
  let prev = { t: start, i: 1 };
  const common = { schemaVersion: 2 as const, bytes: 1, sha256: "d".repeat(64), replicaSet: "rs0" };
  for (let d = 0; d < days; d++) {
    const dumpEnd = { t: start + d * DAY + 2 * 3600, i: 1 };
    entries.push({ ...common, kind: "full", format: "dir-tar+gzip", file: `${dumpEnd.t}-1.dump.tar`, firstTs: { t: dumpEnd.t - 60, i: 1 }, lastTs: dumpEnd, createdAt: new Date(dumpEnd.t * 1000).toISOString(), manifestPath: `full/${dumpEnd.t}-1.manifest.json` });
    for (let q = 0; q < 4; q++) {
      const last = { t: start + d * DAY + (q + 1) * 6 * 3600, i: 1 };
      const name = `${prev.t}-${prev.i}_${last.t}-${last.i}`;
      entries.push({ ...common, kind: "oplog", format: "bson+gzip", file: `${name}.bson.gz`, prevTs: prev, firstTs: { t: prev.t, i: prev.i + 1 }, lastTs: last, createdAt: new Date(last.t * 1000).toISOString(), manifestPath: `oplog/${name}.manifest.json` });
      prev = last;
    }
  }
  return entries;
}

/**
 * What prune.js must print for a catalog, from the TypeScript pruner: each deleted manifest's
 * reason, then the manifest and its artifact, then the leftovers, then the counts.
 */
function expectedPruneOutput(manifests: (CatalogEntry & { artifactPath: string })[], policy: { daily: number; weekly: number }, leftovers: string[]): string[] {
  const decision = prune(manifests, new Date().toISOString(), policy);
  const out: string[] = [];
  const printed = new Set<string>();
  const remove = (p: string) => {
    if (!printed.has(p)) out.push(`delete ${p}`);
    printed.add(p);
  };
  for (const { manifest, reason } of decision.delete) {
    out.push(`reason ${manifest.manifestPath} ${String(reason).replace(/\s+/g, " ")}`);
    remove(manifest.manifestPath);
    remove(manifest.artifactPath);
  }
  for (const l of leftovers) remove(l);
  out.push(`kept=${decision.keep.length}`, `deleted=${decision.delete.length}`);
  return out;
}

/** The probes of the embedded functions (PROBES below), each checked by its own test. */
const PROBE_TITLES: Record<string, string> = {
  reconcile: "planReconfig (live configs with NumberLong and ObjectId), memberStatesFromStatus, planUserChanges, defaultRWConcernNeedsUpdate give the TypeScript results",
  sharding: "planSharding gives the TypeScript results for the synthesized desired state",
  balancer: "openWindow and closeWindow (leases with Dates) give the TypeScript results",
  timestamps: "member-connection.js's plainTs reads the shell's Timestamps (also past 2^31) as unsigned seconds and ordinals",
  retention: "retentionSteps driven by driveSync asks for what the TypeScript run asked for, with the same totals",
  callbacks: "a shell call inside an Array callback is awaited before the callback's result is used (initiate.js's .find(setNameOf))",
};

interface Context {
  pods: Pod[];
  maps: ConfigMapData[];
  port: number;
}

/** Each case starts in beforeAll (queued on the two shells) and is checked by its own test. */
type Started = Record<string, Promise<Record<string, unknown>>>;

describeReal("the pods' mongosh scripts in the real MongoDB Shell", () => {
  const started: Started = {};
  let ctx: Context;
  const result = <T>(id: string) => started[id] as Promise<T>;

  beforeAll(async () => {
    const envs = await synthesizeEveryEnvironment();
    ctx = { pods: podsOf(envs), maps: configMapsOf(envs), port: await closedPort() };
    for (const [id, start] of Object.entries(CASES)) started[id] = start(ctx);
    // A rejection is reported by the case's own test.
    for (const p of Object.values(started)) p.catch(() => undefined);
  }, 60000);

  // Runs still queued when a test filter (-t) skipped their tests end before Jest does; then the
  // synthesized copy and the pods' directories go.
  afterAll(async () => {
    await Promise.allSettled(Object.values(started));
    removeTempDirs();
  }, 60000);

  // A test waits for its case, which may still be queued behind every case before it on the two
  // shells, so this bounds the queue, not one run: each run is killed on its own after its
  // runProgram timeoutMs (real-shell.ts), which is what catches a hang. A 40 s limit here failed
  // whichever test's case was queued last whenever the machine was busy (load average 4 and up).
  const TIMEOUT = 300000;

  describe("coverage", () => {
    it("runs every .js key of every ConfigMap of every environment, one text per key across environments", () => {
      const byKey = new Map<string, Set<string>>();
      for (const cm of ctx.maps) {
        for (const [key, text] of Object.entries(cm.data)) {
          if (!key.endsWith(".js")) continue;
          if (!byKey.has(key)) byKey.set(key, new Set());
          byKey.get(key)!.add(text);
        }
      }
      const unknown = [...byKey.keys()].filter((k) => !(k in COVERED_BY)).sort();
      expect(unknown).toEqual([]);
      for (const [key, texts] of byKey) expect({ key, variants: texts.size }).toEqual({ key, variants: 1 });
      for (const [key, cases] of Object.entries(COVERED_BY)) {
        expect(byKey.has(key)).toBe(true);
        for (const c of cases) expect(Object.keys(CASES)).toContain(c);
      }
      expect(Object.keys(PROBES).sort()).toEqual(Object.keys(PROBE_TITLES).sort());
    });
  });

  describe("--nodb backup scripts on real catalogs and artifacts", () => {
    it(
      "prune.js: the TypeScript pruner's decisions under the pod's policy, manifests first, then old leftovers",
      async () => {
        const r = await result<{ run: Run; shim: Run; expected: string[]; policy: { daily: number; weekly: number } }>("prune");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(undated(r.run.stdout))).toEqual(r.expected.map(undated));
        expect(r.policy).toEqual({ daily: 7, weekly: 4 });
        expect(r.expected.filter((l) => l.startsWith("delete full/")).length).toBeGreaterThan(10);
        expect(undated(r.run.stdout)).toBe(undated(r.shim.stdout));
      },
      TIMEOUT,
    );

    it(
      "slice-plan.js: catalog.js's slice plan (here after a chain break)",
      async () => {
        const r = await result<{ run: Run; shim: Run; expected: string[] }>("slice-plan");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(r.run.stdout)).toEqual(r.expected);
        expect(r.run.stdout).toBe(r.shim.stdout);
        expect(r.expected.some((l) => l.startsWith("chainBreak=chain broken"))).toBe(true);
      },
      TIMEOUT,
    );

    it(
      "recovery-point.js: the newest point the planner's chain logic reaches, its lag behind the set's newest write, in status/recovery-point.json",
      async () => {
        const r = await result<{ run: Run; status: Record<string, unknown>; newest: { t: number; i: number }; interval: number }>("recovery-point");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(r.interval).toBe(300);
        expect(lines(r.run.stdout)).toEqual([`restorableUntil=${r.newest.t}:${r.newest.i}`, "lagSeconds=120", "maxLagSeconds=900", "exceeded=0"]);
        expect(r.status).toMatchObject({ kind: "recovery-point", restorableUntil: { t: r.newest.t, i: r.newest.i }, recoveryPointLagSeconds: 120, maxRecoveryPointLagSeconds: 900, sliceIntervalSeconds: 300 });
      },
      TIMEOUT,
    );

    it(
      "catalog-head.js: the head catalog.js computes, written as status/catalog-head, and loaded back into an empty catalog",
      async () => {
        const r = await result<{ write: Run; load: Run; text: string; expected: string; pulled: number; entries: number }>("catalog-head");
        expect(r.write.stderr).toBe("");
        expect(r.write.code).toBe(0);
        expect(r.text).toBe(r.expected);
        expect(r.load.code).toBe(0);
        expect(r.pulled).toBe(r.entries);
      },
      TIMEOUT,
    );

    it(
      "verify-plan.js: catalog.js's verification plan",
      async () => {
        const r = await result<{ run: Run; shim: Run; expected: string[] }>("verify-plan");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(r.run.stdout)).toEqual(r.expected);
        expect(r.run.stdout).toBe(r.shim.stdout);
      },
      TIMEOUT,
    );

    it(
      "restore-plan.js: the steps of the TypeScript restore planner's plan (unpack the base, then its slices)",
      async () => {
        const r = await result<{ run: Run; expected: string[] }>("restore-plan");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(r.run.stdout)).toEqual(r.expected);
        expect(r.expected.length).toBeGreaterThan(2);
      },
      TIMEOUT,
    );

    it(
      "replay-oplog.js: the one merged, trimmed oplog of a restore, byte for byte what oplog-merge.js writes in Node",
      async () => {
        const r = await result<{ run: Run; expected: string[]; merged: string; mergedInNode: string }>("replay-oplog");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(r.run.stdout)).toEqual(r.expected);
        // 3 of the base, then 1000:6 1100:1 1100:2 1200:1 (1000:2 and 1000:5 at or before the base, 1300:1 past the limit).
        expect(r.expected.slice(0, 5)).toEqual(["entries=7", "fromBase=3", "fromSlices=4", "skippedAtOrBeforeBase=2", "skippedAtOrAfterLimit=1"]);
        expect(r.merged).toBe(r.mergedInNode);
      },
      TIMEOUT,
    );

    it(
      "restored-users.js with DUMP_DIR: moves the dump's users and roles out of the directory mongorestore reads and lists the users (issue 12)",
      async () => {
        const r = await result<{ run: Run; left: string[]; aside: string[] }>("users-set-aside");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(r.run.stdout)).toEqual(["setAside=system.roles.bson.gz,system.users.bson.gz", "count=3", "found=app@admin,mallory@admin,nyrkio-root@admin"]);
        expect(r.left).toEqual(["system.version.bson.gz"]);
        expect(r.aside).toEqual(["system.roles.bson.gz", "system.users.bson.gz"]);
      },
      TIMEOUT,
    );

    it(
      "write-manifest.js and write-status.js: files the TypeScript manifest parser accepts",
      async () => {
        const r = await result<{ manifest: Run; status: Run; manifestPath: string; statusPath: string }>("write-files");
        expect(r.manifest.stderr).toBe("");
        expect(r.manifest.code).toBe(0);
        expect(parseManifest(readFileSync(r.manifestPath, "utf8"), "m.json")).toEqual({
          schemaVersion: 2,
          kind: "oplog",
          format: "bson+gzip",
          file: "1714528812-4_1714529100-1.bson.gz",
          bytes: 1234,
          sha256: "c".repeat(64),
          replicaSet: "rs0",
          firstTs: { t: 1714528812, i: 5 },
          lastTs: { t: 1714529100, i: 1 },
          prevTs: { t: 1714528812, i: 4 },
          entries: 1840,
          createdAt: "2024-05-01T02:05:00Z",
          counts: { "nyrkio.results": 12 },
          tools: { mongodump: "100.10.0" },
        });
        expect(r.status.stderr).toBe("");
        expect(r.status.code).toBe(0);
        const status = JSON.parse(readFileSync(r.statusPath, "utf8"));
        expect(status).toEqual({
          kind: "oplog",
          replicaSet: "rs0",
          succeededAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          file: "1714528812-4_1714529100-1.bson.gz",
          lastTs: { t: 1714529100, i: 1 },
          lastTsIso: new Date(1714529100 * 1000).toISOString(),
          bytes: 1234,
        });
      },
      TIMEOUT,
    );

    it(
      "describe-artifact.js: the oplog window oplog-window.js reads in Node from a dump archive (the promise the file ends with is awaited)",
      async () => {
        const r = await result<{ run: Run; expected: string[] }>("describe-artifact");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(lines(r.run.stdout)).toEqual(r.expected);
        expect(r.expected).toEqual(["entries=3", "firstTs=1714528800:1", "lastTs=1714528812:4", "lastTerm=3"]);
      },
      TIMEOUT,
    );

    it(
      "describe-artifact.js: a corrupt artifact fails the run (exit 1) with the reader's message",
      async () => {
        const r = await result<{ run: Run }>("describe-artifact-corrupt");
        expect(r.run.code).toBe(1);
        expect(r.run.stdout).toBe("");
        expect(r.run.stderr).toMatch(/not a mongodump archive/);
        expect(r.run.stderr).not.toMatch(BROKEN_SCRIPT);
      },
      TIMEOUT,
    );
  });

  describe("server-facing scripts against a closed port", () => {
    it(
      "source-facts.js: each member's connection error on stderr (relayed to the job's log), none in the answer; exit 1",
      async () => {
        const r = await result<{ run: Run; members: string[] }>("source-facts");
        expectConnectionFailure(r.run);
        expect(r.run.stdout).toBe("");
        const errors = lines(r.run.stderr);
        expect(errors.slice(0, r.members.length)).toEqual(r.members.map((h) => expect.stringMatching(new RegExp(`^member ${h} skipped: .*ECONNREFUSED`))));
        expect(errors[errors.length - 1]).toBe(`Error: no reachable secondary or primary among ${r.members.join(", ")}`);
      },
      TIMEOUT,
    );

    it(
      "confirm-dumps.js (majority confirmation): a connection error, exit 1, no verdict",
      async () => {
        const r = await result<{ run: Run }>("confirm-dumps");
        expectConnectionFailure(r.run);
        expect(r.run.stdout).toBe("");
      },
      TIMEOUT,
    );

    it(
      "catalog.js's confirmationProblem in the pod is majority.ts's (embedded in pruner.js beside it): the same answer on every case",
      async () => {
        const r = await result<{ run: Run; expected: (string | null)[] }>("confirmation-parity");
        expect(r.run.stderr).toBe("");
        expect(r.run.code).toBe(0);
        expect(r.expected.filter((p) => p === null).length).toBeGreaterThan(0);
        expect(JSON.parse(r.run.stdout)).toEqual(r.expected);
      },
      TIMEOUT,
    );

    it(
      "target-facts.js (the restore Job's check of its target): a connection error, exit 1, no answer",
      async () => {
        const r = await result<{ run: Run }>("target-facts");
        expectConnectionFailure(r.run);
        expect(r.run.stdout).toBe("");
      },
      TIMEOUT,
    );

    it(
      "restored-users.js, drop-restore-user.js and restore-user.js (the temporary restore user): a connection error, exit 1",
      async () => {
        const r = await result<{ restored: Run; drop: Run; create: Run }>("restore-user-scripts");
        for (const run of [r.restored, r.drop, r.create]) {
          expect(run.timedOut).toBe(false);
          expect(`${run.stdout}\n${run.stderr}`).not.toMatch(BROKEN_SCRIPT);
          expect(`${run.stdout}\n${run.stderr}`).toMatch(CONNECTION_FAILURE);
          expect(run.code).toBe(1);
        }
      },
      TIMEOUT,
    );

    it(
      "snapshot-counts.js, compare-counts.js and verify-users.js: a connection error, exit 1, no counts written",
      async () => {
        const r = await result<{ counts: Run; compare: Run; users: Run; countsOut: string }>("counts");
        expectConnectionFailure(r.users);
        expect(r.users.stdout).toBe("");
        expectConnectionFailure(r.counts);
        expect(existsSync(r.countsOut)).toBe(false);
        expectConnectionFailure(r.compare);
        expect(r.compare.stdout).toBe("");
      },
      TIMEOUT,
    );

    it(
      "reconcile.js (the reconcile Job): reads its files, waits and retries, then its own error line and exit 1",
      async () => {
        const r = await result<{ run: Run }>("reconcile");
        expect(r.run.timedOut).toBe(false);
        expect(r.run.stderr).toBe("");
        expect(r.run.stdout).not.toMatch(BROKEN_SCRIPT);
        const events = lines(r.run.stdout).map((l) => JSON.parse(l));
        const kinds = events.map((e) => e.event);
        expect(kinds[0]).toBe("start");
        expect(kinds[kinds.length - 1]).toBe("error");
        const waits = kinds.slice(1, -1);
        expect(waits.length).toBeGreaterThanOrEqual(1);
        expect(waits.every((k) => k === "waiting")).toBe(true);
        expect(events[0]).toMatchObject({ replicaSet: "rs0", members: [{ _id: 0 }, { _id: 1 }, { _id: 100 }] });
        expect(events[1]).toMatchObject({ for: "primary", attempt: 1, reason: expect.stringMatching(CONNECTION_FAILURE) });
        expect(events[events.length - 1].message).toMatch(/^no primary of replica set rs0 to log in to as root after \d+ s \(last: .*ECONNREFUSED.*\); the bootstrap/);
        expect(r.run.code).toBe(1);
      },
      TIMEOUT,
    );

    it(
      "retention.js (the retention CronJob): a connection error before any output; mongosh.conf is honoured (no log file)",
      async () => {
        const r = await result<{ run: Run; home: string }>("retention");
        expectConnectionFailure(r.run);
        expect(r.run.stdout).toBe("");
        const logDir = join(r.home, ".mongodb/mongosh");
        const logs = existsSync(logDir) ? readdirSync(logDir).filter((f) => f.endsWith("_log")) : [];
        expect(logs).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      "probe.sh readiness (the member's readiness probe): mongosh's connection error, exit 1",
      async () => {
        const r = await result<{ run: Run; command: string[] }>("readiness-probe");
        expect(r.command.slice(-1)).toEqual(["readiness"]);
        expectConnectionFailure(r.run);
      },
      TIMEOUT,
    );

    it(
      "readiness.js, initiate.js, create-bootstrap-user.js (bootstrap) with --nodb: parsed, started, stopped at their first use of db",
      async () => {
        const r = await result<{ runs: Record<string, Run> }>("bootstrap-nodb");
        expect(Object.keys(r.runs).sort()).toEqual(["create-bootstrap-user.js", "initiate.js", "readiness.js"]);
        for (const run of Object.values(r.runs)) expectStoppedAtDb(run);
      },
      TIMEOUT,
    );

    it(
      "rotate-certificates.js, arbiter-restart.js (the TLS sidecar's) with --nodb: parsed, started, their own error line at the first use of db, exit 1",
      async () => {
        const r = await result<{ runs: Record<string, Run> }>("tls-scripts-nodb");
        expect(Object.keys(r.runs).sort()).toEqual(["arbiter-restart.js", "rotate-certificates.js"]);
        for (const run of Object.values(r.runs)) {
          expect(run.timedOut).toBe(false);
          expect(`${run.stdout}\n${run.stderr}`).not.toMatch(BROKEN_SCRIPT);
          const logged = lines(run.stdout).map((l) => JSON.parse(l));
          // The scripts catch the shell's error and print its message (no class name in front).
          expect(logged).toEqual([expect.objectContaining({ event: "error", message: expect.stringMatching(/\[SHAPI-10004\] No connected database/) })]);
          expect(run.code).toBe(1);
        }
      },
      TIMEOUT,
    );

    it(
      "run-sharding-job.sh (the sharding Job): its own 'mongos did not answer' line and exit 1",
      async () => {
        const r = await result<{ run: Run }>("sharding-job");
        expect(r.run.timedOut).toBe(false);
        expect(`${r.run.stdout}${r.run.stderr}`).not.toMatch(BROKEN_SCRIPT);
        const logged = lines(r.run.stdout).map((l) => JSON.parse(l));
        expect(logged).toEqual([expect.objectContaining({ job: "sharding", level: "error", msg: "mongos did not answer within 0 s" })]);
        expect(r.run.code).toBe(1);
      },
      TIMEOUT,
    );

    it(
      "shard-cluster.js with --nodb: reads the desired state, then stops at db",
      async () => {
        const r = await result<{ run: Run }>("shard-cluster-nodb");
        expectStoppedAtDb(r.run);
      },
      TIMEOUT,
    );

    it(
      "balancer-window.sh (a sharded full dump): its own 'could not open' line, then the dump runs marked unwindowed",
      async () => {
        const r = await result<{ run: Run; marker: string; nodb: Run; stateFile: string }>("balancer-window");
        expect(r.run.timedOut).toBe(false);
        expect(`${r.run.stdout}${r.run.stderr}`).not.toMatch(BROKEN_SCRIPT);
        expect(r.run.stderr).toMatch(CONNECTION_FAILURE);
        expect(lines(r.run.stdout).map((l) => JSON.parse(l))).toEqual([
          expect.objectContaining({ level: "error", msg: expect.stringContaining("could not open the balancer window: running bash WITHOUT it") }),
        ]);
        // Issue 13: a replica set's dump is better than none; its manifest says it was unwindowed.
        expect(r.run.code).toBe(0);
        expect(readFileSync(r.marker, "utf8")).toBe("unwindowed");
        expectStoppedAtDb(r.nodb);
        expect(existsSync(r.stateFile) ? readFileSync(r.stateFile, "utf8") : "").toBe("");
      },
      TIMEOUT,
    );
  });

  describe("embedded functions (Function.prototype.toString(), as synthesized) with the shell's BSON types, in one shell run", () => {
    for (const [name, what] of Object.entries(PROBE_TITLES)) {
      it(
        `${name}: ${what}`,
        async () => {
          const r = await result<{ run: Run; expected: Record<string, string[]> }>("probes");
          expect(r.run.stderr).toBe("");
          expect(r.run.code).toBe(0);
          expect(sections(r.run.stdout)[name]).toEqual(r.expected[name]);
        },
        TIMEOUT,
      );
    }
  });
});

// ---- the cases: each lays out its pod, starts its shells and returns what its test checks ----

const cmData = (ctx: Context, environment: string, name: string): Record<string, string> => {
  const cm = ctx.maps.find((m) => m.environment === environment && m.name === name);
  if (!cm) throw new Error(`no ConfigMap ${name} in ${environment}`);
  return cm.data;
};
/** A backup CronJob's main container, mounted. */
const backupPod = (ctx: Context, environment: string, job: string, container: string) => mountContainer(findPod(ctx.pods, environment, job), container);
const closedHosts = (ctx: Context, hosts: string) =>
  hosts
    .split(",")
    .filter(Boolean)
    .map(() => `127.0.0.1:${ctx.port}`);

const CASES: Record<string, (ctx: Context) => Promise<Record<string, unknown>>> = {
  async prune(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-full", "full-dump");
    // Forty days of daily dumps ending today, after an older generated catalog (branches, gaps,
    // ordinals near 2^32): the pod's policy keeps the newest days and weeks.
    const { dir } = podCatalog(m, [...generateCatalog(11), ...dailyCatalog(40)]);
    // Crash leftovers: an old partial file and an old artifact no manifest names go; a fresh
    // partial file belongs to a running job and stays.
    const old = Date.now() / 1000 - 2 * DAY;
    for (const [rel, mtime] of [["full/.stale.archive.gz.part", old], ["full/orphan.archive.gz", old], ["oplog/.fresh.bson.gz.part", Date.now() / 1000]] as const) {
      writeFileSync(join(dir, rel), "x");
      utimesSync(join(dir, rel), mtime, mtime);
    }
    const policy = { daily: Number(m.env.RETENTION_DAILY), weekly: Number(m.env.RETENTION_WEEKLY) };
    // prune.sh's defaults: the pruner beside the scripts, LEFTOVER_MIN_AGE_SECONDS unset (a day).
    const env = { CATALOG_DIR: dir, BACKUP_PRUNER: join(backupMongoshDir(m), "pruner.js") };
    const catalog = require(join(backupMongoshDir(m), "catalog.js"));
    const expected = expectedPruneOutput(catalog.loadCatalog(dir), policy, ["full/.stale.archive.gz.part", "full/orphan.archive.gz"]);
    const [run, shim] = await Promise.all([runJs(m, "prune.js", env), shimRun(m, "prune.js", env)]);
    return { run, shim, expected, policy };
  },

  async "slice-plan"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-oplog", "oplog-slice");
    const { dir, entries } = podCatalog(m, generateCatalog(5));
    const catalog = require(join(backupMongoshDir(m), "catalog.js"));
    const newest = entries.reduce((a, e) => (e.lastTs.t > a.t || (e.lastTs.t === a.t && e.lastTs.i > a.i) ? e.lastTs : a), { t: 0, i: 0 });
    // The oplog rolled past the catalog's end: restore points were lost (the longest output).
    const facts = { oldest: { t: newest.t + 100, i: 1 }, majority: { t: newest.t + 600, i: 2 }, applied: { t: newest.t + 660, i: 1 }, setNewest: { t: newest.t + 700, i: 3 } };
    const plan = catalog.slicePlan({ manifests: catalog.loadCatalog(dir), ...facts, countsEverySeconds: Number(m.env.BACKUP_COUNTS_EVERY_SECONDS) });
    const expected = [
      `action=${plan.action}`,
      ...(plan.from ? [`from=${tsText(plan.from)}`] : []),
      `to=${tsText(plan.to)}`,
      ...(plan.chainBreak ? [`chainBreak=${plan.chainBreak}`] : []),
      ...(plan.reason ? [`reason=${plan.reason}`] : []),
      `countsAfter=${plan.countsAfter}`,
      `commitLagSeconds=${plan.commitLagSeconds}`,
    ];
    const env = { CATALOG_DIR: dir, OPLOG_OLDEST: tsText(facts.oldest), OPLOG_MAJORITY: tsText(facts.majority), OPLOG_APPLIED: tsText(facts.applied), OPLOG_SET_NEWEST: tsText(facts.setNewest) };
    const [run, shim] = await Promise.all([runJs(m, "slice-plan.js", env), shimRun(m, "slice-plan.js", env)]);
    return { run, shim, expected };
  },

  async "recovery-point"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-oplog", "oplog-slice");
    const { dir, entries } = podCatalog(m, generateCatalog(5));
    const newest = restoreWindows(entries).at(-1)!.to;
    const out = join(m.env.BACKUP_WORK, "recovery-point.json");
    const env = { CATALOG_DIR: dir, STATUS_OUT: out, OPLOG_SET_NEWEST: `${newest.t + 120}:1`, BACKUP_PRUNER: join(backupMongoshDir(m), "pruner.js") };
    const run = await runJs(m, "recovery-point.js", env);
    return { run, status: existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : undefined, newest, interval: Number(m.env.BACKUP_SLICE_INTERVAL_SECONDS) };
  },

  async "catalog-head"(ctx) {
    // The slice job's catalog head (issue 10 item 8): written from a catalog, loaded into an empty one.
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-oplog", "oplog-slice");
    const { dir } = podCatalog(m, generateCatalog(4));
    const catalog = require(join(backupMongoshDir(m), "catalog.js"));
    const head = catalog.catalogHead(catalog.loadCatalog(dir), [], analyzeChain);
    const out = join(m.env.BACKUP_WORK, "catalog-head");
    const pruner = join(backupMongoshDir(m), "pruner.js");
    const write = await runJs(m, "catalog-head.js", { HEAD_MODE: "write", CATALOG_DIR: dir, STATUS_OUT: out, BACKUP_PRUNER: pruner });
    const pulled = join(m.env.BACKUP_WORK, "pulled");
    mkdirSync(pulled, { recursive: true });
    const load = await runJs(m, "catalog-head.js", { HEAD_MODE: "load", HEAD_FILE: out, CATALOG_DIR: pulled, BACKUP_PRUNER: pruner });
    return { write, load, text: existsSync(out) ? readFileSync(out, "utf8") : "", expected: catalog.headText(head), pulled: catalog.loadCatalog(pulled).length, entries: head.entries.length };
  },

  async "confirmation-parity"(ctx) {
    // The pod's catalog.js, required by the real shell with no BACKUP_PRUNER: it finds pruner.js
    // beside it, as in the pod, and answers with the rule embedded there.
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-oplog", "oplog-slice");
    const lastTs = { t: 2050, i: 1 };
    const manifest = { lastTs, lastTerm: 5 };
    const good = { kind: "majority-confirmation", schemaVersion: 1, manifest: "a.manifest.json", lastTs, lastTerm: 5, majority: { ts: { t: 2060, i: 1 }, t: 5 }, member: "h:27017", confirmedAt: "2024-05-01T00:00:00Z" };
    const cases: [unknown, { lastTs: { t: number; i: number }; lastTerm?: number }, string][] = [
      [good, manifest, "a.manifest.json"],
      [{ ...good, majority: { ts: lastTs, t: 5 } }, manifest, "a.manifest.json"],
      [{ ...good, majority: { ts: { t: 2050, i: 0 }, t: 5 } }, manifest, "a.manifest.json"],
      [{ ...good, majority: { ts: { t: 2060, i: 1 }, t: 5.5 } }, manifest, "a.manifest.json"],
      [{ ...good, majority: undefined }, manifest, "a.manifest.json"],
      [{ ...good, lastTs: { t: 2050, i: 2 } }, manifest, "a.manifest.json"],
      [{ ...good, lastTerm: 6 }, manifest, "a.manifest.json"],
      [good, { lastTs }, "a.manifest.json"],
      [good, manifest, "b.manifest.json"],
      [{ ...good, schemaVersion: 2 }, manifest, "a.manifest.json"],
      [{ ...good, kind: "other" }, manifest, "a.manifest.json"],
      [null, manifest, "a.manifest.json"],
      [[good], manifest, "a.manifest.json"],
      ["text", manifest, "a.manifest.json"],
    ];
    const script = [
      `const catalog = require(${JSON.stringify(join(backupMongoshDir(m), "catalog.js"))});`,
      `const cases = ${JSON.stringify(cases)};`,
      "const answers = cases.map((c) => { const p = catalog.confirmationProblem(c[0], c[1], c[2]); return p === undefined ? null : p; });",
      "print(JSON.stringify(answers));",
    ].join("\n");
    // JSON drops undefined fields as the probe's literal does: the expected answers see the same inputs.
    const expected = (JSON.parse(JSON.stringify(cases)) as typeof cases).map(([r, mm, n]) => confirmationProblem(r, mm, n) ?? null);
    return { run: await probeRun("confirmation", script), expected };
  },

  async "confirm-dumps"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-oplog", "oplog-slice");
    return { run: await runJs(m, "confirm-dumps.js", { FACTS_HOST: `127.0.0.1:${ctx.port}`, DUMP_LAST_TS: "1714528812:4", DUMP_LAST_TERM: "3", CONFIRM_DIR: m.env.BACKUP_WORK, BACKUP_PRUNER: join(backupMongoshDir(m), "pruner.js") }) };
  },

  async "verify-plan"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-verify", "verify");
    // Counts on every other artifact, as the jobs record them every countsEverySeconds.
    const generated = generateCatalog(3).map((e, k) => (k % 2 === 0 ? { ...e, counts: { "nyrkio.results": k } } : e));
    const { dir } = podCatalog(m, generated);
    const catalog = require(join(backupMongoshDir(m), "catalog.js"));
    const plan = catalog.verificationPlan(catalog.loadCatalog(dir), analyzeChain);
    const expected = [
      `full=${plan.full.artifactPath}`,
      `checkpoint=${plan.checkpoint.manifestPath}`,
      `checkpointTs=${tsText(plan.checkpoint.lastTs)}`,
      `end=${tsText(plan.end.lastTs)}`,
      `slices=${plan.chain.length}`,
      ...(plan.gap ? [`gap=${plan.gap}`] : []),
      ...catalog.stepLines(plan.steps),
    ];
    const env = { CATALOG_DIR: dir };
    const [run, shim] = await Promise.all([runJs(m, "verify-plan.js", env), shimRun(m, "verify-plan.js", env)]);
    return { run, shim, expected };
  },

  async "restore-plan"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-restore", "restore");
    const { dir, entries } = podCatalog(m, dailyCatalog(4));
    const window = restoreWindows(entries)[0];
    const target = parseTarget("to", tsText({ t: window.to.t - 3 * 3600, i: 7 }));
    if (!target.ok) throw new Error(target.error);
    const planned = planRestore(entries, target.target, { catalogDir: "/home/sre/catalog", configFile: "/tmp/restore.yaml", workDir: "/tmp/work", drop: false, numParallelCollections: 4, numInsertionWorkersPerCollection: 4 });
    if (!planned.ok) throw new Error(planned.error);
    const plan = planned.plan;
    // The SRE puts `npm run restore -- plan --json`'s output into the plan ConfigMap.
    const planFile = join(m.env.RESTORE_PLAN_DIR, "plan.json");
    writeFileSync(planFile, JSON.stringify(planJson(plan), null, 2));
    const formatOf = (file: string) => entries.find((e) => artifactPath(e) === file)!.format;
    const expected = [
      `oplogLimit=${plan.oplogLimit}`,
      ...plan.artifacts.map((s) => ["step", s.kind === "full" ? "unpack" : "oplog", s.file, s.sha256, s.bytes, plan.oplogLimit, s.manifestPath, formatOf(s.file)].join(" ")),
    ];
    const run = await runJs(m, "restore-plan.js", { PLAN_FILE: planFile, CATALOG_DIR: dir });
    return { run, expected };
  },

  async "replay-oplog"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-restore", "restore");
    const builder = require(join(REPO_ROOT, "test/backup/mongosh/fixtures/artifact-builder.js"));
    const { mergeOplog } = require(join(REPO_ROOT, "backup/mongosh/oplog-merge.js"));
    const work = m.env.BACKUP_WORK;
    const dir = join(work, "replay-catalog");
    mkdirSync(join(dir, "full"), { recursive: true });
    mkdirSync(join(dir, "oplog"), { recursive: true });
    // The base ends at 1000:5; the first slice straddles it (entries at 1000:2..1000:5 must go), the limit cuts the second.
    writeFileSync(join(work, "oplog.bson.gz"), gzipSync(builder.bsonStream(["990:1", "1000:2", "1000:5"])));
    writeFileSync(join(dir, "full/base.manifest.json"), JSON.stringify({ lastTs: { t: 1000, i: 5 } }));
    writeFileSync(join(dir, "oplog/a.bson.gz"), gzipSync(builder.bsonStream(["1000:2", "1000:5", "1000:6", "1100:1"])));
    writeFileSync(join(dir, "oplog/b.bson"), builder.bsonStream(["1100:2", "1200:1", "1300:1"]));
    const sha = "e".repeat(64);
    const steps = join(work, "steps");
    writeFileSync(
      steps,
      [
        `step unpack full/base.dump.tar ${sha} 1 1250:0 full/base.manifest.json dir-tar+gzip`,
        `step oplog oplog/a.bson.gz ${sha} 1 1250:0 oplog/a.manifest.json bson+gzip`,
        `step oplog oplog/b.bson ${sha} 1 1250:0 oplog/b.manifest.json bson`,
        "",
      ].join("\n"),
    );
    const out = join(work, "merged.bson.gz");
    const run = await runJs(m, "replay-oplog.js", { STEPS_FILE: steps, CATALOG_DIR: dir, BASE_OPLOG: join(work, "oplog.bson.gz"), MERGE_LIMIT: "1250:0", MERGE_OUT: out });
    const nodeOut = join(work, "merged-node.bson.gz");
    const r = await mergeOplog(
      { base: { path: join(work, "oplog.bson.gz"), gzip: true }, slices: [{ path: join(dir, "oplog/a.bson.gz"), gzip: true }, { path: join(dir, "oplog/b.bson"), gzip: false }], after: { t: 1000, i: 5 }, limit: { t: 1250, i: 0 }, gzipOut: true },
      nodeOut,
    );
    const expected = [`entries=${r.entries}`, `fromBase=${r.fromBase}`, `fromSlices=${r.fromSlices}`, `skippedAtOrBeforeBase=${r.skippedAtOrBeforeBase}`, `skippedAtOrAfterLimit=${r.skippedAtOrAfterLimit}`, `skippedUsersAndRoles=${r.skippedUsersAndRoles}`, `lastTs=${tsText(r.lastTs)}`];
    return { run, expected, merged: gunzipSync(readFileSync(out)).toString("hex"), mergedInNode: gunzipSync(readFileSync(nodeOut)).toString("hex") };
  },

  // The in-cluster restore sets the dump's users and roles aside before its mongorestore call
  // (issue 12; dump-authz.js): the real shell moves the files and lists the users as Node does.
  async "users-set-aside"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-restore", "restore");
    const builder = require(join(REPO_ROOT, "test/backup/mongosh/fixtures/artifact-builder.js"));
    const dump = join(m.env.BACKUP_WORK, "base", "dump");
    mkdirSync(join(dump, "admin"), { recursive: true });
    writeFileSync(join(dump, "admin", "system.users.bson.gz"), gzipSync(Buffer.concat(builder.DUMP_USERS.map(builder.userDocument))));
    writeFileSync(join(dump, "admin", "system.roles.bson.gz"), gzipSync(Buffer.alloc(0)));
    writeFileSync(join(dump, "admin", "system.version.bson.gz"), gzipSync(Buffer.alloc(0)));
    const aside = join(m.env.BACKUP_WORK, "users-and-roles");
    const run = await runJs(m, "restored-users.js", { DUMP_DIR: dump, AUTHZ_ASIDE: aside });
    return { run, left: readdirSync(join(dump, "admin")).sort(), aside: readdirSync(aside).sort() };
  },

  async "write-files"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-oplog", "oplog-slice");
    const work = m.env.BACKUP_WORK;
    writeFileSync(join(work, "counts.json"), JSON.stringify({ "nyrkio.results": 12 }));
    const manifestPath = join(work, ".m.json.part");
    const manifest = await runJs(m, "write-manifest.js", {
      M_OUT: manifestPath,
      M_KIND: "oplog",
      M_FILE: "1714528812-4_1714529100-1.bson.gz",
      M_BYTES: "1234",
      M_SHA256: "c".repeat(64),
      M_REPLSET: "rs0",
      M_FIRST: "1714528812:5",
      M_LAST: "1714529100:1",
      M_PREV: "1714528812:4",
      M_ENTRIES: "1840",
      M_CREATED_AT: "2024-05-01T02:05:00Z",
      M_COUNTS: join(work, "counts.json"),
      M_TOOLS: "mongodump=100.10.0",
    });
    const statusPath = join(work, ".status.json.part");
    const status = await runJs(m, "write-status.js", { STATUS_OUT: statusPath, STATUS_KIND: "oplog", STATUS_REPLSET: "rs0", STATUS_MANIFEST: manifestPath });
    return { manifest, status, manifestPath, statusPath };
  },

  async "describe-artifact"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-full", "full-dump");
    const builder = require(join(REPO_ROOT, "test/backup/mongosh/fixtures/artifact-builder.js"));
    const windowReader = require(join(backupMongoshDir(m), "oplog-window.js"));
    const archive = join(m.env.BACKUP_WORK, "dump.archive.gz");
    writeFileSync(archive, gzipSync(builder.archive(["1714528800:1", "1714528805:2", "1714528812:4"], { splitOplog: true })));
    const w = await windowReader.archiveOplogWindow(archive);
    const expected = [`entries=${w.entries}`, `firstTs=${tsText(w.firstTs)}`, `lastTs=${tsText(w.lastTs)}`, `lastTerm=${w.lastTerm}`];
    return { run: await runJs(m, "describe-artifact.js", { ARTIFACT: archive, ARTIFACT_KIND: "full" }), expected };
  },

  async "describe-artifact-corrupt"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-full", "full-dump");
    const bad = join(m.env.BACKUP_WORK, "bad.archive.gz");
    writeFileSync(bad, gzipSync(Buffer.from("not an archive at all")));
    return { run: await runJs(m, "describe-artifact.js", { ARTIFACT: bad, ARTIFACT_KIND: "full" }) };
  },

  async "target-facts"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-restore", "restore");
    const userDir = join(m.env.BACKUP_WORK, "restore-user");
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, "username"), "nyrkio-restore\n");
    writeFileSync(join(userDir, "password"), "pw\n");
    return { run: await runJs(m, "target-facts.js", { TARGET: `rs0/127.0.0.1:${ctx.port}`, RESTORE_USER_DIR: userDir }) };
  },

  // The temporary restore user's scripts (issue 12): the restore Job's report of the users it
  // restored and its drop of its own user, and the restore-user Job's creation of it.
  async "restore-user-scripts"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-restore", "restore");
    const userDir = join(m.env.BACKUP_WORK, "restore-user");
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, "username"), "restore-abcdefghijklmnop1234\n");
    writeFileSync(join(userDir, "password"), "pw\n");
    const env = { TARGET: `rs0/127.0.0.1:${ctx.port}`, RESTORE_USER_DIR: userDir };
    const u = backupPod(ctx, "dev", "mongodb-rs0-restore-user", "restore-user");
    const secrets = (name: string, user: string) => {
      const dir = join(u.env.HOME ?? u.env.BACKUP_WORK ?? m.env.BACKUP_WORK, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "username"), `${user}\n`);
      // restore-user.js refuses a temporary password under 16 characters.
      writeFileSync(join(dir, "password"), "pw-0123456789abcdef\n");
      return dir;
    };
    const create = await runJs(u, "restore-user.js", {
      RESTORE_CREDENTIALS_DIR: secrets("restore-credentials", "restore-abcdefghijklmnop1234"),
      ROOT_SECRET_DIR: secrets("root", "root"),
      BACKUP_MEMBERS: closedHosts(ctx, u.env.BACKUP_MEMBERS).join(","),
      RESTORE_PLAN_DIR: join(m.env.BACKUP_WORK, "no-plan"),
    });
    return { restored: await runJs(m, "restored-users.js", env), drop: await runJs(m, "drop-restore-user.js", env), create };
  },

  async "source-facts"(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-full", "full-dump");
    const members = closedHosts(ctx, m.env.BACKUP_MEMBERS);
    expect(members.length).toBeGreaterThan(1);
    const run = await runJs(m, "source-facts.js", { BACKUP_MEMBERS: members.join(",") });
    return { run, members };
  },

  async counts(ctx) {
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-full", "full-dump");
    const countsOut = join(m.env.BACKUP_WORK, "counts.json");
    const counts = await runJs(m, "snapshot-counts.js", { BACKUP_SOURCE: `127.0.0.1:${ctx.port}`, COUNTS_TS: "1714528812:4", COUNTS_OUT: countsOut });
    const v = backupPod(ctx, "dev", "mongodb-rs0-backup-verify", "verify");
    // verify.sh's TARGET_URI, for its throwaway mongod on localhost.
    const verifySh = readFileSync(v.at("/opt/nyrkio/backup/scripts/verify.sh"), "utf8");
    expect(verifySh).toContain('target_uri="mongodb://127.0.0.1:$port/?directConnection=true"');
    const expectedManifest = join(v.env.BACKUP_WORK, "m.json");
    writeFileSync(expectedManifest, JSON.stringify({ counts: { "nyrkio.results": 3, "nyrkio.tests": 1 } }));
    const userDir = (name: string) => {
      const dir = join(v.env.BACKUP_WORK, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "username"), name);
      writeFileSync(join(dir, "password"), "pw-0123456789abcdef");
      return dir;
    };
    const target = { TARGET_URI: `mongodb://127.0.0.1:${ctx.port}/?directConnection=true` };
    const compare = await runJs(v, "compare-counts.js", { ...target, TARGET_USER_DIR: userDir("restore"), EXPECTED_MANIFEST: expectedManifest });
    // verify-users.js with the pod's own VERIFY_RESTORE_ROLE: parsed, started, then the closed port.
    expect(v.env.VERIFY_RESTORE_ROLE).toBeDefined();
    const users = await runJs(v, "verify-users.js", { ...target, VERIFY_ADMIN_DIR: userDir("admin"), VERIFY_RESTORE_DIR: userDir("restore") });
    return { counts, compare, users, countsOut };
  },

  async reconcile(ctx) {
    const m = mountContainer(findPod(ctx.pods, "dev", /^mongodb-rs0-reconcile-/), "reconcile");
    const dir = m.at("/etc/nyrkio/reconcile");
    const desired = JSON.parse(readFileSync(join(dir, "replicaset.json"), "utf8"));
    for (const member of desired.members) member.host = `127.0.0.1:${ctx.port}`;
    writeFileSync(join(dir, "replicaset.json"), JSON.stringify(desired));
    // Short waits: a retry a second apart for 3 s. (With 1 s, a loaded machine's first attempt can
    // use up the whole wait, so the script gives up without a retry.)
    const settings = JSON.parse(readFileSync(join(dir, "settings.json"), "utf8"));
    writeFileSync(join(dir, "settings.json"), JSON.stringify({ ...settings, connectTimeoutSeconds: 3, pollIntervalSeconds: 1, serverSelectionTimeoutMS: 500 }));
    expect(m.command).toEqual(["mongosh", "--nodb", "--quiet", "--file", join(dir, "reconcile.js")]);
    return { run: await mongoshRun(m.command, m) };
  },

  async retention(ctx) {
    const m = mountContainer(findPod(ctx.pods, "dev", "mongodb-results-retention"), "retention");
    const paramsFile = m.at("/etc/nyrkio/retention/params.json");
    const params = JSON.parse(readFileSync(paramsFile, "utf8"));
    const options = new URLSearchParams(String(params.uri).split("?")[1]);
    expect(options.get("replicaSet")).toBe("rs0");
    // The script connects to this URI as it is: its members become the closed port, with the shortest server selection.
    options.set("serverSelectionTimeoutMS", "500");
    params.uri = `mongodb://127.0.0.1:${ctx.port}/?${options.toString()}`;
    writeFileSync(paramsFile, JSON.stringify(params));
    expect(m.command.slice(0, 4)).toEqual(["mongosh", "--nodb", "--quiet", "--file"]);
    return { run: await mongoshRun(m.command, m), home: shellEnv(m).HOME };
  },

  async "readiness-probe"(ctx) {
    const pod = findPod(ctx.pods, "dev", "mongodb-rs0");
    const m = mountContainer(pod, "mongod");
    const container = pod.spec.container.find((c: { name: string }) => c.name === "mongod");
    const command: string[] = container.readiness_probe.exec.command.map(m.rewrite);
    return { run: await mongoshRun(command, m, { MONGODB_PORT: String(ctx.port) }), command };
  },

  async "bootstrap-nodb"(ctx) {
    const m = mountContainer(findPod(ctx.pods, "dev", "mongodb-rs0"), "bootstrap");
    const scripts = m.at("/etc/nyrkio/scripts/mongosh");
    const runs: Record<string, Run> = {};
    await Promise.all(
      ["readiness.js", "initiate.js", "create-bootstrap-user.js"].map(async (s) => {
        runs[s] = await mongoshRun(["mongosh", "--nodb", "--quiet", "--norc", join(scripts, s)], m);
      }),
    );
    return { runs };
  },

  async "tls-scripts-nodb"(ctx) {
    const m = mountContainer(findPod(ctx.pods, "dev", "mongodb-rs0"), "bootstrap");
    const scripts = m.at("/etc/nyrkio/scripts/mongosh");
    const runs: Record<string, Run> = {};
    await Promise.all(
      ["rotate-certificates.js", "arbiter-restart.js"].map(async (s) => {
        runs[s] = await mongoshRun(["mongosh", "--nodb", "--quiet", "--norc", join(scripts, s)], m);
      }),
    );
    return { runs };
  },

  async "sharding-job"(ctx) {
    const m = mountContainer(findPod(ctx.pods, "sharded", /^mongodb-sharding-/), "sharding");
    const env = { MONGOS_URI: `mongodb://127.0.0.1:${ctx.port}/admin?serverSelectionTimeoutMS=500`, MONGOS_WAIT_SECONDS: "0" };
    return { run: await mongoshRun(m.command, m, env) };
  },

  async "shard-cluster-nodb"(ctx) {
    const m = mountContainer(findPod(ctx.pods, "sharded", /^mongodb-sharding-/), "sharding");
    return { run: await mongoshRun(["mongosh", "--nodb", "--quiet", "--norc", m.env.SHARDING_SCRIPT], m) };
  },

  async "balancer-window"(ctx) {
    const m = backupPod(ctx, "sharded", "mongodb-rs0-backup-full", "full-dump");
    expect(m.command.slice(0, 3)).toEqual(["bash", m.at("/opt/nyrkio/backup/sharding/balancer-window.sh"), "bash"]);
    const marker = join(m.at("/work"), "dump-ran");
    const env = { MONGOS_URI: `mongodb://127.0.0.1:${ctx.port}/admin?serverSelectionTimeoutMS=500`, STATE_DIR: m.at("/tmp"), BALANCER_HOLDER: "test-window" };
    // The wrapped command stands for the dump: without the window it runs, told so.
    const run = await mongoshRun([...m.command.slice(0, 2), "bash", "-c", `printf %s "$BALANCER_WINDOW" > ${marker}`], m, env);
    const stateFile = join(m.at("/tmp"), "balancer-state-nodb");
    const nodb = await mongoshRun(["mongosh", "--nodb", "--quiet", "--norc", m.env.BALANCER_SCRIPT], m, { BALANCER_ACTION: "open", BALANCER_HOLDER: "test-window", BALANCER_STATE_FILE: stateFile });
    return { run, marker, nodb, stateFile };
  },

  async probes(ctx) {
    const parts = Object.entries(PROBES).map(([name, build]) => ({ name, ...build(ctx, name) }));
    const clashes = clashingNames(parts.map((p) => p.script));
    if (clashes.length) throw new Error(`the probes cannot share a shell run: ${clashes.join(", ")} declared twice`);
    const run = await probeRun("embedded", parts.map((p) => p.script).join("\n"));
    return { run, expected: Object.fromEntries(parts.map((p) => [p.name, p.expected])) };
  },
};

/**
 * Probes of the embedded functions, all in one shell run (a shell start costs a second): each
 * gives its part of the script and the lines it must print.
 */
const PROBES: Record<string, (ctx: Context, name: string) => { script: string; expected: string[] }> = {
  reconcile(ctx, name) {
    const data = cmData(ctx, "dev", "mongodb-rs0-reconcile");
    const preamble = preambleOf(data["reconcile.js"], readFileSync(join(REPO_ROOT, "replicaset/mongosh/reconcile.js"), "utf8"));
    const desired = JSON.parse(data["replicaset.json"]);
    const users = JSON.parse(data["users.json"]);
    const rw = JSON.parse(data["rw-concern.json"]);
    const live = liveConfig(psa());
    const noSecondary = liveConfig([{ id: 0, priority: 2 }, { id: 100, priority: 0, arbiter: true }]);
    const mitigated = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0, votes: 0 }, { id: 100, priority: 0, arbiter: true }], { version: 4 });
    const plan = (l: typeof live, d: unknown) => ({ fn: "planReconfig", args: [{ live: l, desired: d, memberStates: healthy(l), defaultWriteConcernIsExplicit: true }] });
    const at = (ms: number) => new Date(1750000000000 + ms);
    const calls: ProbeCall[] = [
      plan(live, desired),
      plan(noSecondary, desired),
      plan(mitigated, desired),
      plan(live, { ...desired, _id: "other" }),
      {
        fn: "memberStatesFromStatus",
        args: [
          {
            members: [
              { name: host(0), stateStr: "PRIMARY", optimeDate: at(0), health: 1 },
              { name: host(1), stateStr: "SECONDARY", optimeDate: at(-4000), health: 1 },
              { name: host("arbiter"), stateStr: "ARBITER", health: 1 },
              { name: "mongodb-rs0-2.example:27017", stateStr: "STARTUP2", optimeDate: new Date(0), health: 1 },
            ],
          },
          10,
        ],
      },
      {
        fn: "planUserChanges",
        args: [
          { users: [{ user: "nyrkio-app", db: "admin", roles: [{ role: "readWrite", db: "nyrkio" }] }], roles: [] },
          { roles: users.roles, users: users.users.map((u: { name: string; db: string; roles: unknown }) => ({ name: u.name, user: `nyrkio-${u.name}`, db: u.db, roles: u.roles })) },
        ],
      },
      { fn: "defaultRWConcernNeedsUpdate", args: [{ defaultWriteConcern: { w: 1, wtimeout: 0 }, defaultWriteConcernSource: "implicit", defaultReadConcernSource: "implicit" }, rw] },
      { fn: "defaultRWConcernNeedsUpdate", args: [{ ...rw, defaultWriteConcernSource: "global", defaultReadConcernSource: "global" }, rw] },
    ];
    const expected = expectedLines({ planReconfig, memberStatesFromStatus, planUserChanges, defaultRWConcernNeedsUpdate } as never, calls);
    return { script: probeScript(name, preamble, calls), expected };
  },

  sharding(ctx, name) {
    const data = cmData(ctx, "sharded", "mongodb-sharding");
    const preamble = preambleOf(data["shard-cluster.js"], readFileSync(join(REPO_ROOT, "sharding/mongosh/shard-cluster.js"), "utf8"));
    const desired = JSON.parse(data["desired-sharding.json"]);
    const first = desired.shards[0];
    const idIndex = { key: { _id: 1 }, name: "_id_" };
    const converted = {
      shards: [{ _id: first.name, host: `${first.name}/${first.hosts.join(",")}` }],
      database: {},
      collections: desired.collections.map((c: { name: string }, k: number) => ({ name: c.name, exists: true, holdsData: k === 0, indexes: [idIndex] })),
    };
    const refused = { ...converted, collections: converted.collections.map((c: object, k: number) => (k === 0 ? { ...c, shardKey: { other: 1 } } : c)) };
    const calls: ProbeCall[] = [
      { fn: "planSharding", args: [{ shards: [], collections: [] }, desired] },
      { fn: "planSharding", args: [converted, desired] },
      { fn: "planSharding", args: [refused, desired] },
    ];
    const expected = expectedLines({ planSharding } as never, calls);
    return { script: probeScript(name, preamble, calls), expected };
  },

  balancer(ctx, name) {
    const data = cmData(ctx, "sharded", "mongodb-backup-scripts");
    const preamble = preambleOf(data["sharding-balancer.js"], readFileSync(join(REPO_ROOT, "sharding/mongosh/balancer.js"), "utf8"));
    const hold = (id: string, restart: boolean) => ({ _id: id, since: new Date(1750000000000), expiresAt: new Date(1750021600000), restart });
    const calls: ProbeCall[] = [
      { fn: "openWindow", args: [{ mode: "full", otherLive: [], expired: [] }] },
      { fn: "openWindow", args: [{ mode: "off", otherLive: [hold("a", true)], expired: [] }] },
      { fn: "openWindow", args: [{ mode: "off", otherLive: [], expired: [hold("dead", true), hold("other", false)] }] },
      { fn: "openWindow", args: [{ mode: "off", otherLive: [], expired: [] }] },
      { fn: "closeWindow", args: [{ own: null, otherLive: [hold("a", false)] }] },
      { fn: "closeWindow", args: [{ own: hold("me", true), otherLive: [hold("a", false)] }] },
      { fn: "closeWindow", args: [{ own: hold("me", true), otherLive: [] }] },
      { fn: "closeWindow", args: [{ own: hold("me", false), otherLive: [] }] },
    ];
    const expected = expectedLines({ openWindow, closeWindow } as never, calls);
    return { script: probeScript(name, preamble, calls), expected };
  },

  timestamps(ctx, name) {
    // As source-facts.js and snapshot-counts.js use them: load() the module, Timestamp({ t, i }).
    const m = backupPod(ctx, "dev", "mongodb-rs0-backup-full", "full-dump");
    const values = [[1714528812, 4], [2147483648, 1], [4294967295, 4294967295]];
    const script = [
      `print(${JSON.stringify(sectionLine(name))});`,
      `load(${JSON.stringify(join(backupMongoshDir(m), "member-connection.js"))});`,
      `for (const [t, i] of ${JSON.stringify(values)}) print(JSON.stringify(plainTs(Timestamp({ t, i }))));`,
      "print(JSON.stringify(plainTs({ t: 5, i: 6 })));",
      "",
    ].join("\n");
    const expected = [...values.map(([t, i]) => JSON.stringify({ t, i })), JSON.stringify({ t: 5, i: 6 })];
    return { script, expected };
  },

  callbacks(_ctx, name) {
    // Like initiate.js: a function that calls the shell (sleep here, new Mongo there), used inside
    // Array.prototype.find/map/filter callbacks; mongosh must await it for the result to count.
    const script = [
      `print(${JSON.stringify(sectionLine(name))});`,
      "function answerOf(x) {",
      "  sleep(1);",
      '  return x === 2 ? "yes" : undefined;',
      "}",
      "print(String([1, 2, 3].find((x) => answerOf(x) !== undefined)));",
      "print(JSON.stringify([1, 2, 3].map((x) => answerOf(x) || null)));",
      "print(JSON.stringify([1, 2, 3].filter((x) => answerOf(x) !== undefined)));",
      "",
    ].join("\n");
    return { script, expected: ["2", '[null,"yes",null]', "[2]"] };
  },

  retention(ctx, name) {
    const data = cmData(ctx, "dev", "mongodb-results-retention");
    const preamble = preambleOf(data["retention.js"], readFileSync(join(REPO_ROOT, "migrations/retention/mongosh/retention.js"), "utf8"));
    const fixture = retentionFixture(7);
    const fake = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    const params = { resultsDays: 90, batchSize: 7, pauseMs: 1, dryRun: false, nowSeconds: NOW };
    // The TypeScript run against the fake collections: what it asks for and what it is answered.
    const requests: RetentionRequest[] = [];
    const responses: unknown[] = [];
    const totals = driveSync(retentionSteps(params), (request) => {
      requests.push(structuredClone(request));
      const response =
        request.kind === "find"
          ? fake.find(request.collection, request.filter, { projection: request.projection, sort: request.sort, limit: request.limit })
          : request.kind === "deleteMany"
            ? fake.deleteMany(request.collection, request.filter)
            : undefined;
      responses.push(response);
      return response;
    });
    expect(totals.deleted).toBeGreaterThan(0);
    // The shell's run replays the same answers and records what it asks for.
    const script = [
      `print(${JSON.stringify(sectionLine(name))});`,
      preamble,
      "// ---- probe retention (test/mongosh/real-shell.test.ts) ----",
      `const __retentionAnswers = ${shellSource(responses)};`,
      "const __retentionAsked = [];",
      "let __retentionN = 0;",
      `const __retentionTotals = driveSync(retentionSteps(${shellSource(params)}), (request) => {`,
      "  __retentionAsked.push(request);",
      "  return __retentionAnswers[__retentionN++];",
      "});",
      "print(EJSON.stringify({ requests: __retentionAsked, totals: __retentionTotals }, { relaxed: false }));",
      "",
    ].join("\n");
    return { script, expected: [EJSON.stringify({ requests, totals }, { relaxed: false })] };
  },
};

/** Which cases run each ConfigMap .js key (modules run inside the scripts that load them). */
const COVERED_BY: Record<string, string[]> = {
  "mongosh-catalog.js": ["prune", "slice-plan", "verify-plan", "restore-plan", "replay-oplog", "write-files", "recovery-point", "catalog-head", "confirmation-parity"],
  "mongosh-recovery-point.js": ["recovery-point"],
  "mongosh-catalog-head.js": ["catalog-head"],
  "mongosh-confirm-dumps.js": ["confirm-dumps"],
  "mongosh-pruner.js": ["prune", "recovery-point", "catalog-head", "confirm-dumps", "confirmation-parity"],
  "mongosh-prune.js": ["prune"],
  "mongosh-slice-plan.js": ["slice-plan"],
  "mongosh-verify-plan.js": ["verify-plan"],
  "mongosh-restore-plan.js": ["restore-plan"],
  "mongosh-replay-oplog.js": ["replay-oplog"],
  "mongosh-oplog-merge.js": ["replay-oplog"],
  "mongosh-write-manifest.js": ["write-files"],
  "mongosh-write-status.js": ["write-files"],
  "mongosh-describe-artifact.js": ["describe-artifact", "describe-artifact-corrupt"],
  "mongosh-oplog-window.js": ["describe-artifact", "describe-artifact-corrupt"],
  "mongosh-member-connection.js": ["source-facts", "counts", "probes", "confirm-dumps"],
  "mongosh-source-facts.js": ["source-facts"],
  "mongosh-snapshot-counts.js": ["counts"],
  "mongosh-compare-counts.js": ["counts"],
  "mongosh-verify-users.js": ["counts"],
  "mongosh-target-connection.js": ["target-facts", "restore-user-scripts"],
  "mongosh-target-facts.js": ["target-facts"],
  "mongosh-restored-users.js": ["restore-user-scripts", "users-set-aside"],
  "mongosh-dump-authz.js": ["users-set-aside"],
  "mongosh-drop-restore-user.js": ["restore-user-scripts"],
  "mongosh-restore-user.js": ["restore-user-scripts"],
  "reconcile.js": ["reconcile", "probes"],
  "retention.js": ["retention", "probes"],
  "mongosh-readiness.js": ["readiness-probe", "bootstrap-nodb"],
  "mongosh-initiate.js": ["bootstrap-nodb"],
  "mongosh-create-bootstrap-user.js": ["bootstrap-nodb"],
  "mongosh-rotate-certificates.js": ["tls-scripts-nodb"],
  "mongosh-arbiter-restart.js": ["tls-scripts-nodb"],
  "shard-cluster.js": ["sharding-job", "shard-cluster-nodb", "probes"],
  "sharding-balancer.js": ["balancer-window", "probes"],
};

/** A probe script in a fresh directory, run as the pods run their scripts: --nodb --quiet --file. */
function probeRun(name: string, script: string): Promise<Run> {
  const dir = tempDir(`probe-${name}-`);
  const file = join(dir, `${name}-probe.js`);
  writeFileSync(file, script);
  return shell(() => runProgram(["mongosh", "--nodb", "--quiet", "--file", file], { env: { HOME: dir } }));
}
