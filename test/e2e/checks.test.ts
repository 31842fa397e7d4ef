import { dev } from "../../config/environments/dev";
import {
  applyWrites,
  checkDefaultRWConcern,
  checkMigrateUp,
  checkNetworkPolicy,
  checkQueryReport,
  checkReplicaSet,
  checkRootRefused,
  checkBootstrapRetired,
  checkUsers,
  compareDocuments,
  expectedAtTarget,
  LiveConf,
  LiveStatus,
  memberLag,
  parseProbeLog,
  PITR_AFTER_DUMP,
  PITR_BEFORE_DUMP,
  unwritableMs,
} from "../../e2e/checks";

const rs = dev.replsets[0];
const host = (i: number) => `mongodb-rs0-${i}.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017`;
const arbiter = "mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017";
// What rs.conf() / rs.status() return for dev's set (fields per replSetGetConfig / replSetGetStatus).
const conf = (): LiveConf => ({
  _id: "rs0",
  members: [
    { _id: 0, host: host(0), priority: 2, votes: 1 },
    { _id: 1, host: host(1), priority: 1, votes: 1 },
    { _id: 100, host: arbiter, arbiterOnly: true, priority: 0, votes: 1 },
  ],
});
const status = (primary = 0): LiveStatus => ({
  set: "rs0",
  members: [
    { _id: 0, name: host(0), stateStr: primary === 0 ? "PRIMARY" : "SECONDARY", health: 1 },
    { _id: 1, name: host(1), stateStr: primary === 1 ? "PRIMARY" : "SECONDARY", health: 1 },
    { _id: 100, name: arbiter, stateStr: "ARBITER", health: 1 },
  ],
});

describe("replica-set assertions", () => {
  it("accept dev's set: two data members, an arbiter, the priorities, pod 0 primary", () => {
    expect(checkReplicaSet(dev, rs, conf(), status())).toEqual([]);
  });
  it("name a wrong primary, a changed priority, a missing arbiter and an unhealthy member", () => {
    expect(checkReplicaSet(dev, rs, conf(), status(1))).toEqual([`the primary is ${host(1)}, expected pod 0 (${host(0)}, the highest priority)`]);
    const c = conf();
    c.members[1].priority = 3;
    expect(checkReplicaSet(dev, rs, c, status())).toEqual([`${host(1)}: priority 3, expected 1`]);
    const noArbiter = conf();
    noArbiter.members.pop();
    expect(checkReplicaSet(dev, rs, noArbiter, status())).toEqual(["rs.conf() has 0 arbiter(s), expected 1", `rs.conf() has no member ${arbiter}`]);
    const s = status();
    s.members[1] = { ...s.members[1], stateStr: "RECOVERING" };
    expect(checkReplicaSet(dev, rs, conf(), s)).toEqual([`${host(1)} is RECOVERING (health 1)`]);
  });
});

describe("a member catching up", () => {
  it("reads optimeDate as mongosh's relaxed EJSON prints it", () => {
    const s = status();
    s.members[0].optimeDate = { $date: "2026-01-01T00:00:10Z" };
    s.members[1].optimeDate = { $date: "2026-01-01T00:00:04Z" };
    expect(memberLag(s, host(1))).toEqual({ state: "SECONDARY", lagMs: 6000 });
    s.members[1].optimeDate = { $date: { $numberLong: String(Date.parse("2026-01-01T00:00:10Z")) } };
    expect(memberLag(s, host(1))).toEqual({ state: "SECONDARY", lagMs: 0 });
    s.members[1].optimeDate = undefined;
    expect(memberLag(s, host(1))).toEqual({ state: "SECONDARY" });
    expect(memberLag(s, "nope:27017")).toEqual({ state: "missing" });
  });
});

describe("read/write concern, users, root", () => {
  it("require the config's defaults with source global", () => {
    const live = { defaultWriteConcern: { w: "majority" as const, wtimeout: 10000 }, defaultReadConcern: { level: "local" }, defaultWriteConcernSource: "global" as const, defaultReadConcernSource: "global" as const };
    expect(checkDefaultRWConcern(dev, live)).toEqual([]);
    expect(checkDefaultRWConcern(dev, { ...live, defaultWriteConcernSource: "implicit" })[0]).toMatch(/source "global"/);
  });

  it("require every managed user with exactly its roles, and the root user", () => {
    const names = { root: "root", app: "nyrkio-app", migrator: "nyrkio-migrator", backup: "nyrkio-backup", restore: "nyrkio-restore", monitor: "nyrkio-monitor", retention: "nyrkio-retention", rotator: "nyrkio-rotator" };
    const users = [
      { user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] },
      { user: "nyrkio-app", db: "admin", roles: [{ role: "nyrkioApp", db: "admin" }] },
      { user: "nyrkio-migrator", db: "admin", roles: [{ role: "nyrkioMigrator", db: "admin" }] },
      { user: "nyrkio-backup", db: "admin", roles: [{ role: "nyrkioBackup", db: "admin" }, { role: "nyrkioReplSetConfig", db: "admin" }] },
      { user: "nyrkio-restore", db: "admin", roles: [{ role: "nyrkioRestore", db: "admin" }] },
      // dev runs the metrics exporters (monitoring.enabled): their user too.
      { user: "nyrkio-monitor", db: "admin", roles: [{ role: "clusterMonitor", db: "admin" }, { role: "read", db: "local" }] },
      // ... and runs retention (retention.enabled): the retention job's own user.
      { user: "nyrkio-retention", db: "admin", roles: [{ role: "nyrkioRetention", db: "admin" }] },
      // ... and ships requireTLS: the rotation sidecars' user (replicaset/users.ts rotationRole).
      { user: "nyrkio-rotator", db: "admin", roles: [{ role: "nyrkioCertRotation", db: "admin" }] },
    ];
    expect(checkUsers(dev, names, users)).toEqual([]);
    expect(checkUsers(dev, names, users.filter((u) => u.user !== "nyrkio-rotator"))).toEqual(['no rotator user "nyrkio-rotator" in admin']);
    const tooMuch = users.map((u) => (u.user === "nyrkio-app" ? { ...u, roles: [...u.roles, { role: "dbAdmin", db: "nyrkio" }] } : u));
    expect(checkUsers(dev, names, tooMuch)).toEqual(["app user nyrkio-app has roles [dbAdmin@nyrkio, nyrkioApp@admin], expected [nyrkioApp@admin]"]);
    expect(checkUsers(dev, names, users.slice(1))).toEqual(['no root user "root" in admin']);
  });

  it("the bootstrap user is gone after the reconcile Job (the handover to root); a user of that name in another database is not it", () => {
    const root = { user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] };
    expect(checkBootstrapRetired("nyrkio-bootstrap", [root])).toEqual([]);
    expect(checkBootstrapRetired("nyrkio-bootstrap", [root, { user: "nyrkio-bootstrap", db: "admin", roles: [{ role: "userAdmin", db: "admin" }] }])).toEqual([
      'the bootstrap user "nyrkio-bootstrap" still exists after the reconcile Job: the handover to root did not finish',
    ]);
    expect(checkBootstrapRetired("nyrkio-bootstrap", [root, { user: "nyrkio-bootstrap", db: "nyrkio", roles: [] }])).toEqual([]);
  });

  it("the application cannot act as root: AuthenticationFailed and Unauthorized, nothing else", () => {
    expect(checkRootRefused({ ok: false, codeName: "AuthenticationFailed" }, { ok: false, codeName: "Unauthorized" })).toEqual([]);
    expect(checkRootRefused({ ok: true }, { ok: true })).toHaveLength(2);
    expect(checkRootRefused({ ok: false, message: "connect ECONNREFUSED" }, { ok: false, codeName: "Unauthorized" })[0]).toMatch(/not with AuthenticationFailed/);
  });

  it("the NetworkPolicy check needs both the admitted pod and the refused one", () => {
    expect(checkNetworkPolicy({ ok: true }, { ok: false, message: "Server selection timed out after 5000 ms" })).toEqual([]);
    expect(checkNetworkPolicy({ ok: true }, { ok: true })[0]).toMatch(/WITHOUT the client label reached the database/);
    expect(checkNetworkPolicy({ ok: false, message: "timed out" }, { ok: false })[0]).toMatch(/with the client label could not reach/);
  });
});

describe("unwritable time from the write probe", () => {
  const log = ["ok 1000", "ok 1200", "err 1400 NotWritablePrimary", "err 1600 NotWritablePrimary", "ok 9400", "ok 9600", "noise", ""].join("\n");
  it("is the longest gap between successful writes from the last one before the kill", () => {
    const samples = parseProbeLog(log);
    expect(samples).toHaveLength(6);
    expect(samples[2]).toEqual({ at: 1400, ok: false, reason: "NotWritablePrimary" });
    expect(unwritableMs(samples, 1300)).toBe(8200);
    expect(unwritableMs(parseProbeLog("ok 1000\nerr 1200 x"), 1100)).toBeUndefined();
    expect(unwritableMs(parseProbeLog("ok 1000\nok 1200\nok 1400"), 1100)).toBe(200);
  });
});

describe("the point-in-time restore's known writes", () => {
  it("the target state includes the update, the delete and the transaction, not the write after it", () => {
    expect(expectedAtTarget()).toEqual([
      { _id: 1, v: "a2" },
      { _id: 2, v: "b2" },
      { _id: 4, v: "d" },
    ]);
    expect(applyWrites([...PITR_BEFORE_DUMP, ...PITR_AFTER_DUMP])).toEqual([
      { _id: 2, v: "b2" },
      { _id: 4, v: "d" },
      { _id: 5, v: "e" },
    ]);
    const ops = PITR_AFTER_DUMP.map((w) => w.op);
    expect(ops).toEqual(expect.arrayContaining(["update", "delete", "transaction"]));
  });

  it("compares document by document", () => {
    const want = expectedAtTarget();
    expect(compareDocuments(want, [{ v: "a2", _id: 1 }, want[1], want[2]])).toEqual([]);
    expect(compareDocuments(want, [want[0], { _id: 2, v: "b" }, { _id: 5, v: "e" }])).toEqual([
      '_id 2 is {"_id":2,"v":"b"}, expected {"_id":2,"v":"b2"}',
      '_id 4 is missing, expected {"_id":4,"v":"d"}',
      '_id 5 should not be there (written after the target, or deleted before it): {"_id":5,"v":"e"}',
    ]);
  });
});

describe("migration and query-check results", () => {
  const report = (n: number) => ({ command: "up", database: "nyrkio", ok: true, migrations: Array(n).fill({}), lastApplied: 5 });
  it("the first run applies, the second changes nothing", () => {
    expect(checkMigrateUp(report(5), true)).toEqual([]);
    expect(checkMigrateUp(report(0), false)).toEqual([]);
    expect(checkMigrateUp(report(0), true)).toEqual(["the first migrate up applied nothing on a fresh database"]);
    expect(checkMigrateUp(report(1), false)).toEqual(["the second migrate up applied 1 migration(s): it must change nothing"]);
    expect(checkMigrateUp({ command: "up", ok: false, error: { code: "LOCK_HELD", message: "held" }, migrations: [], lastApplied: 0 }, false)[0]).toMatch(/did not report success.*LOCK_HELD/);
  });
  it("check-queries must check patterns and fail none", () => {
    expect(checkQueryReport({ command: "check-queries", ok: true, patterns: [{ name: "p", ok: true }], failed: [] })).toEqual([]);
    expect(checkQueryReport({ command: "check-queries", ok: false, patterns: [{ name: "p", ok: false }], failed: ["p"] })).toEqual(["query pattern p does not use an index as required"]);
    expect(checkQueryReport({ command: "check-queries", ok: true, patterns: [], failed: [] })).toEqual(["check-queries checked no query pattern"]);
    expect(checkQueryReport({})[0]).toMatch(/printed no report/);
  });
});
