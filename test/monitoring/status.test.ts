// `status` against recorded replSetGetStatus, replSetGetConfig and getDefaultRWConcern answers
// (test/monitoring/fixtures, in the shape MongoDB 8.0 returns them:
// https://www.mongodb.com/docs/manual/reference/command/replSetGetStatus/) and catalogs written
// in the backup format (docs/backup-format.md): healthy, a stalled secondary, a failover that did
// not fail back, a broken chain; and the CLI's contract (exit codes, --json, no URI in argv).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dev } from "../../config/environments/dev";
import { loadCatalog } from "../../backup/restore/catalog";
import type { CliIo } from "../../migrations/cli/cli-io";
import { renderReplicaSetConfig } from "../../replicaset/replica-set-config";
import { runStatusCli, type StatusSource } from "../../monitoring/status/status-cli";
import { renderStatus, statusReport, type StatusInput } from "../../monitoring/status/status-report";

const fixtures = join(__dirname, "fixtures");
const fixture = (name: string) => JSON.parse(readFileSync(join(fixtures, name), "utf8"));
const NOW = new Date("2025-12-06T03:00:00Z");
const HOST = (i: number | "arbiter") =>
  i === "arbiter" ? "mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017" : `mongodb-rs0-${i}.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017`;

async function input(statusFixture: string, catalog: string, extra: Partial<StatusInput> = {}): Promise<StatusInput> {
  const loaded = await loadCatalog(join(fixtures, catalog));
  return {
    now: NOW,
    status: fixture(statusFixture),
    config: fixture("replSetGetConfig.json").config,
    desired: renderReplicaSetConfig(dev, dev.replsets[0]),
    rwConcern: fixture("getDefaultRWConcern.json"),
    oplogWindowSeconds: 36 * 3600,
    backups: { entries: loaded.entries, verify: fixture(`${catalog}/rs0/status/verify.json`), sliceIntervalSeconds: 300, fullIntervalSeconds: 86400, verifyIntervalSeconds: 86400 },
    indexes: { drift: 0, missing: 0, missingCollections: 0 },
    ...extra,
  };
}

describe("statusReport", () => {
  test("healthy: every member up and caught up, priorities as designed, a fresh recovery point", async () => {
    const r = statusReport(await input("replSetGetStatus-healthy.json", "catalog-healthy"));
    expect(r.reasons).toEqual([]);
    expect(r.status).toBe("healthy");
    expect(r.primary).toBe(HOST(0));
    expect(r.members).toEqual([
      { id: 0, host: HOST(0), state: "PRIMARY", health: 1, priority: { desired: 2, live: 2 }, votes: { desired: 1, live: 1 }, lagSeconds: 0 },
      { id: 1, host: HOST(1), state: "SECONDARY", health: 1, priority: { desired: 1, live: 1 }, votes: { desired: 1, live: 1 }, lagSeconds: 1 },
      { id: 100, host: HOST("arbiter"), state: "ARBITER", health: 1, priority: { desired: 0, live: 0 }, votes: { desired: 1, live: 1 }, lagSeconds: null },
    ]);
    expect(r.readWriteConcern).toEqual({ write: 'w: "majority", wtimeout 10000 ms (global)', read: "local (global)" });
    expect(r.backups).toMatchObject({
      newestFull: { file: "rs0/full/20251206T020000Z-x7k2q", lastTs: "2025-12-06T02:00:00Z", ageSeconds: 3600, bytes: 734003200 },
      newestSlice: { lastTs: "2025-12-06T02:55:00Z", ageSeconds: 300 },
      recoveryPoint: { at: "2025-12-06T02:55:00Z", ageSeconds: 300 },
      restoreWindows: 1,
      verification: { succeededAt: "2025-12-06T01:03:20.000Z" },
    });
  });

  test("a stalled secondary: 10 minutes behind while SECONDARY and healthy", async () => {
    const r = statusReport(await input("replSetGetStatus-stalled-secondary.json", "catalog-healthy"));
    expect(r.members[1].lagSeconds).toBe(600);
    expect(r.reasons).toEqual([`${HOST(1)} is 10 min behind the primary (more than 30 s)`]);
  });

  test("after a failover: a member down, and the preferred member not primary", async () => {
    const r = statusReport(await input("replSetGetStatus-failover.json", "catalog-healthy"));
    expect(r.primary).toBe(HOST(1));
    expect(r.reasons).toEqual([
      `${HOST(0)} is unreachable from the member asked (health 0, (not reachable/healthy))`,
      `${HOST(0)}, the preferred member (priority 2), is not primary; ${HOST(1)} is`,
    ]);
  });

  test("a broken chain: slices resumed after a gap no dump bridges; the recovery point stopped 30 minutes ago", async () => {
    const r = statusReport(await input("replSetGetStatus-healthy.json", "catalog-broken-chain"));
    expect(r.backups?.recoveryPoint).toEqual({ at: "2025-12-06T02:30:00Z", ageSeconds: 1800 });
    expect(r.backups?.newestSlice?.lastTs).toBe("2025-12-06T02:55:00Z");
    expect(r.reasons).toEqual([
      `slices after 2025-12-06T02:30:00Z continue no full dump (the newest, rs0/oplog/1764989400-1_1764989700-1, ends 2025-12-06T02:55:00Z): they cannot be restored until a new full dump starts a chain`,
      "the recovery point is 30 min old, more than 3 slice intervals (15 min): a loss now loses that much",
    ]);
  });

  test("priority drift, a short oplog, stale dumps and verification, index drift, and nothing known", async () => {
    const drifted = fixture("replSetGetConfig.json").config;
    drifted.members[1].priority = 5;
    const r = statusReport(
      await input("replSetGetStatus-healthy.json", "catalog-healthy", {
        config: drifted,
        oplogWindowSeconds: 500,
        now: new Date("2025-12-07T18:00:00Z"),
        indexes: { drift: 1, missing: 2, missingCollections: 0 },
      }),
    );
    expect(r.reasons).toEqual([
      `${HOST(1)} has priority 5, the config says 1: the reconcile Job has not applied it`,
      `${HOST(1)}, the preferred member (priority 5), is not primary; ${HOST(0)} is`,
      "the oplog spans 8 min, less than 2 slice intervals (10 min): one late slice breaks the chain",
      "the newest full dump is 40 h 0 min old, more than 1.5 schedules (36 h 0 min)",
      "the recovery point is 39 h 5 min old, more than 3 slice intervals (15 min): a loss now loses that much",
      "the last successful verification was 40 h 56 min ago, more than 1.5 schedules",
      "indexes differ from the schema catalog: 2 missing, 1 unknown or different, 0 collection(s) missing (npm run migrate -- indexes)",
    ]);
    const empty = statusReport({ ...(await input("replSetGetStatus-healthy.json", "catalog-healthy")), backups: { entries: [], fullIntervalSeconds: 86400, verifyIntervalSeconds: 86400 } });
    expect(empty.reasons).toEqual(["the catalog holds no full dump of rs0: nothing can be restored", "no verification has succeeded: nobody knows the backups restore"]);
  });

  test("the screen an SRE sees (docs/observability.md shows it)", async () => {
    const text = renderStatus(statusReport(await input("replSetGetStatus-stalled-secondary.json", "catalog-healthy")));
    expect(text).toContain("rs0: DEGRADED (checked 2025-12-06T03:00:00.000Z)");
    expect(text).toContain("recovery point     2025-12-06T02:55:00Z (5 min ago); restore windows: 1");
    expect(text).toContain(`Degraded because:\n  - ${HOST(1)} is 10 min behind the primary (more than 30 s)\n`);
  });
});

describe("the status CLI", () => {
  const source = (statusFixture: string, overrides: Partial<StatusSource> = {}): StatusSource => ({
    replSetGetStatus: async () => fixture(statusFixture),
    replSetGetConfig: async () => fixture("replSetGetConfig.json").config,
    getDefaultRWConcern: async () => fixture("getDefaultRWConcern.json"),
    oplogWindowSeconds: async () => 36 * 3600,
    indexes: async () => ({ drift: 0, missing: 0, missingCollections: 0 }),
    close: async () => undefined,
    ...overrides,
  });
  const URI = "mongodb://nyrkio-monitor:s3cret-pw@mongodb-rs0-0:27017/admin";
  function io(env: Record<string, string> = { MONGODB_URI: URI }) {
    const out = { stdout: "", stderr: "" };
    const cli: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env, readFile: (p) => readFileSync(p, "utf8") };
    return { out, cli };
  }
  const catalog = (name: string) => join(fixtures, name);

  test("healthy: exit 0; --json prints the report", async () => {
    const { out, cli } = io();
    const code = await runStatusCli(["--catalog", catalog("catalog-healthy"), "--json"], cli, { connect: async () => source("replSetGetStatus-healthy.json"), now: () => NOW });
    expect(code).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report).toMatchObject({ ok: true, status: "healthy", reasons: [], replicaSet: "rs0", oplogWindowSeconds: 129600 });
    expect(report.backups.verification).toMatchObject({ succeededAt: "2025-12-06T01:03:20.000Z", detail: "restored to 1764986400:1; counts matched" });
  });

  test("degraded: exit 1 with the reasons; a read that fails is a reason, not a crash", async () => {
    const { out, cli } = io();
    const code = await runStatusCli(["--catalog", catalog("catalog-broken-chain")], cli, {
      connect: async () => source("replSetGetStatus-stalled-secondary.json", { oplogWindowSeconds: async () => Promise.reject(new Error("not authorized on local to execute command { find: \"oplog.rs\" }")) }),
      now: () => NOW,
    });
    expect(code).toBe(1);
    expect(out.stdout).toContain("Degraded because:");
    expect(out.stdout).toContain("is 10 min behind the primary");
    expect(out.stdout).toContain("could not read the oplog window (needs read on local): not authorized on local");
    expect(out.stdout).toContain("continue no full dump");
  });

  test("could not connect: exit 3, and the password is never printed", async () => {
    const { out, cli } = io();
    const code = await runStatusCli(["--json"], cli, { connect: async () => Promise.reject(new Error(`connection refused to ${URI}`)), now: () => NOW });
    expect(code).toBe(3);
    expect(out.stderr + out.stdout).not.toContain("s3cret-pw");
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, status: "unreachable" });
  });

  test("usage errors exit 2: a URI on the command line, an unknown option, an unknown environment, no target", async () => {
    for (const [argv, env] of [[["--uri", URI], { MONGODB_URI: URI }], [[URI], {}], [["--bogus"], { MONGODB_URI: URI }], [["--env", "staging"], { MONGODB_URI: URI }], [[], {}]] as [string[], Record<string, string>][]) {
      const { out, cli } = io(env);
      expect({ argv, code: await runStatusCli(argv, cli, { connect: async () => source("replSetGetStatus-healthy.json"), now: () => NOW }) }).toEqual({ argv, code: 2 });
      expect(out.stderr).toContain("status --help");
      expect(out.stderr).not.toContain("s3cret-pw");
    }
  });

  test("--help: exit 0 and the exit codes", async () => {
    const { out, cli } = io();
    expect(await runStatusCli(["--help"], cli)).toBe(0);
    expect(out.stdout).toContain("Exit codes: 0 healthy, 1 degraded (the reasons are listed), 2 usage error, 3 could not connect.");
  });
});

describe("the catalog from an S3 prefix", () => {
  // A stand-in for the aws CLI (v2, `aws s3 sync <s3://src> <dir> --exclude/--include ...`):
  // it refuses anything but that form, records its argv, and copies the fixture catalog's JSON
  // files the filters admit, as sync does (later filters win, https://docs.aws.amazon.com/cli/latest/reference/s3/#use-of-exclude-and-include-filters).
  const { mkdtempSync, writeFileSync, chmodSync, readFileSync: read } = require("node:fs") as typeof import("node:fs");
  const { tmpdir } = require("node:os") as typeof import("node:os");
  const bin = mkdtempSync(join(tmpdir(), "fake-aws-"));
  const log = join(bin, "argv.log");
  writeFileSync(
    join(bin, "aws"),
    `#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$*" >>"${log}"
[[ "$1 $2" == "s3 sync" && "$3" == s3://* ]] || { echo "aws: unsupported: $*" >&2; exit 252; }
[[ "$3" == s3://nyrkio-db-backups/prod/rs0 ]] || { echo "fatal error: An error occurred (NoSuchBucket)" >&2; exit 1; }
src="${join(fixtures, "catalog-healthy", "rs0")}"
cd "$src"
find . -type f \\( -name '*manifest.json' -o -path '*status/*.json' \\) | while read -r f; do mkdir -p "$4/$(dirname "$f")"; cp "$f" "$4/$f"; done
`,
  );
  chmodSync(join(bin, "aws"), 0o755);

  const source = {
    replSetGetStatus: async () => fixture("replSetGetStatus-healthy.json"),
    replSetGetConfig: async () => fixture("replSetGetConfig.json").config,
    getDefaultRWConcern: async () => fixture("getDefaultRWConcern.json"),
    oplogWindowSeconds: async () => 36 * 3600,
    indexes: async () => ({ drift: 0, missing: 0, missingCollections: 0 }),
    close: async () => undefined,
  };
  const io = () => {
    const out = { stdout: "", stderr: "" };
    const cli: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: { MONGODB_URI: "mongodb://h:27017", PATH: `${bin}:${process.env.PATH}` }, readFile: (p) => read(p, "utf8") };
    return { out, cli };
  };

  test("copies only manifests and status files with aws s3 sync, then reads them like a directory", async () => {
    const { out, cli } = io();
    const code = await runStatusCli(["--catalog", "s3://nyrkio-db-backups/prod/rs0", "--json"], cli, { connect: async () => source, now: () => NOW });
    expect(out.stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout).backups).toMatchObject({ recoveryPoint: { at: "2025-12-06T02:55:00Z" }, verification: { succeededAt: "2025-12-06T01:03:20.000Z" } });
    expect(read(log, "utf8").trim().split("\n").pop()).toMatch(/^s3 sync s3:\/\/nyrkio-db-backups\/prod\/rs0 \S+ --only-show-errors --exclude \* --include \*manifest\.json --include \*status\/\*\.json$/);
  });

  test("an S3 error is reported, not a crash", async () => {
    const { out, cli } = io();
    const code = await runStatusCli(["--catalog", "s3://no-such-bucket/x"], cli, { connect: async () => source, now: () => NOW });
    expect(code).toBe(1);
    expect(out.stderr).toContain("cannot copy the catalog from s3://no-such-bucket/x: fatal error: An error occurred (NoSuchBucket)");
  });

  test("a replica set the environment does not list (the config servers) is a note, not degraded", async () => {
    const { out, cli } = io();
    const cfg = { ...source, replSetGetStatus: async () => ({ ...fixture("replSetGetStatus-healthy.json"), set: "cfg" }) };
    expect(await runStatusCli([], cli, { connect: async () => cfg, now: () => NOW })).toBe(0);
    expect(out.stdout).toContain("note: replica set cfg is not among environment dev's replsets");
  });
});
