#!/usr/bin/env bats
# The three S3 keys (writer, reader, pruner) and the bucket policy, exactly as docs/backups.md
# gives them, enforced by the aws stand-in (aws-model.ts) on every request s3-transfer.sh makes.

bats_require_minimum_version 1.5.0
load helpers
load s3-helpers

setup() {
  setup_s3
}

@test "the bucket policy refuses an unconditional write over a backup, whoever sends it, and any call over http" {
  mkdir -p "$BUCKET_DIR/full"
  printf 'the real backup' >"$BUCKET_DIR/full/d.archive.gz"
  printf 'poison' >"$BATS_TEST_TMPDIR/poison"
  AWS_SHARED_CREDENTIALS_FILE="$(aws_credentials_file)"
  export AWS_SHARED_CREDENTIALS_FILE
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
  # ... the slice job's incremental pull: status/catalog-head, then list-objects-v2 --start-after.
  mkdir -p "$BUCKET_DIR/status"
  printf 'nyrkio-catalog-head 1\nafter full/\nafter oplog/\n---\n{"entries":[],"spans":[]}\n' >"$BUCKET_DIR/status/catalog-head"
  rm -rf "$BACKUP_WORK/catalog"
  bash "$SCRIPTS/s3-transfer.sh" pull-head
  grep -q '^ListObjectsV2 prod/rs0/full/$' "$STANDIN_LOG/aws.operations"
  # ... and push's upload of an artifact that another writer completed first, between the check
  # and the completion: S3 answers 412, the CLI skips the file and aborts the upload.
  AWS_SHARED_CREDENTIALS_FILE="$(aws_credentials_file)" aws s3 cp "$BACKUP_WORK/outbox/full/d.archive.gz" \
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
  AWS_SHARED_CREDENTIALS_FILE="$(aws_credentials_file)"
  export AWS_SHARED_CREDENTIALS_FILE
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

@test "a majority confirmation record is write-once: one already there, whoever wrote it, counts as uploaded and stays" {
  mkdir -p "$BACKUP_WORK/outbox/full" "$BUCKET_DIR/full"
  printf '{"confirmedBy":"first"}' >"$BUCKET_DIR/full/d.confirmed.json"
  printf '{"confirmedBy":"second"}' >"$BACKUP_WORK/outbox/full/d.confirmed.json"
  printf 'full/d.confirmed.json\n' >"$BACKUP_WORK/outbox/.upload-order"
  echo 0 >"$BACKUP_WORK/outbox/.exit-code"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  [ "$(cat "$BUCKET_DIR/full/d.confirmed.json")" = '{"confirmedBy":"first"}' ]
  [[ "$(json_line push info)" == *"already confirmed by an earlier record"* ]]
  # A new one goes with If-None-Match: *, like a manifest (the bucket policy demands it under full/).
  rm -f "$BUCKET_DIR/full/d.confirmed.json"
  run --separate-stderr bash "$SCRIPTS/s3-transfer.sh" push
  [ "$status" -eq 0 ]
  grep -q "put-object --bucket nyrkio-db-backups --key prod/rs0/full/d.confirmed.json .* --if-none-match \*" "$STANDIN_LOG/aws.log"
  [ "$(cat "$BUCKET_DIR/full/d.confirmed.json")" = '{"confirmedBy":"second"}' ]
}
