// The mongosh steps the member pods run (stacks/scripts/mongosh/), executed in a vm with
// stand-ins for mongosh's globals: the readiness decision, the initiate step and the root-user
// step, in each situation a pod meets. (bats tests the shell around them.) Every scenario runs
// twice: in a plain vm, and under mongosh's async rewriter with promise replies, as in the pod.

import { MongoshAsyncWriter, Reply, runMongoshScript, runMongoshScriptRewritten, SandboxGlobals, SandboxRun, serverError } from "./mongosh-sandbox";

type Doc = Record<string, unknown>;
type Runner = (name: string, makeGlobals: (reply: Reply) => SandboxGlobals) => Promise<SandboxRun>;

const runners: [string, Runner][] = [["plain vm", async (name, make) => runMongoshScript(name, make)]];
if (MongoshAsyncWriter) runners.push(["mongosh async rewriter", runMongoshScriptRewritten]);
else console.log("member mongosh scripts: the async-rewriter runs are skipped: @mongosh/async-rewriter2 is not installed");

/** db as the scripts use it; each call answers through `reply`, as the shell API would. */
function fakeDb(reply: Reply, handlers: { hello?: () => Doc; usersInfo?: () => Doc; createUser?: (user: Doc, wc: Doc) => void }) {
  const runCommand = (cmd: Doc) => {
    if ("hello" in cmd && handlers.hello) return handlers.hello();
    if ("usersInfo" in cmd && handlers.usersInfo) return handlers.usersInfo();
    throw new Error(`unexpected command ${JSON.stringify(cmd)}`);
  };
  const admin = {
    runCommand: (cmd: Doc) => reply(() => runCommand(cmd)),
    createUser: (user: Doc, wc: Doc) =>
      reply(() => {
        if (!handlers.createUser) throw new Error("unexpected createUser");
        handlers.createUser(user, wc);
        return { ok: 1 };
      }),
  };
  return {
    adminCommand: (cmd: Doc) => reply(() => runCommand(cmd)),
    getSiblingDB: (name: string) => {
      if (name !== "admin") throw new Error(`unexpected database ${name}`);
      return admin;
    },
  };
}

const NOT_INITIATED = { isWritablePrimary: false, secondary: false, info: "Does not have a valid replica set config", isreplicaset: true, ok: 1 };
const PRIMARY = { setName: "rs0", isWritablePrimary: true, secondary: false, ok: 1 };
const SECONDARY = { setName: "rs0", isWritablePrimary: false, secondary: true, ok: 1 };
const ARBITER = { setName: "rs0", isWritablePrimary: false, secondary: false, arbiterOnly: true, ok: 1 };
const RECOVERING = { setName: "rs0", isWritablePrimary: false, secondary: false, ok: 1 };
const REMOVED = { setName: "rs0", isWritablePrimary: false, secondary: false, info: "Does not have a valid replica set config", isreplicaset: true, ok: 1 };

describe.each(runners)("readiness.js (%s)", (_mode, run) => {
  const ready = (hello: Doc) => run("readiness.js", (reply) => ({ db: fakeDb(reply, { hello: () => hello }) }));

  it("is ready before the set is initiated, so the rollout and the bootstrap do not wait on each other", async () => {
    const result = await ready(NOT_INITIATED);
    expect(result.exitCode).toBe(0);
    expect(result.output.join("\n")).toMatch(/not initiated yet/);
  });

  it.each([
    ["PRIMARY", PRIMARY],
    ["SECONDARY", SECONDARY],
    ["ARBITER", ARBITER],
  ])("is ready as %s", async (state, hello) => {
    const result = await ready(hello);
    expect(result.exitCode).toBe(0);
    expect(result.output.join("\n")).toContain(state);
  });

  it.each([
    ["starting, recovering or in initial sync", RECOVERING],
    ["removed from the config", REMOVED],
  ])("is not ready when %s", async (_, hello) => {
    expect((await ready(hello)).exitCode).toBe(1);
  });

  it("fails when mongod does not answer", async () => {
    const result = await run("readiness.js", (reply) => ({
      db: fakeDb(reply, {
        hello: () => {
          throw serverError(6, "HostUnreachable");
        },
      }),
    }));
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
  async function scenario(opts: { local: Doc; peers?: Record<string, Doc>; initiate?: (config: Doc) => Doc }) {
    const initiated: Doc[] = [];
    const contacted: string[] = [];
    const run = await runScript("initiate.js", (reply) => {
      class Mongo {
        constructor(uri: string) {
          const host = /^mongodb:\/\/([^/]+)\//.exec(uri)![1];
          contacted.push(uri);
          return reply(() => {
            const hello = opts.peers?.[host];
            if (!hello) throw serverError(6, "HostUnreachable", `connect ECONNREFUSED ${host}`);
            return { getDB: () => ({ runCommand: () => reply(() => hello) }) };
          });
        }
      }
      const rs = {
        initiate: (config: Doc) =>
          reply(() => {
            initiated.push(config);
            return opts.initiate ? opts.initiate(config) : { ok: 1 };
          }),
      };
      return { db: fakeDb(reply, { hello: () => opts.local }), rs, Mongo, env, files };
    });
    return { run, initiated, contacted };
  }

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

describe.each(runners)("create-root-user.js (%s)", (_mode, runScript) => {
  const env = { ROOT_SECRET_DIR: "/etc/nyrkio/secrets/root" };
  const files = { "/etc/nyrkio/secrets/root/username": "root\n", "/etc/nyrkio/secrets/root/password": "s3cret-Passw0rd\n" };

  async function scenario(opts: { usersInfo: () => Doc; hello?: Doc; createUser?: (user: Doc, wc: Doc) => void }) {
    const created: { user: Doc; wc: Doc }[] = [];
    const run = await runScript("create-root-user.js", (reply) => ({
      db: fakeDb(reply, {
        usersInfo: opts.usersInfo,
        hello: () => opts.hello ?? PRIMARY,
        createUser: (user, wc) => {
          created.push({ user, wc });
          opts.createUser?.(user, wc);
        },
      }),
      env,
      files,
    }));
    return { run, created };
  }

  it("creates the root user on the primary, with the password read from the mounted Secret", async () => {
    const { run, created } = await scenario({ usersInfo: () => ({ users: [], ok: 1 }) });
    expect(run.exitCode).toBe(0);
    expect(created).toEqual([{ user: { user: "root", pwd: "s3cret-Passw0rd", roles: [{ role: "root", db: "admin" }] }, wc: { w: "majority", wtimeout: 60000 } }]);
    expect(run.output.join("\n")).not.toContain("s3cret-Passw0rd");
  });

  it("does nothing once a user exists (access control refuses the unauthenticated usersInfo)", async () => {
    const { run, created } = await scenario({
      usersInfo: () => {
        throw serverError(13, "Unauthorized");
      },
    });
    expect(run.exitCode).toBe(0);
    expect(created).toEqual([]);
  });

  it("waits while this member is not PRIMARY", async () => {
    const { run, created } = await scenario({ usersInfo: () => ({ users: [], ok: 1 }), hello: SECONDARY });
    expect(run.exitCode).toBe(1);
    expect(created).toEqual([]);
  });

  it("treats a user created meanwhile as done", async () => {
    const { run } = await scenario({
      usersInfo: () => ({ users: [], ok: 1 }),
      createUser: () => {
        throw serverError(51003, "Location51003", "User already exists");
      },
    });
    expect(run.exitCode).toBe(0);
  });

  it("fails (to be retried) on any other error", async () => {
    const { run } = await scenario({
      usersInfo: () => ({ users: [], ok: 1 }),
      createUser: () => {
        throw serverError(64, "WriteConcernFailed");
      },
    });
    expect(run.exitCode).not.toBe(0);
  });
});
