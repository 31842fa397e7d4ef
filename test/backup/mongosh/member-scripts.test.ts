// The mongosh scripts that talk to a server (source-facts.js, snapshot-counts.js,
// compare-counts.js), run under mongosh's own async rewriter (@mongosh/async-rewriter2) against
// stand-in connections whose calls return promises marked as mongosh marks its API's: the rewriter
// awaits them implicitly, as in the pod. Every call passes mongod's authorization model first
// (test/support/mongod-authz.ts) for the user the connection authenticated as: the backup user
// with the roles and custom roles the reconcile Job creates (users.json), its one password; the
// throwaway mongod of verify.sh (127.0.0.1) runs with access control too, holding the users
// verify-users.js makes there (a userAdminAnyDatabase admin, a restore user with nyrkioRestore).
// Needs the devDependency;
// skipped with one line without it.
import { buildSync } from "esbuild";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { dev } from "../../../config/environments/dev";
import { renderUsersSpec, restoreRole } from "../../../replicaset/users";
import { authorize, AuthzSession, CustomRole, ServerError } from "../../support/mongod-authz";
import { loadAsyncRewriter, MONGOSH_SYNTHETIC_PROMISE } from "../../support/mongosh-rewriter";

const AsyncWriter = loadAsyncRewriter();
if (!AsyncWriter) console.log("skipping the backup member-script tests: @mongosh/async-rewriter2 is not installed");
const describeWithRewriter = AsyncWriter ? describe : describe.skip;

const SCRIPTS = join(__dirname, "../../../backup/mongosh");
/** The pod's pruner module as the stack generates it (its majorityVerdict). */
const PRUNER = join(mkdtempSync(join(tmpdir(), "pruner-")), "pruner.js");
{
  const built = buildSync({ stdin: { contents: 'import { embeddablePrunerModule } from "./backup/retention/embeddable-pruner"; module.exports = embeddablePrunerModule();', resolveDir: join(__dirname, "../../.."), loader: "ts" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent" });
  const mod = { exports: "" };
  new Function("module", "require", built.outputFiles[0].text)(mod, require);
  writeFileSync(PRUNER, mod.exports);
  // catalog.js (required by the scripts through this process's require) reads confirmationProblem
  // from the pruner module that BACKUP_PRUNER names, as in the pod's one process.
  process.env.BACKUP_PRUNER = PRUNER;
}
function synthetic<T>(value: T | (() => T)): Promise<T> {
  const p = new Promise<T>((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(typeof value === "function" ? (value as () => T)() : value);
      } catch (err) {
        reject(err);
      }
    }),
  );
  return Object.defineProperty(p, MONGOSH_SYNTHETIC_PROMISE, { value: true });
}

const bsonTs = (t: number, i: number) => ({ _bsontype: "Timestamp", t, i });

/** One member as the stand-in server sees it. */
interface Member {
  hello?: Record<string, unknown>;
  unreachable?: boolean;
  oplog?: { oldest: [number, number]; newest: [number, number] };
  /** Oplog entries by "t:i" → their term, for a find on `ts` (confirm-dumps.js). */
  terms?: Record<string, number>;
  collections?: string[];
  aggregate?: (cmd: Record<string, unknown>) => unknown;
  counts?: Record<string, number>;
  /** config.settings.replicaSetId as the shell shows an ObjectId. */
  replicaSetId?: string;
  /** The backup user's roles on this member (default: what the reconcile Job gives it). */
  backupRoles?: string[];
}

/** The backup user's roles as the reconcile Job creates them (users.json). */
const BACKUP_ROLES = renderUsersSpec(dev).users.find((u) => u.name === "backup")!.roles.map((r) => r.role);
const CUSTOM_ROLES = renderUsersSpec(dev).roles as CustomRole[];
const PASSWORD = "p@ss:w0rd";
const RS_ID = "65f1a2b3c4d5e6f708192a3b";
/** The throwaway mongod's users (verify-users.js): name → roles; both with PASSWORD. */
const SCRATCH_USERS: Record<string, { role: string; db: string }[]> = {
  "verify-admin": [{ role: "userAdminAnyDatabase", db: "admin" }],
  "verify-restore": [{ role: restoreRole().role, db: "admin" }],
};

interface Recorded {
  uris: string[];
  auths: [string, string][];
  commands: Record<string, unknown>[];
  printed: string[];
  errors: string[];
}

function secretDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "backup-user-"));
  writeFileSync(join(dir, "username"), "backup\n");
  writeFileSync(join(dir, "password"), `${PASSWORD}\n`);
  return dir;
}

async function runScript(script: string, members: Record<string, Member>, env: Record<string, string>): Promise<Recorded> {
  const rec: Recorded = { uris: [], auths: [], commands: [], printed: [], errors: [] };
  class Mongo {
    private member: Member;
    private readonly session: AuthzSession;
    private readonly accessControl: boolean;
    constructor(uri: string) {
      rec.uris.push(uri);
      const host = /^mongodb:\/\/([^/?]+)/.exec(uri)![1];
      this.member = members[host] ?? { unreachable: true };
      // A member of the set runs with a keyFile, so with access control; so does the throwaway
      // mongod that verify.sh starts on 127.0.0.1 (a keyfile and security.authorization).
      this.session = { fromLocalhost: host.startsWith("127.0.0.1") };
      this.accessControl = true;
    }
    /** Unauthorized (13) where mongod refuses the command on this connection, as mongosh throws it. */
    private authorize(cmd: Record<string, unknown>): void {
      if (!this.accessControl) return;
      try {
        const customRoles = this.session.fromLocalhost ? ([restoreRole()] as CustomRole[]) : CUSTOM_ROLES;
        authorize({ hasUsers: true, arbiter: false, customRoles }, this.session, cmd);
      } catch (error) {
        if (!(error instanceof ServerError)) throw error;
        throw Object.assign(new Error(`MongoServerError[${error.codeName}]: ${error.message}`), { code: error.code });
      }
    }
    getDB(name: string) {
      const m = this.member;
      const fail = () => {
        throw new Error("MongoServerSelectionError: connection refused");
      };
      return {
        auth: (user: string, password: string) =>
          synthetic(() => {
            if (m.unreachable) fail();
            rec.auths.push([user, password]);
            // SCRAM against admin: the user's one password, or AuthenticationFailed (18). A member
            // holds the backup user; the throwaway mongod the users verify-users.js made.
            const local = this.session.fromLocalhost;
            if (name !== "admin" || password !== PASSWORD || (local ? !Object.hasOwn(SCRATCH_USERS, user) : user !== "backup")) throw Object.assign(new Error("MongoServerError[AuthenticationFailed]: Authentication failed."), { code: 18 });
            this.session.roles = local ? SCRATCH_USERS[user] : (m.backupRoles ?? BACKUP_ROLES).map((role) => ({ role, db: "admin" }));
            return { ok: 1 };
          }),
        runCommand: (cmd: Record<string, unknown>) =>
          synthetic(() => {
            rec.commands.push({ db: name, ...cmd });
            if (m.unreachable) fail();
            this.authorize({ ...cmd, $db: name });
            if ("hello" in cmd) return m.hello;
            if ("replSetGetConfig" in cmd) return { config: { _id: "rs0", settings: { replicaSetId: { toHexString: () => m.replicaSetId ?? RS_ID } } }, ok: 1 };
            if ("aggregate" in cmd) return m.aggregate!(cmd);
            throw new Error(`unexpected command ${JSON.stringify(cmd)}`);
          }),
        getCollectionInfos: (filter: Record<string, unknown>) =>
          synthetic(() => {
            expect(filter).toEqual({ type: "collection" });
            this.authorize({ listCollections: 1, filter, $db: name });
            return (m.collections ?? []).map((c) => ({ name: c, type: "collection" }));
          }),
        getCollection: (coll: string) => ({
          find: (filter: { ts?: { t: number; i: number } } = {}) => {
            let direction = 1;
            const byTs = filter.ts;
            const cursor = {
              sort: (s: Record<string, number>) => ((direction = s.$natural), cursor),
              limit: () => cursor,
              next: () =>
                synthetic(() => {
                  this.authorize({ find: coll, filter, $db: name });
                  if (byTs) {
                    const term = m.terms?.[`${byTs.t}:${byTs.i}`];
                    return term === undefined ? null : { ts: bsonTs(byTs.t, byTs.i), t: term };
                  }
                  return { ts: bsonTs(...(direction === 1 ? m.oplog!.oldest : m.oplog!.newest)) };
                }),
            };
            expect(`${name}.${coll}`).toBe("local.oplog.rs");
            return cursor;
          },
          // countDocuments is an aggregate ($match, $group) on the collection.
          countDocuments: () => synthetic(() => (this.authorize({ aggregate: coll, pipeline: [], $db: name }), m.counts![`${name}.${coll}`] ?? 0)),
        }),
      };
    }
    close() {}
  }
  const context = vm.createContext({
    Mongo,
    Timestamp: ({ t, i }: { t: number; i: number }) => bsonTs(t, i),
    require,
    // stderr is process.stderr: mongosh's console.error and console.log both write to stdout.
    process: { env: { BACKUP_MONGOSH_DIR: SCRIPTS, ...env }, stderr: { write: (text: string) => rec.errors.push(String(text).replace(/\n$/, "")) } },
    print: (line: string) => rec.printed.push(String(line)),
    console: { error: (line: string) => rec.printed.push(String(line)), log: (line: string) => rec.printed.push(String(line)) },
  });
  const writer = new AsyncWriter!();
  vm.runInContext(writer.runtimeSupportCode(), context);
  context.load = (path: string) => synthetic(() => vm.runInContext(writer.process(readFileSync(path, "utf8")), context));
  await vm.runInContext(writer.process(readFileSync(join(SCRIPTS, script), "utf8")), context);
  return rec;
}

const H0 = "mongodb-rs0-0.mongodb-rs0.db.svc.cluster.local:27017";
const H1 = "mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017";
const H2 = "mongodb-rs0-2.mongodb-rs0.db.svc.cluster.local:27017";
const hello = (role: "primary" | "secondary", applied: number, majority: number) => ({
  isWritablePrimary: role === "primary",
  secondary: role === "secondary",
  lastWrite: { opTime: { ts: bsonTs(applied, 1), t: 3 }, majorityOpTime: { ts: bsonTs(majority, 2), t: 3 } },
});
const oplog = { oldest: [100, 1] as [number, number], newest: [900, 4] as [number, number] };
const kv = (printed: string[]) => Object.fromEntries(printed.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

describeWithRewriter("source-facts.js", () => {
  const env = { BACKUP_MEMBERS: [H0, H1, H2].join(","), BACKUP_USER_DIR: secretDir() };

  it("reads the secondary with the newest applied write and reports its oplog and commit point", async () => {
    const rec = await runScript(
      "source-facts.js",
      { [H0]: { hello: hello("primary", 905, 880) }, [H1]: { hello: hello("secondary", 880, 870), oplog }, [H2]: { hello: hello("secondary", 890, 870), oplog } },
      env,
    );
    // setNewest: the newest write of the whole set (the primary's 905), not the chosen secondary's 890.
    expect(kv(rec.printed)).toEqual({ source: H2, role: "secondary", oldest: "100:1", newest: "900:4", majority: "870:2", applied: "890:1", replicaSetId: RS_ID, setNewest: "905:1" });
    // Authenticated from the mounted files, on direct connections without credentials in the URI.
    expect(rec.auths).toEqual([
      ["backup", "p@ss:w0rd"],
      ["backup", "p@ss:w0rd"],
      ["backup", "p@ss:w0rd"],
    ]);
    for (const uri of rec.uris) {
      expect(uri).toMatch(/^mongodb:\/\/[^@]+\/\?directConnection=true/);
      expect(uri).not.toContain("w0rd");
    }
  });

  it("with clients on TLS (the job's NYRKIO_TLS_CA_FILE) connects to every member with tls=true and the CA file (config/tls.ts uriTlsOptions)", async () => {
    const members = { [H0]: { hello: hello("primary", 905, 880) }, [H1]: { hello: hello("secondary", 880, 870), oplog }, [H2]: { hello: hello("secondary", 890, 870), oplog } };
    const rec = await runScript("source-facts.js", members, { ...env, NYRKIO_TLS_CA_FILE: "/etc/nyrkio/tls-ca/ca.crt" });
    expect(rec.uris.length).toBeGreaterThan(0);
    for (const uri of rec.uris) expect(uri).toMatch(/&tls=true&tlsCAFile=\/etc\/nyrkio\/tls-ca\/ca\.crt$/);
    const plain = await runScript("source-facts.js", members, env);
    for (const uri of plain.uris) expect(uri).not.toMatch(/tls/i);
  });

  it("reads the replicaSetId with replSetGetConfig, which the backup user may run only through nyrkioReplSetConfig", async () => {
    expect(BACKUP_ROLES).toContain("nyrkioReplSetConfig");
    await expect(runScript("source-facts.js", { [H1]: { hello: hello("secondary", 890, 870), oplog, backupRoles: ["backup"] } }, env)).rejects.toThrow(/Unauthorized/);
  });

  it("skips a member that does not answer and falls back to the primary when no secondary does", async () => {
    const rec = await runScript("source-facts.js", { [H0]: { hello: hello("primary", 905, 880), oplog }, [H1]: { unreachable: true } }, env);
    expect(kv(rec.printed)).toMatchObject({ source: H0, role: "primary", majority: "880:2" });
    expect(rec.errors.join("\n")).toMatch(/member mongodb-rs0-1\.\S+ skipped: .*connection refused/);
  });

  it("asks only FACTS_HOST when given (the re-check after a dump)", async () => {
    const rec = await runScript("source-facts.js", { [H1]: { hello: hello("secondary", 890, 870), oplog } }, { ...env, FACTS_HOST: H1 });
    expect(rec.uris).toHaveLength(1);
    expect(kv(rec.printed)).toMatchObject({ source: H1, oldest: "100:1" });
  });

  it("fails when no member answers", async () => {
    await expect(runScript("source-facts.js", {}, env)).rejects.toThrow(/no reachable secondary or primary/);
  });
});

describeWithRewriter("snapshot-counts.js", () => {
  it("counts every collection at the cluster time with a snapshot read, on the source", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "counts-")), "counts.json");
    const counts: Record<string, number> = { results: 7, users: 0 };
    const rec = await runScript(
      "snapshot-counts.js",
      {
        [H1]: {
          collections: ["users", "system.views", "results"],
          aggregate: (cmd) => ({ ok: 1, cursor: { firstBatch: counts[cmd.aggregate as string] ? [{ n: counts[cmd.aggregate as string] }] : [] } }),
        },
      },
      { BACKUP_SOURCE: H1, BACKUP_DATABASE: "nyrkio", COUNTS_TS: "900:4", COUNTS_OUT: out, BACKUP_USER_DIR: secretDir() },
    );
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ "nyrkio.results": 7, "nyrkio.users": 0 });
    expect(rec.commands.filter((c) => "aggregate" in c)).toEqual([
      expect.objectContaining({ db: "nyrkio", aggregate: "results", pipeline: [{ $count: "n" }], readConcern: { level: "snapshot", atClusterTime: bsonTs(900, 4) } }),
      expect.objectContaining({ db: "nyrkio", aggregate: "users", readConcern: { level: "snapshot", atClusterTime: bsonTs(900, 4) } }),
    ]);
    expect(rec.printed).toEqual(["collections=2"]);
  });

  it("leaves out a collection that has no snapshot at that time, and fails on any other error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "counts-"));
    const unavailable = Object.assign(new Error("Unable to read from a snapshot due to pending collection catalog changes"), { code: 246 });
    const member = (err: Error) => ({
      [H1]: {
        collections: ["new", "results"],
        aggregate: (cmd: Record<string, unknown>) => {
          if (cmd.aggregate === "new") throw err;
          return { ok: 1, cursor: { firstBatch: [{ n: 3 }] } };
        },
      },
    });
    const env = { BACKUP_SOURCE: H1, BACKUP_DATABASE: "nyrkio", COUNTS_TS: "900:4", COUNTS_OUT: join(dir, "c.json"), BACKUP_USER_DIR: secretDir() };
    const rec = await runScript("snapshot-counts.js", member(unavailable), env);
    expect(JSON.parse(readFileSync(join(dir, "c.json"), "utf8"))).toEqual({ "nyrkio.results": 3 });
    expect(rec.errors.join("\n")).toMatch(/nyrkio\.new not counted/);
    await expect(runScript("snapshot-counts.js", member(Object.assign(new Error("SnapshotTooOld"), { code: 239 })), env)).rejects.toThrow(/counting nyrkio\.new at 900:4 failed/);
  });
});

describeWithRewriter("compare-counts.js", () => {
  function manifest(counts: Record<string, number>): string {
    const path = join(mkdtempSync(join(tmpdir(), "manifest-")), "m.manifest.json");
    writeFileSync(path, JSON.stringify({ counts }));
    return path;
  }
  function userDir(user: string): string {
    const dir = mkdtempSync(join(tmpdir(), "scratch-user-"));
    writeFileSync(join(dir, "username"), user);
    writeFileSync(join(dir, "password"), PASSWORD);
    return dir;
  }
  const target = { TARGET_URI: "mongodb://127.0.0.1:27018/?directConnection=true", TARGET_USER_DIR: userDir("verify-restore") };

  it("names every collection whose restored count differs from the recorded one, reading as the scratch restore user", async () => {
    const rec = await runScript(
      "compare-counts.js",
      { "127.0.0.1:27018": { counts: { "nyrkio.results": 4, "nyrkio.users": 2 } } },
      { ...target, EXPECTED_MANIFEST: manifest({ "nyrkio.results": 5, "nyrkio.users": 2 }) },
    );
    expect(rec.auths).toEqual([["verify-restore", PASSWORD]]);
    expect(rec.printed).toEqual(['mismatch={"collection":"nyrkio.results","expected":5,"restored":4}', "checked=2", "mismatches=1"]);
  });

  it("reports none when they agree", async () => {
    const rec = await runScript(
      "compare-counts.js",
      { "127.0.0.1:27018": { counts: { "nyrkio.results": 5 } } },
      { ...target, EXPECTED_MANIFEST: manifest({ "nyrkio.results": 5, "nyrkio.empty": 0 }) },
    );
    expect(rec.printed).toEqual(["checked=2", "mismatches=0"]);
  });

  it("counts nothing as the scratch user administrator (userAdminAnyDatabase reads no data): the restore user is the one that reads", async () => {
    const run = runScript("compare-counts.js", { "127.0.0.1:27018": { counts: { "nyrkio.results": 5 } } }, { ...target, TARGET_USER_DIR: userDir("verify-admin"), EXPECTED_MANIFEST: manifest({ "nyrkio.results": 5 }) });
    await expect(run).rejects.toThrow(/Unauthorized/);
  });
});

describeWithRewriter("confirm-dumps.js", () => {
  const helloAt = (majority: number, term: number) => ({ isWritablePrimary: false, secondary: true, lastWrite: { opTime: { ts: bsonTs(majority + 5, 1), t: term }, majorityOpTime: { ts: bsonTs(majority, 2), t: term } } });
  function catalogWith(dumps: { name: string; last: number; term: number }[]): string {
    const root = mkdtempSync(join(tmpdir(), "confirm-catalog-"));
    mkdirSync(join(root, "full"));
    for (const d of dumps) {
      const m = { schemaVersion: 1, kind: "full", format: "archive+gzip", file: `${d.name}.archive.gz`, bytes: 1, sha256: "a".repeat(64), replicaSet: "rs0", firstTs: { t: d.last - 10, i: 1 }, lastTs: { t: d.last, i: 1 }, createdAt: "2024-05-01T00:00:00Z", lastTerm: d.term, majorityCommit: "unconfirmed" };
      writeFileSync(join(root, "full", `${d.name}.manifest.json`), JSON.stringify(m));
    }
    return root;
  }
  const env = (extra: Record<string, string>) => ({ FACTS_HOST: H1, BACKUP_USER_DIR: secretDir(), BACKUP_PRUNER: PRUNER, CONFIRM_DIR: mkdtempSync(join(tmpdir(), "confirm-out-")), ...extra });

  it("confirms, as the backup user, the dumps the committed snapshot passed in their term, and writes one record each", async () => {
    const e = env({ CATALOG_DIR: catalogWith([{ name: "a", last: 500, term: 3 }, { name: "b", last: 880, term: 3 }]) });
    const rec = await runScript("confirm-dumps.js", { [H1]: { hello: helloAt(870, 3), oplog } }, e);
    expect(rec.printed).toEqual([expect.stringMatching(/^verdict full\/a\.manifest\.json confirmed 1 /), expect.stringMatching(/^verdict full\/b\.manifest\.json pending - /)]);
    const record = JSON.parse(readFileSync(join(e.CONFIRM_DIR, "1.json"), "utf8"));
    expect(record).toMatchObject({ kind: "majority-confirmation", manifest: "a.manifest.json", lastTs: { t: 500, i: 1 }, lastTerm: 3, majority: { ts: { t: 870, i: 2 }, t: 3 }, member: H1 });
    expect(rec.auths).toEqual([["backup", PASSWORD]]);
  });

  it("in a later term reads the entry at lastTs: the dump's own term confirms it, another term means rolled back", async () => {
    const e = env({ CATALOG_DIR: catalogWith([{ name: "kept", last: 500, term: 3 }, { name: "lost", last: 600, term: 3 }]) });
    const rec = await runScript("confirm-dumps.js", { [H1]: { hello: helloAt(870, 4), oplog, terms: { "500:1": 3, "600:1": 4 } } }, e);
    expect(rec.printed).toEqual([expect.stringMatching(/^verdict full\/kept\.manifest\.json confirmed 1 /), expect.stringMatching(/^verdict full\/lost\.manifest\.json rolled-back - .*another entry/)]);
    expect(rec.commands.filter((c) => "hello" in c)).toHaveLength(1);
  });

  it("decides a dump not yet published (DUMP_LAST_TS) without writing a record, and connects to nothing when nothing waits", async () => {
    const e = env({ DUMP_LAST_TS: "869:9", DUMP_LAST_TERM: "3" });
    const rec = await runScript("confirm-dumps.js", { [H1]: { hello: helloAt(870, 3), oplog } }, e);
    expect(rec.printed).toEqual([expect.stringMatching(/^verdict - confirmed - /)]);
    const none = await runScript("confirm-dumps.js", { [H1]: { hello: helloAt(870, 3), oplog } }, env({ CATALOG_DIR: catalogWith([]) }));
    expect(none.uris).toEqual([]);
  });

  it("is refused without the backup user's oplog read", async () => {
    const e = env({ DUMP_LAST_TS: "869:9", DUMP_LAST_TERM: "3" });
    await expect(runScript("confirm-dumps.js", { [H1]: { hello: helloAt(870, 3), oplog, backupRoles: ["read"] } }, e)).rejects.toThrow(/Unauthorized/);
  });
});
