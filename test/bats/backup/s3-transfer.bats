#!/usr/bin/env bats
# backup/scripts/s3-transfer.sh with an aws stand-in over a local directory ($STANDIN_S3).

bats_require_minimum_version 1.5.0
load helpers

setup() {
  setup_backup_env
  export BACKUP_STORAGE=s3 S3_BUCKET=nyrkio-db-backups S3_PREFIX=prod AWS_REGION=eu-north-1
  export S3_CREDENTIALS_DIR="$BATS_TEST_TMPDIR/secret/s3"
  mkdir -p "$S3_CREDENTIALS_DIR"
  printf 'AKIAEXAMPLE' >"$S3_CREDENTIALS_DIR/AWS_ACCESS_KEY_ID"
  AWS_SECRET='wJalr/XUtnFEMI+K7MDENG'
  printf '%s\n' "$AWS_SECRET" >"$S3_CREDENTIALS_DIR/AWS_SECRET_ACCESS_KEY"
  BUCKET_DIR="$STANDIN_S3/nyrkio-db-backups/prod/rs0"
}

# An outbox as a work container leaves it.
outbox() {
  local box="$BACKUP_WORK/outbox"
  mkdir -p "$box/full" "$box/status"
  printf 'archive' >"$box/full/d.archive.gz"
  printf '{}' >"$box/full/d.manifest.json"
  printf '{}' >"$box/status/full.json"
  printf 'full/d.archive.gz\nfull/d.manifest.json\nstatus/full.json\n' >"$box/.upload-order"
  echo "$1" >"$box/.exit-code"
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

@test "push uploads in publish order, deletes afterwards, and exits with the work container's code" {
  outbox 0
  mkdir -p "$BUCKET_DIR/full"
  printf 'old' >"$BUCKET_DIR/full/old.archive.gz"
  printf '{}' >"$BUCKET_DIR/full/old.manifest.json"
  printf 'full/old.manifest.json\nfull/old.archive.gz\n' >"$BACKUP_WORK/outbox/.delete"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  [ "$(cat "$BUCKET_DIR/full/d.archive.gz")" = archive ]
  [ -f "$BUCKET_DIR/full/d.manifest.json" ]
  [ -f "$BUCKET_DIR/status/full.json" ]
  [ ! -e "$BUCKET_DIR/full/old.archive.gz" ]
  [ ! -e "$BUCKET_DIR/full/old.manifest.json" ]
  mapfile -t calls <"$STANDIN_LOG/aws.log"
  [[ "${calls[0]}" == "s3 cp $BACKUP_WORK/outbox/full/d.archive.gz "* ]]
  [[ "${calls[1]}" == "s3 cp $BACKUP_WORK/outbox/full/d.manifest.json "* ]]
  [ "${calls[3]}" = "s3 rm s3://nyrkio-db-backups/prod/rs0/full/old.manifest.json --only-show-errors" ]
  [ "${calls[4]}" = "s3 rm s3://nyrkio-db-backups/prod/rs0/full/old.archive.gz --only-show-errors" ]
}

@test "push of a failed job still uploads what it saved and then fails with its code" {
  outbox 3
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 3 ]
  [ -f "$BUCKET_DIR/full/d.manifest.json" ]
}

@test "an upload that fails stops before the manifest and before any deletion" {
  outbox 0
  printf 'full/old.manifest.json\n' >"$BACKUP_WORK/outbox/.delete"
  mkdir -p "$BUCKET_DIR/full"
  printf '{}' >"$BUCKET_DIR/full/old.manifest.json"
  export STANDIN_AWS_FAIL="d.archive.gz"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [ ! -e "$BUCKET_DIR/full/d.manifest.json" ]
  [ -e "$BUCKET_DIR/full/old.manifest.json" ]
  [[ "$(json_line push failed)" == *"nothing was deleted"* ]]
}

@test "push without a recorded exit code fails: the work container did not finish" {
  mkdir -p "$BACKUP_WORK/outbox"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [[ "$(json_line finished failed)" == *"recorded no exit code"* ]]
}
