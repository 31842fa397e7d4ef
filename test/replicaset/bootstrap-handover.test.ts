// Issue 12, Medium 11: the root Secret only where and while it is needed. The bootstrap sidecar
// creates a one-time bootstrap user through the localhost exception (create-bootstrap-user.js);
// the reconcile Job logs in as it, creates root from the root Secret (which no data pod mounts)
// and drops it. Here the two run in sequence against stand-ins that apply mongod's authorization
// (test/support/mongod-authz.ts): the member's localhost exception, userAdmin's privileges, one
// user per connection, and a dropped user's sessions logged out.

import { dev as devEnvironment } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { reconcileConfigMapData } from "../../replicaset/reconcile-files";
import { BOOTSTRAP_SECRET_DIR, RECONCILE_CONFIG_DIR, ROOT_SECRET_DIR, userSecretDir } from "../../replicaset/reconcile-paths";
import { reconcileScript } from "../../replicaset/reconcile-script";
import { configuredUsers } from "../../replicaset/users";
import { MemberUser, StandInMember } from "../stacks/member-stand-in";
import { runMongoshScript } from "../stacks/mongosh-sandbox";
import { withoutTls } from "../support/tls-config";
import { liveConfig, psa } from "./fixtures";
import { Login, runReconcileScript, StandInOptions, StandInRun } from "./mongosh-stand-in";

const dev: PlatformConfig = withoutTls(devEnvironment);
const rs0 = dev.replsets[0];
const ROOT = { user: "root", password: "r00t-Secret" };
const BOOTSTRAP = { user: "nyrkio-bootstrap", password: "b00tstrap-Secret" };
const PRIMARY = { setName: "rs0", isWritablePrimary: true, secondary: false, ok: 1 };
const script = reconcileScript();

/** The Job's files: its ConfigMap, the root and managed users' Secrets, and the bootstrap Secret unless it does not exist (the optional volume is then empty). */
function jobFiles(withBootstrap: boolean): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, content] of Object.entries(reconcileConfigMapData(dev, rs0))) files[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
  files[`${ROOT_SECRET_DIR}/username`] = `${ROOT.user}\n`;
  files[`${ROOT_SECRET_DIR}/password`] = `${ROOT.password}\n`;
  if (withBootstrap) {
    files[`${BOOTSTRAP_SECRET_DIR}/username`] = `${BOOTSTRAP.user}\n`;
    files[`${BOOTSTRAP_SECRET_DIR}/password`] = `${BOOTSTRAP.password}\n`;
  }
  for (const u of configuredUsers(dev, "replicaset")) {
    files[`${userSecretDir(u)}/username`] = `nyrkio-${u}`;
    files[`${userSecretDir(u)}/password`] = `pw-${u}-Z9`;
  }
  return files;
}

/** The sidecar's step on ordinal 0, over 127.0.0.1, against the member as it is. */
function sidecar(member: StandInMember, withBootstrap = true) {
  const files: Record<string, string> = withBootstrap ? { [`${BOOTSTRAP_SECRET_DIR}/username`]: `${BOOTSTRAP.user}\n`, [`${BOOTSTRAP_SECRET_DIR}/password`]: `${BOOTSTRAP.password}\n` } : {};
  return runMongoshScript("create-bootstrap-user.js", (reply) => ({ db: member.connect(reply, true).db, env: { BOOTSTRAP_SECRET_DIR }, files }));
}

/** The member's users as the reconcile Job's stand-in holds them: who can log in, and what usersInfo lists. */
function asReconcileState(users: MemberUser[]): Pick<StandInOptions, "logins" | "users"> {
  return {
    logins: users.map((u): Login => ({ user: u.user, password: u.pwd, roles: u.roles })),
    users: users.map((u) => ({ user: u.user, db: "admin", roles: u.roles })),
  };
}
const asMemberUsers = (run: StandInRun): MemberUser[] => run.logins.map((l) => ({ user: l.user, pwd: l.password, roles: l.roles }));

function reconcile(state: Pick<StandInOptions, "logins" | "users">, withBootstrap = true, extra: Partial<StandInOptions> = {}): StandInRun {
  return runReconcileScript(script, { live: liveConfig(psa()), files: jobFiles(withBootstrap), rootCredentials: ROOT, ...state, ...extra });
}

const handover = (run: StandInRun) => run.lines.filter((l) => l.event === "handover");

describe("the bootstrap user's handover to root", () => {
  test("a new set: the sidecar creates the bootstrap user, the Job creates root with it and drops it; the bootstrap password then opens nothing", () => {
    const member = new StandInMember({ hello: PRIMARY });
    expect(sidecar(member).exitCode).toBe(0);
    expect(member.users.map((u) => [u.user, u.roles])).toEqual([[BOOTSTRAP.user, [{ role: "userAdmin", db: "admin" }]]]);

    const run = reconcile(asReconcileState(member.users));
    if (run.exitCode !== 0) throw new Error(run.printed.join("\n"));
    // root refused (it does not exist), the bootstrap user, then root on a new connection.
    expect(run.authUsers.slice(0, 3)).toEqual([ROOT.user, BOOTSTRAP.user, ROOT.user]);
    const createRoot = run.commands.find((c) => c.createUser === ROOT.user);
    expect(createRoot).toEqual({ createUser: ROOT.user, pwd: ROOT.password, roles: [{ role: "root", db: "admin" }], writeConcern: { w: "majority", wtimeout: 60000 } });
    expect(run.commands.filter((c) => "dropUser" in c)).toEqual([{ dropUser: BOOTSTRAP.user, writeConcern: { w: "majority", wtimeout: 60000 } }]);
    expect(handover(run)).toEqual([
      { event: "handover", step: "created the root user", user: ROOT.user, as: BOOTSTRAP.user },
      { event: "handover", step: "dropped the bootstrap user", user: BOOTSTRAP.user, result: "done" },
    ]);
    expect(run.lines.at(-1)?.event).toBe("done");
    expect(run.logins.map((l) => l.user)).toContain(ROOT.user);
    expect(run.logins.map((l) => l.user)).not.toContain(BOOTSTRAP.user);
    expect(run.users.map((u) => u.user)).not.toContain(BOOTSTRAP.user);
    // No password is printed.
    expect(run.printed.join("\n")).not.toMatch(/r00t-Secret|b00tstrap-Secret/);

    // A restart of the sidecar after the handover: createUser is refused (a user exists), the
    // bootstrap Secret no longer authenticates, nothing is created, exit 0.
    const after = new StandInMember({ hello: PRIMARY, users: asMemberUsers(run) });
    const restarted = sidecar(after);
    expect(restarted.exitCode).toBe(0);
    expect(after.users.map((u) => u.user)).not.toContain(BOOTSTRAP.user);
    expect(after.users.map((u) => u.user).sort()).toEqual(asMemberUsers(run).map((u) => u.user).sort());

    // The next reconcile run logs in as root at once and finds nothing to hand over.
    const again = reconcile({ logins: run.logins, users: run.users });
    expect(again.exitCode).toBe(0);
    expect(again.authUsers[0]).toBe(ROOT.user);
    expect(again.authUsers).not.toContain(BOOTSTRAP.user);
    expect(again.commands.some((c) => c.createUser === ROOT.user || "dropUser" in c)).toBe(false);
    expect(handover(again)).toEqual([{ event: "handover", result: "done", reason: `the bootstrap user ${BOOTSTRAP.user} does not exist` }]);
  });

  test("the bootstrap user may do nothing but create users: the Job sends it hello and createUser only (the stand-in refuses the rest to userAdmin)", () => {
    const member = new StandInMember({ hello: PRIMARY });
    sidecar(member);
    const run = reconcile(asReconcileState(member.users));
    expect(run.exitCode).toBe(0);
    // Commands up to the createUser of root ran on the bootstrap user's connection (after the failed root login).
    const upToRoot = run.commands.slice(0, run.commands.findIndex((c) => c.createUser === ROOT.user) + 1);
    expect(upToRoot.map((c) => Object.keys(c)[0])).toEqual(["hello", "createUser"]);
  });

  test("an existing set (root made by the old bootstrap, no bootstrap Secret) upgrades cleanly: root logs in, nothing is created or dropped", () => {
    const rootUser: MemberUser = { user: ROOT.user, pwd: ROOT.password, roles: [{ role: "root", db: "admin" }] };
    const member = new StandInMember({ hello: PRIMARY, users: [rootUser] });
    // The new sidecar, started with an empty bootstrap volume: nothing to do.
    const side = sidecar(member, false);
    expect(side.exitCode).toBe(0);
    expect(member.users).toEqual([rootUser]);

    const run = reconcile(asReconcileState(member.users), false);
    expect(run.exitCode).toBe(0);
    expect(run.authUsers).toEqual([ROOT.user]);
    expect(run.lines.find((l) => l.event === "connected")).toMatchObject({ attempts: 1 });
    expect(handover(run)).toEqual([{ event: "handover", result: "skipped", reason: "no bootstrap Secret mounted" }]);
    expect(run.commands.some((c) => c.createUser === ROOT.user || "dropUser" in c)).toBe(false);

    // And with the bootstrap Secret created later (create-secrets.sh run again): the sidecar's
    // createUser is refused (a user exists), its login fails, and it is done.
    const withSecret = sidecar(member);
    expect(withSecret.exitCode).toBe(0);
    expect(member.users).toEqual([rootUser]);
  });

  test("the first pod is a SECONDARY when its sidecar first runs (member 1 won the first election): it waits; once it is PRIMARY it creates the user; restarted as a SECONDARY after the handover it is done at once", () => {
    const SECONDARY = { setName: "rs0", isWritablePrimary: false, secondary: true, ok: 1 };
    let state: typeof PRIMARY | typeof SECONDARY = SECONDARY;
    const member = new StandInMember({ hello: () => state });
    // No user yet: the exception passes createUser, the member refuses it as not primary.
    expect(sidecar(member).exitCode).toBe(1);
    expect(member.users).toEqual([]);
    state = PRIMARY; // priority takeover by member 0 (priority 2)
    expect(sidecar(member).exitCode).toBe(0);
    const run = reconcile(asReconcileState(member.users));
    expect(run.exitCode).toBe(0);
    // The primary moved (a rolling update); the restarted first pod is SECONDARY: createUser is
    // Unauthorized before any primary check (service_entry_point_common.cpp), so the step ends.
    const after = new StandInMember({ hello: SECONDARY, users: asMemberUsers(run) });
    const restarted = sidecar(after);
    expect(restarted.exitCode).toBe(0);
    expect(restarted.output.join("\n")).toMatch(/the reconcile Job has handed over to root/);
    expect(after.users.map((u) => u.user)).not.toContain(BOOTSTRAP.user);
  });

  test("a run stopped between creating root and dropping the bootstrap user: the next run logs in as root and drops it", () => {
    const users: MemberUser[] = [
      { user: BOOTSTRAP.user, pwd: BOOTSTRAP.password, roles: [{ role: "userAdmin", db: "admin" }] },
      { user: ROOT.user, pwd: ROOT.password, roles: [{ role: "root", db: "admin" }] },
    ];
    const run = reconcile(asReconcileState(users));
    expect(run.exitCode).toBe(0);
    expect(run.authUsers[0]).toBe(ROOT.user);
    expect(run.commands.some((c) => c.createUser === ROOT.user)).toBe(false);
    expect(run.commands.filter((c) => "dropUser" in c)).toEqual([{ dropUser: BOOTSTRAP.user, writeConcern: { w: "majority", wtimeout: 60000 } }]);
    expect(run.logins.map((l) => l.user)).not.toContain(BOOTSTRAP.user);
  });

  test("root exists with another password than the root Secret's, and the bootstrap user too: the Job waits, bounded, then names the cause; it never replaces root", () => {
    const users: MemberUser[] = [
      { user: BOOTSTRAP.user, pwd: BOOTSTRAP.password, roles: [{ role: "userAdmin", db: "admin" }] },
      { user: ROOT.user, pwd: "an-older-password", roles: [{ role: "root", db: "admin" }] },
    ];
    const run = reconcile(asReconcileState(users));
    expect(run.exitCode).toBe(1);
    expect(run.lines.at(-1)).toEqual({ event: "error", message: expect.stringMatching(/the root user root exists, but the root Secret does not authenticate as it/) });
    expect(run.commands.some((c) => "dropUser" in c || "updateUser" in c)).toBe(false);
  });

  test("before the sidecar has made the bootstrap user: neither Secret logs in; the Job waits, bounded, and names both Secrets", () => {
    const run = reconcile({ logins: [], users: [] });
    expect(run.exitCode).toBe(1);
    expect(run.lines.filter((l) => l.event === "waiting").length).toBeGreaterThan(1);
    expect(run.lines.at(-1)).toEqual({
      event: "error",
      message: expect.stringMatching(/neither the root Secret \(.*Authentication failed.*\) nor the bootstrap Secret \(.*Authentication failed.*\) authenticates\); the bootstrap in the first data pod .* check its log and that both Secrets exist/),
    });
  });

  test("a new set without the bootstrap Secret: the Job says so instead of waiting silently", () => {
    const run = reconcile({ logins: [], users: [] }, false);
    expect(run.exitCode).toBe(1);
    expect(run.lines.at(-1)?.message).toMatch(/the root Secret does not authenticate \(.*\) and no bootstrap Secret is mounted/);
  });
});
