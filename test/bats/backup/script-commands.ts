// The server commands each backup mongosh script sends (backup/mongosh/*.js), with the Secret it
// authenticates with and where it connects: what the bats mongosh stand-in checks against mongod's
// authorization model before it replays a canned answer (server-model.ts). Read from the scripts'
// source; test/backup/script-commands.test.ts holds this list to their text.

type Doc = Record<string, unknown>;

export interface ScriptConnection {
  /** The environment variable naming the Secret directory it reads `username`/`password` from; none: no auth. */
  userDirEnv?: string;
  /** The environment variable holding the URI it connects to; none: a replica-set member (remote, access control on). */
  uriEnv?: string;
  /** In order; "APPDB" stands for BACKUP_DATABASE. */
  commands: Doc[];
  /** The environment variable that, when set, makes the script connect to nothing (it works on files). */
  noConnectionWhenEnv?: string;
}

export const SCRIPT_COMMANDS: Record<string, ScriptConnection> = {
  // source-facts.js (member-connection.js connectMember: auth as the backup user): hello of each
  // member, the oplog's oldest and newest entry (find on local.oplog.rs), replSetGetConfig.
  "source-facts.js": { userDirEnv: "BACKUP_USER_DIR", commands: [{ hello: 1 }, { find: "oplog.rs", $db: "local" }, { replSetGetConfig: 1 }] },
  // confirm-dumps.js (connectMember): hello (the committed snapshot), the oplog's oldest entry and
  // the entry at a dump's lastTs (find on local.oplog.rs).
  "confirm-dumps.js": { userDirEnv: "BACKUP_USER_DIR", commands: [{ hello: 1 }, { find: "oplog.rs", $db: "local" }] },
  // snapshot-counts.js (connectMember): the application database's collections, then an
  // aggregate with $count of each at the snapshot.
  "snapshot-counts.js": { userDirEnv: "BACKUP_USER_DIR", commands: [{ listCollections: 1, $db: "APPDB" }, { aggregate: "results", pipeline: [{ $count: "n" }], $db: "APPDB" }] },
  // target-facts.js: auth as the restore user; hello, listDatabases, each database's collections
  // and a findOne of each.
  "target-facts.js": { userDirEnv: "RESTORE_USER_DIR", commands: [{ hello: 1 }, { listDatabases: 1, nameOnly: true }, { listCollections: 1, $db: "APPDB" }, { find: "results", $db: "APPDB" }] },
  // restored-users.js: with DUMP_DIR it sets the dump's users aside and lists them from the file,
  // connecting to nothing; otherwise (an archive base) auth as the restore user, usersInfo of every database.
  "restored-users.js": { userDirEnv: "RESTORE_USER_DIR", commands: [{ usersInfo: { forAllDBs: true } }], noConnectionWhenEnv: "DUMP_DIR" },
  // drop-restore-user.js: auth as the temporary restore user, which drops itself.
  "drop-restore-user.js": { userDirEnv: "RESTORE_USER_DIR", commands: [{ dropUser: "restorer" }] },
  // compare-counts.js: the throwaway mongod at TARGET_URI, as the restore user verify-users.js made
  // there (TARGET_USER_DIR); countDocuments is an aggregate.
  "compare-counts.js": { userDirEnv: "TARGET_USER_DIR", uriEnv: "TARGET_URI", commands: [{ aggregate: "results", pipeline: [{ $match: {} }, { $group: { _id: 1, n: { $sum: 1 } } }], $db: "APPDB" }] },
};
