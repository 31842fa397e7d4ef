// Loaded with load() by the mongosh scripts that talk to a restore's target (it must share their
// mongosh context, as member-connection.js does): target-facts.js, restored-users.js (an archive
// base) and drop-restore-user.js. It opens a connection to the target and authenticates as the
// restore's temporary user; the password is read from the mounted Secret file, never from argv
// or the environment.
//   TARGET            mongorestore --host form: "<replicaSet>/<host>,<host>" (the primary, as the
//                     restore writes there) or "<host>" (a direct connection)
//   RESTORE_USER_DIR  the temporary restore user's Secret (username, password)
//   NYRKIO_TLS_CA_FILE  set when clients use TLS: the CA the connection verifies the server with

function targetUri() {
  const target = process.env.TARGET || "";
  const slash = target.indexOf("/");
  // With NYRKIO_TLS_CA_FILE set (clients use TLS, config/tls.ts tlsClientEnv), the certificate and
  // host name are verified: config/tls.ts uriTlsOptions, spelled for a URI.
  const timeouts = `serverSelectionTimeoutMS=15000&connectTimeoutMS=10000${process.env.NYRKIO_TLS_CA_FILE ? `&tls=true&tlsCAFile=${process.env.NYRKIO_TLS_CA_FILE}` : ""}`;
  return slash >= 0
    ? `mongodb://${target.slice(slash + 1)}/?replicaSet=${encodeURIComponent(target.slice(0, slash))}&readPreference=primary&${timeouts}`
    : `mongodb://${target}/?directConnection=true&${timeouts}`;
}

/**
 * The target, authenticated as the restore user: { conn, user }. db.auth() throws "Authentication
 * failed" (AuthenticationFailed, 18) when the user does not exist (drop-restore-user.js reads that).
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function connectTarget() {
  const fs = require("fs");
  const dir = process.env.RESTORE_USER_DIR;
  if (!dir) throw new Error("RESTORE_USER_DIR is not set");
  const read = (name) => fs.readFileSync(`${dir}/${name}`, "utf8").replace(/\n+$/, "");
  const conn = new Mongo(targetUri());
  const user = read("username");
  conn.getDB("admin").auth(user, read("password"));
  return { conn, user };
}
