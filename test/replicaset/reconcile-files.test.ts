import { dev as devEnvironment } from "../../config/environments/dev";
import { withoutTls } from "../support/tls-config";
// These tests pin the users as they are without the exporter's user; test/monitoring/monitor-user.test.ts covers it.
// TLS off: the rotator user and the TLS steps have their own tests (rotation-user, reconcile-tls).
const dev = { ...withoutTls(devEnvironment), monitoring: { ...devEnvironment.monitoring, enabled: false }, retention: { ...devEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
const sharded = { ...withoutTls(shardedEnvironment), monitoring: { ...shardedEnvironment.monitoring, enabled: false }, retention: { ...shardedEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
import { sharded as shardedEnvironment } from "../../config/environments/sharded";
import { uriTlsOptions } from "../../config/tls";
import { DEFAULT_RECONCILE_SETTINGS, desiredStateHash, reconcileConfigMapData, reconcileMaxRunSeconds, reconcileSecretMounts, reconcileUserSecrets } from "../../replicaset/reconcile-files";
import { RECONCILE_COMMAND, RECONCILE_CONFIG_DIR, RECONCILE_FILES } from "../../replicaset/reconcile-paths";
import { reconcileScript } from "../../replicaset/reconcile-script";
import { renderReplicaSetConfigJson } from "../../replicaset/replica-set-config";
import { renderDefaultRWConcernCommand } from "../../replicaset/rw-concern";
import { renderUsersSpec } from "../../replicaset/users";

const rs0 = dev.replsets[0];

describe("reconcileConfigMapData", () => {
  const data = reconcileConfigMapData(dev, rs0);

  test("six files, the replica-set document identical to renderReplicaSetConfigJson", () => {
    expect(Object.keys(data).sort()).toEqual(["reconcile.js", "replicaset.json", "rw-concern.json", "settings.json", "tls.json", "users.json"]);
    expect(JSON.parse(data[RECONCILE_FILES.tls])).toEqual({ mode: dev.tls.mode, memberAuth: dev.tls.memberAuth, clientsMigrated: dev.tls.clientsMigrated, uriOptions: uriTlsOptions(dev.tls) });
    expect(data[RECONCILE_FILES.replicaSet]).toBe(renderReplicaSetConfigJson(dev, rs0));
    expect(JSON.parse(data[RECONCILE_FILES.users])).toEqual(renderUsersSpec(dev));
    expect(JSON.parse(data[RECONCILE_FILES.rwConcern])).toEqual(renderDefaultRWConcernCommand(dev));
    expect(JSON.parse(data[RECONCILE_FILES.settings])).toEqual(DEFAULT_RECONCILE_SETTINGS);
    expect(data[RECONCILE_FILES.script]).toBe(reconcileScript());
  });

  test("a shard: only its local backup user, no default RW concern (the cluster's); settings can be overridden", () => {
    const shard = reconcileConfigMapData(sharded, sharded.replsets[1], { users: "shard", manageDefaultRWConcern: false, settings: { memberSyncTimeoutSeconds: 60 } });
    expect(JSON.parse(shard[RECONCILE_FILES.users])).toEqual(renderUsersSpec(sharded, "shard"));
    expect(JSON.parse(shard[RECONCILE_FILES.users]).users.map((u: { name: string }) => u.name)).toEqual(["backup"]);
    expect(JSON.parse(shard[RECONCILE_FILES.rwConcern])).toBeNull();
    expect(JSON.parse(shard[RECONCILE_FILES.settings]).memberSyncTimeoutSeconds).toBe(60);
    expect(JSON.parse(shard[RECONCILE_FILES.replicaSet])._id).toBe("rs1");
  });

  test("the config servers: the cluster's users and roles", () => {
    const cfg = reconcileConfigMapData(sharded, sharded.replsets[0], { configsvr: true, users: "cluster" });
    expect(JSON.parse(cfg[RECONCILE_FILES.users])).toEqual(renderUsersSpec(sharded, "cluster"));
  });

  test("no credential in the files", () => {
    expect(JSON.stringify(data)).not.toMatch(/"pwd"\s*:\s*"|password"\s*:\s*"/);
  });
});

describe("desiredStateHash", () => {
  const data = reconcileConfigMapData(dev, rs0);
  test("10 hex digits, stable for the same input", () => {
    expect(desiredStateHash(data)).toMatch(/^[0-9a-f]{10}$/);
    expect(desiredStateHash(reconcileConfigMapData(dev, rs0))).toBe(desiredStateHash(data));
    expect(desiredStateHash({ ...data })).toBe(desiredStateHash(Object.fromEntries(Object.entries(data).reverse())));
  });
  test("a shard's Job runs again when the image crosses 8.0 (its users gain directShardOperations)", () => {
    const shard = (image: string) => desiredStateHash(reconcileConfigMapData({ ...sharded, image }, sharded.replsets[1], { users: "shard", manageDefaultRWConcern: false }));
    expect(shard("mongo:7.0.14")).not.toBe(shard("mongo:8.0.12"));
    expect(shard("mongo:8.0.12")).toBe(shard("mongo:8.0.13"));
  });
  test("changes with a priority, a user spec, the RW concern or the script", () => {
    const changedPriority = { ...rs0, members: [{ priority: 3, votes: 1 as const }, rs0.members[1]] };
    const hashes = new Set([
      desiredStateHash(data),
      desiredStateHash(reconcileConfigMapData(dev, changedPriority)),
      desiredStateHash(reconcileConfigMapData({ ...dev, database: "other" }, rs0)),
      desiredStateHash(reconcileConfigMapData({ ...dev, readWriteConcern: { ...dev.readWriteConcern, read: "majority" } }, rs0)),
      desiredStateHash({ ...data, [RECONCILE_FILES.script]: `${data[RECONCILE_FILES.script]}\n` }),
    ]);
    expect(hashes.size).toBe(5);
  });
});

test("the Job contract: command without credentials, mounts for root and each user", () => {
  expect(RECONCILE_COMMAND).toEqual(["mongosh", "--nodb", "--quiet", "--file", "/etc/nyrkio/reconcile/reconcile.js"]);
  expect(RECONCILE_CONFIG_DIR).toBe("/etc/nyrkio/reconcile");
  expect(reconcileSecretMounts(dev)).toEqual([
    { name: "root", secretName: "nyrkio-mongodb-root", mountPath: "/etc/nyrkio/secrets/root" },
    { name: "app", secretName: "nyrkio-mongodb-app", mountPath: "/etc/nyrkio/secrets/app" },
    { name: "migrator", secretName: "nyrkio-mongodb-migrator", mountPath: "/etc/nyrkio/secrets/migrator" },
    { name: "backup", secretName: "nyrkio-mongodb-backup", mountPath: "/etc/nyrkio/secrets/backup" },
  ]);
  expect(reconcileSecretMounts(dev, { users: "cluster" })).toEqual(reconcileSecretMounts(dev));
  expect(reconcileSecretMounts(dev, { users: "shard" }).map((m) => m.name)).toEqual(["root", "backup"]);
  expect(reconcileUserSecrets(dev, { users: "shard" })).toEqual({ root: "nyrkio-mongodb-root", backup: "nyrkio-mongodb-backup" });
  expect(reconcileMaxRunSeconds()).toBeGreaterThan(DEFAULT_RECONCILE_SETTINGS.memberSyncTimeoutSeconds);
});
