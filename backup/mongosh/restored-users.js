// The users in the restored data, for the in-cluster restore's report (issue 12, High 3).
//   From a directory dump (DUMP_DIR set), before the mongorestore call: moves the dump's
//   admin/system.{users,roles}.* into AUTHZ_ASIDE and lists the users of that file. mongorestore
//   then restores no users or roles, so its _mergeAuthzCollections (which with --drop removes
//   every user not in the dump) never drops the temporary restore user mid-restore
//   (dump-authz.js says why, from the mongo-tools and server source). Runs with `mongosh --nodb`
//   and no connection.
//   From an archive (schemaVersion 1, no DUMP_DIR), after the restore: mongorestore restored the
//   archive's users, so every user the target now holds is listed (usersInfo {forAllDBs: true}
//   needs viewUser on the cluster, user_management_commands.cpp r8.0, which the restore user's
//   anyAction covers), as the restore user.
// Prints `count=<n>` and `found=<user@db,...>`.
//   DUMP_DIR          the unpacked dump (<work>/base/dump)
//   AUTHZ_ASIDE       where its users and roles go (private to the job's scratch volume)
//   TARGET, RESTORE_USER_DIR  (archive) the target and the restore user: target-connection.js

/* global load, connectTarget -- connectTarget comes from target-connection.js (archive bases only) */

// One line each: a name holding a newline or a comma is escaped, so the list stays one line.
const userName = (u) => `${encodeURIComponent(u.user)}@${encodeURIComponent(u.db)}`;
let users;
if (process.env.DUMP_DIR) {
  const { setAsideAuthz, usersFileOf, usersInFile } = require(`${process.env.BACKUP_MONGOSH_DIR}/dump-authz.js`);
  const moved = setAsideAuthz(process.env.DUMP_DIR, process.env.AUTHZ_ASIDE);
  const file = usersFileOf(process.env.AUTHZ_ASIDE, moved);
  users = file === undefined ? [] : usersInFile(file);
  print(`setAside=${moved.join(",")}`);
} else {
  load(`${process.env.BACKUP_MONGOSH_DIR}/target-connection.js`);
  const admin = connectTarget().conn.getDB("admin");
  users = admin.runCommand({ usersInfo: { forAllDBs: true } }).users;
}
print(`count=${users.length}`);
print(`found=${users.map(userName).sort().join(",")}`);
