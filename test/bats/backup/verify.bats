#!/usr/bin/env bats
# backup/scripts/verify.sh with stand-ins: a catalog of real artifacts, a mongod stand-in that runs
# until stopped, a mongorestore stand-in that records the calls and the oplog it replays, canned
# count comparisons.

bats_require_minimum_version 1.5.0
load helpers

# A chain whose middle slice recorded counts.
chain() {
  add_full 20240501T000000Z 900:1 1000:5 '{"nyrkio.results": 3}'
  add_slice 900:1 1000:1 1200:1 '{"nyrkio.results": 5}'
  add_slice 1200:1 1250:1 1300:1
}

# scratch_started <js expression of s>: what bin/mongod recorded of its start (scratch-mongod.ts).
scratch_started() {
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$STANDIN_LOG/scratch-mongod.json" "$1"
}

# scratch_users <js expression of u>: the users and roles made on the throwaway mongod.
scratch_users() {
  node -e 'const u = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$BACKUP_WORK/scratch/db/standin-users.json" "$1"
}

setup() {
  setup_backup_env
  cached_catalog chain
  canned compare-counts.js "checked=1
mismatches=0"
}

@test "restores the newest dump and its slices into a throwaway mongod in ONE mongorestore up to the newest counted point, and checks counts there" {
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  # mongod: its data in the scratch volume, the generated conf (localhost only, the members' wire
  # compressors without zlib, CVE-2025-14847; security.authorization) and a keyfile.
  mongod="$(head -n 1 "$STANDIN_LOG/mongod.log")"
  [[ "$mongod" == "--config $VERIFY_MONGOD_CONF --dbpath $BACKUP_WORK/scratch/db --port 27018 "* ]]
  [[ "$mongod" == *"--keyFile $CREDENTIALS_DIR/verify/keyfile"* ]]
  [ "$(scratch_started 's.bindIp + " " + s.compressors + " " + s.authorization')" = "127.0.0.1 snappy,zstd true" ]
  grep -qx stopped "$STANDIN_LOG/mongod.log"
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 1 ]
  # The limit is just after the checkpoint (the slice ending at 1200:1 recorded counts). As the
  # restore user verify-users.js made, its password in the tools' --config file.
  [ "${calls[0]}" = "--host=127.0.0.1:27018 --authenticationDatabase=admin --username=verify-restore-x7k2q --config=$CREDENTIALS_DIR/mongo-tools.yaml --dir=$BACKUP_WORK/scratch/base/dump --gzip --oplogReplay --oplogFile=$BACKUP_WORK/scratch/replay-oplog.bson.gz --oplogLimit=1200:2 --stopOnError" ]
  # Every slice is merged (the one after the checkpoint too: it must read and continue the chain);
  # mongorestore's limit keeps what is applied at the checkpoint. 1000:1 is at or before the base.
  [ "$(cat "$STANDIN_LOG/mongorestore.oplog")" = "900:1 1000:5 1200:1 1250:1 1300:1" ]
  # The counts of the slice that recorded them.
  grep -q "compare-counts.js.1 EXPECTED_MANIFEST=$CATALOG/oplog/900-1_1200-1.manifest.json" "$STANDIN_LOG/mongosh.env"
  [[ "$(json_line compare ok)" == *'"checked":1'* ]]
  [ "$(manifest_field "$CATALOG/status/verify.json" 'm.kind + " " + m.lastTs.t')" = "verify 1200" ]
  # The verification connects to nothing but its own mongod.
  [ ! -e "$STANDIN_LOG/mongosh.source-facts.js.count" ]
}

@test "access control on, as deployed: a 0400 keyfile made in the memory-backed credentials volume, the bootstrap admin through the localhost exception, the restore role and a restore user holding only it" {
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 0 ]
  [ "$(scratch_started 's.keyFile + " " + s.keyFileMode + " " + s.authorization')" = "$CREDENTIALS_DIR/verify/keyfile 400 true" ]
  # The users as the model holds them after verify-users.js ran through mongod's authorization.
  [ "$(scratch_users 'Object.keys(u.users).sort().join(" ")')" = "verify-admin verify-restore-x7k2q" ]
  [ "$(scratch_users 'JSON.stringify(u.users["verify-admin"].roles)')" = '[{"role":"userAdminAnyDatabase","db":"admin"}]' ]
  [ "$(scratch_users 'JSON.stringify(u.users["verify-restore-x7k2q"].roles)')" = '[{"role":"nyrkioRestore","db":"admin"}]' ]
  # The role is the real restore user's (users.ts restoreRole, the container's VERIFY_RESTORE_ROLE).
  [ "$(scratch_users 'JSON.stringify(u.customRoles)')" = "[$VERIFY_RESTORE_ROLE]" ]
  [[ "$(json_line users ok)" == *'"restoreUser":"verify-restore-x7k2q"'* ]]
  # The counts are read as that user too.
  grep -q "compare-counts.js.1 TARGET_USER_DIR=$CREDENTIALS_DIR/verify/restore" "$STANDIN_LOG/mongosh.env"
  # The tools' config file was private; nothing of the keyfile or the passwords outlives the job.
  [ "$(head -n 1 "$STANDIN_LOG/mongorestore.config")" = 600 ]
  [ -z "$(ls -A "$CREDENTIALS_DIR")" ]
  # No password in any argv.
  password="$(sed -n "s/^password: '\(.*\)'$/\1/p" "$STANDIN_LOG/mongorestore.config")"
  [ -n "$password" ]
  ! grep -qF -- "$password" "$STANDIN_LOG/mongorestore.log" "$STANDIN_LOG/mongosh.log" "$STANDIN_LOG/mongod.log"
}

@test "the throwaway mongod refuses what mongod refuses: a keyfile others can read, an unknown conf key" {
  mkdir -p "$BACKUP_WORK/x/db"
  printf 'abcdefghij' >"$BACKUP_WORK/x/key"
  chmod 0644 "$BACKUP_WORK/x/key"
  run --separate-stderr mongod --config "$VERIFY_MONGOD_CONF" --dbpath "$BACKUP_WORK/x/db" --keyFile "$BACKUP_WORK/x/key"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"permissions on $BACKUP_WORK/x/key are too open"* ]]
  printf 'net:\n  bindIpAl: true\n' >"$BACKUP_WORK/x/bad.conf"
  run --separate-stderr mongod --config "$BACKUP_WORK/x/bad.conf" --dbpath "$BACKUP_WORK/x/db"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"Unrecognized option: net.bindIpAl"* ]]
}

@test "the throwaway mongod's stand-in enforces access control: the localhost exception creates one user and closes; then nothing runs unauthenticated" {
  local dir="$BACKUP_WORK/x" uri="mongodb://127.0.0.1:27018/?directConnection=true"
  mkdir -p "$dir/db" "$dir/admin" "$dir/restore" "$BACKUP_WORK/tmp"
  printf 'abcdefghij' >"$dir/key"
  chmod 0400 "$dir/key"
  mongod --config "$VERIFY_MONGOD_CONF" --dbpath "$dir/db" --port 27018 --keyFile "$dir/key" &
  local pid=$!
  until [[ -e "$STANDIN_LOG/mongod.running" ]]; do sleep 0.1; done
  printf 'a' >"$dir/admin/username"
  printf 'admin-password-1234' >"$dir/admin/password"
  printf 'r' >"$dir/restore/username"
  printf 'restore-password-1234' >"$dir/restore/password"
  export TARGET_URI="$uri" VERIFY_ADMIN_DIR="$dir/admin" VERIFY_RESTORE_DIR="$dir/restore" BACKUP_MONGOSH_DIR="$REPO_ROOT/backup/mongosh"
  run --separate-stderr mongosh --nodb --quiet --norc "$REPO_ROOT/backup/mongosh/verify-users.js"
  [ "$status" -eq 0 ]
  # Again: the exception closed with the first user, so the unauthenticated createUser is refused.
  run --separate-stderr mongosh --nodb --quiet --norc "$REPO_ROOT/backup/mongosh/verify-users.js"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"MongoServerError[Unauthorized]: Command createUser requires authentication"* ]]
  # Unauthenticated, mongorestore gets nowhere; as the admin (user administration only), no data.
  mkdir -p "$dir/dump/nyrkio" && : >"$dir/dump/nyrkio/results.bson"
  run --separate-stderr mongorestore --host=127.0.0.1:27018 --dir="$dir/dump" --stopOnError
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"(Unauthorized) Command create requires authentication"* ]]
  run --separate-stderr mongorestore --host=127.0.0.1:27018 --authenticationDatabase=admin --username=a --password=admin-password-1234 --dir="$dir/dump" --stopOnError
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"(Unauthorized) not authorized on nyrkio to execute command { create"* ]]
  run --separate-stderr mongorestore --host=127.0.0.1:27018 --authenticationDatabase=admin --username=r --password=restore-password-1234 --dir="$dir/dump" --stopOnError
  [ "$status" -eq 0 ]
  kill "$pid"
  wait "$pid" || true
}

@test "the bootstrap cannot make the role through the localhost exception (createRole needs a user first)" {
  local dir="$BACKUP_WORK/x"
  mkdir -p "$dir/db"
  printf 'abcdefghij' >"$dir/key"
  chmod 0400 "$dir/key"
  mongod --config "$VERIFY_MONGOD_CONF" --dbpath "$dir/db" --port 27018 --keyFile "$dir/key" &
  local pid=$!
  until [[ -e "$STANDIN_LOG/mongod.running" ]]; do sleep 0.1; done
  cat >"$dir/role-first.js" <<'JS'
const conn = new Mongo(process.env.TARGET_URI);
conn.getDB("admin").runCommand({ createRole: "nyrkioRestore", privileges: [{ resource: { anyResource: true }, actions: ["anyAction"] }], roles: [] });
JS
  TARGET_URI="mongodb://127.0.0.1:27018/?directConnection=true" run --separate-stderr node "$STANDIN_SERVER_MODEL" mongosh-script "$dir/role-first.js"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"MongoServerError[Unauthorized]: not authorized on admin to execute command { createRole"* ]]
  kill "$pid"
  wait "$pid" || true
}

@test "a schemaVersion 1 base (an uncompressed archive) is restored alone, without --gzip, and checked on its own counts" {
  rm -rf "$CATALOG"
  add_legacy_full 20240501T000000Z 900:1 1000:5 '{"nyrkio.results": 3}'
  gunzip "$CATALOG/full/20240501T000000Z.archive.gz"
  write_manifest full "$CATALOG/full/20240501T000000Z" 20240501T000000Z.archive 900:1 1000:5 "" '{"nyrkio.results": 3}' archive
  add_slice 900:1 1000:1 1200:1 '{"nyrkio.results": 5}'
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 0 ]
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 1 ]
  [ "${calls[0]}" = "--host=127.0.0.1:27018 --authenticationDatabase=admin --username=verify-restore-x7k2q --config=$CREDENTIALS_DIR/mongo-tools.yaml --archive=$CATALOG/full/20240501T000000Z.archive --oplogReplay --oplogLimit=1000:6 --stopOnError" ]
  grep -q "compare-counts.js.1 EXPECTED_MANIFEST=$CATALOG/full/20240501T000000Z.manifest.json" "$STANDIN_LOG/mongosh.env"
}

@test "counts that differ fail the job loudly with the collections named" {
  canned compare-counts.js 'mismatch={"collection":"nyrkio.results","expected":5,"restored":4}
checked=1
mismatches=1'
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 4 ]
  line="$(json_line compare failed)"
  [[ "$line" == *'restored document counts differ from those recorded at backup time'* ]]
  [[ "$line" == *'nyrkio.results'* ]]
  [[ "$line" == *'"exitCode":4'* ]]
  grep -qx stopped "$STANDIN_LOG/mongod.log"
  [ ! -e "$CATALOG/status/verify.json" ]
}

@test "a checksum mismatch fails before any mongod starts" {
  printf 'x' >>"$CATALOG/oplog/1200-1_1300-1.bson.gz"
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line checksums failed)" == *"oplog/1200-1_1300-1.bson.gz has"* ]]
  [ ! -s "$STANDIN_LOG/mongod.log" ]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "a gap after the chain fails the job after verifying what the chain reaches" {
  add_slice 1400:1 1450:1 1500:1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 3 ]
  [[ "$(json_line chain failed)" == *"restore points in between are unreachable"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
}

@test "no recorded counts in the chain: nothing to compare with is a failure" {
  rm -rf "$CATALOG"
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line select failed)" == *"recorded document counts"* ]]
}

@test "a failed restore fails the job and stops the mongod" {
  export STANDIN_MONGORESTORE_FAIL_AT=1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line restore failed)" == *"mongorestore of full/20240501T000000Z.dump.tar and its oplog up to 1200:2 failed"* ]]
  grep -qx stopped "$STANDIN_LOG/mongod.log"
}

@test "a mongod that does not start fails the job" {
  export STANDIN_MONGOD=fail
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line mongod failed)" == *"the throwaway mongod exited"* ]]
}

@test "s3: select lists the artifacts to pull, run verifies them, the result waits for push" {
  export BACKUP_STORAGE=s3
  mkdir -p "$BACKUP_WORK"
  mv "$CATALOG" "$BACKUP_WORK/catalog"
  run --separate-stderr bash "$SCRIPTS/verify.sh" select
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/needed")" = "full/20240501T000000Z.dump.tar
oplog/900-1_1200-1.bson.gz
oplog/1200-1_1300-1.bson.gz" ]
  BACKUP_DEFER_EXIT=1 run --separate-stderr bash "$SCRIPTS/verify.sh" run
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.exit-code")" = 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.upload-order")" = status/verify.json ]
}
