#!/usr/bin/env bats
# backup/scripts/restore.sh with stand-ins: a plan as `restore plan --json` prints it, mounted from
# the ConfigMap; mongorestore records its calls.

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
  local base="${3:-full/20240501T000000Z.archive.gz}"
  SHA="$(sha256sum "$CATALOG/$base" | cut -d' ' -f1)" node -e '
    const [slices, limit, base] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({ replicaSet: "rs0", base, slices: JSON.parse(slices), oplogLimit: limit,
      steps: [{ step: 1, kind: "full", file: base, sha256: process.env.SHA, argv: ["mongorestore", `--archive=/home/sre/catalog/${base}`] }] }));' "$1" "$2" "$base" >"$RESTORE_PLAN_DIR/plan.json"
}

@test "runs one mongorestore for the dump and one per slice, each with the plan's exclusive oplogLimit" {
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 3 ]
  common="--host=rs0/$BACKUP_MEMBERS --authenticationDatabase=admin --username=restorer --config=$CREDENTIALS_DIR/mongo-tools.yaml"
  [ "${calls[0]}" = "$common --archive=$CATALOG/full/20240501T000000Z.archive.gz --gzip --oplogReplay --oplogLimit=1250:2 --stopOnError --numParallelCollections=4 --numInsertionWorkersPerCollection=4" ]
  [ "${calls[1]}" = "$common --oplogReplay --oplogFile=$CATALOG/oplog/900-1_1200-1.bson.gz --gzip --oplogLimit=1250:2 --stopOnError --dir=$BACKUP_WORK/empty" ]
  [ "${calls[2]}" = "$common --oplogReplay --oplogFile=$CATALOG/oplog/1200-1_1300-1.bson.gz --gzip --oplogLimit=1250:2 --stopOnError --dir=$BACKUP_WORK/empty" ]
  [ "$(head -n 1 "$STANDIN_LOG/mongorestore.config")" = 600 ]
  refute_password_anywhere
  [[ "$(json_line restore started)" == *'"step":1,"of":3'* ]]
  [[ "$(json_line finished ok)" == *'"oplogLimit":"1250:2"'* ]]
}

@test "each artifact is read as its manifest's format says: --gzip only for a compressed one, as the planner does" {
  # The dump and the first slice stored uncompressed ("archive", "bson"), the second slice gzipped.
  gunzip "$CATALOG/full/20240501T000000Z.archive.gz" "$CATALOG/oplog/900-1_1200-1.bson.gz"
  write_manifest full "$CATALOG/full/20240501T000000Z" 20240501T000000Z.archive 900:1 1000:5 "" "" archive
  write_manifest oplog "$CATALOG/oplog/900-1_1200-1" 900-1_1200-1.bson 1000:1 1200:1 900:1 "" bson
  plan '["oplog/900-1_1200-1.bson", "oplog/1200-1_1300-1.bson.gz"]' "1250:2" full/20240501T000000Z.archive
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 3 ]
  common="--host=rs0/$BACKUP_MEMBERS --authenticationDatabase=admin --username=restorer --config=$CREDENTIALS_DIR/mongo-tools.yaml"
  [ "${calls[0]}" = "$common --archive=$CATALOG/full/20240501T000000Z.archive --oplogReplay --oplogLimit=1250:2 --stopOnError --numParallelCollections=4 --numInsertionWorkersPerCollection=4" ]
  [ "${calls[1]}" = "$common --oplogReplay --oplogFile=$CATALOG/oplog/900-1_1200-1.bson --oplogLimit=1250:2 --stopOnError --dir=$BACKUP_WORK/empty" ]
  [ "${calls[2]}" = "$common --oplogReplay --oplogFile=$CATALOG/oplog/1200-1_1300-1.bson.gz --gzip --oplogLimit=1250:2 --stopOnError --dir=$BACKUP_WORK/empty" ]
}

@test "--drop only when the ConfigMap asks for it, and only on the dump" {
  echo true >"$RESTORE_PLAN_DIR/drop"
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 0 ]
  [ "$(grep -c -- '--drop' "$STANDIN_LOG/mongorestore.log")" -eq 1 ]
  [[ "$(head -n 1 "$STANDIN_LOG/mongorestore.log")" == *"--drop"* ]]
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

@test "a failed step says how far the restore got" {
  export STANDIN_MONGORESTORE_FAIL_AT=2
  run --separate-stderr bash "$SCRIPTS/restore.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line restore failed)" == *"step 2 of 3 (oplog/900-1_1200-1.bson.gz) failed: "*"Failed: restore error: E11000 duplicate key error; the target holds a partial restore"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 2 ]
  # The temporary restore user drops itself on failure too (issue 12), and the exit code stays.
  grep -q "drop-restore-user.js" "$STANDIN_LOG/mongosh.log"
  [[ -n "$(json_line restore-user ok)$(json_line restore-user warning)" ]]
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
    m.file = `${m.file}\nstep archive full/20240501T000000Z.archive.gz`;
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
