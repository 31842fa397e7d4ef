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
//   TARGET            mongorestore --host form: "<replicaSet>/<host>,<host>" or "<host>" (archive)
//   RESTORE_USER_DIR  the restore user's Secret (username, password) (archive)

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
  const fs = require("fs");
  const dir = process.env.RESTORE_USER_DIR;
  const read = (name) => fs.readFileSync(`${dir}/${name}`, "utf8").replace(/\n+$/, "");
  const target = process.env.TARGET || "";
  const slash = target.indexOf("/");
  // With NYRKIO_TLS_CA_FILE set (clients use TLS, config/tls.ts tlsClientEnv), the certificate and
  // host name are verified: config/tls.ts uriTlsOptions, spelled for a URI (as target-facts.js).
  const timeouts = `serverSelectionTimeoutMS=15000&connectTimeoutMS=10000${process.env.NYRKIO_TLS_CA_FILE ? `&tls=true&tlsCAFile=${process.env.NYRKIO_TLS_CA_FILE}` : ""}`;
  const uri =
    slash >= 0
      ? `mongodb://${target.slice(slash + 1)}/?replicaSet=${encodeURIComponent(target.slice(0, slash))}&readPreference=primary&${timeouts}`
      : `mongodb://${target}/?directConnection=true&${timeouts}`;
  const conn = new Mongo(uri);
  const admin = conn.getDB("admin");
  admin.auth(read("username"), read("password"));
  users = admin.runCommand({ usersInfo: { forAllDBs: true } }).users;
}
print(`count=${users.length}`);
print(`found=${users.map(userName).sort().join(",")}`);
