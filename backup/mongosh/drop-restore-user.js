// The restore Job's last act, on success and on failure alike (restore.sh's exit hook): the
// temporary restore user drops itself (its anyAction covers dropUser). The server lets a user drop
// itself: dropUser checks only the dropUser action on the user's database and removes the document
// (src/mongo/db/commands/user_management_commands.cpp r8.0, CmdUMCTyped<DropUserCommand>::typedRun:
// no check against the session's own user); the session is logged out at its next command, and
// there is none. On a shard, user-management commands skip the direct-connection check
// (CmdUMCTyped::shouldSkipDirectConnectionChecks). Issue 12: the restore user
// is as strong as root, so it does not outlive its restore. A user that is already gone (dropped by
// hand, or the restore-user Job never ran against this target) cannot log in: that is reported,
// not an error. (A restore no longer removes it: the dump's users are set aside, dump-authz.js.) What this cannot
// cover (SIGKILL, a lost node) the reconcile Job's expiry check does (user-plan.ts planPrune).
// Prints `dropped=<yes|gone>`. Runs with `mongosh --nodb` as the restore user.
//   TARGET, RESTORE_USER_DIR  the target and the temporary restore user: target-connection.js

/* global load, connectTarget -- connectTarget comes from target-connection.js */
load(`${process.env.BACKUP_MONGOSH_DIR}/target-connection.js`);
let dropped = "gone";
try {
  const { conn, user } = connectTarget();
  conn.getDB("admin").runCommand({ dropUser: user });
  dropped = "yes";
} catch (e) {
  // AuthenticationFailed (18): the user no longer exists.
  if (!/Authentication failed/i.test(String(e && e.message))) throw e;
}
print(`dropped=${dropped}`);
