// The contract between the backup stack and the reconcile Jobs of a sharded cluster: every backup
// job authenticates, over a direct connection, against the replica set it dumps or restores, so
// the user whose Secret it mounts must be managed by THAT set's reconcile Job, with the roles the
// job needs there (a shard's own users are not the cluster's). The full dumps' balancer window goes
// through mongos as the cluster's backup user, which needs the window's role.

import { sharded as shardedEnvironment } from "../../config/environments/sharded";
import { withoutTls } from "../support/tls-config";
// The users here are those without the exporters' user; test/monitoring covers monitoring on.
// TLS off: these tests pin the users and plaintext URIs; TLS has its own (test/security/tls-clients, rotation-user).
const sharded = { ...withoutTls(shardedEnvironment), monitoring: { ...shardedEnvironment.monitoring, enabled: false }, retention: { ...shardedEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
import type { PlatformConfig } from "../../config/platform-config";
import { backupTargets } from "../../sharding/backup-targets";
import { restoreUserRoles } from "../../replicaset/users";
import { containers, envOf, Json, podSpec, synthBackup } from "../backup/stack/support";
import { byName, synthDatabase } from "./synth";

interface UserEntry {
  name: string;
  secretName: string;
  roles: { role: string; db: string }[];
}
interface UsersJson {
  roles: { role: string; privileges: { resource: Record<string, unknown>; actions: string[] }[] }[];
  users: UserEntry[];
}

function contract(config: PlatformConfig) {
  const database = synthDatabase(config).resources;
  const backup = synthBackup(config);
  const usersOf = (replicaSet: string): UsersJson =>
    JSON.parse((byName(database, "kubernetes_config_map_v1", `mongodb-${replicaSet}-reconcile`).data as Record<string, string>)["users.json"]);
  const secretOf = (cronJob: Json, volume: string): string => podSpec(cronJob).volume.find((v: Json) => v.name === volume).secret.secret_name;
  /** The user the reconcile Job of `replicaSet` manages from `secretName`, with its role names. */
  const managedFrom = (replicaSet: string, secretName: string) => {
    const user = usersOf(replicaSet).users.find((u) => u.secretName === secretName);
    return user && { name: user.name, roles: user.roles.map((r) => `${r.role}@${r.db}`) };
  };
  const restoreUserJob = (replicaSet: string): Json =>
    Object.values(backup.json.resource.kubernetes_cron_job_v1 as Record<string, Json>).find((cj) => cj.metadata.name === `mongodb-${replicaSet}-restore-user`);
  return { backup, usersOf, secretOf, managedFrom, restoreUserJob };
}

describe("sharded on MongoDB 8.0: every backup job's user exists where it connects", () => {
  const { backup, usersOf, secretOf, managedFrom, restoreUserJob } = contract(sharded);
  const targets = backupTargets(sharded);

  it.each(targets.map((t) => [t.replicaSet, t.role]))("%s (%s): full dumps and oplog slices authenticate as a backup user of that very replica set", (replicaSet, role) => {
    for (const kind of ["full", "oplog"]) {
      const cronJob = backup.byName[`mongodb-${replicaSet}-backup-${kind}`];
      const work = containers(cronJob).find((c: Json) => envOf(c).BACKUP_USER_DIR);
      // A direct connection to this set's own members, never mongos.
      expect(envOf(work).BACKUP_REPLSET).toBe(replicaSet);
      const user = managedFrom(replicaSet, secretOf(cronJob, "backup-user"));
      expect(user?.name).toBe("backup");
      expect(user?.roles).toContain("nyrkioBackup@admin");
      // A shard refuses direct reads of user collections (mongodump, the snapshot counts) without it.
      if (role === "shard") expect(user?.roles).toContain("directShardOperations@admin");
      else expect(user?.roles).not.toContain("directShardOperations@admin");
    }
  });

  it.each(targets.map((t) => [t.replicaSet, t.role]))("%s (%s): the restore Job authenticates as the temporary user that set's restore-user Job creates, with the restore user's roles there", (replicaSet, role) => {
    // The restore Job's Secret is the one the restore-user Job of the same set creates the user from.
    const temporary = secretOf(backup.byName[`mongodb-${replicaSet}-restore`], "restore-user");
    const creator = restoreUserJob(replicaSet);
    expect(podSpec(creator).volume.find((v: Json) => v.name === "restore-credentials").secret.secret_name).toBe(temporary);
    const env = envOf(podSpec(creator).container[0]);
    expect(env.BACKUP_REPLSET).toBe(replicaSet);
    const roles = (JSON.parse(env.RESTORE_USER_ROLES) as { role: string; db: string }[]).map((r) => `${r.role}@${r.db}`);
    // The temporary user's roles (restoreUserRoles): no managed restore user exists (issue 12).
    const user = { name: "restore", roles };
    expect(roles).toEqual(restoreUserRoles(sharded, role === "configsvr" ? "cluster" : role === "shard" ? "shard" : "replicaset").map((r) => `${r.role}@${r.db}`));
    // The replay role (anyAction on anyResource): the built-in restore role cannot replay updates or deletes.
    expect(user?.roles).toContain("nyrkioRestore@admin");
    if (role === "shard") expect(user?.roles).toContain("directShardOperations@admin");
  });

  it("the shards' backup user holds nothing more, and the shards hold no other user (the restore users are temporary)", () => {
    for (const t of targets.filter((target) => target.role === "shard")) {
      expect(usersOf(t.replicaSet).users.map((u) => [u.name, u.roles.map((r) => r.role)])).toEqual([
        ["backup", ["nyrkioBackup", "nyrkioReplSetConfig", "directShardOperations"]],
      ]);
    }
  });

  it("the balancer window runs through mongos as the cluster's backup user, whose role covers what balancer.js does", () => {
    for (const t of targets) {
      const cronJob = backup.byName[`mongodb-${t.replicaSet}-backup-full`];
      const windowed = containers(cronJob).find((c: Json) => envOf(c).MONGOS_URI);
      expect(windowed).toBeDefined();
      // The leases stay in balancer.js's default namespace, the one the role names.
      expect(envOf(windowed).BALANCER_HOLDS_DB).toBeUndefined();
      // mongos authenticates against the cluster's users: the config servers'.
      expect(managedFrom("cfg", secretOf(cronJob, "backup-user"))?.roles).toEqual(["nyrkioBackup@admin", "nyrkioReplSetConfig@admin", "nyrkioBalancerWindow@admin"]);
    }
    const role = usersOf("cfg").roles.find((r) => r.role === "nyrkioBalancerWindow");
    const allowed = (db: string, collection: string) => role?.privileges.find((p) => p.resource.db === db && p.resource.collection === collection)?.actions ?? [];
    expect(allowed("config", "settings")).toEqual(expect.arrayContaining(["find", "update"]));
    expect(allowed("nyrkio_ops", "balancer_windows")).toEqual(expect.arrayContaining(["find", "insert", "update", "remove"]));
  });
});

describe("unsharded: the one replica set holds the backup and restore users, without sharding roles", () => {
  const config: PlatformConfig = { ...sharded, sharding: { ...sharded.sharding, enabled: false }, replsets: [sharded.replsets[0]] };
  const { backup, secretOf, managedFrom, restoreUserJob } = contract(config);

  it("backup and restore users with their own roles only: backup plus replSetGetConfig, and the replay role", () => {
    expect(managedFrom("rs0", secretOf(backup.byName["mongodb-rs0-backup-full"], "backup-user"))?.roles).toEqual(["nyrkioBackup@admin", "nyrkioReplSetConfig@admin"]);
    expect(secretOf(backup.byName["mongodb-rs0-restore"], "restore-user")).toBe("mongodb-rs0-restore-credentials");
    expect(JSON.parse(envOf(podSpec(restoreUserJob("rs0")).container[0]).RESTORE_USER_ROLES)).toEqual([{ role: "nyrkioRestore", db: "admin" }]);
  });
});
