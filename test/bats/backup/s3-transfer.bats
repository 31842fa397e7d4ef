#!/usr/bin/env bats
# backup/scripts/s3-transfer.sh with an aws stand-in over a local directory ($STANDIN_S3).

bats_require_minimum_version 1.5.0
load helpers
load s3-helpers

setup() {
  setup_s3
}

@test "pull-manifests copies every manifest under the replica set's prefix, and nothing else" {
  mkdir -p "$BUCKET_DIR/full" "$BUCKET_DIR/oplog"
  printf '{}' >"$BUCKET_DIR/full/a.manifest.json"
  printf 'big' >"$BUCKET_DIR/full/a.archive.gz"
  printf '{}' >"$BUCKET_DIR/oplog/b.manifest.json"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  [ "$status" -eq 0 ]
  [ -f "$BACKUP_WORK/catalog/full/a.manifest.json" ]
  [ -f "$BACKUP_WORK/catalog/oplog/b.manifest.json" ]
  [ ! -e "$BACKUP_WORK/catalog/full/a.archive.gz" ]
  [[ "$(cat "$STANDIN_LOG/aws.log")" == *"s3 cp s3://nyrkio-db-backups/prod/rs0/ $BACKUP_WORK/catalog/ --recursive --exclude * --include *.manifest.json"* ]]
  [[ "$(json_line pull-manifests ok)" == *'"files":2'* ]]
}

@test "credentials go to a 0600 file, never to argv" {
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  [ "$status" -eq 0 ]
  [ "$(head -n 1 "$STANDIN_LOG/aws.credentials")" = 600 ]
  grep -qx "aws_secret_access_key = $AWS_SECRET" "$STANDIN_LOG/aws.credentials"
  [ "$(grep -cF -- "$AWS_SECRET" "$STANDIN_LOG/aws.log")" = 0 ]
  [[ "$output" != *"$AWS_SECRET"* ]]
  # On the container's own credentials volume, never the scratch volume the mongo containers
  # mount, and removed when the script ends (issue 12).
  [ ! -e "$CREDENTIALS_DIR/aws" ]
  ! grep -rqF -- "$AWS_SECRET" "$BACKUP_WORK"
}

@test "a failed transfer removes the credentials file too" {
  STANDIN_AWS_FAIL=manifest run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  [ "$status" -ne 0 ]
  grep -qx "aws_secret_access_key = $AWS_SECRET" "$STANDIN_LOG/aws.credentials"
  [ ! -e "$CREDENTIALS_DIR/aws" ]
}

@test "an S3-compatible endpoint is passed to every call" {
  export S3_ENDPOINT=https://minio.example:9000
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  [ "$status" -eq 0 ]
  [[ "$(cat "$STANDIN_LOG/aws.log")" == "--endpoint-url=https://minio.example:9000 "* ]]
}

@test "pull-files fetches the listed artifacts into their catalog paths" {
  mkdir -p "$BUCKET_DIR/full"
  printf 'archive-bytes' >"$BUCKET_DIR/full/a.archive.gz"
  mkdir -p "$BACKUP_WORK"
  echo "full/a.archive.gz" >"$BACKUP_WORK/needed"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-files
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/catalog/full/a.archive.gz")" = archive-bytes ]
  [[ "$(json_line pull-files ok)" == *'"files":1,"bytes":13'* ]]
}

@test "pull-files fails on a missing artifact" {
  mkdir -p "$BACKUP_WORK"
  echo "full/gone.archive.gz" >"$BACKUP_WORK/needed"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" pull-files
  [ "$status" -eq 1 ]
  [[ "$(json_line pull-files failed)" == *"cannot download"* ]]
}

@test "push uploads in publish order, each artifact and manifest only where no object is, and deletes nothing" {
  outbox 0
  mkdir -p "$BUCKET_DIR/full"
  printf 'old' >"$BUCKET_DIR/full/old.archive.gz"
  printf 'full/old.archive.gz\n' >"$BACKUP_WORK/outbox/.delete"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  [ "$(cat "$BUCKET_DIR/full/d.archive.gz")" = archive ]
  [ -f "$BUCKET_DIR/full/d.manifest.json" ]
  [ -f "$BUCKET_DIR/status/full.json" ]
  [ -e "$BUCKET_DIR/full/old.archive.gz" ]
  mapfile -t calls <"$STANDIN_LOG/aws.log"
  [ "${calls[0]}" = "s3api head-object --bucket nyrkio-db-backups --key prod/rs0/full/d.archive.gz" ]
  [ "${calls[1]}" = "s3 cp $BACKUP_WORK/outbox/full/d.archive.gz s3://nyrkio-db-backups/prod/rs0/full/d.archive.gz --no-overwrite --only-show-errors" ]
  [ "${calls[2]}" = "s3api head-object --bucket nyrkio-db-backups --key prod/rs0/full/d.manifest.json" ]
  [ "${calls[3]}" = "s3api put-object --bucket nyrkio-db-backups --key prod/rs0/full/d.manifest.json --body $BACKUP_WORK/outbox/full/d.manifest.json --if-none-match *" ]
  [ "${calls[4]}" = "s3 cp $BACKUP_WORK/outbox/status/full.json s3://nyrkio-db-backups/prod/rs0/status/full.json --only-show-errors" ]
  [ "${#calls[@]}" -eq 5 ]
}

@test "push never replaces an existing artifact: it fails before the manifest, and the old object stays" {
  outbox 0
  mkdir -p "$BUCKET_DIR/full"
  printf 'the real backup' >"$BUCKET_DIR/full/d.archive.gz"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [ "$(cat "$BUCKET_DIR/full/d.archive.gz")" = "the real backup" ]
  [ ! -e "$BUCKET_DIR/full/d.manifest.json" ]
  [[ "$(json_line push failed)" == *"full/d.archive.gz already exists with other content: a backup is never overwritten"* ]]
}

@test "a retried push of the same files succeeds: an object with the same bytes is not an overwrite" {
  outbox 0
  bash "$SCRIPTS/s3-transfer.sh" push >/dev/null
  # The retry finds both files there already, identical.
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  [[ "$(json_line push info)" == *'"file":"full/d.archive.gz"'*"already uploaded with the same content"* ]]
  [ "$(cat "$BUCKET_DIR/full/d.archive.gz")" = archive ]
}

@test "push never replaces an existing manifest, even one that appears after the check" {
  outbox 0
  mkdir -p "$BUCKET_DIR/full"
  printf '{"planted":true}' >"$BUCKET_DIR/full/d.manifest.json"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [ "$(cat "$BUCKET_DIR/full/d.manifest.json")" = '{"planted":true}' ]
  # Between head-object and the upload: put-object's If-None-Match answers 412 and fails.
  rm -f "$BUCKET_DIR/full/d.archive.gz"
  AWS_SHARED_CREDENTIALS_FILE="$(aws_credentials_file)"
  export AWS_SHARED_CREDENTIALS_FILE
  run bash -c 'cd "$1" && aws s3api put-object --bucket nyrkio-db-backups --key prod/rs0/full/d.manifest.json --body full/d.manifest.json --if-none-match "*"' _ "$BACKUP_WORK/outbox"
  [ "$status" -eq 254 ]
  [[ "$output" == *"(PreconditionFailed)"* ]]
  [ "$(cat "$BUCKET_DIR/full/d.manifest.json")" = '{"planted":true}' ]
}

@test "status files are rewritten by design" {
  outbox 0
  mkdir -p "$BUCKET_DIR/status"
  printf '{"old":true}' >"$BUCKET_DIR/status/full.json"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  [ "$(cat "$BUCKET_DIR/status/full.json")" = '{}' ]
}

@test "an upload that fails stops before the manifest" {
  outbox 0
  export STANDIN_AWS_FAIL="d.archive.gz --no-overwrite"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [ ! -e "$BUCKET_DIR/full/d.manifest.json" ]
  [[ "$(json_line push failed)" == *"later files were not uploaded"* ]]
}

@test "push without a recorded exit code fails: the work container did not finish" {
  mkdir -p "$BACKUP_WORK/outbox"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [[ "$(json_line finished failed)" == *"recorded no exit code"* ]]
}
