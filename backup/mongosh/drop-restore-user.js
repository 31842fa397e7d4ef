// The restore Job's last act, on success and on failure alike (restore.sh's exit hook): the
// temporary restore user drops itself (its anyAction covers dropUser). Issue 12: the restore user
// is as strong as root, so it does not outlive its restore. A user that is already gone (dropped by
// hand, or the restore-user Job never ran against this target) cannot log in: that is reported,
// not an error. (A restore no longer removes it: the dump's users are set aside, dump-authz.js.) What this cannot
// cover (SIGKILL, a lost node) the reconcile Job's expiry check does (user-plan.ts planPrune).
// Prints `dropped=<yes|gone>`. Runs with `mongosh --nodb` as the restore user.
//   TARGET            mongorestore --host form: "<replicaSet>/<host>,<host>" or "<host>"
//   RESTORE_USER_DIR  the temporary restore user's Secret (username, password)

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
const user = read("username");
const conn = new Mongo(uri);
const admin = conn.getDB("admin");
let authenticated = true;
try {
  admin.auth(user, read("password"));
} catch (e) {
  // AuthenticationFailed (18): the user no longer exists.
  if (!/Authentication failed/i.test(String(e && e.message))) throw e;
  authenticated = false;
}
if (authenticated) admin.runCommand({ dropUser: user });
print(`dropped=${authenticated ? "yes" : "gone"}`);
