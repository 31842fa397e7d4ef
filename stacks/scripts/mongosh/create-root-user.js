// Creates the root user from the mounted root Secret (ROOT_SECRET_DIR/username, /password), on
// the primary, over localhost while no user exists yet (the localhost exception). The password
// is read here from the file: it never appears on a command line.
// Exit 0: the root user exists (created now, or before and the Secret authenticates); any other
// exit: not yet (this member is not PRIMARY yet, for example), and the caller retries.
//
// What the localhost exception allows is AuthorizationSessionImpl::_getDefaultPrivileges
// (mongodb/mongo r8.0, src/mongo/db/auth/authorization_session_impl.cpp): createUser and grantRole
// on admin, but not viewUser, so usersInfo cannot tell whether a user exists. createUser itself
// is the test: it succeeds while no user exists, and is refused once one does.
const fs = require("fs");

const UNAUTHORIZED = 13;
// "User ... already exists" (src/mongo/db/commands/user_management_commands.cpp, 51003).
const USER_ALREADY_EXISTS = 51003;

const admin = db.getSiblingDB("admin");

if (admin.runCommand({ hello: 1 }).isWritablePrimary !== true) {
  print("waiting for this member to become PRIMARY");
  quit(1);
}

const secretDir = process.env.ROOT_SECRET_DIR;
// A trailing newline (from `echo ... > file` or an editor) is not part of the credential.
const readSecret = (key) => fs.readFileSync(`${secretDir}/${key}`, "utf8").replace(/\r?\n$/, "");
const user = readSecret("username");

let refused = false;
try {
  admin.createUser({ user, pwd: readSecret("password"), roles: [{ role: "root", db: "admin" }] }, { w: "majority", wtimeout: 60000 });
  print(`created the root user ${user}`);
} catch (err) {
  if (err.code === USER_ALREADY_EXISTS) {
    print(`the root user ${user} exists already: nothing to do`);
    quit(0);
  }
  if (err.code !== UNAUTHORIZED) throw err;
  refused = true;
}

if (refused) {
  // Unauthorized: a user exists (the exception is closed), or this connection is not from
  // loopback. Done only if the root Secret's credentials work; otherwise the reconcile Job could
  // not log in either, and saying "complete" would hide that.
  try {
    admin.auth(user, readSecret("password"));
  } catch (err) {
    print(`createUser was refused (Unauthorized: a user exists, or the connection is not from localhost) and the root Secret does not authenticate: ${err.message}`);
    quit(1);
  }
  print(`a user exists already and the root Secret authenticates as ${user}: nothing to do`);
}
