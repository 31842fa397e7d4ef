// After an in-cluster restore: every user the target now holds, which are the restored data's
// (mongorestore restores admin.system.users whenever no --db is given; with --drop it replaces
// every existing user; mongo-tools mongorestore/mongorestore.go RestoreUsersOrRoles). Prints
// `count=<n>` and `found=<user@db,...>`. usersInfo {forAllDBs: true} needs viewUser on the
// cluster (the usersInfo command's checkAuthForOperation, user_management_commands.cpp r8.0),
// which the restore user's anyAction covers. Runs with `mongosh --nodb` as the restore user.
//   TARGET            mongorestore --host form: "<replicaSet>/<host>,<host>" or "<host>"
//   RESTORE_USER_DIR  the restore user's Secret (username, password)

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
const users = admin.runCommand({ usersInfo: { forAllDBs: true } }).users;
// One line each: a name holding a newline or a comma is escaped, so the list stays one line.
const name = (u) => `${encodeURIComponent(u.user)}@${encodeURIComponent(u.db)}`;
print(`count=${users.length}`);
print(`found=${users.map(name).sort().join(",")}`);
