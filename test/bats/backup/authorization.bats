#!/usr/bin/env bats
# The backup jobs against a replica set that enforces authorization: the stand-ins for mongodump,
# mongorestore and the connecting mongosh scripts authenticate the user a job logs in as and
# authorize each command the real tool sends (server-model.ts, test/support/mongod-authz.ts). A job
# whose Secret names a user without the privileges fails, as it would against mongod.

bats_require_minimum_version 1.5.0
load helpers

chain() {
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  add_slice 1200:1 1250:1 1300:1
}

setup() {
  setup_backup_env
  export STANDIN_OPLOG="1250:1 1300:1 1310:1 1320:7 1400:2 1500:1"
  export STANDIN_DUMP_OPLOG="1490:1 1500:1"
}

@test "the slice job as the application's user: source-facts.js is refused (no find on local.oplog.rs), nothing is dumped or saved" {
  cached_catalog chain
  facts 1100:1 1400:2 1500:1
  login_as "$BACKUP_USER_DIR" app app-pw
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -ne 0 ]
  [[ "$(json_line facts failed)" == *"Unauthorized"*"not authorized on local to execute command { find"* ]]
  [ ! -s "$STANDIN_LOG/mongodump.log" ]
  [ -z "$(compgen -G "$CATALOG/oplog/*1400-2*" || true)" ]
}

@test "the slice job as a backup user without nyrkioReplSetConfig: replSetGetConfig is refused" {
  cached_catalog chain
  facts 1100:1 1400:2 1500:1
  server_user_roles backup '[{"role":"backup","db":"admin"}]'
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -ne 0 ]
  [[ "$(json_line facts failed)" == *"not authorized on admin to execute command { replSetGetConfig"* ]]
}

@test "the slice job with a wrong password: authentication fails before any read" {
  cached_catalog chain
  facts 1100:1 1400:2 1500:1
  login_as "$BACKUP_USER_DIR" backup "not the password"
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -ne 0 ]
  [[ "$(json_line facts failed)" == *"AuthenticationFailed"* ]]
}

@test "the mongodump stand-in refuses a slice to a user without find on local.oplog.rs, with mongodump's message and exit 1" {
  printf '{"ts":{"$gt":{"$timestamp":{"t":1300,"i":1}},"$lte":{"$timestamp":{"t":1400,"i":2}}}}' >"$BATS_TEST_TMPDIR/q.json"
  printf "password: 'app-pw'\n" >"$BATS_TEST_TMPDIR/app.yaml"
  run --separate-stderr mongodump --host=mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017 --authenticationDatabase=admin --username=app --config="$BATS_TEST_TMPDIR/app.yaml" \
    --readPreference=secondaryPreferred --db=local --collection=oplog.rs --queryFile="$BATS_TEST_TMPDIR/q.json" --out=-
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  # mongodump.go Dump: verifyCollectionExists runs listCollections first; the app user has no
  # privilege on local at all.
  [[ "$stderr" == *"Failed: error verifying collection info: (Unauthorized) not authorized on local to execute command { listCollections"* ]]
  # The backup user's same dump is served.
  printf "password: '%s'\n" "${PASSWORD//\'/\'\'}" >"$BATS_TEST_TMPDIR/backup.yaml"
  run --separate-stderr mongodump --host=mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017 --authenticationDatabase=admin --username=backup --config="$BATS_TEST_TMPDIR/backup.yaml" \
    --readPreference=secondaryPreferred --db=local --collection=oplog.rs --queryFile="$BATS_TEST_TMPDIR/q.json" --out=-
  [ "$status" -eq 0 ]
}

@test "the full dump as the exporter's user: facts pass (clusterMonitor, read on local), the dump is refused, nothing is saved" {
  facts 1700000000:1 1700000500:3 1700000500:3
  counts '{"nyrkio.results": 12}'
  login_as "$BACKUP_USER_DIR" monitor monitor-pw
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -ne 0 ]
  [[ "$(json_line dump failed)" == *"mongodump failed"* ]]
  [[ "$stderr" == *"Failed: error creating intents to dump: (Unauthorized) not authorized on admin to execute command { listCollections"* ]]
  [ -z "$(compgen -G "$CATALOG/full/*" || true)" ]
  no_partial_files "$BACKUP_ROOT"
}

@test "the full dump as the backup user reads every collection, the users and the oplog: served" {
  facts 1700000000:1 1700000500:3 1700000500:3
  counts '{"nyrkio.results": 12}'
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
}

restore_env() {
  export RESTORE_PLAN_DIR="$BATS_TEST_TMPDIR/plan" RESTORE_USER_DIR="$BATS_TEST_TMPDIR/secret/restore"
  mkdir -p "$RESTORE_PLAN_DIR" "$STANDIN_DIR/mongosh"
  printf 'mongos=0\nwithData=\n' >"$STANDIN_DIR/mongosh/target-facts.js.out"
  SHA="$(sha256sum "$CATALOG/full/20240501T000000Z.dump.tar" | cut -d' ' -f1)" node -e '
    process.stdout.write(JSON.stringify({ replicaSet: "rs0", base: "full/20240501T000000Z.dump.tar", slices: ["oplog/900-1_1200-1.bson.gz"], oplogLimit: "1100:2",
      artifacts: [{ step: 1, kind: "full", file: "full/20240501T000000Z.dump.tar", sha256: process.env.SHA }] }));' >"$RESTORE_PLAN_DIR/plan.json"
}

@test "the restore job with the backup user's Secret: the target checks pass (backup reads), mongorestore is refused at the first write" {
  cached_catalog chain
  restore_env
  mkdir -p "$RESTORE_USER_DIR"
  login_as "$RESTORE_USER_DIR" backup "$PASSWORD"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -ne 0 ]
  [[ "$(json_line restore failed)" == *"mongorestore of full/20240501T000000Z.dump.tar failed"* ]]
  [[ "$stderr" == *"Failed: restore error: nyrkio.results: error creating collection nyrkio.results: (Unauthorized) not authorized on nyrkio to execute command { create"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
}

@test "the restore job as the restore user (nyrkioRestore: anyAction) restores the dump and replays the merged oplog in one call" {
  cached_catalog chain
  restore_env
  mkdir -p "$RESTORE_USER_DIR"
  login_as "$RESTORE_USER_DIR" restorer "$PASSWORD"
  # restored-users.js needs a server: its answer is canned once the model has authorized usersInfo.
  printf 'count=2\nfound=mallory@admin,root@admin\n' >"$STANDIN_DIR/mongosh/restored-users.js.out"
  printf 'dropped=yes\n' >"$STANDIN_DIR/mongosh/drop-restore-user.js.out"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
  # At the end the temporary user drops itself: dropUser, authorized for it by the model (anyAction).
  [[ "$(json_line restore-user ok)" == *'"dropped":"yes"'* ]]
  # The report names the users the restored data brought back (issue 12).
  [[ "$(json_line users ok)" == *'"users":2,"found":"mallory@admin,root@admin"'* ]]
}

@test "a restore user that may not view every database's users: the listing is refused, a warning, the restore stands" {
  cached_catalog chain
  restore_env
  # The listing asks the server only after an archive base (schemaVersion 1), whose users
  # mongorestore restores; a directory dump's are read from the set-aside file (restore.bats).
  add_legacy_full 20230101T000000Z 800:1 850:1
  SHA="$(sha256sum "$CATALOG/full/20230101T000000Z.archive.gz" | cut -d' ' -f1)" node -e '
    process.stdout.write(JSON.stringify({ replicaSet: "rs0", base: "full/20230101T000000Z.archive.gz", slices: [], oplogLimit: "850:2",
      artifacts: [{ step: 1, kind: "full", file: "full/20230101T000000Z.archive.gz", sha256: process.env.SHA }] }));' >"$RESTORE_PLAN_DIR/plan.json"
  mkdir -p "$RESTORE_USER_DIR"
  login_as "$RESTORE_USER_DIR" restorer "$PASSWORD"
  # Every action on normal collections and what the replay and the target check need on the
  # cluster, but not viewUser on the cluster, which usersInfo {forAllDBs: true} asks for.
  server_user_roles restorer '[{"role":"noUserView","db":"admin"}]'
  node -e 'const fs = require("fs"), f = process.argv[1], u = JSON.parse(fs.readFileSync(f, "utf8"));
    u.customRoles.push({ role: "noUserView", db: "admin", roles: [], privileges: [
      { resource: { db: "", collection: "" }, actions: ["anyAction"] },
      { resource: { cluster: true }, actions: ["applyOps", "listDatabases"] }] });
    fs.writeFileSync(f, JSON.stringify(u));' "$STANDIN_USERS"
  printf 'count=9\nfound=never@printed\n' >"$STANDIN_DIR/mongosh/restored-users.js.out"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
  [[ "$(json_line users warning)" == *"cannot list the users in the restored data"*"Unauthorized"* ]]
  [[ "$output" != *never@printed* ]]
}

@test "a restore user whose role lost update cannot replay an update entry: applyOps is refused per entry" {
  cached_catalog chain
  restore_env
  mkdir -p "$RESTORE_USER_DIR"
  login_as "$RESTORE_USER_DIR" restorer "$PASSWORD"
  # Reads (target-facts.js), inserts and DDL on every normal collection and applyOps, but no
  # update: like the built-in restore role with read (builtin_roles.yml). The slice's entries are
  # inserts, so the replay passes them; an update entry is what such a role cannot replay
  # (users.ts restoreRole says why the restore user holds anyAction).
  server_user_roles restorer '[{"role":"insertOnly","db":"admin"}]'
  node -e 'const fs = require("fs"), f = process.argv[1], u = JSON.parse(fs.readFileSync(f, "utf8"));
    u.customRoles.push({ role: "insertOnly", db: "admin", roles: [], privileges: [
      { resource: { db: "", collection: "" }, actions: ["find", "listCollections", "createCollection", "dropCollection", "insert", "createIndex"] },
      { resource: { cluster: true }, actions: ["applyOps", "listDatabases"] }] });
    fs.writeFileSync(f, JSON.stringify(u));' "$STANDIN_USERS"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  # The same user, asked to replay an update entry (an oplog slice holding one):
  node -e 'const { serialize, Timestamp } = require("bson");
    process.stdout.write(serialize({ ts: new Timestamp({ t: 1100, i: 1 }), op: "u", ns: "nyrkio.results", o: { $set: { a: 1 } }, o2: { _id: 1 } }));' >"$BATS_TEST_TMPDIR/update.bson"
  printf "password: '%s'\n" "${PASSWORD//\'/\'\'}" >"$BATS_TEST_TMPDIR/restore.yaml"
  run --separate-stderr mongorestore --host=rs0/$BACKUP_MEMBERS --authenticationDatabase=admin --username=restorer --config="$BATS_TEST_TMPDIR/restore.yaml" \
    --oplogReplay --oplogFile="$BATS_TEST_TMPDIR/update.bson" --dir="$BATS_TEST_TMPDIR"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"Failed: restore error: error applying oplog: applyOps: (Unauthorized) not authorized on admin to execute command { applyOps"* ]]
}
