#!/usr/bin/env bats
# Issue 10 item 8, S3 at scale: the slice job reads a constant number of objects per run, whatever
# the retention, through the strict stand-in of the AWS CLI v2 (aws-model.ts, which counts every S3
# request in aws.operations and authorizes each with the keys' policies of docs/backups.md); and
# retention (the prune job, with the pruner's key) collects on the bucket what no manifest names.

bats_require_minimum_version 1.5.0
load helpers
load s3-helpers

setup() {
  # The writer's key (the slice and full-dump jobs'), authorized as docs/backups.md's policy says.
  setup_s3
  : >"$STANDIN_LOG/aws.operations"
}

# head_of <catalog dir>: status/catalog-head as a slice or full-dump run leaves it (catalog-head.js write).
head_of() {
  HEAD_MODE=write CATALOG_DIR="$1" STATUS_OUT="$BATS_TEST_TMPDIR/head" BACKUP_MONGOSH_DIR="$REPO_ROOT/backup/mongosh" \
    mongosh --nodb --quiet --norc "$REPO_ROOT/backup/mongosh/catalog-head.js" >/dev/null
  mkdir -p "$BUCKET_DIR/status"
  cp "$BATS_TEST_TMPDIR/head" "$BUCKET_DIR/status/catalog-head"
}

# recovery_point <catalog dir>: restorableUntil as recovery-point.js computes it there.
recovery_point() {
  CATALOG_DIR="$1" BACKUP_REPLSET=rs0 STATUS_OUT="$BATS_TEST_TMPDIR/rp.json" OPLOG_SET_NEWEST=1900000000:1 BACKUP_SLICE_INTERVAL_SECONDS=300 \
    BACKUP_MONGOSH_DIR="$REPO_ROOT/backup/mongosh" mongosh --nodb --quiet --norc "$REPO_ROOT/backup/mongosh/recovery-point.js" | sed -n 's/^restorableUntil=//p'
}

# slice_run_reads <days> <slices per day>: a catalog of that retention with the head its last run
# left, one slice saved since; prints "<requests> <objects read>" of the next slice run's pull.
slice_run_reads() {
  rm -rf "$STANDIN_S3" "$BACKUP_WORK"
  mkdir -p "$BUCKET_DIR" "$BACKUP_WORK"
  last="$(node "$BATS_TEST_DIRNAME/fixtures/make-catalog.js" "$BUCKET_DIR" "$1" "$2")"
  head_of "$BUCKET_DIR"
  # One slice saved after the head was written.
  next="$((${last%%:*} + 300)):1"
  cp "$BUCKET_DIR/oplog/"*"_${last/:/-}.manifest.json" "$BATS_TEST_TMPDIR/m.json"
  node -e 'const fs = require("fs"), m = JSON.parse(fs.readFileSync(process.argv[1], "utf8")), [pt, pi] = process.argv[2].split(":").map(Number), [t, i] = process.argv[3].split(":").map(Number);
    Object.assign(m, { prevTs: { t: pt, i: pi }, firstTs: { t: pt + 1, i: 1 }, lastTs: { t, i }, file: `${pt}-${pi}_${t}-${i}.bson.gz` });
    fs.writeFileSync(process.argv[4] + `/oplog/${pt}-${pi}_${t}-${i}.manifest.json`, JSON.stringify(m));
    fs.writeFileSync(process.argv[4] + `/oplog/${pt}-${pi}_${t}-${i}.bson.gz`, "x");' "$BATS_TEST_TMPDIR/m.json" "$last" "$next" "$BUCKET_DIR"
  : >"$STANDIN_LOG/aws.operations"
  bash "$SCRIPTS/s3-transfer.sh" pull-head >"$BATS_TEST_TMPDIR/pull.out"
  printf '%s %s\n' "$(wc -l <"$STANDIN_LOG/aws.operations")" "$(grep -c '^GetObject ' "$STANDIN_LOG/aws.operations")"
}

@test "the slice job's pull reads the same few objects with a week or a month of slices, and plans from what the whole catalog says" {
  small="$(slice_run_reads 2 288)"
  # The pulled head plus the new keys give the recovery point the whole catalog gives.
  HEAD_MODE=load HEAD_FILE="$BACKUP_WORK/catalog-head" CATALOG_DIR="$BACKUP_WORK/catalog" BACKUP_MONGOSH_DIR="$REPO_ROOT/backup/mongosh" \
    mongosh --nodb --quiet --norc "$REPO_ROOT/backup/mongosh/catalog-head.js" >/dev/null
  [ "$(recovery_point "$BACKUP_WORK/catalog")" = "$(recovery_point "$BUCKET_DIR")" ]
  [ "$(find "$BACKUP_WORK/catalog" -name '*.manifest.json' | wc -l)" -le 4 ]
  [ -e "$BACKUP_WORK/catalog/.partial" ]
  large="$(slice_run_reads 30 288)"
  echo "requests and objects read per slice run: 2 days of slices: $small; 30 days: $large" >&3
  # Does not grow with retention: head (HEAD+GET), two listings, the new slice's manifest (HEAD+GET).
  [ "$small" = "$large" ]
  [ "$large" = "6 2" ]
}

@test "today's full pull reads every manifest: it grows with retention (the full-dump and verify jobs still use it, once a day)" {
  rm -rf "$BUCKET_DIR"; mkdir -p "$BUCKET_DIR"
  node "$BATS_TEST_DIRNAME/fixtures/make-catalog.js" "$BUCKET_DIR" 2 288 >/dev/null
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests >/dev/null
  small="$(grep -c '^GetObject ' "$STANDIN_LOG/aws.operations")"
  rm -rf "$BUCKET_DIR" "$BACKUP_WORK/catalog"; mkdir -p "$BUCKET_DIR"; : >"$STANDIN_LOG/aws.operations"
  node "$BATS_TEST_DIRNAME/fixtures/make-catalog.js" "$BUCKET_DIR" 6 288 >/dev/null
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests >/dev/null
  large="$(grep -c '^GetObject ' "$STANDIN_LOG/aws.operations")"
  echo "objects read by a full pull: 2 days $small, 6 days $large" >&3
  [ "$small" -eq $((2 * 289)) ]
  [ "$large" -eq $((6 * 289)) ]
}

@test "without a head yet the slice job pulls every manifest once; a bad head fails the pull" {
  mkdir -p "$BUCKET_DIR"
  node "$BATS_TEST_DIRNAME/fixtures/make-catalog.js" "$BUCKET_DIR" 1 12 >/dev/null
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-head
  [ "$status" -eq 0 ]
  [[ "$(json_line pull-head info)" == *"no status/catalog-head yet"* ]]
  [ "$(find "$BACKUP_WORK/catalog" -name '*.manifest.json' | wc -l)" -eq 13 ]
  mkdir -p "$BUCKET_DIR/status"
  printf 'nyrkio-catalog-head 1\nafter ../../other-rs/oplog/\n---\n{}\n' >"$BUCKET_DIR/status/catalog-head"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-head
  [ "$status" -eq 1 ]
  [[ "$(json_line pull-head failed)" == *"refusing the head's key"* ]]
}

@test "an unconfirmed dump's confirmation record written since the head is probed, not listed" {
  mkdir -p "$BUCKET_DIR"
  node "$BATS_TEST_DIRNAME/fixtures/make-catalog.js" "$BUCKET_DIR" 2 12 >/dev/null
  newest="$(ls "$BUCKET_DIR"/full/*.manifest.json | tail -n 1)"
  node -e 'const fs = require("fs"), f = process.argv[1], m = JSON.parse(fs.readFileSync(f, "utf8")); m.majorityCommit = "unconfirmed"; fs.writeFileSync(f, JSON.stringify(m));' "$newest"
  head_of "$BUCKET_DIR"
  grep -qx "probe full/$(basename "$newest" .manifest.json).confirmed.json" "$BUCKET_DIR/status/catalog-head"
  printf '{}' >"${newest%.manifest.json}.confirmed.json"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-head
  [ "$status" -eq 0 ]
  [ -f "$BACKUP_WORK/catalog/full/$(basename "$newest" .manifest.json).confirmed.json" ]
}

@test "retention on S3 (the prune job, the pruner's key) collects an artifact no manifest names, older than a day, from the bucket's listing" {
  use_key pruner
  mkdir -p "$BUCKET_DIR"
  node "$BATS_TEST_DIRNAME/fixtures/make-catalog.js" "$BUCKET_DIR" 2 12 >/dev/null
  # A crash between a manifest's deletion and its artifact's left this behind on the bucket.
  printf 'orphan' >"$BUCKET_DIR/full/20240420T020000Z-gone.archive.gz"
  touch -d '3 days ago' "$BUCKET_DIR/full/20240420T020000Z-gone.archive.gz"
  printf 'young' >"$BUCKET_DIR/oplog/9-1_10-1.bson.gz"
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests >/dev/null
  [ ! -e "$BACKUP_WORK/catalog/full/20240420T020000Z-gone.archive.gz" ]
  RETENTION_DAILY=7 RETENTION_WEEKLY=0 run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 0 ]
  grep -qx 'full/20240420T020000Z-gone.archive.gz' "$BACKUP_WORK/outbox/.delete"
  ! grep -q '9-1_10-1' "$BACKUP_WORK/outbox/.delete"
  echo 0 >"$BACKUP_WORK/outbox/.exit-code"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" delete
  [ "$status" -eq 0 ]
  [ ! -e "$BUCKET_DIR/full/20240420T020000Z-gone.archive.gz" ]
  grep -qx 'DeleteObject prod/rs0/full/20240420T020000Z-gone.archive.gz' "$STANDIN_LOG/aws.operations"
}

@test "retention never runs on an incrementally pulled catalog" {
  mkdir -p "$BACKUP_WORK/catalog"
  : >"$BACKUP_WORK/catalog/.partial"
  RETENTION_DAILY=1 RETENTION_WEEKLY=0 run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 0 ]
  [[ "$(json_line prune info)" == *"the prune job prunes after a complete pull"* ]]
  [ ! -e "$BACKUP_WORK/outbox/.delete" ]
}

@test "the stand-in refuses what the AWS CLI refuses or the scripts never send" {
  # s3-transfer.sh removes its own credentials file on exit (issue 12): the test writes one alike.
  AWS_SHARED_CREDENTIALS_FILE="$(aws_credentials_file)"
  export AWS_SHARED_CREDENTIALS_FILE
  run aws s3 cp s3://b/k /tmp/x --if-exists
  [ "$status" -eq 252 ]
  [[ "$stderr$output" == *"Unknown options: --if-exists"* ]]
  run aws s3api list-objects-v2 --prefix p --output text --query 'Contents[].[Key]'
  [ "$status" -eq 252 ]
  run aws s3api list-objects-v2 --bucket b --output xml --query 'Contents[].[Key]'
  [ "$status" -eq 252 ]
  run aws s3api list-objects-v2 --bucket nyrkio-db-backups --prefix prod/ --starting-after x --output text --query 'Contents[].[Key]'
  [ "$status" -eq 252 ]
  [[ "$output" == *"Unknown options: --starting-after"* ]]
  # A listing the model does not know how to print is the stand-in's refusal, never a guess.
  run aws s3api list-objects-v2 --bucket nyrkio-db-backups --output json
  [ "$status" -eq 255 ]
  run aws s3api get-object --bucket b --key k out
  [ "$status" -eq 252 ]
  # The reader's key may list (verification and restore pull every manifest); a key no policy names may not.
  printf '[default]\naws_access_key_id = AKIANOBODY\naws_secret_access_key = x\n' >"$BATS_TEST_TMPDIR/nobody"
  AWS_SHARED_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/nobody" run aws s3api list-objects-v2 --bucket nyrkio-db-backups --prefix prod/rs0/ --output text --query 'Contents[].[Key]'
  [ "$status" -eq 254 ]
  [[ "$output" == *"(AccessDenied)"*"s3:ListBucket"* ]]
}
