// The exporters' own user: created by the reconcile Job only while monitoring is on, on every
// kind of replica set, with exactly the roles mongodb_exporter v0.53.0 documents (README.md
// "Permissions": clusterMonitor on admin, read on local), and its Secret mounted like the others.
import { dev as devEnvironment } from "../../config/environments/dev";
import { withoutTls } from "../support/tls-config";
import { sharded as shardedEnvironment } from "../../config/environments/sharded";
// TLS off: these tests pin the users and plaintext URIs; TLS has its own (test/security/tls-clients, rotation-user).
const dev = withoutTls(devEnvironment);
const sharded = withoutTls(shardedEnvironment);
import type { PlatformConfig } from "../../config/platform-config";
import { reconcileConfigMapData, reconcileSecretMounts } from "../../replicaset/reconcile-files";
import { RECONCILE_CONFIG_DIR, ROOT_SECRET_DIR, userSecretDir } from "../../replicaset/reconcile-paths";
import { reconcileScript } from "../../replicaset/reconcile-script";
import { renderUsersSpec, UserScope } from "../../replicaset/users";
import { liveConfig, psa } from "../replicaset/fixtures";
import { runReconcileScript } from "../replicaset/mongosh-stand-in";

const off = (c: PlatformConfig): PlatformConfig => ({ ...c, monitoring: { ...c.monitoring, enabled: false }, retention: { ...c.retention, enabled: false } });
const monitorOf = (c: PlatformConfig, scope: UserScope) => renderUsersSpec(c, scope).users.find((u) => u.name === "monitor");

describe("the monitor user", () => {
  test.each<UserScope>(["replicaset", "cluster", "shard"])("%s: clusterMonitor and read on local, nothing else, from its own Secret", (scope) => {
    expect(monitorOf(sharded, scope)).toEqual({
      name: "monitor",
      secretName: "nyrkio-mongodb-monitor",
      secretDir: "/etc/nyrkio/secrets/monitor",
      db: "admin",
      roles: [
        { role: "clusterMonitor", db: "admin" },
        { role: "read", db: "local" },
      ],
    });
  });

  test("with monitoring off there is no such user and no such Secret mount", () => {
    for (const scope of ["replicaset", "cluster", "shard"] as UserScope[]) expect(monitorOf(off(sharded), scope)).toBeUndefined();
    expect(reconcileSecretMounts(off(dev)).map((m) => m.name)).not.toContain("monitor");
  });

  test("the reconcile Job mounts its Secret read-only beside the others", () => {
    expect(reconcileSecretMounts(dev)).toContainEqual({ name: "monitor", secretName: "nyrkio-mongodb-monitor", mountPath: "/etc/nyrkio/secrets/monitor" });
    expect(reconcileSecretMounts(sharded, { users: "shard" }).map((m) => m.name)).toEqual(["root", "backup", "monitor"]);
  });

  test("the reconcile script creates it with its password from the Secret, and never with a role beyond the two", () => {
    const files: Record<string, string> = {};
    for (const [name, content] of Object.entries(reconcileConfigMapData(dev, dev.replsets[0]))) files[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
    files[`${ROOT_SECRET_DIR}/username`] = "root\n";
    files[`${ROOT_SECRET_DIR}/password`] = "r00t\n";
    for (const u of ["app", "migrator", "backup", "monitor", "retention"]) {
      files[`${userSecretDir(u)}/username`] = `nyrkio-${u}`;
      files[`${userSecretDir(u)}/password`] = `pw-${u}`;
    }
    const result = runReconcileScript(reconcileScript(), {
      live: liveConfig(psa()),
      users: [{ user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] }],
      files,
      rootCredentials: { user: "root", password: "r00t" },
    });
    expect(result.exitCode).toBe(0);
    const created = result.commands.filter((c) => "createUser" in c && c.createUser === "nyrkio-monitor");
    expect(created).toEqual([
      {
        createUser: "nyrkio-monitor",
        pwd: "pw-monitor",
        roles: [
          { role: "clusterMonitor", db: "admin" },
          { role: "read", db: "local" },
        ],
        mechanisms: ["SCRAM-SHA-256"],
      },
    ]);
  });
});
