// Plans the user and role changes: from what usersInfo / rolesInfo return to the desired users
// (users.json, with user names read from the Secrets). Roles first, since users refer to them.
// A password cannot be read back from MongoDB, so every existing managed user gets an updateUser
// with its password from the Secret on every run: idempotent, and it is how a rotated Secret
// reaches the database.
// Users and roles not in the spec are dropped (planPrune): a schemaVersion 1 archive restore
// brings back every user and role of its dump (mongorestore restores them whenever no --db is
// given; a directory dump's are set aside, backup/mongosh/dump-authz.js), users get created by
// hand, and a user the project stopped managing (the old permanent restore user, issue 12) must
// go. Never dropped: the root user the bootstrap created (the Job's own login), the users
// and roles the config lists as external, the project's users another scope manages (the
// application's on a shard still being converted), and a temporary restore user (restore-<random>)
// until its expiry; an expired one is stale (its Job was killed or its node lost) and goes.
//
// EMBEDDED into the reconcile script with Function.prototype.toString(): self-contained, see
// reconfig-plan.ts for the rules.
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function bodies */

import type { Privilege, RoleDefinition, RoleRef } from "./users";

export interface ExistingUser {
  user: string;
  db: string;
  roles: RoleRef[];
  /** usersInfo returns it when the user has one; a temporary restore user's expiry lives here. */
  customData?: { [key: string]: unknown };
}
export interface ExistingRole {
  role: string;
  db: string;
  privileges?: Privilege[];
  roles?: RoleRef[];
}
export interface DesiredUser {
  /** Logical name (app, migrator, ...), for log lines. */
  name: string;
  /** MongoDB user name, from the Secret. */
  user: string;
  db: string;
  roles: RoleRef[];
}

export type UserChange =
  | { kind: "createRole"; role: RoleDefinition }
  | { kind: "updateRole"; role: RoleDefinition }
  | { kind: "createUser"; name: string; user: string; db: string; roles: RoleRef[] }
  /** Always sent for an existing user: the password is set again from the Secret; rolesChanged says whether its roles change. */
  | { kind: "updateUser"; name: string; user: string; db: string; roles: RoleRef[]; rolesChanged: boolean }
  /** A user the Job does not manage (restored from a dump, created by hand) or a stale restore user. */
  | { kind: "dropUser"; user: string; db: string; reason: string }
  | { kind: "dropRole"; role: string; db: string; reason: string };

/** A user or role named by user/role and db. */
export interface UserName {
  user: string;
  db: string;
}
export interface RoleName {
  role: string;
  db: string;
}

/** What the prune keeps besides the desired users and roles, and the clock for restore users' expiry. */
export interface PruneSpec {
  /** Users never dropped: the root user, the config's external users, other scopes' project users. */
  keepUsers: UserName[];
  /** Roles never dropped (the config's external roles); the desired roles are kept anyway. */
  keepRoles: RoleName[];
  /** Milliseconds since the epoch. */
  now: number;
}

export type UserPlan = { ok: true; changes: UserChange[] } | { ok: false; error: string };

/** Order-free comparison key of a role list. */
export function roleRefsKey(roles: RoleRef[] | undefined): string {
  return (roles ?? [])
    .map((r) => `${r.db}.${r.role}`)
    .sort()
    .join(",");
}

/** Order-free comparison key of a privilege list (rolesInfo returns actions in its own order). */
export function privilegesKey(privileges: Privilege[] | undefined): string {
  return (privileges ?? [])
    .map((p) => {
      const r = p.resource as { cluster?: boolean; anyResource?: boolean; db?: string; collection?: string };
      const resource = r.anyResource ? "anyResource" : r.cluster ? "cluster" : `${r.db}/${r.collection}`;
      return `${resource}:${[...p.actions].sort().join("|")}`;
    })
    .sort()
    .join(";");
}

/** Prefix of the temporary restore users (restore-<random>): a name no managed user may take. */
export const RESTORE_USER_PREFIX = "restore-";
/** customData field of a temporary restore user: when it stops being in use (ISO 8601, UTC). */
export const RESTORE_USER_EXPIRES_FIELD = "nyrkioRestoreExpiresAt";
// The embedded functions below spell both as literals (they cannot see module constants); a test
// holds them equal.

/**
 * Whether a temporary restore user is still in use: it carries its expiry (the restore Job's
 * deadline) in customData, written by the Job that created it. No expiry, an unreadable one or one
 * in the past: stale.
 */
export function restoreUserInUse(user: ExistingUser, now: number): boolean {
  const at = user.customData ? user.customData["nyrkioRestoreExpiresAt"] : undefined;
  if (typeof at !== "string") return false;
  const expires = Date.parse(at);
  return !isNaN(expires) && expires > now;
}

/** The drops: every user and role that is neither desired nor kept; a restore user only once stale. */
export function planPrune(existing: { users: ExistingUser[]; roles: RoleName[] }, desired: { roles: RoleName[]; users: UserName[] }, prune: PruneSpec): UserChange[] {
  const listsUser = (list: UserName[], u: UserName) => list.some((x) => x.user === u.user && x.db === u.db);
  const listsRole = (list: RoleName[], r: RoleName) => list.some((x) => x.role === r.role && x.db === r.db);
  const drops: UserChange[] = [];
  for (const u of existing.users) {
    if (listsUser(desired.users, u) || listsUser(prune.keepUsers, u)) continue;
    if (u.user.indexOf("restore-") === 0 && u.db === "admin") {
      if (restoreUserInUse(u, prune.now)) continue;
      drops.push({ kind: "dropUser", user: u.user, db: u.db, reason: "a temporary restore user past its expiry" });
    } else {
      drops.push({ kind: "dropUser", user: u.user, db: u.db, reason: "not managed here and not in accessControl.externalUsers" });
    }
  }
  for (const r of existing.roles) {
    if (listsRole(desired.roles, r) || listsRole(prune.keepRoles, r)) continue;
    drops.push({ kind: "dropRole", role: r.role, db: r.db, reason: "not managed here and not in accessControl.externalRoles" });
  }
  return drops;
}

export function planUserChanges(
  existing: { users: ExistingUser[]; roles: ExistingRole[] },
  desired: { roles: RoleDefinition[]; users: DesiredUser[] },
  prune?: PruneSpec,
): UserPlan {
  const names = desired.users.map((u) => `${u.db}.${u.user}`);
  for (let i = 0; i < desired.users.length; i++) {
    const u = desired.users[i];
    if (!u.user) return { ok: false, error: `the Secret of user "${u.name}" has an empty username` };
    const first = names.indexOf(names[i]);
    if (first !== i) return { ok: false, error: `users "${desired.users[first].name}" and "${u.name}" have the same username "${u.user}" in their Secrets` };
    if (u.user.indexOf("restore-") === 0) return { ok: false, error: `the Secret of user "${u.name}" names "${u.user}": names starting with "restore-" belong to the temporary restore users` };
  }

  const changes: UserChange[] = [];
  for (const role of desired.roles) {
    const live = existing.roles.find((r) => r.role === role.role && r.db === role.db);
    if (!live) changes.push({ kind: "createRole", role });
    else if (privilegesKey(live.privileges) !== privilegesKey(role.privileges) || roleRefsKey(live.roles) !== roleRefsKey(role.roles)) changes.push({ kind: "updateRole", role });
  }
  for (const u of desired.users) {
    const live = existing.users.find((e) => e.user === u.user && e.db === u.db);
    if (!live) changes.push({ kind: "createUser", name: u.name, user: u.user, db: u.db, roles: u.roles });
    else changes.push({ kind: "updateUser", name: u.name, user: u.user, db: u.db, roles: u.roles, rolesChanged: roleRefsKey(live.roles) !== roleRefsKey(u.roles) });
  }
  if (prune) {
    // Users first: a dropped role is also revoked from every user that holds it.
    const drops = planPrune(existing, { roles: desired.roles, users: desired.users }, prune);
    for (const d of drops) changes.push(d);
  }
  return { ok: true, changes };
}

export const USER_PLAN_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [roleRefsKey, privilegesKey, restoreUserInUse, planPrune, planUserChanges];
