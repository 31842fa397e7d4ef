// The users of verification's scratch mongod (verify.sh), made the way a deployed member gets its
// first user. That mongod runs with access control (a keyfile and security.authorization: the
// members' settings, mongod-config.ts verifyMongodConf) and holds no user, so the only way in is
// the localhost exception: a loopback connection, while no user exists, holds exactly createUser
// and grantRole on admin, createUser on $external and a few cluster actions
// (AuthorizationSessionImpl::_getDefaultPrivileges, src/mongo/db/auth/authorization_session_impl.cpp);
// createRole is refused there (isAuthorizedToCreateRole, same file), and the exception closes as
// soon as a user exists (shouldAllowLocalhost, authz_session_external_state_server_common.cpp). So:
//   1. unauthenticated, through the exception: a bootstrap admin with userAdminAnyDatabase only
//      (user administration, no access to data; builtin_roles.yml);
//   2. as that admin: the role the real restore user holds (VERIFY_RESTORE_ROLE: replicaset/users.ts
//      restoreRole, nyrkioRestore, anyAction on anyResource; granting a privilege on anyResource
//      needs grantRole on admin, checkAuthorizedToGrantPrivilege in
//      src/mongo/db/commands/user_management_commands_common.cpp, which userAdminAnyDatabase holds),
//      and the restore user with that role alone.
// The keyfile alone turns authorization on, without a replica set (mongod accepts security.keyFile
// on a standalone; src/mongo/db/auth/authorization_manager_global.cpp CreateAuthorizationManager
// enables auth when clusterAuthMode is defined, and it defaults to keyFile with a keyFile); the conf
// says security.authorization: enabled too. mongorestore --oplogReplay needs no replica set: it
// asks `ismaster` only to log the node type (mongo-tools 100.18.0 mongorestore/mongorestore.go
// ParseAndValidateOptions, common/db/command.go GetNodeType) and replays each entry with applyOps
// (oplog.go ApplyOp), which nyrkioRestore's anyAction on anyResource authorizes.
// verify.sh then restores and counts as that restore user. The passwords are read from files in
// the container's memory-backed credentials volume (verify.sh writes them), never from argv or the
// environment. Prints admin=, role= and restoreUser= lines. Runs with `mongosh --nodb`.
//   TARGET_URI           the scratch mongod (mongodb://127.0.0.1:<port>/?directConnection=true)
//   VERIFY_ADMIN_DIR     username, password of the bootstrap admin
//   VERIFY_RESTORE_DIR   username, password of the restore user
//   VERIFY_RESTORE_ROLE  JSON: the role definition {role, db, privileges, roles}

const fs = require("fs");

const read = (dir, name) => fs.readFileSync(`${dir}/${name}`, "utf8").replace(/\n+$/, "");
const env = process.env;
const role = JSON.parse(env.VERIFY_RESTORE_ROLE || "null");
if (!role || !role.role || !role.db || !Array.isArray(role.privileges)) throw new Error("VERIFY_RESTORE_ROLE must hold the restore role's definition {role, db, privileges, roles}");
const admin = { user: read(env.VERIFY_ADMIN_DIR, "username"), pwd: read(env.VERIFY_ADMIN_DIR, "password") };
const restorer = { user: read(env.VERIFY_RESTORE_DIR, "username"), pwd: read(env.VERIFY_RESTORE_DIR, "password") };

// mongosh's runCommand throws on a server error; a reply with ok: 0 is refused here too.
function run(database, command) {
  const reply = database.runCommand(command);
  if (!reply || reply.ok !== 1) throw new Error(`${Object.keys(command)[0]} failed: ${reply && (reply.errmsg || reply.codeName)}`);
  return reply;
}

// 1. The localhost exception: the first user, unauthenticated.
const bootstrap = new Mongo(env.TARGET_URI);
run(bootstrap.getDB("admin"), { createUser: admin.user, pwd: admin.pwd, roles: [{ role: "userAdminAnyDatabase", db: "admin" }], mechanisms: ["SCRAM-SHA-256"] });
bootstrap.close();
print(`admin=${admin.user}`);

// 2. As that admin (a new connection: the exception is closed now).
const conn = new Mongo(env.TARGET_URI);
const db = conn.getDB(role.db);
db.getSiblingDB("admin").auth(admin.user, admin.pwd);
run(db, { createRole: role.role, privileges: role.privileges, roles: role.roles || [] });
print(`role=${role.role}@${role.db}`);
run(conn.getDB("admin"), { createUser: restorer.user, pwd: restorer.pwd, roles: [{ role: role.role, db: role.db }], mechanisms: ["SCRAM-SHA-256"] });
print(`restoreUser=${restorer.user}`);
conn.close();
