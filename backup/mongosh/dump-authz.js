// The users and roles of an unpacked full dump, set aside before the one mongorestore call (issue
// 12, High 4: a restore as a temporary user must not lose that user mid-restore). A Node.js module
// (like oplog-window.js): the restore CLI (executor.ts) and the in-cluster restore Job
// (restored-users.js) run the same code.
//
// Why: a whole-instance dump holds admin/system.users and admin/system.roles, and mongorestore
// restores them whenever no --db is given (mongo-tools 100.18.0 mongorestore/metadata.go
// ShouldRestoreUsersAndRoles: the users or roles intent exists), AFTER the collections and BEFORE
// the oplog replay (mongorestore.go Restore: RestoreIntents, RestoreUsersOrRoles, RestoreOplog),
// through `_mergeAuthzCollections` with `drop: <--drop>` (metadata.go RestoreUsersOrRoles). With
// drop the server removes every user not in the dump (src/mongo/db/commands/
// user_management_commands.cpp _processUsers: usersToDrop) and invalidates the user cache; the
// next command on each of mongorestore's connections refreshes its user, finds it gone and logs
// the connection out (authorization_session_impl.cpp _refreshUserInfoAsNeeded: UserNotFound →
// clearUser, log id 20245), so the first applyOps of the replay is refused as unauthenticated.
// The temporary restore-<random> user is never in a dump, and --drop is every in-place and every
// cluster restore (--preserveUUID needs it). Without the users file (and the roles file) the
// intents are nil (common/intents/intent.go PutWithNamespace keeps only a users/roles intent with
// a BSON file), so mongorestore restores neither and never calls _mergeAuthzCollections.
//
// So the target keeps its own users and roles through a restore; the dump's are listed for the
// report (usersInFile) and never created. The oplog's changes to them are left out of the replay
// as well (oplog-merge.js isAuthzEntry). The reconcile Job, run after every restore, re-asserts
// the managed users and roles.

"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { arrayDocuments, topLevelField, topLevelFields } = require("./oplog-window.js");

/**
 * The files mongodump writes for users and roles under <dump>/admin, gzipped or not. A
 * whole-instance dump (full-dump.sh: no --db) lists admin's collections like any database's
 * (mongo-tools 100.18.0 mongodump/prepare.go CreateIntentsForDatabase; shouldSkipSystemNamespace
 * drops only admin.system.keys there) and names each file outputPath(db, coll) + ".bson" or
 * ".metadata.json", + ".gz" with --gzip (NewIntentFromOptions, nameGz; url.QueryEscape leaves
 * "system.users" as it is). The "$admin.system.users.bson" spelling is only for
 * `--db <other> --dumpDbUsersAndRoles` (CreateUsersRolesVersionIntentsForDB), which the project
 * never runs. --oplog writes the top-level oplog.bson, which full-dump.sh moves out of dump/.
 * What stays in admin/ is system.version.{bson,metadata.json}.gz: mongorestore files it as the
 * auth-version intent (common/intents/intent.go IsAuthVersion, PutWithNamespace; the metadata file
 * alone, without a BSON file, is dropped there), which is never queued as a collection and is read
 * only by GetDumpAuthVersion when ShouldRestoreUsersAndRoles (mongorestore.go Restore), so with the
 * users and roles set aside nothing in admin/ is restored or checked, with --drop and
 * --preserveUUID alike (both act on the queued collections only: restore.go RestoreIntent).
 */
const AUTHZ_FILE = /^system\.(users|roles)\.(bson|metadata\.json)(\.gz)?$/;

/**
 * Moves <dumpDir>/admin/system.{users,roles}.* into `asideDir` (created, mode 0700: the users file
 * holds every user's SCRAM hash). Returns the names moved, sorted.
 */
function setAsideAuthz(dumpDir, asideDir) {
  const admin = path.join(dumpDir, "admin");
  let names = [];
  try {
    names = fs.readdirSync(admin).filter((n) => AUTHZ_FILE.test(n)).sort();
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
  }
  fs.mkdirSync(asideDir, { recursive: true, mode: 0o700 });
  for (const name of names) fs.renameSync(path.join(admin, name), path.join(asideDir, name));
  return names;
}

/**
 * The users of a dump's system.users file (gzipped or not): [{user, db, roles: [{role, db}]}], in
 * the file's order. A user document holds `user`, `db` and `roles` (the server's user document
 * format: src/mongo/db/auth/user_document_parser.cpp).
 */
function usersInFile(file) {
  let data = fs.readFileSync(file);
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
  const users = [];
  for (let at = 0; at < data.length; ) {
    if (data.length - at < 5) throw new Error(`${file}: truncated: ${data.length - at} trailing bytes do not form a document`);
    const size = data.readInt32LE(at);
    if (size < 5 || at + size > data.length) throw new Error(`${file}: corrupt: ${size} is not a BSON document length at byte ${at}`);
    const doc = data.subarray(at, at + size);
    const { user, db } = topLevelFields(doc);
    const roles = topLevelField(doc, "roles");
    users.push({
      user: String(user),
      db: String(db),
      roles: roles && roles.type === 0x04 ? arrayDocuments(roles.value).map((r) => ({ role: String(topLevelFields(r).role), db: String(topLevelFields(r).db) })) : [],
    });
    at += size;
  }
  return users;
}

/** The users file among the set-aside names, or undefined when the dump held no users. */
function usersFileOf(asideDir, names) {
  const name = names.find((n) => /^system\.users\.bson(\.gz)?$/.test(n));
  return name === undefined ? undefined : path.join(asideDir, name);
}

module.exports = { AUTHZ_FILE, setAsideAuthz, usersFileOf, usersInFile };
