// The database users a reconcile Job maintains, each with least privilege. Users live in the
// `admin` database (the auth source); their names and passwords come from Kubernetes Secrets
// mounted as files, so this spec holds only roles and where to read the credentials.
//
// Which users a replica set holds depends on what it is (UserScope):
//   replicaset  unsharded: app, migrator, backup
//   cluster     the config servers of a sharded cluster: the same four, which mongos
//               authenticates; the backup user also opens the balancer window through mongos
//   shard       a shard: only the shard-local user that DIRECT connections need, backup
//               (per-replica-set dumps cannot go through mongos); the application and the
//               migrator connect through mongos and have no user here
//
//   app       the custom role nyrkioApp: CRUD on the Nyrkiö database, no DDL (appRole)
//   migrator  the custom role nyrkioMigrator: schema changes, index builds and their progress,
//             $indexStats, and its own changelog/lock collections; no access to the data itself
//   backup    the custom role nyrkioBackup (built-in backup minus its write actions, backupRole) and nyrkioReplSetConfig
//             (replSetGetConfig: the replicaSetId every manifest records); cluster: also
//             nyrkioBalancerWindow; shard on MongoDB 8.0+: also directShardOperations
//   (restore) no managed user (issue 12: it is as strong as root): each restore creates a
//             temporary restore-<random> user with restoreUserRoles (the custom role nyrkioRestore,
//             anyAction on anyResource, see restoreRole for why; shard on MongoDB 8.0+: also
//             directShardOperations) and drops it at the end; the role stays managed here
//   retention with retention.enabled, unsharded and on the config servers (it connects as the
//             application does): the custom role nyrkioRetention, find on results and changes and
//             remove on results (retentionRole)
//   monitor   with monitoring.enabled, on every kind of set (each exporter connects to its own
//             mongod, or through mongos to the config servers' users): built-in clusterMonitor
//             and read on local, exactly what mongodb_exporter v0.53.0 documents (README.md,
//             "Permissions"; main.go: "need clusterMonitor role in admin db and read role in
//             local db"). clusterMonitor covers serverStatus, getDiagnosticData,
//             replSetGetStatus, replSetGetConfig, getCmdLineOpts; read on local is for the oplog
//             window (the first and last entry of local.oplog.rs, v1_compatibility.go oplogStatus)
//   rotator   with TLS on (tls.mode other than disabled), on every kind of set (each data member's
//             and each mongos's TLS rotation sidecar logs in to its own process, mongos through
//             the config servers' users): the custom role nyrkioCertRotation, exactly the
//             rotateCertificates action on the cluster (rotationRole)
// The root user is created by the bootstrap (localhost exception) and is not managed here.

import { parseMongoImage } from "../config/mongo-image";
import type { PlatformConfig } from "../config/platform-config";
import { serverTlsOn } from "../config/tls";
import { userSecretDir } from "./reconcile-paths";

export const AUTH_SOURCE = "admin";
export const MANAGED_USERS = ["app", "migrator", "backup", "monitor", "retention", "rotator"] as const;
export type ManagedUser = (typeof MANAGED_USERS)[number];

/** What kind of replica set a reconcile Job manages users on (see the file comment). */
export type UserScope = "replicaset" | "cluster" | "shard";

/** Custom role of the migrator, defined (and updated) by the reconcile script. */
export const MIGRATOR_ROLE = "nyrkioMigrator";
/** Custom role of the application: CRUD only (appRole). */
export const APP_ROLE = "nyrkioApp";
/** Custom role of the retention job's user (retentionRole). */
export const RETENTION_ROLE = "nyrkioRetention";
/** Custom role of the backup user: what mongodump --oplog reads, no write (backupRole). */
export const BACKUP_ROLE = "nyrkioBackup";
/** Custom role of the restore user: mongorestore --oplogReplay needs every action (restoreRole). */
export const RESTORE_ROLE = "nyrkioRestore";
/** Custom role of the TLS rotation sidecars' user: rotateCertificates only (rotationRole). */
export const ROTATION_ROLE = "nyrkioCertRotation";
/** Custom role of the backup user: replSetGetConfig only (replSetConfigRole). */
export const REPLSET_CONFIG_ROLE = "nyrkioReplSetConfig";
/** Custom role of the cluster's backup user for the balancer window (sharding/mongosh/balancer.js). */
export const BALANCER_WINDOW_ROLE = "nyrkioBalancerWindow";
/**
 * The balancer window's leases: balancer.js's default BALANCER_HOLDS_DB and its collection (the
 * backup pods do not override it). A test holds these equal to the script's text.
 */
export const BALANCER_WINDOWS_DB = "nyrkio_ops";
export const BALANCER_WINDOWS_COLLECTION = "balancer_windows";
/**
 * MongoDB's built-in role that lifts the refusal of operations on user collections (and DDL)
 * over a direct connection to a shard: enforced since MongoDB 8.0 (7.x only logs a warning, and
 * in 6.0 the role grants nothing), so it is granted only from 8.0 on.
 */
export const DIRECT_SHARD_OPERATIONS_ROLE = "directShardOperations";
export const DIRECT_SHARD_OPERATIONS_SINCE_MAJOR = 8;
/**
 * The migration runner's own collections in the Nyrkiö database: the only ones the migrator may
 * read and write. The same names as migrations/runner (a test holds them equal; not imported, so
 * the synth does not load the runner).
 */
export const MIGRATION_CHANGELOG_COLLECTION = "nyrkio_migrations";
export const MIGRATION_LOCK_COLLECTION = "nyrkio_migration_lock";
/** Data migrations' checkpoints (migrations/runner/data-migration.ts). */
export const MIGRATION_CHECKPOINT_COLLECTION = "nyrkio_migration_checkpoints";

/** SCRAM-SHA-1 is kept off: every current driver and tool speaks SCRAM-SHA-256. */
export const USER_MECHANISMS = ["SCRAM-SHA-256"];

export interface RoleRef {
  role: string;
  db: string;
}
export type Resource = { db: string; collection: string } | { cluster: true } | { anyResource: true };

/**
 * Where every role choice below comes from: the built-in role definitions in the MongoDB server,
 * src/mongo/db/auth/builtin_roles.yml (github.com/mongodb/mongo, read at the stored revision
 * 00c97452; the r8.0 definitions of read, readWrite, __queryableBackup and backup quoted below).
 */
export const BUILTIN_ROLES_SOURCE = "https://github.com/mongodb/mongo/blob/r8.0.0/src/mongo/db/auth/builtin_roles.yml";
export interface Privilege {
  resource: Resource;
  actions: string[];
}
export interface RoleDefinition {
  role: string;
  db: string;
  privileges: Privilege[];
  roles: RoleRef[];
}

export interface ManagedUserSpec {
  /** Logical name; the MongoDB user name is the Secret's `username`. */
  name: ManagedUser;
  /** Kubernetes Secret (keys `username`, `password`), mounted at secretDir. */
  secretName: string;
  secretDir: string;
  db: string;
  roles: RoleRef[];
}

/** users.json: what the reconcile script creates or updates. */
export interface UsersSpec {
  mechanisms: string[];
  roles: RoleDefinition[];
  users: ManagedUserSpec[];
  /** What the script keeps besides the users and roles above; it drops every other one (user-plan.ts planPrune). */
  keep: KeepSpec;
}

/**
 * Users and roles the reconcile Job never drops. The root user is added at run time (its name is
 * in the root Secret the Job logs in with).
 */
export interface KeepSpec {
  /** config.accessControl.externalUsers. */
  users: { user: string; db: string }[];
  /** config.accessControl.externalRoles. */
  roles: { role: string; db: string }[];
  /**
   * The project's users that another scope manages but that this set still serves: on a shard,
   * until sharding.clientsOnMongosOnly, the application's users from before the conversion (the
   * application still connects to it directly). Only the Secret's `username` is mounted.
   */
  usernameSecrets: { name: ManagedUser; secretDir: string; secretName: string }[];
}

/** keep's usernameSecrets: the project's users this scope does not manage but must not drop (KeepSpec). */
export function keptProjectUsers(config: PlatformConfig, scope: UserScope): ManagedUser[] {
  if (scope !== "shard" || config.sharding.clientsOnMongosOnly) return [];
  const managed = configuredUsers(config, scope);
  return configuredUsers(config, "cluster").filter((u) => !managed.includes(u));
}

/** The KeepSpec of this config and scope. */
export function keepSpec(config: PlatformConfig, scope: UserScope): KeepSpec {
  const access = config.accessControl;
  const kept = keptProjectUsers(config, scope);
  // The kept users' roles too (nyrkioApp, nyrkioMigrator...): dropping a role revokes it from its holders.
  const ownRoles = new Set(customRoles(config, scope).map((r) => r.role));
  const keptRoles = kept.length ? customRoles(config, "cluster").filter((r) => !ownRoles.has(r.role)) : [];
  return {
    users: (access?.externalUsers ?? []).map((u) => ({ user: u.user, db: u.db })),
    roles: [...(access?.externalRoles ?? []).map((r) => ({ role: r.role, db: r.db })), ...keptRoles.map((r) => ({ role: r.role, db: r.db }))],
    usernameSecrets: kept.map((name) => ({ name, secretDir: userSecretDir(name), secretName: userSecretName(config, name) })),
  };
}

/** The users a replica set of this scope holds; `monitor` only while monitoring is on, `retention` only while retention is, `rotator` only with TLS. */
export function managedUsers(scope: UserScope, monitoring = false, retention = false, tls = false): readonly ManagedUser[] {
  // A shard: nothing the application uses (it, the migrator and the retention job go through mongos).
  const users: ManagedUser[] = scope === "shard" ? ["backup"] : ["app", "migrator", "backup"];
  if (monitoring) users.push("monitor");
  if (retention && scope !== "shard") users.push("retention");
  if (tls) users.push("rotator");
  return users;
}

/** managedUsers for this config: its monitoring and retention switches. */
export function configuredUsers(config: PlatformConfig, scope: UserScope): readonly ManagedUser[] {
  return managedUsers(scope, config.monitoring.enabled, config.retention.enabled, serverTlsOn(config.tls));
}

/**
 * The retention job's role: exactly the requests migrations/retention/retention-steps.ts yields.
 * It finds candidate results (find on `results`), the change points that keep them (find on
 * `changes`), and deletes the rest (deleteMany: remove on `results`). Nothing else: no insert or
 * update anywhere, no access to the other collections. builtin_roles.yml's readWrite (what the
 * job ran with as the application user) granted all of that on every collection, DDL included.
 */
export function retentionRole(config: PlatformConfig): RoleDefinition {
  const db = config.database;
  return {
    role: RETENTION_ROLE,
    db: AUTH_SOURCE,
    privileges: [
      { resource: { db, collection: RETENTION_COLLECTIONS.results }, actions: ["find", "remove"] },
      { resource: { db, collection: RETENTION_COLLECTIONS.changes }, actions: ["find"] },
    ],
    roles: [],
  };
}
/** The collections retention reads and deletes from (retention-steps.ts's requests; a test holds them equal). */
export const RETENTION_COLLECTIONS = { results: "results", changes: "changes" } as const;

/** The exporter's user's roles: nothing beyond what mongodb_exporter's documentation asks for (see the file comment). */
export const MONITOR_ROLES: readonly RoleRef[] = [
  { role: "clusterMonitor", db: AUTH_SOURCE },
  { role: "read", db: "local" },
];

/**
 * Whether shard-local users need directShardOperations: MongoDB 8.0 and newer refuse reads and
 * writes of user collections over a direct connection to a shard of a cluster with two or more
 * shards without it (newer releases also refuse DDL, such as mongorestore's createIndexes).
 */
export function directShardOperationsRequired(image: string): boolean {
  const parsed = parseMongoImage(image);
  // The config's validation refuses such an image before any stack is built.
  if (!parsed) throw new Error(`cannot tell the MongoDB version of image ${JSON.stringify(image)}`);
  return parsed.major >= DIRECT_SHARD_OPERATIONS_SINCE_MAJOR;
}

/**
 * The migrator's exact privileges. Actions, by what the migration runner sends:
 *   createCollection (with a validator), collMod, dropCollection, createIndexes (createIndex),
 *   dropIndexes (dropIndex), listCollections / listIndexes (to plan), $indexStats (indexStats),
 *   $currentOp / currentOp for index build progress and to confirm that a stopped run's builds
 *   are aborted (inprog on the cluster), replSetGetStatus for the health check before a run
 *   sends anything (on the cluster), and find/insert/update/remove on its changelog and lock
 *   collections only. Aborting a build is dropIndexes of its names (dropIndex, already held).
 *   `inprog` shows every user's operations; $currentOp has no narrower action (docs/migrations.md).
 * No `find` on the other collections: the runner's check whether a collection it would drop
 * holds documents then answers "unknown", and such a drop needs --allow-data-loss
 * (docs/replica-set-reconcile.md says why).
 */
export function migratorRole(config: PlatformConfig, scope: UserScope = "replicaset"): RoleDefinition {
  const db = config.database;
  // Through mongos the runner checks every shard's indexes before recording a migration
  // (migrations/runner/shard-index-check.ts): checkMetadataConsistency with checkIndexes, 7.0+.
  const perShardCheck = scope === "cluster" ? ["checkMetadataConsistency"] : [];
  const ownCollection = (collection: string): Privilege => ({ resource: { db, collection }, actions: ["find", "insert", "update", "remove"] });
  return {
    role: MIGRATOR_ROLE,
    db: AUTH_SOURCE,
    privileges: [
      {
        resource: { db, collection: "" },
        actions: ["collMod", "createCollection", "createIndex", "dropCollection", "dropIndex", "indexStats", "listCollections", "listIndexes", ...perShardCheck],
      },
      ownCollection(MIGRATION_CHANGELOG_COLLECTION),
      ownCollection(MIGRATION_LOCK_COLLECTION),
      ownCollection(MIGRATION_CHECKPOINT_COLLECTION),
      { resource: { cluster: true }, actions: ["inprog", "replSetGetStatus"] },
    ],
    roles: [],
  };
}

/**
 * The application's role: CRUD on the Nyrkiö database and nothing else. builtin_roles.yml's
 * `readWrite` (database match) adds to `read`'s actions convertToCapped, createCollection,
 * createIndex, createSearchIndexes, dropCollection, dropIndex, dropSearchIndex,
 * renameCollectionSameDB, updateSearchIndex and the queryable-encryption cleanup/compact actions:
 * with them the application could drop a collection (and its validator, which only the migrator
 * puts back) or rename one away. Kept, from `read` and `readWrite`:
 *   find, insert, update, remove   every query of the design (migrations/query-patterns.ts: find,
 *                                  aggregate and explain need find; upserts need insert and update)
 *   listCollections, listIndexes   drivers' collection and index listing (read-only metadata)
 *   killCursors                    closing a cursor early (read's own action; a user may always
 *                                  kill its own cursors, this only keeps drivers' killCursors quiet
 *                                  on servers that still check it)
 * Schema changes are the migrator's (migratorRole); retention has its own user (retentionRole).
 */
export function appRole(config: PlatformConfig): RoleDefinition {
  return {
    role: APP_ROLE,
    db: AUTH_SOURCE,
    privileges: [{ resource: { db: config.database, collection: "" }, actions: [...APP_ACTIONS] }],
    roles: [],
  };
}
/** The application's actions on its database (appRole). */
export const APP_ACTIONS = ["find", "insert", "update", "remove", "listCollections", "listIndexes", "killCursors"] as const;
/** readWrite's DDL actions the application must not hold (appRole). */
export const APP_FORBIDDEN_ACTIONS = ["createCollection", "dropCollection", "renameCollectionSameDB", "convertToCapped", "createIndex", "dropIndex", "collMod"] as const;

/**
 * The backup user's role: builtin_roles.yml's `backup` is `__queryableBackup` plus, on the
 * cluster, appendOplogNote ("For BRS"), serverStatus and setUserWriteBlockMode ("For C2C
 * replication"), plus insert and update on config.settings. setUserWriteBlockMode lets its holder
 * block every write of the cluster; the config.settings writes let it change the balancer and chunk
 * settings; appendOplogNote writes to the oplog. mongodump needs none of them. What stays, each
 * from `__queryableBackup` unless said otherwise, and why:
 *   anyResource: listCollections, listIndexes  mongodump lists every database's collections and
 *       their indexes (mongo-tools mongodump/prepare.go CreateAllIntents, metadata dump)
 *   anyResource: collStats, listSearchIndexes  collection sizes for progress, search index
 *       definitions in the metadata (mongo-tools mongodump/metadata_dump.go)
 *   every normal collection: find               the dump itself, and snapshot-counts.js's counts
 *   cluster: listDatabases                      a whole-instance dump starts from listDatabases
 *       (mongodump.go, --oplog requires a whole-instance dump); target-facts.js
 *   cluster: getParameter, useUUID              server parameters (authSchemaVersion) and reading
 *       collections by UUID
 *   cluster: serverStatus                        backup's own (not __queryableBackup's); read-only
 *   local (database): find                      local.oplog.rs: mongodump --oplog's tail and the
 *       oplog slices (oplog-window.js, slice-plan.js); replset.election and replset.minvalid too
 *   config (database): find                     a sharded cluster's metadata (config.settings read
 *       only: the writes are gone)
 *   *.system.js, *.system.users, *.system.profile, admin.system.roles, admin.system.version,
 *   admin.system.backup_users: find             the users, roles and auth schema version a
 *       whole-instance dump includes
 * So the SCRAM hashes of every user (system.users) stay readable to this user, and so sit in every
 * dump: that is what encrypting the dumps at rest is for (docs/security.md), not something a role
 * can take away (mongodump allows --oplog only for a whole-instance dump).
 * Not kept: `__queryableBackup`'s find on system.buckets.* (any_system_buckets) has no resource
 * document in this project's role model; the Nyrkiö schema has no time-series collection.
 */
export function backupRole(): RoleDefinition {
  const find = (db: string, collection: string): Privilege => ({ resource: { db, collection }, actions: ["find"] });
  return {
    role: BACKUP_ROLE,
    db: AUTH_SOURCE,
    privileges: [
      { resource: { anyResource: true }, actions: ["collStats", "listCollections", "listIndexes", "listSearchIndexes"] },
      { resource: { db: "", collection: "" }, actions: ["find"] },
      { resource: { cluster: true }, actions: ["getParameter", "listDatabases", "serverStatus", "useUUID"] },
      find("config", ""),
      find("local", ""),
      find("local", "replset.election"),
      find("local", "replset.minvalid"),
      find("", "system.js"),
      find("", "system.users"),
      find("", "system.profile"),
      find("admin", "system.backup_users"),
      find("admin", "system.roles"),
      find("admin", "system.version"),
      find("config", "settings"),
    ],
    roles: [],
  };
}
/** builtin_roles.yml `backup`'s actions that no managed user holds (backupRole). */
export const BACKUP_DROPPED_ACTIONS = ["setUserWriteBlockMode", "appendOplogNote"] as const;

/**
 * The balancer window's exact privileges, through mongos (sharding/mongosh/balancer.js):
 *   balancerStatus checks `find` on config.settings, balancerStop and balancerStart check
 *   `update` on it (MongoDB has no narrower action for them); the leases are one document per
 *   open window in nyrkio_ops.balancer_windows (an insert creates the collection).
 */
export function balancerWindowRole(): RoleDefinition {
  return {
    role: BALANCER_WINDOW_ROLE,
    db: AUTH_SOURCE,
    privileges: [
      { resource: { db: "config", collection: "settings" }, actions: ["find", "update"] },
      { resource: { db: BALANCER_WINDOWS_DB, collection: BALANCER_WINDOWS_COLLECTION }, actions: ["find", "insert", "update", "remove"] },
    ],
    roles: [],
  };
}

/**
 * The restore user's role: every action on every resource. Why nothing narrower does:
 * `mongorestore --oplogReplay` replays through `applyOps`, and since 3.4 the server checks each
 * entry's own privileges (SERVER-25994, src/mongo/db/repl/oplog_application_checks.cpp): an
 * update entry needs `update` and `insert` on its collection, a delete needs `remove`, a command
 * entry the command's own actions. The built-in `restore` role grants ordinary collections only
 * `insert` and DDL actions, so the first update or delete of a replay stops a restore halfway with
 * Unauthorized (MongoDB DOCS-11010's "restore is enough" holds for inserts only). MongoDB's
 * applyOps docs ("create a role that grants anyAction on anyResource. Do not assign this role to
 * any other user", https://www.mongodb.com/docs/manual/reference/command/applyOps/) and Percona
 * Backup for MongoDB's restore user do the same. It is as strong as root: it goes only to a
 * restore's temporary restore-<random> user (restoreUserRoles), which exists for that restore.
 */
export function restoreRole(): RoleDefinition {
  return { role: RESTORE_ROLE, db: AUTH_SOURCE, privileges: [{ resource: { anyResource: true }, actions: ["anyAction"] }], roles: [] };
}

/**
 * The backup user's second role: `replSetGetConfig` on the cluster, nothing else. Every manifest
 * records the replica set's `replicaSetId` (config.settings.replicaSetId, an ObjectId made at
 * replSetInitiate) so that chains never join across replica sets: a new set with the same name and
 * storage prefix would otherwise continue the old catalog's chain by timestamps alone. The built-in
 * `backup` role lacks the action (https://www.mongodb.com/docs/manual/reference/built-in-roles/#backup;
 * replSetGetConfig needs replSetGetConfig on the cluster,
 * https://www.mongodb.com/docs/manual/reference/command/replSetGetConfig/).
 */
export function replSetConfigRole(): RoleDefinition {
  return { role: REPLSET_CONFIG_ROLE, db: AUTH_SOURCE, privileges: [{ resource: { cluster: true }, actions: ["replSetGetConfig"] }], roles: [] };
}

/**
 * The TLS rotation sidecars' role: the one action rotateCertificates checks, on the cluster
 * (mongodb/mongo src/mongo/db/commands/rotate_certificates_command.cpp, doCheckAuthorization:
 * ActionType::rotateCertificates on ResourcePattern::forClusterResource; the command exists from
 * MongoDB 5.0, https://www.mongodb.com/docs/manual/reference/command/rotateCertificates/).
 */
export function rotationRole(): RoleDefinition {
  return { role: ROTATION_ROLE, db: AUTH_SOURCE, privileges: [{ resource: { cluster: true }, actions: ["rotateCertificates"] }], roles: [] };
}

/** The custom roles a replica set of this scope holds: only those its users refer to. */
export function customRoles(config: PlatformConfig, scope: UserScope): RoleDefinition[] {
  const retention = config.retention.enabled ? [retentionRole(config)] : [];
  const rotation = serverTlsOn(config.tls) ? [rotationRole()] : [];
  // The application's and the backup user's roles last: they came later (issue 12).
  if (scope === "shard") return [restoreRole(), replSetConfigRole(), backupRole(), ...rotation];
  return scope === "cluster"
    ? [migratorRole(config, "cluster"), balancerWindowRole(), restoreRole(), replSetConfigRole(), appRole(config), backupRole(), ...retention, ...rotation]
    : [migratorRole(config), restoreRole(), replSetConfigRole(), appRole(config), backupRole(), ...retention, ...rotation];
}

export function managedUserRoles(config: PlatformConfig, user: ManagedUser, scope: UserScope = "replicaset"): RoleRef[] {
  const direct: RoleRef[] = scope === "shard" && directShardOperationsRequired(config.image) ? [{ role: DIRECT_SHARD_OPERATIONS_ROLE, db: AUTH_SOURCE }] : [];
  switch (user) {
    case "app":
      return [{ role: APP_ROLE, db: AUTH_SOURCE }];
    case "migrator":
      return [{ role: MIGRATOR_ROLE, db: AUTH_SOURCE }];
    case "backup":
      // The jobs read the commit point from `hello`, not replSetGetStatus: no clusterMonitor.
      return [
        { role: BACKUP_ROLE, db: AUTH_SOURCE },
        { role: REPLSET_CONFIG_ROLE, db: AUTH_SOURCE },
        ...(scope === "cluster" ? [{ role: BALANCER_WINDOW_ROLE, db: AUTH_SOURCE }] : []),
        ...direct,
      ];
    case "retention":
      return [{ role: RETENTION_ROLE, db: AUTH_SOURCE }];
    case "rotator":
      return [{ role: ROTATION_ROLE, db: AUTH_SOURCE }];
    case "monitor":
      // No directShardOperations: the exporter reads no user collection (no dbstats, collstats
      // or indexstats collectors), only server status, replication state and local.oplog.rs.
      return [...MONITOR_ROLES];
  }
}

/**
 * The roles of a restore's temporary restore-<random> user (the restore-user Job creates it with
 * these): nyrkioRestore (restoreRole says why anyAction), and on a shard of MongoDB 8.0+
 * directShardOperations, since the restore connects to the shard directly. That grant only states
 * the intent: nyrkioRestore alone already passes the direct-shard check, which asks for
 * issueDirectShardOperations on the cluster (src/mongo/db/s/direct_connection_util.cpp), because
 * anyResource is in every cluster target's search list (src/mongo/db/auth/
 * resource_pattern_search_list.h) and anyAction sets every action (action_set.cpp addAction).
 */
export function restoreUserRoles(config: PlatformConfig, scope: UserScope = "replicaset"): RoleRef[] {
  const direct: RoleRef[] = scope === "shard" && directShardOperationsRequired(config.image) ? [{ role: DIRECT_SHARD_OPERATIONS_ROLE, db: AUTH_SOURCE }] : [];
  return [{ role: RESTORE_ROLE, db: AUTH_SOURCE }, ...direct];
}

/** The Secret name of a managed user, from config.secrets. */
export function userSecretName(config: PlatformConfig, user: ManagedUser | "root"): string {
  return config.secrets[user];
}

export function renderUsersSpec(config: PlatformConfig, scope: UserScope = "replicaset"): UsersSpec {
  return {
    mechanisms: USER_MECHANISMS,
    roles: customRoles(config, scope),
    users: configuredUsers(config, scope).map((name) => ({
      name,
      secretName: userSecretName(config, name),
      secretDir: userSecretDir(name),
      db: AUTH_SOURCE,
      roles: managedUserRoles(config, name, scope),
    })),
    keep: keepSpec(config, scope),
  };
}
