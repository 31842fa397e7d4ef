// Issue 12, high 4: the restore user exists only while a restore needs it. The short restore-user
// Job (the only backup pod holding root) creates restore-<random> from the Secret the SRE
// generated, with an expiry the reconcile Job honours; the restore Job mounts only that Secret.
// The script runs against the stand-in replica set whose every command passes mongod's
// authorization model (test/support/mongod-authz.ts).

import { readFileSync } from "node:fs";
import * as vm from "node:vm";
import { environments } from "../../config/environments";
import { clientsUseTls, TLS_CA_FILE_ENV, TLS_CLIENT_CA_FILE } from "../../config/tls";
import { planPrune } from "../../replicaset/user-plan";
import { restoreUserRoles } from "../../replicaset/users";
import { restoreCredentialsSecretName } from "../../stacks/constructs/backup/backup-names";
import { RESTORE_CREDENTIALS_DIR } from "../../stacks/constructs/backup/restore-user-job";
import { reconcileEnvironment, exitCodeOf, StandInRun } from "../replicaset/mongosh-stand-in";
import { liveConfig, psa } from "../replicaset/fixtures";
import { containers, podTemplates, secretMounts, volumes } from "../security/secret-mounts";
import { synthBackup } from "./stack/support";

const script = readFileSync("backup/mongosh/restore-user.js", "utf8");
const ROOT = { user: "root", password: "r00t-Secret" };
const NAME = "restore-4f9a0c2e7b1d8e6a";
const PASSWORD = "Zq8-very-long-random-password";
const roles = restoreUserRoles(environments.dev);

function runScript(files: Record<string, string>, users = [{ user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] }]): StandInRun {
  const { globals, outcome } = reconcileEnvironment({ live: liveConfig(psa()), files, rootCredentials: ROOT, users });
  const env = {
    RESTORE_CREDENTIALS_DIR,
    ROOT_SECRET_DIR: "/etc/nyrkio/secrets/root",
    BACKUP_REPLSET: "rs0",
    BACKUP_MEMBERS: "mongodb-rs0-0.mongodb-rs0.ns.svc.cluster.local:27017,mongodb-rs0-1.mongodb-rs0.ns.svc.cluster.local:27017",
    RESTORE_USER_ROLES: JSON.stringify(roles),
    RESTORE_USER_TTL_SECONDS: "86400",
    RESTORE_PLAN_DIR: "/etc/nyrkio/restore-plan",
  };
  try {
    vm.runInNewContext(script, { ...globals, process: { env } }, { filename: "restore-user.js", timeout: 5000 });
    return outcome(0);
  } catch (e) {
    return outcome(exitCodeOf(e));
  }
}

const secrets = (name = NAME, password = PASSWORD) => ({
  [`${RESTORE_CREDENTIALS_DIR}/username`]: `${name}\n`,
  [`${RESTORE_CREDENTIALS_DIR}/password`]: password,
  "/etc/nyrkio/secrets/root/username": ROOT.user,
  "/etc/nyrkio/secrets/root/password": ROOT.password,
});

describe("restore-user.js (as root, against the stand-in)", () => {
  it("creates restore-<random> with the restore roles and an expiry the reconcile Job keeps until it passes", () => {
    const run = runScript(secrets());
    expect(run.lines.filter((l) => l.event === "error")).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.authUsers).toEqual(["root"]);
    const created = run.commands.find((c) => "createUser" in c)!;
    expect(created).toMatchObject({ createUser: NAME, pwd: PASSWORD, roles, mechanisms: ["SCRAM-SHA-256"] });
    const user = run.users.find((u) => u.user === NAME)!;
    const expires = Date.parse(String(user.customData!.nyrkioRestoreExpiresAt));
    expect(expires - Date.UTC(2025, 0, 1)).toBe(86400_000);
    // The reconcile Job keeps it while in use and drops it after.
    const keep = { keepUsers: [], keepRoles: [], now: expires - 1 };
    expect(planPrune({ users: [user], roles: [] }, { users: [], roles: [] }, keep)).toEqual([]);
    expect(planPrune({ users: [user], roles: [] }, { users: [], roles: [] }, { ...keep, now: expires })).toEqual([
      { kind: "dropUser", user: NAME, db: "admin", reason: "a temporary restore user past its expiry" },
    ]);
    expect(run.printed.join("\n")).not.toContain(PASSWORD);
  });

  it("run again: password, roles and expiry set again (updateUser with customData, which needs changeCustomData)", () => {
    const first = runScript(secrets());
    const again = runScript(secrets(), first.users);
    expect(again.exitCode).toBe(0);
    expect(again.commands.filter((c) => "updateUser" in c)).toHaveLength(1);
    expect(again.lines.at(-1)).toMatchObject({ event: "restoreUser", action: "password, roles and expiry set again" });
  });

  it.each([
    ["the managed restore user's name", "nyrkio-restore"],
    ["a short random part", "restore-abc"],
    ["upper case", "restore-4F9A0C2E7B1D8E6A"],
  ])("refuses %s before connecting", (_what, name) => {
    const run = runScript(secrets(name));
    expect(run.exitCode).toBe(1);
    expect(run.commands).toEqual([]);
    expect(run.lines.at(-1)!.message).toMatch(/must match/);
  });

  it("makes the user where the restore writes: the plan ConfigMap's target when it names one", () => {
    const inPlace = runScript(secrets());
    expect(inPlace.uris[0]).toMatch(/^mongodb:\/\/mongodb-rs0-0\.mongodb-rs0\.ns\.svc\.cluster\.local:27017,mongodb-rs0-1\.[^/]+\/\?replicaSet=rs0&/);
    const elsewhere = runScript({ ...secrets(), "/etc/nyrkio/restore-plan/target": "rs0/mongodb-rs0-0.mongodb-rs0.other.svc.cluster.local:27017\n" });
    expect(elsewhere.exitCode).toBe(0);
    expect(elsewhere.uris[0]).toMatch(/^mongodb:\/\/mongodb-rs0-0\.mongodb-rs0\.other\.svc\.cluster\.local:27017\/\?replicaSet=rs0&/);
    const withCredentials = runScript({ ...secrets(), "/etc/nyrkio/restore-plan/target": "u:p@h:27017" });
    expect(withCredentials.exitCode).toBe(1);
    expect(withCredentials.uris).toEqual([]);
  });

  it("refuses a short password", () => {
    const run = runScript(secrets(NAME, "short"));
    expect(run.exitCode).toBe(1);
    expect(run.commands).toEqual([]);
  });
});

describe.each(Object.keys(environments))("%s: who holds the temporary restore credentials", (env) => {
  const config = environments[env];
  const json = synthBackup(config).json;
  const mounts = secretMounts(json);

  it("the restore-user Job per replica set: root and the temporary Secret, one short mongosh run", () => {
    const jobs = podTemplates(json).filter((p) => p.name.endsWith("-restore-user"));
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const set = job.name.replace(/^mongodb-/, "").replace(/-restore-user$/, "");
      const own = mounts.filter((m) => m.workload === `CronJob ${job.name}`);
      // Its credentials: root and the temporary Secret; the TLS CA (ca.crt alone, public) besides
      // when clients use TLS, so restore-user.js verifies the server (tls-client.ts).
      const caOnly = (m: { keys: string[] }) => m.keys.length === 1 && m.keys[0] === "ca.crt";
      expect(own.filter((m) => !caOnly(m)).map((m) => m.secret).sort()).toEqual([restoreCredentialsSecretName(set), config.secrets.root].sort());
      expect(own.filter(caOnly).map((m) => m.secret)).toEqual(clientsUseTls(config.tls) ? [config.tls.certificates!.secretName] : []);
      expect(containers(job)[0].env[TLS_CA_FILE_ENV]).toBe(clientsUseTls(config.tls) ? TLS_CLIENT_CA_FILE : undefined);
      expect(containers(job).map((c) => c.container)).toEqual(["restore-user"]);
    }
  });

  it("the restore Job mounts the temporary Secret, in its connecting container only, and never the managed restore user's or root", () => {
    const restoreMounts = mounts.filter((m) => / mongodb-[a-z0-9]+-restore$/.test(m.workload));
    expect(restoreMounts.filter((m) => [config.secrets.restore, config.secrets.root].includes(m.secret))).toEqual([]);
    const temporary = restoreMounts.filter((m) => m.secret.endsWith("-restore-credentials"));
    expect(temporary.length).toBeGreaterThan(0);
    for (const m of temporary) expect(m.container).toBe("restore");
    // Nothing else in the backup stack holds it.
    expect(mounts.filter((m) => m.secret.endsWith("-restore-credentials") && !/-restore(-user)?$/.test(m.workload)).length).toBe(0);
  });

  it("the temporary Secret is optional in the restore Job (restore.sh says how to create it)", () => {
    for (const p of podTemplates(json).filter((x) => /-restore$/.test(x.name)))
      expect(volumes(p).find((v) => v.name === "restore-user").secret).toMatchObject({ optional: true });
  });
});

describe("the restore-user pod is as locked down as the backup pods", () => {
  it.each(Object.keys(environments))("%s", (env) => {
    for (const job of podTemplates(synthBackup(environments[env]).json).filter((p) => p.name.endsWith("-restore-user"))) {
      expect(job.spec.automount_service_account_token).toBe(false);
      expect(job.spec.security_context).toMatchObject({ run_as_non_root: true });
      for (const c of containers(job)) expect(c.rawEnv.map((e) => e.value_from)).toEqual(c.rawEnv.map(() => undefined));
      const [container] = job.spec.container;
      expect(container.security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } });
    }
  });
});
