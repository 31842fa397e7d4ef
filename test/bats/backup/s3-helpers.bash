# Shared by s3-transfer.bats and s3-keys.bats: the S3 job environment, the keys of
# docs/backups.md's policies, and an outbox as a work container leaves it.
# shellcheck shell=bash

setup_s3() {
  setup_backup_env
  export BACKUP_STORAGE=s3 S3_BUCKET=nyrkio-db-backups S3_PREFIX=prod AWS_REGION=eu-north-1
  export S3_CREDENTIALS_DIR="$BATS_TEST_TMPDIR/secret/s3"
  AWS_SECRET='wJalr/XUtnFEMI+K7MDENG'
  use_key writer
  # Every request is authorized with the policies docs/backups.md gives (as IAM evaluates them).
  export STANDIN_S3_POLICIES="$BATS_TEST_TMPDIR/policies.json"
  if [[ ! -s "$BATS_FILE_TMPDIR/policies.json" ]]; then
    node "$BATS_TEST_DIRNAME/fixtures/doc-policies.js" "$REPO_ROOT/docs/backups.md" AKIAWRITER AKIAREADER AKIAPRUNER >"$BATS_FILE_TMPDIR/policies.json"
  fi
  cp "$BATS_FILE_TMPDIR/policies.json" "$STANDIN_S3_POLICIES"
  # shellcheck disable=SC2034 # read by the tests that load this file
  BUCKET_DIR="$STANDIN_S3/nyrkio-db-backups/prod/rs0"
  # shellcheck disable=SC2034 # read by the tests that load this file
  KMS_KEY="arn:aws:kms:eu-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

# use_key <writer|reader|pruner>: the Secret the job mounts holds that key.
use_key() {
  mkdir -p "$S3_CREDENTIALS_DIR"
  printf 'AKIA%s' "${1^^}" >"$S3_CREDENTIALS_DIR/AWS_ACCESS_KEY_ID"
  printf '%s\n' "$AWS_SECRET" >"$S3_CREDENTIALS_DIR/AWS_SECRET_ACCESS_KEY"
}

# aws_credentials_file: a credentials file for the current key, as s3-transfer.sh writes it in its
# own CREDENTIALS_DIR (which it removes on exit): for the tests that call the aws CLI directly.
aws_credentials_file() {
  local file="$BATS_TEST_TMPDIR/aws-credentials"
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$(<"$S3_CREDENTIALS_DIR/AWS_ACCESS_KEY_ID")" "$(<"$S3_CREDENTIALS_DIR/AWS_SECRET_ACCESS_KEY")" >"$file"
  printf '%s' "$file"
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

