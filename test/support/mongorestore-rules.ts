// What the real mongorestore refuses before it restores anything, for the stand-ins that play it
// in tests: derived from mongo-tools (github.com/mongodb/mongo-tools, tag 100.18.0):
//   - options: mongorestore/options.go and common/options/options.go (the long option names;
//     go-flags refuses any other: "unknown flag"), listed in mongo-tools-flags.ts
//   - mongorestore/mongorestore.go ParseAndValidateOptions:
//       "cannot use --oplogLimit without --oplogReplay enabled"
//       "cannot use --oplogFile without --oplogReplay enabled"
//       "cannot use --oplogFile with --archive specified"
//       "cannot specify --preserveUUID without --drop"
//   - mongorestore/mongorestore.go Restore: a dump directory with a top-level oplog.bson plus
//     --oplogFile is an oplog conflict (common/intents/intent.go PutOplogIntent: two top-priority
//     oplogs): "cannot provide both an oplog.bson file and an oplog file with --oplogFile, ..."
//   - mongorestore/main/mongorestore.go prints "Failed: <error>" and exits 1 (util.ExitFailure).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { deserialize } from "bson";
import { longOptions, MONGORESTORE_FLAGS, unknownOption } from "./mongo-tools-flags";
import { AUTH_SOURCE, RESTORE_ROLE } from "../../replicaset/users";

/** The "Failed: ..." line mongorestore would print for argv (without argv[0]), or undefined when it would start restoring. */
export function mongorestoreRefusal(args: readonly string[]): string | undefined {
  const unknown = unknownOption(args, MONGORESTORE_FLAGS);
  if (unknown) return unknown;
  const given = longOptions(args);
  const has = (n: string) => given.has(n);
  if (has("oplogLimit") && !has("oplogReplay")) return "Failed: cannot use --oplogLimit without --oplogReplay enabled";
  if (has("oplogFile") && !has("oplogReplay")) return "Failed: cannot use --oplogFile without --oplogReplay enabled";
  if (has("oplogFile") && has("archive")) return "Failed: cannot use --oplogFile with --archive specified";
  if (has("preserveUUID") && !has("drop")) return "Failed: cannot specify --preserveUUID without --drop";
  const dir = given.get("dir");
  if (has("oplogFile") && typeof dir === "string" && (existsSync(join(dir, "oplog.bson")) || existsSync(join(dir, "oplog.bson.gz")))) {
    return "Failed: cannot provide both an oplog.bson file and an oplog file with --oplogFile, nor can you provide both a local/oplog.rs.bson and a local/oplog.$main.bson file";
  }
  return undefined;
}

/**
 * The `<name>@<db>` of each document of a dump directory's admin/system.<users|roles> BSON file, as
 * mongorestore finds that file, or undefined when it finds none: then it has no users (roles)
 * intent (mongo-tools common/intents/intent.go PutWithNamespace keeps a users or roles intent only
 * with a BSON file). mongorestore/filepath.go getInfoFromFile recognizes `<coll>.bson.gz` with
 * --gzip and `<coll>.bson` without it (the other spelling is "don't know what to do with file");
 * `gzip` undefined accepts either.
 */
function dumpedAuthz(dir: string, coll: "users" | "roles", nameField: "user" | "role", gzip?: boolean): string[] | undefined {
  const names = gzip === undefined ? [`system.${coll}.bson.gz`, `system.${coll}.bson`] : [gzip ? `system.${coll}.bson.gz` : `system.${coll}.bson`];
  const file = names.map((n) => join(dir, "admin", n)).find((f) => existsSync(f));
  if (!file) return undefined;
  let data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const out: string[] = [];
  for (let at = 0; at < data.length; at += data.readInt32LE(at)) {
    const doc = deserialize(data.subarray(at, at + data.readInt32LE(at))) as Record<string, string>;
    out.push(`${doc[nameField]}@${doc.db}`);
  }
  return out;
}

/** The users (user@db) of a dump directory's admin/system.users file, or undefined without one (dumpedAuthz). */
export function dumpedUsers(dir: string, gzip?: boolean): string[] | undefined {
  return dumpedAuthz(dir, "users", "user", gzip);
}

/** The roles (role@db) of a dump directory's admin/system.roles file, or undefined without one (dumpedAuthz). */
export function dumpedRoles(dir: string, gzip?: boolean): string[] | undefined {
  return dumpedAuthz(dir, "roles", "role", gzip);
}

/**
 * What a restore with --oplogReplay does to the user it runs as, as the sources say:
 * mongorestore restores the dump's users and roles after the collections and before the oplog
 * whenever it found a users OR a roles file (mongo-tools 100.18.0 mongorestore/mongorestore.go
 * Restore: RestoreIntents, RestoreUsersOrRoles, RestoreOplog; metadata.go
 * ShouldRestoreUsersAndRoles), through `_mergeAuthzCollections` with `drop: <--drop>` and only the
 * temporary collections it has (metadata.go RestoreUsersOrRoles: tempUsersCollection for a users
 * file, tempRolesCollection for a roles file). With drop the server (src/mongo/db/commands/
 * user_management_commands.cpp, r8.0):
 *   - _processUsers removes every user the dump does not hold, and each of mongorestore's
 *     connections is logged out on its next command (src/mongo/db/auth/
 *     authorization_session_impl.cpp _refreshUserInfoAsNeeded: UserNotFound → clearUser), so the
 *     first applyOps of the replay is refused: code 13, "command applyOps requires authentication";
 *   - _processRoles removes every role document the dump does not hold; a user's role that no
 *     longer exists grants nothing, so a user whose replay privileges come from such a role
 *     (`userDefinedRoles`, role@db: the connecting user's user-defined roles; by default the
 *     temporary restore user's nyrkioRestore, the only one it holds, replicaset/users.ts
 *     restoreUserRoles) is refused the first applyOps: code 13, "not authorized on admin".
 * Returns mongorestore's "Failed: ..." line then (oplog.go ApplyOp: "applyOps: %v", HandleOp
 * "error applying oplog: %v", Restore "restore error: %v"), else undefined. `user` is
 * "name@authDb" of the connection.
 */
export function authzMergeRefusal(args: readonly string[], user: string, userDefinedRoles: readonly string[] = [`${RESTORE_ROLE}@${AUTH_SOURCE}`]): string | undefined {
  const given = longOptions(args);
  const dir = given.get("dir");
  const archive = given.get("archive");
  if (!given.has("drop") || !given.has("oplogReplay") || given.has("db")) return undefined;
  const gzip = given.has("gzip");
  let users: string[] | undefined;
  let roles: string[] | undefined;
  if (typeof dir === "string") [users, roles] = [dumpedUsers(dir, gzip), dumpedRoles(dir, gzip)];
  else if (typeof archive === "string" && existsSync(archive)) ({ users, roles } = archivedAuthz(archive));
  else return undefined;
  if (users && !users.includes(user)) return "Failed: restore error: error applying oplog: applyOps: (Unauthorized) command applyOps requires authentication";
  const dropped = roles ? userDefinedRoles.filter((r) => !roles.includes(r)) : [];
  if (dropped.length > 0) return "Failed: restore error: error applying oplog: applyOps: (Unauthorized) not authorized on admin to execute command { applyOps: [...] }";
  return undefined;
}

/**
 * The users (user@db) and roles (role@db) an archive holds, each undefined when the archive has no
 * such namespace. An archive's prelude lists its namespaces (mongo-tools common/archive/spec.md:
 * magic number, prelude, then blocks of a header and documents ended by a terminator); mongorestore
 * makes a users or roles intent for admin.system.users / admin.system.roles whenever the prelude
 * lists it (filepath.go CreateIntentsForDB with --archive: a SpecialCollectionCache as its BSON
 * file, so intent.go PutWithNamespace keeps it), even when it holds no document.
 */
export function archivedAuthz(file: string): { users?: string[]; roles?: string[] } {
  let data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const out: { users?: string[]; roles?: string[] } = {};
  let current = "";
  let prelude = true;
  for (let at = 4; at + 4 <= data.length; ) {
    const size = data.readInt32LE(at);
    if (size === -1) {
      at += 4;
      prelude = false;
      current = "";
      continue;
    }
    const doc = deserialize(data.subarray(at, at + size)) as Record<string, unknown>;
    at += size;
    const ns = `${String(doc.db)}.${String(doc.collection)}`;
    if (prelude) {
      if ("metadata" in doc && ns === "admin.system.users") out.users = [];
      if ("metadata" in doc && ns === "admin.system.roles") out.roles = [];
    } else if (current === "" && "EOF" in doc && "CRC" in doc) current = doc.EOF === true ? "" : ns;
    else if (current === "admin.system.users" && out.users) out.users.push(`${String(doc.user)}@${String(doc.db)}`);
    else if (current === "admin.system.roles" && out.roles) out.roles.push(`${String(doc.role)}@${String(doc.db)}`);
  }
  return out;
}

/**
 * A dump directory's collections as mongorestore queues them for restoring, [db, coll] (mongo-tools
 * 100.18.0 mongorestore/filepath.go CreateAllIntents and CreateIntentsForDB: a directory per
 * database; getInfoFromFile takes <coll>.bson.gz with --gzip and <coll>.bson without it, the name
 * url.QueryUnescape'd; system.profile and, beside metadata files, system.indexes are skipped).
 * admin's system.users, system.roles and system.version become the users, roles and auth-version
 * intents (common/intents/intent.go PutWithNamespace), never queued as collections: the users and
 * roles go through _mergeAuthzCollections (authzMergeRefusal), the version is only read when they
 * do (metadata.go GetDumpAuthVersion). Any other collection of admin is restored as data.
 */
export function dumpNamespaces(dir: string, gzip: boolean): [string, string][] {
  const namespaces: [string, string][] = [];
  const special = new Set(["system.users", "system.roles", "system.version"]);
  for (const db of readdirSync(dir).sort()) {
    if (!statSync(join(dir, db)).isDirectory()) continue;
    for (const f of readdirSync(join(dir, db)).sort()) {
      const m = (gzip ? /^(.*)\.bson\.gz$/ : /^(.*)\.bson$/).exec(f);
      if (!m) continue;
      const coll = decodeURIComponent(m[1].replace(/\+/g, " "));
      if (coll === "system.profile" || coll === "system.indexes" || (db === "admin" && special.has(coll))) continue;
      namespaces.push([db, coll]);
    }
  }
  return namespaces;
}
