// The database users the reconcile job maintains, each with least privilege. Users live in the
// `admin` database (the auth source); their names and passwords come from Kubernetes Secrets
// mounted as files, so this spec holds only roles and where to read the credentials.
//   app       readWrite on the Nyrkiö database, nothing else
//   migrator  the custom role nyrkioMigrator: schema changes, index builds and their progress,
//             $indexStats, and its own changelog/lock collections; no access to the data itself
//   backup    built-in backup (mongodump --oplog, oplog reads) + clusterMonitor (replSetGetStatus)
//   restore   built-in restore (mongorestore, --oplogReplay since 3.2.11/3.4.0)
// The root user is created by the bootstrap (localhost exception) and is not managed here.

import type { PlatformConfig } from "../config/platform-config";
import { userSecretDir } from "./reconcile-paths";

export const AUTH_SOURCE = "admin";
export const MANAGED_USERS = ["app", "migrator", "backup", "restore"] as const;
export type ManagedUser = (typeof MANAGED_USERS)[number];

/** Custom role of the migrator, defined (and updated) by the reconcile script. */
export const MIGRATOR_ROLE = "nyrkioMigrator";
/**
 * The migration runner's own collections in the Nyrkiö database: the only ones the migrator may
 * read and write. The same names as migrations/runner (a test holds them equal; not imported, so
 * the synth does not load the runner).
 */
export const MIGRATION_CHANGELOG_COLLECTION = "nyrkio_migrations";
export const MIGRATION_LOCK_COLLECTION = "nyrkio_migration_lock";

/** SCRAM-SHA-1 is kept off: every current driver and tool speaks SCRAM-SHA-256. */
export const USER_MECHANISMS = ["SCRAM-SHA-256"];

export interface RoleRef {
  role: string;
  db: string;
}
export type Resource = { db: string; collection: string } | { cluster: true };
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
}

/**
 * The migrator's exact privileges. Actions, by what the migration runner sends:
 *   createCollection (with a validator), collMod, dropCollection, createIndexes (createIndex),
 *   dropIndexes (dropIndex), listCollections / listIndexes (to plan), $indexStats (indexStats),
 *   $currentOp / currentOp for index build progress (inprog on the cluster), and
 *   find/insert/update/remove on its changelog and lock collections only.
 */
export function migratorRole(config: PlatformConfig): RoleDefinition {
  const db = config.database;
  const ownCollection = (collection: string): Privilege => ({ resource: { db, collection }, actions: ["find", "insert", "update", "remove"] });
  return {
    role: MIGRATOR_ROLE,
    db: AUTH_SOURCE,
    privileges: [
      {
        resource: { db, collection: "" },
        actions: ["collMod", "createCollection", "createIndex", "dropCollection", "dropIndex", "indexStats", "listCollections", "listIndexes"],
      },
      ownCollection(MIGRATION_CHANGELOG_COLLECTION),
      ownCollection(MIGRATION_LOCK_COLLECTION),
      { resource: { cluster: true }, actions: ["inprog"] },
    ],
    roles: [],
  };
}

export function managedUserRoles(config: PlatformConfig, user: ManagedUser): RoleRef[] {
  switch (user) {
    case "app":
      return [{ role: "readWrite", db: config.database }];
    case "migrator":
      return [{ role: MIGRATOR_ROLE, db: AUTH_SOURCE }];
    case "backup":
      return [
        { role: "backup", db: "admin" },
        { role: "clusterMonitor", db: "admin" },
      ];
    case "restore":
      return [{ role: "restore", db: "admin" }];
  }
}

/** The Secret name of a managed user, from config.secrets. */
export function userSecretName(config: PlatformConfig, user: ManagedUser | "root"): string {
  return config.secrets[user];
}

export function renderUsersSpec(config: PlatformConfig): UsersSpec {
  return {
    mechanisms: USER_MECHANISMS,
    roles: [migratorRole(config)],
    users: MANAGED_USERS.map((name) => ({
      name,
      secretName: userSecretName(config, name),
      secretDir: userSecretDir(name),
      db: AUTH_SOURCE,
      roles: managedUserRoles(config, name),
    })),
  };
}

/** No users at all: for a replica set whose users are managed elsewhere (a shard: users go through mongos). */
export const NO_USERS: UsersSpec = { mechanisms: USER_MECHANISMS, roles: [], users: [] };
