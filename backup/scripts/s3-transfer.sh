#!/usr/bin/env bash
# Moves backup files between the pod's scratch volume and the S3 bucket. Runs in the S3 client
# image (amazon/aws-cli: bash, coreutils and the aws CLI), beside the mongo containers that do the
# work, because the mongo image has no S3 client.
#   pull-manifests  every manifest (and majority confirmation record) under the replica set's prefix into $BACKUP_WORK/catalog
#   pull-head       the slice job's incremental pull (docs/backups.md, "Listing S3 incrementally"):
#                   status/catalog-head (one small rewritable object the previous slice or full-dump
#                   run left), then only the keys after its `after` keys (list-objects-v2
#                   --start-after) and its `probe` keys; without a head, pull-manifests. The
#                   objects read do not grow with retention.
#   pull-files      the artifacts listed in $BACKUP_WORK/needed into the same relative paths
#   push            uploads $BACKUP_WORK/outbox in publish order (each artifact before its
#                   manifest), never over an existing object (status/ files excepted), then exits
#                   with the exit code the work container recorded: a failed backup still uploads
#                   what it saved and still fails. It never deletes: the writer's key cannot.
#   delete          the prune job: runs the queued deletions (each manifest before its artifact),
#                   then exits with the recorded exit code; only the pruner's key may delete
# Environment:
#   BACKUP_REPLSET, BACKUP_WORK
#   S3_BUCKET, S3_PREFIX (may be empty), AWS_REGION, S3_ENDPOINT (optional, S3-compatible stores)
#   S3_SSE_KMS_KEY_ID   optional: every upload is SSE-KMS with this key
#   S3_CREDENTIALS_DIR  the mounted Secret with files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY;
#                       copied into a 0600 credentials file, never into argv or the environment
#   CREDENTIALS_DIR     this container's own memory-backed volume (no other container mounts it):
#                       the aws CLI's credentials file lives there, never on the shared scratch
#                       volume the mongo containers mount, and is removed on exit
#
# Non-overwritable uploads (docs/backups.md, "Keys and bucket policy"): artifacts and manifests are
# sent with If-None-Match: * (S3 conditional writes), which the bucket policy can require. The
# aws CLI sends it on PutObject and CompleteMultipartUpload for `s3 cp --no-overwrite` (added in
# 2.33.0, CHANGELOG.rst; awscli/customizations/s3/utils.py _set_no_overwrite_param,
# awscli/s3transfer/upload.py COMPLETE_MULTIPART_ARGS) and for `s3api put-object --if-none-match`
# (PutObjectRequest.IfNoneMatch in the S3 service model since 2.17.34). But `s3 cp --no-overwrite`
# treats S3's 412 PreconditionFailed as a skipped file and exits 0 (awscli/customizations/s3/
# results.py _on_failure → SkipFileResult; CommandResult counts only failures and warnings): so an
# existing key is refused first with head-object, and manifests (<name>.manifest.json, or
# manifest.json in a dump's directory), small, go through put-object, which fails on 412.
set -euo pipefail

JOB="s3-${1:-}"
started=0
now_ms() { date -u +%s%3N; }
json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  printf '%s' "$s" | tr -d '\000-\011\013-\037'
}
# log <step> <status> [key=value ...]: one JSON line, as the mongo containers write them.
log() {
  local step="$1" status="$2" kv line
  shift 2
  line="{\"time\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\",\"job\":\"$JOB\",\"replicaSet\":\"${BACKUP_REPLSET:-}\",\"step\":\"$step\",\"status\":\"$status\""
  for kv in "$@"; do
    if [[ "${kv%%=*}" =~ ^(durationMs|bytes|files|listed|probed|exitCode)$ && "${kv#*=}" =~ ^(0|-?[1-9][0-9]*)$ ]]; then
      line+=",\"${kv%%=*}\":${kv#*=}"
    else
      line+=",\"${kv%%=*}\":\"$(json_escape "${kv#*=}")\""
    fi
  done
  printf '%s}\n' "$line"
}
fail() {
  log "$1" failed "durationMs=$(($(now_ms) - started))" "error=$2" "exitCode=1"
  exit 1
}

for name in BACKUP_REPLSET BACKUP_WORK S3_BUCKET S3_CREDENTIALS_DIR CREDENTIALS_DIR; do
  [[ -n "${!name:-}" ]] || fail setup "$name is not set"
done
catalog="$BACKUP_WORK/catalog"
outbox="$BACKUP_WORK/outbox"
url="s3://$S3_BUCKET/${S3_PREFIX:+${S3_PREFIX%/}/}$BACKUP_REPLSET"

started="$(now_ms)"
mkdir -p "$BACKUP_WORK/tmp" "$catalog"
[[ -d "$CREDENTIALS_DIR" && -w "$CREDENTIALS_DIR" ]] || fail credentials "CREDENTIALS_DIR ($CREDENTIALS_DIR) is not a writable directory"
export AWS_SHARED_CREDENTIALS_FILE="$CREDENTIALS_DIR/aws"
export AWS_CONFIG_FILE="$CREDENTIALS_DIR/aws-config"
trap 'rm -f "$AWS_SHARED_CREDENTIALS_FILE" "$AWS_CONFIG_FILE"' EXIT
(
  umask 077
  key_id="$(<"$S3_CREDENTIALS_DIR/AWS_ACCESS_KEY_ID")"
  secret="$(<"$S3_CREDENTIALS_DIR/AWS_SECRET_ACCESS_KEY")"
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$secret" >"$AWS_SHARED_CREDENTIALS_FILE"
  : >"$AWS_CONFIG_FILE"
) || fail credentials "cannot read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from $S3_CREDENTIALS_DIR"

prefix="${S3_PREFIX:+${S3_PREFIX%/}/}$BACKUP_REPLSET"

# s3 <cp|rm> <args...>: the aws CLI's s3 command (--only-show-errors belongs to the subcommand).
s3() {
  local command="$1"
  shift
  aws ${S3_ENDPOINT:+--endpoint-url="$S3_ENDPOINT"} s3 "$command" "$@" --only-show-errors
}

# s3api <operation> <args...>: the aws CLI's low-level S3 commands (no --only-show-errors there;
# callers that need no JSON answer send stdout to /dev/null).
s3api() {
  aws ${S3_ENDPOINT:+--endpoint-url="$S3_ENDPOINT"} s3api "$@"
}

# upload <rel>: one file of the outbox to its key. status/ files are rewritten by design; anything
# else must not exist yet (a writer never replaces a backup) and is sent with If-None-Match: *.
upload() {
  local rel="$1" err
  if [[ "$rel" == status/* ]]; then
    s3 cp "$outbox/$rel" "$url/$rel" ${S3_SSE_KMS_KEY_ID:+--sse aws:kms --sse-kms-key-id "$S3_SSE_KMS_KEY_ID"}
    return
  fi
  # HeadObject answers 404 for a missing key when the caller may list the bucket (403 otherwise);
  # the writer's key may (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
  if err="$(s3api head-object --bucket "$S3_BUCKET" --key "$prefix/$rel" 2>&1 >/dev/null)"; then
    # The same bytes already there (a retried push of a slice whose manifest did not follow) is
    # not an overwrite; anything else is refused.
    local existing="$BACKUP_WORK/tmp/s3-existing"
    mkdir -p "$BACKUP_WORK/tmp"
    if s3 cp "$url/$rel" "$existing" && cmp -s "$existing" "$outbox/$rel"; then
      rm -f "$existing"
      log push info "file=$rel" "detail=already uploaded with the same content"
      return 0
    fi
    rm -f "$existing"
    # A majority confirmation record is write-once and says only that the dump's end was
    # majority-committed (backup/majority.ts): one another job wrote first confirms the same dump.
    if [[ "$rel" == *.confirmed.json ]]; then
      log push info "file=$rel" "detail=already confirmed by an earlier record, which is kept"
      return 0
    fi
    UPLOAD_ERROR="$url/$rel already exists with other content: a backup is never overwritten"
    return 1
  elif [[ "$err" != *"(404)"* ]]; then
    UPLOAD_ERROR="cannot check whether $url/$rel exists: ${err##*$'\n'}"
    return 1
  fi
  if [[ "$rel" == *.manifest.json || "$rel" == */manifest.json || "$rel" == *.confirmed.json ]]; then
    s3api put-object --bucket "$S3_BUCKET" --key "$prefix/$rel" --body "$outbox/$rel" --if-none-match '*' \
      ${S3_SSE_KMS_KEY_ID:+--server-side-encryption aws:kms --ssekms-key-id "$S3_SSE_KMS_KEY_ID"} >/dev/null
  else
    s3 cp "$outbox/$rel" "$url/$rel" --no-overwrite ${S3_SSE_KMS_KEY_ID:+--sse aws:kms --sse-kms-key-id "$S3_SSE_KMS_KEY_ID"}
  fi
}


bucket_key() {
  printf '%s' "${S3_PREFIX:+${S3_PREFIX%/}/}$BACKUP_REPLSET/$1"
}

# list_keys <key prefix relative to the replica set> [start after] [with times]: the keys under it
# (relative to the replica set), one per line, in S3's order (UTF-8 binary); with times
# "<key> <LastModified>". list-objects-v2 pages itself (1,000 keys a request).
list_keys() {
  local prefix="$1" after="${2:-}" query='Contents[].[Key]' base line
  base="$(bucket_key "")"
  [[ -z "${3:-}" ]] || query='Contents[].[Key,LastModified]'
  s3api list-objects-v2 --bucket "$S3_BUCKET" --prefix "$base$prefix" ${after:+--start-after "$base$after"} \
    --query "$query" --output text >"$BACKUP_WORK/tmp/keys" || return 1
  while IFS= read -r line; do
    # Text output prints None for a page without Contents.
    [[ -n "$line" && "$line" != None ]] || continue
    printf '%s\n' "${line#"$base"}"
  done <"$BACKUP_WORK/tmp/keys"
}

is_catalog_name() {
  [[ "$1" =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$ && "/$1/" != */../* && "/$1/" != */./* ]]
}

# get_key <key relative to the replica set> [absent-ok]: one object into the catalog; with
# absent-ok a 404 is not a failure (exit 3 says it was absent).
get_key() {
  local rel="$1" err="$BACKUP_WORK/tmp/aws.err"
  is_catalog_name "$rel" || fail "${JOB_STEP:-pull}" "refusing the key $rel"
  if s3 cp "$url/$rel" "$catalog/$rel" 2>"$err"; then return 0; fi
  if [[ -n "${2:-}" ]] && grep -q '(404)' "$err"; then return 3; fi
  cat "$err" >&2
  return 1
}

pull_head() {
  local err="$BACKUP_WORK/tmp/aws.err" line verb rel got=0 listed=0 probed=0
  local -A known=()
  JOB_STEP=pull-head
  mkdir -p "$BACKUP_WORK/tmp"
  rm -f -- "$BACKUP_WORK/catalog-head"
  if ! s3 cp "$url/status/catalog-head" "$BACKUP_WORK/catalog-head" 2>"$err"; then
    grep -q '(404)' "$err" || { cat "$err" >&2; fail pull-head "cannot read $url/status/catalog-head"; }
    log pull-head info "message=no status/catalog-head yet: pulling every manifest once"
    pull_manifests
    return
  fi
  [[ "$(head -n 1 "$BACKUP_WORK/catalog-head")" == "nyrkio-catalog-head 1" ]] || fail pull-head "$url/status/catalog-head is not a catalog head"
  while IFS=' ' read -r verb rel; do
    [[ "$verb" != --- ]] || break
    [[ "$verb" != known ]] || known["$rel"]=1
  done <"$BACKUP_WORK/catalog-head"
  while IFS=' ' read -r verb rel; do
    [[ "$verb" != --- ]] || break
    case "$verb" in
      after)
        if [[ ! "$rel" =~ ^(full|oplog)/$ ]] && ! { [[ "$rel" =~ ^(full|oplog)/ ]] && is_catalog_name "$rel"; }; then
          fail pull-head "refusing the head's key $rel"
        fi
        # Only manifests and confirmation records; the artifacts are pulled when a plan needs them.
        list_keys "${rel%%/*}/" "$rel" >"$BACKUP_WORK/tmp/new-keys" || fail pull-head "cannot list $url/${rel%%/*}/ after $rel"
        while IFS= read -r line; do
          listed=$((listed + 1))
          [[ "$line" == *.manifest.json || "$line" == */manifest.json || "$line" == *.confirmed.json ]] || continue
          [[ -z "${known[$line]:-}" ]] || continue
          get_key "$line" || fail pull-head "cannot download $url/$line"
          got=$((got + 1))
        done <"$BACKUP_WORK/tmp/new-keys"
        ;;
      probe)
        [[ -e "$catalog/$rel" ]] && continue
        probed=$((probed + 1))
        get_key "$rel" absent-ok || [[ $? == 3 ]] || fail pull-head "cannot download $url/$rel"
        ;;
      nyrkio-catalog-head | known) ;;
      *) fail pull-head "an unknown line in the catalog head: $verb" ;;
    esac
  done <"$BACKUP_WORK/catalog-head"
  log pull-head ok "durationMs=$(($(now_ms) - started))" "files=$got" "listed=$listed" "probed=$probed" "from=$url"
}

pull_manifests() {
  s3 cp "$url/" "$catalog/" --recursive --exclude '*' --include '*.manifest.json' --include '*/manifest.json' --include '*.confirmed.json' ||
    fail pull-manifests "cannot list or download the manifests under $url"
  # Every key with its time, so retention can collect artifacts no manifest names on the bucket
  # too (prune.js reads .listing; a local find sees only what was pulled).
  list_keys "" "" with-times >"$catalog/.listing" || fail pull-manifests "cannot list the keys under $url"
  local count
  count="$(find "$catalog" -type f -name '*manifest.json' | wc -l)"
  log pull-manifests ok "durationMs=$(($(now_ms) - started))" "files=$count" "from=$url"
}

pull_files() {
  local rel bytes=0 files=0
  [[ -f "$BACKUP_WORK/needed" ]] || fail pull-files "no list of files to pull ($BACKUP_WORK/needed)"
  while IFS= read -r rel; do
    [[ -n "$rel" ]] || continue
    [[ "$rel" != *..* && "$rel" != /* ]] || fail pull-files "refusing the path $rel"
    s3 cp "$url/$rel" "$catalog/$rel" || fail pull-files "cannot download $url/$rel"
    bytes=$((bytes + $(stat -c %s "$catalog/$rel")))
    files=$((files + 1))
  done <"$BACKUP_WORK/needed"
  log pull-files ok "durationMs=$(($(now_ms) - started))" "files=$files" "bytes=$bytes"
}

# finish: exit with the code the work container recorded.
finish() {
  local code
  code="$(cat "$outbox/.exit-code" 2>/dev/null || echo missing)"
  [[ "$code" =~ ^[0-9]+$ ]] || {
    log finished failed "error=the work container recorded no exit code" "exitCode=1"
    exit 1
  }
  exit "$code"
}

push() {
  local rel bytes=0 files=0
  if [[ -f "$outbox/.upload-order" ]]; then
    while IFS= read -r rel; do
      [[ -n "$rel" ]] || continue
      [[ "$rel" != *..* && "$rel" != /* ]] || fail push "refusing the path $rel"
      UPLOAD_ERROR=""
      upload "$rel" || fail push "cannot upload $rel${UPLOAD_ERROR:+ ($UPLOAD_ERROR)}; later files were not uploaded"
      bytes=$((bytes + $(stat -c %s "$outbox/$rel")))
      files=$((files + 1))
    done <"$outbox/.upload-order"
  fi
  log push ok "durationMs=$(($(now_ms) - started))" "files=$files" "bytes=$bytes" "to=$url"
  finish
}

delete() {
  local rel deleted=0
  if [[ -f "$outbox/.delete" ]]; then
    while IFS= read -r rel; do
      [[ -n "$rel" ]] || continue
      [[ "$rel" != *..* && "$rel" != /* ]] || fail delete "refusing the path $rel"
      s3 rm "$url/$rel" || fail delete "cannot delete $url/$rel; the deletions after it were not run"
      deleted=$((deleted + 1))
    done <"$outbox/.delete"
  fi
  log delete ok "durationMs=$(($(now_ms) - started))" "files=$deleted"
  finish
}

case "${1:-}" in
  pull-manifests) pull_manifests ;;
  pull-head) pull_head ;;
  pull-files) pull_files ;;
  push) push ;;
  delete) delete ;;
  *) fail setup "usage: s3-transfer.sh pull-manifests|pull-head|pull-files|push|delete" ;;
esac
