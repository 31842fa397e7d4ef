// Creates the one-time bootstrap user from the mounted bootstrap Secret (BOOTSTRAP_SECRET_DIR/
// username, /password) on the primary, over localhost while no user exists yet (the localhost
// exception). The reconcile Job then logs in as it, creates the root user from the root Secret
// (which never enters this pod) and drops it: its password left here is dead after that first
// run (docs/security.md, "The root Secret"). The password is read here from the file: it never
// appears on a command line.
// Exit 0: nothing more to do here (the user is created now or earlier; or a user exists already
// and the bootstrap Secret does not authenticate: the handover to root is done; or the Secret is
// not mounted: a set deployed before it, whose root user exists); any other exit: not yet (this
// member is not PRIMARY yet while no user exists, for example), and the caller retries.
//
// createUser is sent whatever this member's state, and its answer decides: mongod checks
// authorization before it checks that it is primary (ExecCommandDatabase::_initiateCommand,
// src/mongo/db/service_entry_point_common.cpp r8.0: checkAuthorization, then the NotWritablePrimary
// check). So once any user exists, an unauthenticated createUser is Unauthorized ("Command
// createUser requires authentication", checkAuthorizationImplPreParse, src/mongo/db/commands.cpp)
// on a SECONDARY too: a restarted first pod that is no longer the primary knows the handover is
// done, instead of waiting forever for a PRIMARY state that priorities may never give it. While no
// user exists, the exception lets createUser past authorization and a non-primary answers
// NotWritablePrimary: not yet.
//
// What the localhost exception allows is AuthorizationSessionImpl::_getDefaultPrivileges
// (mongodb/mongo r8.0, src/mongo/db/auth/authorization_session_impl.cpp): createUser and grantRole
// on admin, but not viewUser, so usersInfo cannot tell whether a user exists. createUser itself
// is the test: it succeeds while no user exists, and is refused once one does.
//
// The role: userAdmin on admin, the least that lets the Job create root (createUser on admin and
// grantRole on admin: checkAuthForTypedCommand(CreateUserCommand) in
// src/mongo/db/commands/user_management_commands.cpp; userAdmin grants both on its database:
// src/mongo/db/auth/builtin_roles.yml, r8.0).
// A custom role would be smaller, but createRole is not in the exception's privileges. userAdmin
// can grant itself any role, so it is as strong as root: what protects it is its short life.
const fs = require("fs");

const UNAUTHORIZED = 13;
// "User ... already exists" (src/mongo/db/commands/user_management_commands.cpp, 51003).
const USER_ALREADY_EXISTS = 51003;
// Not primary (src/mongo/base/error_codes.yml): NotWritablePrimary, NotPrimaryNoSecondaryOk,
// NotPrimaryOrSecondary (a member in STARTUP2 or RECOVERING, an initial sync for example).
const NOT_PRIMARY = [10107, 13435, 13436];

const admin = db.getSiblingDB("admin");

const secretDir = process.env.BOOTSTRAP_SECRET_DIR;
// A trailing newline (from `echo ... > file` or an editor) is not part of the credential.
const readSecret = (key) => fs.readFileSync(`${secretDir}/${key}`, "utf8").replace(/\r?\n$/, "");
let user;
try {
  user = readSecret("username");
} catch {
  // The volume is optional (stacks/constructs/data-members.ts): an empty directory without it.
  print(`no bootstrap Secret under ${secretDir}: no first user to create (a set whose root user exists needs none; a new set does: scripts/create-secrets.sh)`);
  quit(0);
}

let refused = false;
try {
  admin.createUser({ user, pwd: readSecret("password"), roles: [{ role: "userAdmin", db: "admin" }] }, { w: "majority", wtimeout: 60000 });
  print(`created the bootstrap user ${user}: the reconcile Job creates the root user with it, then drops it`);
} catch (err) {
  if (err.code === USER_ALREADY_EXISTS) {
    print(`the bootstrap user ${user} exists already: nothing to do`);
    quit(0);
  }
  if (NOT_PRIMARY.includes(err.code)) {
    print(`no user exists yet and this member is not PRIMARY (${err.codeName ?? err.code}): waiting for this member to become PRIMARY`);
    quit(1);
  }
  if (err.code !== UNAUTHORIZED) throw err;
  refused = true;
}

if (refused) {
  // Unauthorized: a user exists (the exception is closed), or this connection is not from
  // loopback. The bootstrap user authenticates until the reconcile Job has handed over to root;
  // after that it is gone, and nothing here is left to do either way. The Job is the one that
  // says so when neither the root nor the bootstrap Secret logs in.
  try {
    admin.auth(user, readSecret("password"));
    print(`a user exists already and the bootstrap Secret authenticates as ${user}: the reconcile Job hands over to root`);
  } catch (err) {
    print(`createUser was refused (Unauthorized: a user exists, or the connection is not from localhost) and the bootstrap Secret does not authenticate (${err.message}): the reconcile Job has handed over to root, or the set's users were made otherwise; nothing to do`);
  }
}
