// Creates the temporary restore user of one restore (issue 12: the restore user is as strong as
// root, so it exists only while a restore needs it). Run by the short `<set>-restore-user` Job,
// the only backup pod that holds the root credentials, with `mongosh --nodb --quiet`:
//   1. reads the temporary Secret the SRE generated (username `restore-<random>`, password) and
//      the root Secret; refuses a name that is not restore-<16+ lower-case letters or digits> (a
//      name no dump holds, and the prefix the reconcile Job treats as temporary);
//   2. connects to the replica set's primary as root;
//   3. creates the user with the restore roles and customData.nyrkioRestoreExpiresAt = now + TTL,
//      or, when it exists (the Job ran again), sets its password, roles and expiry again.
// The restore Job mounts only that temporary Secret and drops the user when it ends (restore.sh);
// the reconcile Job drops any restore-* user past its expiry (user-plan.ts planPrune).
// Environment:
//   RESTORE_CREDENTIALS_DIR  the temporary Secret (username, password)
//   ROOT_SECRET_DIR          the root Secret (username, password)
//   BACKUP_REPLSET, BACKUP_MEMBERS   the replica set and its data members
//   RESTORE_PLAN_DIR         the restore's plan ConfigMap (optional): its `target` (mongorestore
//                            --host form) is where the restore writes, so the user is made there
//                            (as this namespace's root user: the target must accept it)
//   RESTORE_USER_ROLES       JSON: the roles (users.ts managedUserRoles of "restore")
//   RESTORE_USER_TTL_SECONDS how long the user stays in use unless dropped before
//   NYRKIO_TLS_CA_FILE       set when clients use TLS: the CA the connection verifies the server with
// Prints one JSON object per line; a failure is {"event":"error",...} and exit 1.

const fs = require("fs");

const RESTORE_USER_NAME = /^restore-[a-z0-9]{16,64}$/;

// The decision, pure: what to send, given whether the user exists.
function restoreUserCommand(name, password, roles, exists, now, ttlSeconds) {
  if (!RESTORE_USER_NAME.test(name)) return { ok: false, error: "the temporary restore user's name must match " + RESTORE_USER_NAME + " (restore-<random>, a name no dump holds), got " + JSON.stringify(name) };
  if (!password || password.length < 16) return { ok: false, error: "the temporary restore user's password must be at least 16 characters" };
  if (!(ttlSeconds > 0)) return { ok: false, error: "RESTORE_USER_TTL_SECONDS must be a positive number of seconds" };
  const customData = { nyrkioRestoreExpiresAt: new Date(now + ttlSeconds * 1000).toISOString() };
  const verb = exists ? "updateUser" : "createUser";
  const command = {};
  command[verb] = name;
  command.pwd = password;
  command.roles = roles;
  command.customData = customData;
  command.mechanisms = ["SCRAM-SHA-256"];
  return { ok: true, command: command, expiresAt: customData.nyrkioRestoreExpiresAt };
}

function log(event, fields) {
  print(JSON.stringify(Object.assign({ event: event }, fields || {})));
}

function readSecret(dir, key) {
  const path = dir + "/" + key;
  try {
    return fs.readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw new Error("cannot read " + path + " (is the Secret mounted?): " + (e && e.message ? e.message : String(e)));
  }
}

function main() {
  const env = process.env;
  const name = readSecret(env.RESTORE_CREDENTIALS_DIR, "username");
  const password = readSecret(env.RESTORE_CREDENTIALS_DIR, "password");
  const roles = JSON.parse(env.RESTORE_USER_ROLES || "[]");
  const ttl = Number(env.RESTORE_USER_TTL_SECONDS);
  // Refuse before connecting: a bad name never reaches the server.
  const check = restoreUserCommand(name, password, roles, false, Date.now(), ttl);
  if (!check.ok) throw new Error(check.error);
  // Where the restore will write: the plan's target, else this replica set.
  let target = env.BACKUP_REPLSET + "/" + String(env.BACKUP_MEMBERS || "");
  try {
    if (env.RESTORE_PLAN_DIR) target = fs.readFileSync(env.RESTORE_PLAN_DIR + "/target", "utf8").trim() || target;
  } catch {
    // no target in the plan ConfigMap: in place
  }
  if (target.indexOf("@") >= 0) throw new Error("the plan's target must not hold credentials");
  const slash = target.indexOf("/");
  // With NYRKIO_TLS_CA_FILE set (clients use TLS, config/tls.ts tlsClientEnv), the certificate and
  // host name are verified: config/tls.ts uriTlsOptions, spelled for a URI (as target-facts.js).
  const tls = process.env.NYRKIO_TLS_CA_FILE ? `&tls=true&tlsCAFile=${process.env.NYRKIO_TLS_CA_FILE}` : "";
  const uri =
    slash >= 0
      ? "mongodb://" + target.slice(slash + 1) + "/?replicaSet=" + encodeURIComponent(target.slice(0, slash)) + "&authSource=admin&serverSelectionTimeoutMS=15000" + tls
      : "mongodb://" + target + "/?directConnection=true&authSource=admin&serverSelectionTimeoutMS=15000" + tls;
  const conn = new Mongo(uri);
  const admin = conn.getDB("admin");
  admin.auth(readSecret(env.ROOT_SECRET_DIR, "username"), readSecret(env.ROOT_SECRET_DIR, "password"));
  const found = admin.runCommand({ usersInfo: name });
  if (!found.ok) throw new Error("usersInfo failed: " + (found.errmsg || found.codeName));
  const plan = restoreUserCommand(name, password, roles, found.users.length > 0, Date.now(), ttl);
  if (!plan.ok) throw new Error(plan.error);
  const result = admin.runCommand(plan.command);
  if (!result.ok) throw new Error(Object.keys(plan.command)[0] + " failed: " + (result.errmsg || result.codeName));
  log("restoreUser", { target: target, user: name, action: found.users.length > 0 ? "password, roles and expiry set again" : "created", expiresAt: plan.expiresAt, roles: roles.map((r) => r.role + "@" + r.db).join(",") });
}

try {
  main();
} catch (e) {
  log("error", { message: e && e.message ? e.message : String(e) });
  quit(1);
}
