#!/usr/bin/env bats
# backup/scripts/s3-transfer.sh with an aws stand-in over a local directory ($STANDIN_S3).

bats_require_minimum_version 1.5.0
load helpers

setup() {
  setup_backup_env
  export BACKUP_STORAGE=s3 S3_BUCKET=nyrkio-db-backups S3_PREFIX=prod AWS_REGION=eu-north-1
  export S3_CREDENTIALS_DIR="$BATS_TEST_TMPDIR/secret/s3"
  AWS_SECRET='wJalr/XUtnFEMI+K7MDENG'
  use_key writer
  # Every request is authorized with the policies docs/backups.md gives (as IAM evaluates them).
  export STANDIN_S3_POLICIES="$BATS_TEST_TMPDIR/policies.json"
  node "$BATS_TEST_DIRNAME/fixtures/doc-policies.js" "$REPO_ROOT/docs/backups.md" AKIAWRITER AKIAREADER AKIAPRUNER >"$STANDIN_S3_POLICIES"
  BUCKET_DIR="$STANDIN_S3/nyrkio-db-backups/prod/rs0"
  KMS_KEY="arn:aws:kms:eu-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

# use_key <writer|reader|pruner>: the Secret the job mounts holds that key.
use_key() {
  mkdir -p "$S3_CREDENTIALS_DIR"
  printf 'AKIA%s' "${1^^}" >"$S3_CREDENTIALS_DIR/AWS_ACCESS_KEY_ID"
  printf '%s\n' "$AWS_SECRET" >"$S3_CREDENTIALS_DIR/AWS_SECRET_ACCESS_KEY"
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
  export AWS_SHARED_CREDENTIALS_FILE="$BACKUP_WORK/credentials/aws"
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

@test "the bucket policy refuses an unconditional write over a backup, whoever sends it, and any call over http" {
  mkdir -p "$BUCKET_DIR/full"
  printf 'the real backup' >"$BUCKET_DIR/full/d.archive.gz"
  printf 'poison' >"$BATS_TEST_TMPDIR/poison"
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests >/dev/null # writes the credentials file
  export AWS_SHARED_CREDENTIALS_FILE="$BACKUP_WORK/credentials/aws"
  run aws s3 cp "$BATS_TEST_TMPDIR/poison" s3://nyrkio-db-backups/prod/rs0/full/d.archive.gz
  [ "$status" -eq 1 ]
  [[ "$output" == *"(AccessDenied)"* ]]
  STANDIN_S3_MULTIPART_BYTES=1 run aws s3 cp "$BATS_TEST_TMPDIR/poison" s3://nyrkio-db-backups/prod/rs0/oplog/x.bson.gz
  [ "$status" -eq 1 ]
  [[ "$output" == *"CompleteMultipartUpload"* ]]
  [ "$(cat "$BUCKET_DIR/full/d.archive.gz")" = "the real backup" ]
  run aws --endpoint-url=http://minio.example:9000 s3api head-object --bucket nyrkio-db-backups --key prod/rs0/full/d.archive.gz
  [ "$status" -eq 254 ]
  [[ "$output" == *"(AccessDenied)"* ]]
}

@test "the writer's key cannot delete: a writer job that queued deletions fails and the backups stay" {
  mkdir -p "$BACKUP_WORK/outbox" "$BUCKET_DIR/full"
  printf 'old' >"$BUCKET_DIR/full/old.archive.gz"
  printf 'full/old.archive.gz\n' >"$BACKUP_WORK/outbox/.delete"
  echo 0 >"$BACKUP_WORK/outbox/.exit-code"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" delete
  [ "$status" -eq 1 ]
  [ -e "$BUCKET_DIR/full/old.archive.gz" ]
  [[ "$stderr" == *"(AccessDenied)"*"s3:DeleteObject"* ]]
}

@test "delete (the prune job, with the pruner's key) runs the queued deletions in order and exits with the recorded code" {
  use_key pruner
  mkdir -p "$BACKUP_WORK/outbox" "$BUCKET_DIR/full"
  printf 'old' >"$BUCKET_DIR/full/old.archive.gz"
  printf '{}' >"$BUCKET_DIR/full/old.manifest.json"
  printf 'full/old.manifest.json\nfull/old.archive.gz\n' >"$BACKUP_WORK/outbox/.delete"
  echo 0 >"$BACKUP_WORK/outbox/.exit-code"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" delete
  [ "$status" -eq 0 ]
  [ ! -e "$BUCKET_DIR/full/old.archive.gz" ]
  [ ! -e "$BUCKET_DIR/full/old.manifest.json" ]
  mapfile -t calls <"$STANDIN_LOG/aws.log"
  [ "${calls[0]}" = "s3 rm s3://nyrkio-db-backups/prod/rs0/full/old.manifest.json --only-show-errors" ]
  [ "${calls[1]}" = "s3 rm s3://nyrkio-db-backups/prod/rs0/full/old.archive.gz --only-show-errors" ]
  [[ "$(json_line delete ok)" == *'"files":2'* ]]
  echo 3 >"$BACKUP_WORK/outbox/.exit-code"
  : >"$BACKUP_WORK/outbox/.delete"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" delete
  [ "$status" -eq 3 ]
}

@test "SSE-KMS: every upload names the key; a multipart upload needs the writer's kms:Decrypt as well" {
  outbox 0
  export S3_SSE_KMS_KEY_ID="$KMS_KEY" STANDIN_S3_MULTIPART_BYTES=4
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  mapfile -t calls <"$STANDIN_LOG/aws.log"
  [[ "${calls[1]}" == *" --no-overwrite --sse aws:kms --sse-kms-key-id $KMS_KEY --only-show-errors" ]]
  [[ "${calls[3]}" == *" --if-none-match * --server-side-encryption aws:kms --ssekms-key-id $KMS_KEY" ]]
  [[ "${calls[4]}" == *" --sse aws:kms --sse-kms-key-id $KMS_KEY --only-show-errors" ]]
  grep -qx "AKIAWRITER kms:Decrypt $KMS_KEY" "$STANDIN_LOG/aws.requests"
  # Without kms:Decrypt the multipart upload of the archive fails, as S3 refuses it.
  node -e 'const f = process.argv[1], p = JSON.parse(require("fs").readFileSync(f, "utf8"));
    for (const s of p.keys.AKIAWRITER.Statement) if (Array.isArray(s.Action)) s.Action = s.Action.filter((a) => a !== "kms:Decrypt");
    require("fs").writeFileSync(f, JSON.stringify(p));' "$STANDIN_S3_POLICIES"
  rm -rf "$STANDIN_S3/nyrkio-db-backups"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"kms:Decrypt"* ]]
}

@test "each key's policy in docs/backups.md grants exactly what its jobs' calls use" {
  export S3_SSE_KMS_KEY_ID="$KMS_KEY" STANDIN_S3_MULTIPART_BYTES=4
  # writer: a full or slice job (pull-manifests, then push of an artifact, its manifest, a status).
  outbox 0
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  bash "$SCRIPTS/s3-transfer.sh" push
  # ... and push's upload of an artifact that another writer completed first, between the check
  # and the completion: S3 answers 412, the CLI skips the file and aborts the upload.
  AWS_SHARED_CREDENTIALS_FILE="$BACKUP_WORK/credentials/aws" aws s3 cp "$BACKUP_WORK/outbox/full/d.archive.gz" \
    s3://nyrkio-db-backups/prod/rs0/full/d.archive.gz --no-overwrite --sse aws:kms --sse-kms-key-id "$KMS_KEY" --only-show-errors
  ! grep -q denied "$STANDIN_LOG/aws.requests"
  # reader: verification (manifests, the artifacts, then status/verify.json) and restore.
  use_key reader
  rm -rf "$BACKUP_WORK/outbox" "$BACKUP_WORK/catalog"
  mkdir -p "$BACKUP_WORK/outbox/status"
  printf '{}' >"$BACKUP_WORK/outbox/status/verify.json"
  printf 'status/verify.json\n' >"$BACKUP_WORK/outbox/.upload-order"
  echo 0 >"$BACKUP_WORK/outbox/.exit-code"
  echo full/d.archive.gz >"$BACKUP_WORK/needed"
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  bash "$SCRIPTS/s3-transfer.sh" pull-files
  bash "$SCRIPTS/s3-transfer.sh" push
  # ... and may write nothing else.
  printf 'x' >"$BACKUP_WORK/outbox/status/full.json"
  printf 'status/full.json\n' >"$BACKUP_WORK/outbox/.upload-order"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 1 ]
  # pruner: the prune job.
  use_key pruner
  rm -rf "$BACKUP_WORK/outbox" "$BACKUP_WORK/catalog"
  mkdir -p "$BACKUP_WORK/outbox"
  printf 'full/d.manifest.json\nfull/d.archive.gz\n' >"$BACKUP_WORK/outbox/.delete"
  echo 0 >"$BACKUP_WORK/outbox/.exit-code"
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests
  bash "$SCRIPTS/s3-transfer.sh" delete
  # The actions each key used are the actions its policy allows, no more, no fewer.
  node -e '
    const [policiesFile, requestsFile] = process.argv.slice(1);
    const { keys } = JSON.parse(require("fs").readFileSync(policiesFile, "utf8"));
    const used = {};
    for (const line of require("fs").readFileSync(requestsFile, "utf8").trim().split("\n")) {
      const [key, action] = line.split(" ");
      (used[key] ??= new Set()).add(action);
    }
    let bad = false;
    for (const [key, policy] of Object.entries(keys)) {
      const granted = new Set(policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [].concat(s.Action)));
      const u = [...(used[key] ?? [])].sort(), g = [...granted].sort();
      if (JSON.stringify(u) !== JSON.stringify(g)) { console.error(`${key}: used ${u} but the policy grants ${g}`); bad = true; }
    }
    process.exit(bad ? 1 : 0);' "$STANDIN_S3_POLICIES" "$STANDIN_LOG/aws.requests"
  # No writer may delete, tag, or change the bucket.
  node -e '
    const { keys } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const key of ["AKIAWRITER", "AKIAREADER"])
      for (const s of keys[key].Statement) for (const a of [].concat(s.Action))
        if (/Delete|Tagging|Bucket(?!$)|^s3:\*$|PutBucket|Lifecycle|Policy/i.test(a)) { console.error(`${key} is granted ${a}`); process.exit(1); }' "$STANDIN_S3_POLICIES"
}

@test "the stand-in refuses what the aws CLI refuses" {
  bash "$SCRIPTS/s3-transfer.sh" pull-manifests >/dev/null
  export AWS_SHARED_CREDENTIALS_FILE="$BACKUP_WORK/credentials/aws"
  run aws s3 cp a s3://nyrkio-db-backups/x --if-none-match '*'
  [ "$status" -eq 252 ]
  [[ "$output" == *"Unknown options: --if-none-match"* ]]
  run aws s3api put-object --bucket nyrkio-db-backups --key x --body /dev/null --no-overwrite
  [ "$status" -eq 252 ]
  run aws s3 cp "$BATS_TEST_TMPDIR" s3://nyrkio-db-backups/x --sse aws:kms2
  [ "$status" -eq 252 ]
  run aws s3api head-object --bucket nyrkio-db-backups
  [ "$status" -eq 252 ]
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
