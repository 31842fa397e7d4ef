#!/usr/bin/env bats
# backup/scripts/restore.sh with stand-ins: a plan as `restore plan --json` prints it, mounted from
# the ConfigMap; mongorestore records its calls and the oplog it was handed.

bats_require_minimum_version 1.5.0
load helpers

chain() {
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  add_slice 1200:1 1250:1 1300:1
}

setup() {
  setup_backup_env
  cached_catalog chain
  export RESTORE_PLAN_DIR="$BATS_TEST_TMPDIR/plan" RESTORE_USER_DIR="$BATS_TEST_TMPDIR/secret/restore"
  mkdir -p "$RESTORE_PLAN_DIR" "$RESTORE_USER_DIR"
  printf 'restorer' >"$RESTORE_USER_DIR/username"
  printf '%s' "$PASSWORD" >"$RESTORE_USER_DIR/password"
  plan '["oplog/900-1_1200-1.bson.gz", "oplog/1200-1_1300-1.bson.gz"]' "1250:2"
  target_facts 0 ""
}

# target_facts <mongos 0|1> <withData>: what target-facts.js answers (it needs a server: canned).
target_facts() {
  mkdir -p "$STANDIN_DIR/mongosh"
  printf 'mongos=%s\nwithData=%s\n' "$1" "$2" >"$STANDIN_DIR/mongosh/target-facts.js.out"
}

# plan <slices json> <oplogLimit> [base]: the fields of `restore plan --json` the job reads (and a
# step with the checksum the planner recorded).
plan() {
  local base="${3:-full/20240501T000000Z.dump.tar}"
  SHA="$(sha256sum "$CATALOG/$base" | cut -d' ' -f1)" node -e '
    const [slices, limit, base] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({ replicaSet: "rs0", base, slices: JSON.parse(slices), oplogLimit: limit,
      artifacts: [{ step: 1, kind: "full", file: base, sha256: process.env.SHA }] }));' "$1" "$2" "$base" >"$RESTORE_PLAN_DIR/plan.json"
}

@test "unpacks the dump, merges its oplog with the slices after its lastTs, and runs ONE mongorestore with the plan's exclusive oplogLimit" {
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 1 ]
  common="--host=rs0/$BACKUP_MEMBERS --authenticationDatabase=admin --username=restorer --config=$CREDENTIALS_DIR/mongo-tools.yaml"
  [ "${calls[0]}" = "$common --dir=$BACKUP_WORK/restore/base/dump --gzip --oplogReplay --oplogFile=$BACKUP_WORK/restore/replay-oplog.bson.gz --oplogLimit=1250:2 --stopOnError --numParallelCollections=4 --numInsertionWorkersPerCollection=4" ]
  # The dump's own oplog (900:1 1000:5), then only the slice entries after 1000:5 and before 1250:2:
  # the first slice's 1000:1 is at or before the base and is not applied twice; 1300:1 is past the target.
  [ "$(cat "$STANDIN_LOG/mongorestore.oplog")" = "900:1 1000:5 1200:1 1250:1" ]
  [[ "$(json_line merge ok)" == *'"entries":4,"fromBase":2,"fromSlices":2,"skippedAtOrBeforeBase":1,'* ]]
  [ "$(head -n 1 "$STANDIN_LOG/mongorestore.config")" = 600 ]
  refute_password_anywhere
  [[ "$(json_line finished ok)" == *'"oplogLimit":"1250:2"'* ]]
  # The unpacked dump and the merged oplog do not outlive the job's success.
  [ ! -e "$BACKUP_WORK/restore" ]
}

@test "a schemaVersion 1 base (an archive) restores its own point in one --archive call; with slices it is refused" {
  add_legacy_full 20230101T000000Z 800:1 850:1
  plan '[]' "850:2" full/20230101T000000Z.archive.gz
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 1 ]
  [[ "${calls[0]}" == *" --archive=$CATALOG/full/20230101T000000Z.archive.gz --gzip --oplogReplay --oplogLimit=850:2 --stopOnError "* ]]
  [[ "${calls[0]}" != *"--oplogFile"* ]]

  : >"$STANDIN_LOG/mongorestore.log"
  add_slice 850:1 900:1 1000:1
  plan '["oplog/850-1_1000-1.bson.gz"]' "950:0" full/20230101T000000Z.archive.gz
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *"schemaVersion 1 archive: mongorestore cannot replay slices with it in one call"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "an uncompressed slice is read as its manifest's format says; the merged oplog is gzipped like the dump" {
  gunzip "$CATALOG/oplog/900-1_1200-1.bson.gz"
  write_manifest oplog "$CATALOG/oplog/900-1_1200-1" 900-1_1200-1.bson 1000:1 1200:1 900:1 "" bson
  plan '["oplog/900-1_1200-1.bson", "oplog/1200-1_1300-1.bson.gz"]' "1250:2"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
  [ "$(cat "$STANDIN_LOG/mongorestore.oplog")" = "900:1 1000:5 1200:1 1250:1" ]
}

@test "--drop only when the ConfigMap asks for it" {
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [ "$(grep -c -- '--drop' "$STANDIN_LOG/mongorestore.log")" -eq 0 ]
  : >"$STANDIN_LOG/mongorestore.log"
  echo true >"$RESTORE_PLAN_DIR/drop"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [[ "$(cat "$STANDIN_LOG/mongorestore.log")" == *" --stopOnError --drop --numParallelCollections=4 "* ]]
}

@test "in place with drop, as the temporary restore user: the dump's users are set aside before mongorestore and listed, so its merge cannot drop the user mid-restore (issue 12)" {
  # The dump holds admin/system.users.bson.gz without the temporary user (no dump ever holds a
  # restore-<random> user): handed to mongorestore with --drop, its _mergeAuthzCollections would
  # remove the user before the replay (server-model.ts, mongorestore-rules.ts authzMergeRefusal).
  echo true >"$RESTORE_PLAN_DIR/drop"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [[ "$(cat "$STANDIN_LOG/mongorestore.log")" == *" --drop "* ]]
  [[ "$(json_line users-set-aside ok)" == *'"users":3,"setAside":"system.roles.bson.gz,system.roles.metadata.json.gz,system.users.bson.gz,system.users.metadata.json.gz"'* ]]
  [[ "$(json_line users ok)" == *'"found":"app@admin,mallory@admin,nyrkio-root@admin","restored":"no"'* ]]
  [[ "$(json_line finished ok)" == *'"oplogLimit":"1250:2"'* ]]
}

@test "an archive base with drop is refused before anything is written: its users cannot be set aside (issue 12)" {
  add_legacy_full 20230101T000000Z 800:1 850:1
  plan '[]' "850:2" full/20230101T000000Z.archive.gz
  echo true >"$RESTORE_PLAN_DIR/drop"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *"schemaVersion 1 archive: its users and roles cannot be set aside"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "a target from the ConfigMap replaces the in-place default; one with credentials is refused" {
  echo "rs0/new-0.db:27017,new-1.db:27017" >"$RESTORE_PLAN_DIR/target"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [[ "$(head -n 1 "$STANDIN_LOG/mongorestore.log")" == "--host=rs0/new-0.db:27017,new-1.db:27017 "* ]]

  : >"$STANDIN_LOG/mongorestore.log"
  echo "mongodb://root:hunter2@new-0.db:27017" >"$RESTORE_PLAN_DIR/target"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line setup failed)" == *"must not hold credentials"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "checksums first: a damaged slice stops the restore before anything is written" {
  printf 'x' >>"$CATALOG/oplog/1200-1_1300-1.bson.gz"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line checksums failed)" == *"nothing was restored"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "a plan made from another catalog is refused" {
  plan '["oplog/900-1_1200-1.bson.gz", "oplog/9999-1_9999-2.bson.gz"]' "1250:2"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *"has no manifest in this catalog"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "a plan with a gap between slices is refused" {
  plan '["oplog/1200-1_1300-1.bson.gz"]' "1250:2"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *"does not continue the full dump"* ]]
}

@test "no plan ConfigMap: a clear message" {
  rm "$RESTORE_PLAN_DIR/plan.json"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *"create the ConfigMap with plan.json first"* ]]
}

@test "a failed mongorestore fails the job with its message and says the target is partial" {
  export STANDIN_MONGORESTORE_FAIL_AT=1
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line restore failed)" == *"mongorestore of full/20240501T000000Z.dump.tar failed: "*"Failed: restore error: E11000 duplicate key error; the target holds a partial restore: rerun with drop set to true"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
  # The temporary restore user drops itself on failure too (issue 12), and the exit code stays.
  grep -q "drop-restore-user.js" "$STANDIN_LOG/mongosh.log"
  [[ -n "$(json_line restore-user ok)$(json_line restore-user warning)" ]]
}

@test "a dump that is not a packed directory dump fails at unpack, before anything is written" {
  printf 'not a tar' >"$CATALOG/full/20240501T000000Z.dump.tar"
  write_manifest full "$CATALOG/full/20240501T000000Z" 20240501T000000Z.dump.tar 900:1 1000:5 "" ""
  plan '["oplog/900-1_1200-1.bson.gz", "oplog/1200-1_1300-1.bson.gz"]' "1250:2"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line unpack failed)" == *"cannot unpack"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "without the temporary restore user's Secret: a clear message, nothing restored, nothing to drop" {
  rm -f "$RESTORE_USER_DIR/username" "$RESTORE_USER_DIR/password"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line credentials failed)" == *"no temporary restore user"*"run the restore-user Job first"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 0 ]
  ! grep -q "drop-restore-user.js" "$STANDIN_LOG/mongosh.log"
}

@test "select alone (the S3 pipeline's init container) holds no credentials and drops nothing" {
  rm -f "$RESTORE_USER_DIR/username" "$RESTORE_USER_DIR/password"
  run --separate-stderr bash "$SCRIPTS/restore.sh" select
  [ "$status" -eq 0 ]
  ! grep -q "drop-restore-user.js" "$STANDIN_LOG/mongosh.log"
}

@test "documents that failed to restore fail the step even when mongorestore exits 0" {
  export STANDIN_MONGORESTORE_FAILED_DOCS=3
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line restore failed)" == *'"documentsFailed":3'* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
}

@test "a target that holds documents is refused unless the ConfigMap asks for drop; nothing is written" {
  target_facts 0 "nyrkio.results,nyrkio.users"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line target failed)" == *"already holds documents (nyrkio.results,nyrkio.users)"*"nothing was restored"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
  # The check runs as the restore user against the target mongorestore writes to.
  grep -qx "target-facts.js.1 TARGET=rs0/$BACKUP_MEMBERS" "$STANDIN_LOG/mongosh.env"

  echo true >"$RESTORE_PLAN_DIR/drop"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
}

@test "a mongos target is refused: the replay goes through applyOps" {
  target_facts 1 ""
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line target failed)" == *"is a mongos"* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "the mongorestore stand-in refuses what the real one refuses" {
  run mongorestore --oplogFile=x.bson --archive=y --oplogReplay
  [ "$status" -eq 1 ]
  [[ "$output" == *"Failed: cannot use --oplogFile with --archive specified"* ]]
  run mongorestore --preserveUUID --archive=y
  [[ "$output" == *"cannot specify --preserveUUID without --drop"* ]]
  run mongorestore --oplogLimit=1:0 --archive=y
  [[ "$output" == *"cannot use --oplogLimit without --oplogReplay enabled"* ]]
  mkdir -p "$BATS_TEST_TMPDIR/dump" && : >"$BATS_TEST_TMPDIR/dump/oplog.bson"
  run mongorestore --oplogReplay --oplogFile=x.bson --dir="$BATS_TEST_TMPDIR/dump"
  [[ "$output" == *"cannot provide both an oplog.bson file and an oplog file with --oplogFile"* ]]
}

@test "writes nothing into the catalog, which the Job mounts read-only" {
  before="$(cd "$BACKUP_ROOT" && find . | sort)"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [ "$(cd "$BACKUP_ROOT" && find . | sort)" = "$before" ]
}

# Issue 12 item 12: a hostile catalog. Before, catalog.js accepted a `file` holding a newline, and
# the second half of the name became a `step` line of its own: an extra mongorestore call.
@test "a manifest whose file holds a newline is refused by the in-pod reader; no step is injected, nothing runs" {
  local m="$CATALOG/oplog/1200-1_1300-1.manifest.json"
  [ -f "$m" ]
  node -e '
    const fs = require("fs"), m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    m.file = `${m.file}\nstep archive full/20240501T000000Z.dump.tar`;
    fs.writeFileSync(process.argv[1], JSON.stringify(m));' "$m"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *'file must match'* ]]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "the shell reads only well-formed step lines: a name with a space, a .. segment or a missing field is refused before anything runs" {
  local sha
  sha="$(printf '%064d' 0)"
  for line in \
    "step oplog oplog/a b.bson.gz $sha 10 1250:2 oplog/a.manifest.json bson+gzip" \
    "step oplog ../../etc/passwd $sha 10 1250:2 oplog/a.manifest.json bson+gzip" \
    "step oplog oplog/a.bson.gz $sha 10 1250:2 oplog/a.manifest.json" \
    "step archive full/x.archive.gz $sha 10 1250:2 full/x.manifest.json archive+gzip extra"; do
    canned restore-plan.js "oplogLimit=1250:2
$line"
    run --separate-stderr bash "$SCRIPTS/restore.sh"
    [ "$status" -eq 1 ]
    [[ "$(json_line plan failed)" == *'step line'* ]]
    [ ! -s "$STANDIN_LOG/mongorestore.log" ]
  done
}

@test "TLS: every mongorestore connects with --ssl and --sslCAFile against a requireTLS set" {
  ca="$BATS_TEST_TMPDIR/ca.crt"
  printf 'CA\n' >"$ca"
  STANDIN_TLS_CA="$ca" NYRKIO_TLS_CA_FILE="$ca" run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  # One mongorestore per replica set since the packed directory dumps (k10a).
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
  while read -r call; do [[ "$call" == "--ssl --sslCAFile=$ca "* ]]; done <"$STANDIN_LOG/mongorestore.log"
  STANDIN_TLS_CA="$ca" run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
}
