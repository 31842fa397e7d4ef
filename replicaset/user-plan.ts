// Plans the user and role changes: from what usersInfo / rolesInfo return to the desired users
// (users.json, with user names read from the Secrets). Roles first, since users refer to them.
// A password cannot be read back from MongoDB, so every existing managed user gets an updateUser
// with its password from the Secret on every run: idempotent, and it is how a rotated Secret
// reaches the database. Users and roles not in the spec are left alone.
//
// EMBEDDED into the reconcile script with Function.prototype.toString(): self-contained, see
// reconfig-plan.ts for the rules.
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function bodies */

import type { Privilege, RoleDefinition, RoleRef } from "./users";

export interface ExistingUser {
  user: string;
  db: string;
  roles: RoleRef[];
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
  | { kind: "updateUser"; name: string; user: string; db: string; roles: RoleRef[]; rolesChanged: boolean };

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

export function planUserChanges(existing: { users: ExistingUser[]; roles: ExistingRole[] }, desired: { roles: RoleDefinition[]; users: DesiredUser[] }): UserPlan {
  const names = desired.users.map((u) => `${u.db}.${u.user}`);
  for (let i = 0; i < desired.users.length; i++) {
    const u = desired.users[i];
    if (!u.user) return { ok: false, error: `the Secret of user "${u.name}" has an empty username` };
    const first = names.indexOf(names[i]);
    if (first !== i) return { ok: false, error: `users "${desired.users[first].name}" and "${u.name}" have the same username "${u.user}" in their Secrets` };
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
  return { ok: true, changes };
}

export const USER_PLAN_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [roleRefsKey, privilegesKey, planUserChanges];
