// Creates the root user from the mounted root Secret (ROOT_SECRET_DIR/username, /password),
// over localhost while no user exists yet (the localhost exception), on the primary. The
// password is read here from the file: it never appears on a command line.
// Exit 0: a user exists (created now or before); any other exit: not yet (this member is not
// PRIMARY yet, for example), and the caller retries.
const fs = require("fs");

const UNAUTHORIZED = 13;
const USER_ALREADY_EXISTS = 51003;

const admin = db.getSiblingDB("admin");

// Without credentials, usersInfo succeeds only while the localhost exception holds, that is
// while this member has no user at all; once a user exists (created here, or replicated from
// the primary) access control refuses it.
let users;
try {
  users = admin.runCommand({ usersInfo: 1 }).users;
} catch (err) {
  if (err.code === UNAUTHORIZED) {
    print("a user exists already: access control is active, nothing to do");
    quit(0);
  }
  throw err;
}
if (users.length > 0) {
  print(`a user exists already (${users.length}): nothing to do`);
  quit(0);
}

if (admin.runCommand({ hello: 1 }).isWritablePrimary !== true) {
  print("no user yet; waiting for this member to become PRIMARY");
  quit(1);
}

const secretDir = process.env.ROOT_SECRET_DIR;
// A trailing newline (from `echo ... > file` or an editor) is not part of the credential.
const readSecret = (key) => fs.readFileSync(`${secretDir}/${key}`, "utf8").replace(/\r?\n$/, "");
const user = readSecret("username");

try {
  admin.createUser({ user, pwd: readSecret("password"), roles: [{ role: "root", db: "admin" }] }, { w: "majority", wtimeout: 60000 });
  print(`created the root user ${user}`);
} catch (err) {
  if (err.code === USER_ALREADY_EXISTS || err.code === UNAUTHORIZED) {
    print("a user was created meanwhile: nothing to do");
    quit(0);
  }
  throw err;
}
