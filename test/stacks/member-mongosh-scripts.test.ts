// The mongosh steps the member pods run (stacks/scripts/mongosh/), executed in a vm with
// stand-ins for mongosh's globals: the readiness decision, the initiate step and the root-user
// step, in each situation a pod meets. (bats tests the shell around them.) Every scenario runs
// twice: in a plain vm, and under mongosh's async rewriter with promise replies, as in the pod.
// The scripts talk to StandInMember (./member-stand-in.ts), which applies mongod's authorization
// (test/support/mongod-authz.ts) to every command: what the server refuses, it refuses.

import { MemberUser, StandInMember } from "./member-stand-in";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MONGOSH_DIR, MongoshAsyncWriter, Reply, runMongoshScript, runMongoshScriptRewritten, SandboxGlobals, SandboxRun, serverError } from "./mongosh-sandbox";

type Doc = Record<string, unknown>;
type Runner = (name: string, makeGlobals: (reply: Reply) => SandboxGlobals) => Promise<SandboxRun>;

const runners: [string, Runner][] = [["plain vm", async (name, make) => runMongoshScript(name, make)]];
if (MongoshAsyncWriter) runners.push(["mongosh async rewriter", runMongoshScriptRewritten]);
else console.log("member mongosh scripts: the async-rewriter runs are skipped: @mongosh/async-rewriter2 is not installed");

const NOT_INITIATED = { isWritablePrimary: false, secondary: false, info: "Does not have a valid replica set config", isreplicaset: true, ok: 1 };
const PRIMARY = { setName: "rs0", isWritablePrimary: true, secondary: false, ok: 1 };
const SECONDARY = { setName: "rs0", isWritablePrimary: false, secondary: true, ok: 1 };
const ARBITER = { setName: "rs0", isWritablePrimary: false, secondary: false, arbiterOnly: true, ok: 1 };
const RECOVERING = { setName: "rs0", isWritablePrimary: false, secondary: false, ok: 1 };
const REMOVED = { setName: "rs0", isWritablePrimary: false, secondary: false, info: "Does not have a valid replica set config", isreplicaset: true, ok: 1 };

const HOSTS = ["mongodb-rs0-0.mongodb-rs0.ns.svc.cluster.local:27017", "mongodb-rs0-1.mongodb-rs0.ns.svc.cluster.local:27017", "mongodb-rs0-arbiter-0.mongodb-rs0.ns.svc.cluster.local:27017"];
const DESIRED = {
  _id: "rs0",
  members: [
    { _id: 0, host: HOSTS[0], priority: 2, votes: 1 },
    { _id: 1, host: HOSTS[1], priority: 1, votes: 1 },
    { _id: 100, host: HOSTS[2], arbiterOnly: true, priority: 0, votes: 1 },
  ],
};
const CONFIG_FILES = { "/etc/nyrkio/config/replicaset.json": JSON.stringify(DESIRED) };
const CONFIG_ENV = { REPLICASET_CONFIG: "/etc/nyrkio/config/replicaset.json" };

/** hello's lastWrite as mongod reports it (src/mongo/db/repl/replication_info.cpp: lastWrite.lastWriteDate). */
const wrote = (at: number) => ({ lastWrite: { lastWriteDate: new Date(at) } });
const T = Date.UTC(2026, 0, 1);

describe.each(runners)("readiness.js (%s)", (_mode, run) => {
  /** This member answers `hello`; peers (by host) answer theirs over the pod network; a missing host is unreachable. */
  async function probe(hello: Doc | (() => Doc), peers: Record<string, Doc> = {}, env: Record<string, string> = {}, files: Record<string, string> = {}) {
    const contacted: string[] = [];
    const result = await run("readiness.js", (reply) => {
      class Mongo {
        constructor(uri: string) {
          const host = /^mongodb:\/\/([^/]+)\//.exec(uri)![1];
          contacted.push(uri);
          return reply(() => {
            if (!peers[host]) throw serverError(6, "HostUnreachable", `connect ECONNREFUSED ${host}`);
            return new StandInMember({ hello: peers[host] }).connect(reply, false).mongo;
          });
        }
      }
      return { db: new StandInMember({ hello }).connect(reply, true).db, Mongo, env: { ...CONFIG_ENV, ...env }, files: { ...CONFIG_FILES, ...files } };
    });
    return { ...result, text: result.output.join("\n"), contacted };
  }

  it("is ready without a config while no peer holds one (the first bootstrap: rollout and bootstrap do not wait on each other)", async () => {
    const result = await probe(NOT_INITIATED, { [HOSTS[0]]: NOT_INITIATED, [HOSTS[1]]: NOT_INITIATED });
    expect(result.exitCode).toBe(0);
    expect(result.text).toMatch(/first bootstrap/);
    for (const uri of result.contacted) {
      expect(uri).not.toContain("@");
      expect(uri).toMatch(/serverSelectionTimeoutMS=2000/);
    }
  });

  it.each([
    ["requireTLS", true],
    ["preferTLS", true],
    // A peer not yet restarted out of "disabled" speaks no TLS while the set steps through allowTLS.
    ["allowTLS", false],
    ["(the mode file cannot be read)", true],
  ])("with the CA in the pod and the deployed mode %s, peers are asked with TLS: %s", async (mode, tls) => {
    const env = { NYRKIO_TLS_CA_FILE: "/etc/nyrkio/tls-ca/ca.crt", NYRKIO_TLS_MODE_FILE: "/etc/nyrkio/config/tls-mode" };
    const files: Record<string, string> = mode.startsWith("(") ? {} : { "/etc/nyrkio/config/tls-mode": `${mode}\n` };
    const result = await probe(NOT_INITIATED, { [HOSTS[0]]: NOT_INITIATED, [HOSTS[1]]: NOT_INITIATED }, env, files);
    expect(result.contacted.length).toBeGreaterThan(0);
    for (const uri of result.contacted) {
      if (tls) expect(uri).toMatch(/&tls=true&tlsCAFile=\/etc\/nyrkio\/tls-ca\/ca\.crt$/);
      else expect(uri).not.toMatch(/tls/i);
    }
  });

  it("without the CA in the pod (TLS off), peers are asked in plaintext", async () => {
    const plain = await probe(NOT_INITIATED, { [HOSTS[0]]: NOT_INITIATED, [HOSTS[1]]: NOT_INITIATED });
    expect(plain.contacted.length).toBeGreaterThan(0);
    for (const uri of plain.contacted) expect(uri).not.toMatch(/tls/i);
  });

  /** A config holder's hello: its members by kind, as mongod lists them (hosts, passives, arbiters). */
  const holding = (extra: Doc = {}) => ({ ...PRIMARY, ...wrote(T), hosts: [HOSTS[0], HOSTS[1]], arbiters: [HOSTS[2]], ...extra });

  it.each([
    ["an arbiter restarted with an empty data directory", "mongodb-rs0-arbiter-0", HOSTS[0]],
    ["a data member whose volume was replaced", "mongodb-rs0-1", HOSTS[0]],
    ["member 0 without a config while member 1 holds one", "mongodb-rs0-0", HOSTS[1]],
  ])("is not ready without a config once a peer holds one that names it: %s", async (_, pod, holder) => {
    const result = await probe(NOT_INITIATED, { [holder]: holding() }, { POD_NAME: pod });
    expect(result.exitCode).toBe(1);
    expect(result.text).toContain(`${holder} holds the replica-set config, which names this member`);
  });

  it("is ready without a config when the holder's config does not name it yet (a new pod: the reconcile Job adds it only after the rollout)", async () => {
    const result = await probe(NOT_INITIATED, { [HOSTS[0]]: holding({ hosts: [HOSTS[0]], arbiters: [HOSTS[2]] }) }, { POD_NAME: "mongodb-rs0-1" });
    expect(result.exitCode).toBe(0);
    expect(result.text).toMatch(/not a member of rs0 yet/);
    // Without POD_NAME it cannot tell, and waits.
    expect((await probe(NOT_INITIATED, { [HOSTS[0]]: holding({ hosts: [HOSTS[0]] }) })).exitCode).toBe(1);
  });

  it.each([
    ["PRIMARY", PRIMARY],
    ["ARBITER", ARBITER],
  ])("is ready as %s", async (state, hello) => {
    const result = await probe(hello);
    expect(result.exitCode).toBe(0);
    expect(result.text).toContain(state);
  });

  const secondary = (lagMs: number) => ({ ...SECONDARY, primary: HOSTS[0], me: HOSTS[1], ...wrote(T - lagMs) });
  const primaryPeer = { [HOSTS[0]]: { ...PRIMARY, ...wrote(T) } };

  it("is ready as a SECONDARY that has caught up with the primary (lastWrite within READY_MAX_LAG_SECONDS)", async () => {
    const result = await probe(secondary(3000), primaryPeer);
    expect(result.exitCode).toBe(0);
    expect(result.text).toMatch(/SECONDARY of rs0, 3 s behind/);
  });

  it("is not ready as a SECONDARY further behind the primary than READY_MAX_LAG_SECONDS (a rolling restart waits for it)", async () => {
    const result = await probe(secondary(16000), primaryPeer);
    expect(result.exitCode).toBe(1);
    expect(result.text).toMatch(/16 s behind the primary \(at most 15 s\)/);
    expect((await probe(secondary(16000), primaryPeer, { READY_MAX_LAG_SECONDS: "20" })).exitCode).toBe(0);
  });

  it("is ready as a SECONDARY when no primary can be asked (nothing to lag behind)", async () => {
    expect((await probe(secondary(60000), {})).exitCode).toBe(0);
    expect((await probe({ ...SECONDARY, ...wrote(T) })).exitCode).toBe(0);
  });

  it.each([
    ["starting, recovering or in initial sync", RECOVERING],
    ["removed from the config", REMOVED],
  ])("is not ready when %s", async (_, hello) => {
    expect((await probe(hello)).exitCode).toBe(1);
  });

  it("fails when mongod does not answer", async () => {
    const result = await probe(() => {
      throw serverError(6, "HostUnreachable");
    });
    expect(result.exitCode).not.toBe(0);
  });
});

describe.each(runners)("initiate.js (%s)", (_mode, runScript) => {
  const desired = {
    _id: "rs0",
    members: [
      { _id: 0, host: "mongodb-rs0-0.mongodb-rs0.ns.svc.cluster.local:27017", priority: 2, votes: 1 },
      { _id: 1, host: "mongodb-rs0-1.mongodb-rs0.ns.svc.cluster.local:27017", priority: 1, votes: 1 },
      { _id: 100, host: "mongodb-rs0-arbiter-0.mongodb-rs0.ns.svc.cluster.local:27017", arbiterOnly: true, priority: 0, votes: 1 },
    ],
  };
  const files = { "/etc/nyrkio/config/replicaset.json": JSON.stringify(desired) };
  const env = { REPLICASET_CONFIG: "/etc/nyrkio/config/replicaset.json" };

  /** Peers answer hello by host; a host missing from `peers` cannot be reached. */
  async function scenario(opts: { local: Doc; peers?: Record<string, Doc>; initiate?: (config: Doc) => Doc; fromLocalhost?: boolean; env?: Record<string, string>; files?: Record<string, string> }) {
    const contacted: string[] = [];
    const local = new StandInMember({ hello: opts.local, initiate: opts.initiate });
    const run = await runScript("initiate.js", (reply) => {
      class Mongo {
        constructor(uri: string) {
          const host = /^mongodb:\/\/([^/]+)\//.exec(uri)![1];
          contacted.push(uri);
          return reply(() => {
            const hello = opts.peers?.[host];
            if (!hello) throw serverError(6, "HostUnreachable", `connect ECONNREFUSED ${host}`);
            // A peer is reached over the pod network: no localhost exception there.
            return new StandInMember({ hello }).connect(reply, false).mongo;
          });
        }
      }
      const { db, rs } = local.connect(reply, opts.fromLocalhost ?? true);
      return { db, rs, Mongo, env: { ...env, ...opts.env }, files: { ...files, ...opts.files } };
    });
    const initiated = local.commands.filter((c) => "replSetInitiate" in c).map((c) => c.replSetInitiate);
    return { run, initiated, contacted };
  }

  it("with the CA in the pod asks every peer with tls=true and the CA file, but in plaintext while the deployed mode is allowTLS", async () => {
    const env = { NYRKIO_TLS_CA_FILE: "/etc/nyrkio/tls-ca/ca.crt", NYRKIO_TLS_MODE_FILE: "/etc/nyrkio/config/tls-mode" };
    const tls = await scenario({ local: NOT_INITIATED, env, files: { "/etc/nyrkio/config/tls-mode": "requireTLS\n" } });
    expect(tls.contacted.length).toBe(3);
    for (const uri of tls.contacted) expect(uri).toMatch(/&tls=true&tlsCAFile=\/etc\/nyrkio\/tls-ca\/ca\.crt$/);
    const allow = await scenario({ local: NOT_INITIATED, env, files: { "/etc/nyrkio/config/tls-mode": "allowTLS\n" } });
    for (const uri of allow.contacted) expect(uri).not.toMatch(/tls/i);
  });

  it("is refused by access control when not connected from localhost (the model's localhost exception)", async () => {
    const { run, initiated } = await scenario({ local: NOT_INITIATED, fromLocalhost: false });
    expect(initiated).toHaveLength(1);
    expect(run.exitCode).toBe(1);
    expect(run.output.join("\n")).toMatch(/initiate failed: Unauthorized/);
  });

  it("initiates with exactly the desired document from REPLICASET_CONFIG", async () => {
    const { run, initiated } = await scenario({ local: NOT_INITIATED, peers: { [desired.members[1].host]: NOT_INITIATED } });
    expect(run.exitCode).toBe(0);
    expect(initiated).toEqual([desired]);
  });

  it("does nothing when this member is initiated already", async () => {
    const { run, initiated, contacted } = await scenario({ local: SECONDARY });
    expect(run.exitCode).toBe(0);
    expect(initiated).toEqual([]);
    expect(contacted).toEqual([]);
    expect(run.output.join("\n")).toMatch(/already initiated/);
  });

  it("does not start a second set when another member holds the config (this member's volume was replaced)", async () => {
    const { run, initiated } = await scenario({ local: NOT_INITIATED, peers: { [desired.members[1].host]: PRIMARY } });
    expect(run.exitCode).toBe(0);
    expect(initiated).toEqual([]);
    expect(run.output.join("\n")).toContain(desired.members[1].host);
  });

  it("asks the peers without credentials, with short timeouts", async () => {
    const { contacted } = await scenario({ local: NOT_INITIATED });
    expect(contacted).toHaveLength(3);
    for (const uri of contacted) {
      expect(uri).not.toContain("@");
      expect(uri).toMatch(/directConnection=true/);
      expect(uri).toMatch(/serverSelectionTimeoutMS=3000/);
    }
  });

  it("asks to be retried when initiate fails (a member is not up yet)", async () => {
    const { run, initiated } = await scenario({
      local: NOT_INITIATED,
      initiate: () => {
        throw serverError(74, "NodeNotFound", "replSetInitiate quorum check failed");
      },
    });
    expect(initiated).toHaveLength(1);
    expect(run.exitCode).toBe(1);
    expect(run.output.join("\n")).toMatch(/initiate failed: NodeNotFound/);
  });

  it("treats AlreadyInitialized (a race with a previous attempt) as done", async () => {
    const { run } = await scenario({
      local: NOT_INITIATED,
      initiate: () => {
        throw serverError(23, "AlreadyInitialized");
      },
    });
    expect(run.exitCode).toBe(0);
  });
});

describe.each(runners)("create-bootstrap-user.js (%s)", (_mode, runScript) => {
  const env = { BOOTSTRAP_SECRET_DIR: "/etc/nyrkio/secrets/bootstrap" };
  const files = { "/etc/nyrkio/secrets/bootstrap/username": "nyrkio-bootstrap\n", "/etc/nyrkio/secrets/bootstrap/password": "b00tstrap-Passw0rd\n" };
  // userAdmin on admin: createUser and grantRole there, so the reconcile Job can create root with it.
  const BOOTSTRAP: MemberUser = { user: "nyrkio-bootstrap", pwd: "b00tstrap-Passw0rd", roles: [{ role: "userAdmin", db: "admin" }] };
  const ROOT: MemberUser = { user: "root", pwd: "r00t-Passw0rd", roles: [{ role: "root", db: "admin" }] };

  async function scenario(member: StandInMember, fromLocalhost = true, secretFiles: Record<string, string> = files) {
    const run = await runScript("create-bootstrap-user.js", (reply) => ({ db: member.connect(reply, fromLocalhost).db, env, files: secretFiles }));
    const created = member.commands.filter((c) => "createUser" in c);
    return { run, created };
  }

  it("creates the bootstrap user (userAdmin on admin, not root) on a fresh primary under the localhost exception (which refuses usersInfo)", async () => {
    const member = new StandInMember({ hello: PRIMARY });
    const { run, created } = await scenario(member);
    expect(run.exitCode).toBe(0);
    expect(member.users).toEqual([BOOTSTRAP]);
    expect(created).toEqual([{ createUser: "nyrkio-bootstrap", pwd: "<redacted>", roles: [{ role: "userAdmin", db: "admin" }], writeConcern: { w: "majority", wtimeout: 60000 }, $db: "admin" }]);
    expect(run.output.join("\n")).not.toContain("b00tstrap-Passw0rd");
    expect(run.output.join("\n")).toMatch(/the reconcile Job creates the root user with it/);
  });

  it("never reads a root Secret: the script names no ROOT_SECRET_DIR and no root credential", async () => {
    const text = readFileSync(join(MONGOSH_DIR, "create-bootstrap-user.js"), "utf8");
    expect(text).not.toMatch(/ROOT_SECRET_DIR|secrets\/root/);
  });

  it("is done while the bootstrap user exists and authenticates (before the handover: createUser is refused, Unauthorized)", async () => {
    const member = new StandInMember({ hello: PRIMARY, users: [BOOTSTRAP] });
    const { run } = await scenario(member);
    expect(run.exitCode).toBe(0);
    expect(member.users).toEqual([BOOTSTRAP]);
    expect(run.output.join("\n")).toMatch(/authenticates as nyrkio-bootstrap: the reconcile Job hands over to root/);
  });

  it("a restart after the handover (root exists, the bootstrap user is gone) creates nothing and exits 0", async () => {
    const member = new StandInMember({ hello: PRIMARY, users: [ROOT] });
    const { run, created } = await scenario(member);
    expect(run.exitCode).toBe(0);
    expect(created).toHaveLength(1); // sent, and refused: the exception is closed
    expect(member.users).toEqual([ROOT]);
    expect(run.output.join("\n")).toMatch(/the reconcile Job has handed over to root/);
  });

  it("an existing set without the bootstrap Secret (the optional volume is empty): nothing to create, exit 0, no command sent", async () => {
    const member = new StandInMember({ hello: PRIMARY, users: [ROOT] });
    const { run, created } = await scenario(member, true, {});
    expect(run.exitCode).toBe(0);
    expect(created).toEqual([]);
    expect(member.commands).toEqual([]);
    expect(run.output.join("\n")).toMatch(/no bootstrap Secret under \/etc\/nyrkio\/secrets\/bootstrap/);
  });

  it("the stand-in keeps the exception closed for the process once it has seen a user, even if every user is dropped (hasAnyPrivilegeDocuments latches)", async () => {
    const member = new StandInMember({ hello: PRIMARY, users: [ROOT] });
    await scenario(member); // a request sees the user
    member.users.splice(0); // every user gone, mongod not restarted
    const { created } = await scenario(member);
    expect(created.length).toBeGreaterThan(0);
    expect(member.users).toEqual([]);
    // A restarted mongod (a new process) without users opens it again.
    const restarted = new StandInMember({ hello: PRIMARY });
    expect((await scenario(restarted)).run.exitCode).toBe(0);
    expect(restarted.users).toEqual([BOOTSTRAP]);
  });

  it("creates nothing when the connection is not from localhost (no exception, no user)", async () => {
    const member = new StandInMember({ hello: PRIMARY });
    await scenario(member, false);
    expect(member.users).toEqual([]);
  });

  it("waits while no user exists and this member is not PRIMARY (the exception passes createUser, the member answers NotWritablePrimary)", async () => {
    const member = new StandInMember({ hello: SECONDARY });
    const { run, created } = await scenario(member);
    expect(run.exitCode).toBe(1);
    expect(created).toHaveLength(1); // sent, and refused: not primary
    expect(member.users).toEqual([]);
    expect(run.output.join("\n")).toMatch(/not PRIMARY \(NotWritablePrimary\): waiting for this member to become PRIMARY/);
  });

  // mongod checks authorization before it checks that it is primary (ExecCommandDatabase::
  // _initiateCommand, src/mongo/db/service_entry_point_common.cpp r8.0), so a restarted first pod
  // that is SECONDARY now (the primary moved during a rolling update, or member 0's priority is
  // not the highest) learns from createUser's Unauthorized that a user exists. Waiting for PRIMARY
  // first would retry forever on such a member.
  it.each([
    ["after the handover (root only)", [ROOT], /the reconcile Job has handed over to root/],
    ["before the handover (the bootstrap user exists)", [BOOTSTRAP], /authenticates as nyrkio-bootstrap: the reconcile Job hands over to root/],
  ])("a restart on a member that is SECONDARY now, %s: done, exit 0, nothing created", async (_case, users, said) => {
    const member = new StandInMember({ hello: SECONDARY, users });
    const { run, created } = await scenario(member);
    expect(run.exitCode).toBe(0);
    expect(created).toHaveLength(1); // sent, and refused: Unauthorized, before the primary check
    expect(member.users).toEqual(users);
    expect(run.output.join("\n")).toMatch(said);
  });

  it("after a write-concern timeout (the user was written), the retry authenticates and is done", async () => {
    let first = true;
    const member = new StandInMember({
      hello: PRIMARY,
      afterCreateUser: () => {
        if (first) throw serverError(64, "WriteConcernFailed", "waiting for replication timed out");
        first = false;
      },
    });
    expect((await scenario(member)).run.exitCode).not.toBe(0);
    first = false;
    const retry = await scenario(member);
    expect(retry.run.exitCode).toBe(0);
    expect(member.users).toEqual([BOOTSTRAP]);
  });
});
