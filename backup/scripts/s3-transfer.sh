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
#                   manifest), then runs the queued deletions (each manifest before its artifact)
#                   once every upload succeeded, then exits with the exit code the work container
#                   recorded: a failed backup still uploads what it saved and still fails
# Environment:
#   BACKUP_REPLSET, BACKUP_WORK
#   S3_BUCKET, S3_PREFIX (may be empty), AWS_REGION, S3_ENDPOINT (optional, S3-compatible stores)
#   S3_CREDENTIALS_DIR  the mounted Secret with files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY;
#                       copied into a 0600 credentials file, never into argv or the environment
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

for name in BACKUP_REPLSET BACKUP_WORK S3_BUCKET S3_CREDENTIALS_DIR; do
  [[ -n "${!name:-}" ]] || fail setup "$name is not set"
done
catalog="$BACKUP_WORK/catalog"
outbox="$BACKUP_WORK/outbox"
url="s3://$S3_BUCKET/${S3_PREFIX:+${S3_PREFIX%/}/}$BACKUP_REPLSET"

started="$(now_ms)"
mkdir -p "$BACKUP_WORK/credentials" "$BACKUP_WORK/tmp" "$catalog"
chmod 700 "$BACKUP_WORK/credentials"
export AWS_SHARED_CREDENTIALS_FILE="$BACKUP_WORK/credentials/aws"
export AWS_CONFIG_FILE="$BACKUP_WORK/credentials/aws-config"
(
  umask 077
  key_id="$(<"$S3_CREDENTIALS_DIR/AWS_ACCESS_KEY_ID")"
  secret="$(<"$S3_CREDENTIALS_DIR/AWS_SECRET_ACCESS_KEY")"
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$secret" >"$AWS_SHARED_CREDENTIALS_FILE"
  : >"$AWS_CONFIG_FILE"
) || fail credentials "cannot read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from $S3_CREDENTIALS_DIR"

# s3 <cp|rm> <args...>: the aws CLI's s3 command (--only-show-errors belongs to the subcommand).
s3() {
  local command="$1"
  shift
  aws ${S3_ENDPOINT:+--endpoint-url="$S3_ENDPOINT"} s3 "$command" "$@" --only-show-errors
}

# s3api <operation> <args...>: the aws CLI's low-level S3 commands (no --only-show-errors there).
s3api() {
  aws ${S3_ENDPOINT:+--endpoint-url="$S3_ENDPOINT"} s3api "$@"
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

push() {
  local rel bytes=0 files=0 deleted=0 code
  if [[ -f "$outbox/.upload-order" ]]; then
    while IFS= read -r rel; do
      [[ -n "$rel" ]] || continue
      s3 cp "$outbox/$rel" "$url/$rel" || fail push "cannot upload $rel; later files were not uploaded and nothing was deleted"
      bytes=$((bytes + $(stat -c %s "$outbox/$rel")))
      files=$((files + 1))
    done <"$outbox/.upload-order"
  fi
  log push ok "durationMs=$(($(now_ms) - started))" "files=$files" "bytes=$bytes" "to=$url"
  if [[ -f "$outbox/.delete" ]]; then
    started="$(now_ms)"
    while IFS= read -r rel; do
      [[ -n "$rel" ]] || continue
      [[ "$rel" != *..* && "$rel" != /* ]] || fail delete "refusing the path $rel"
      s3 rm "$url/$rel" || fail delete "cannot delete $url/$rel"
      deleted=$((deleted + 1))
    done <"$outbox/.delete"
    log delete ok "durationMs=$(($(now_ms) - started))" "files=$deleted"
  fi
  code="$(cat "$outbox/.exit-code" 2>/dev/null || echo missing)"
  [[ "$code" =~ ^[0-9]+$ ]] || {
    log finished failed "error=the work container recorded no exit code" "exitCode=1"
    exit 1
  }
  exit "$code"
}

case "${1:-}" in
  pull-manifests) pull_manifests ;;
  pull-head) pull_head ;;
  pull-files) pull_files ;;
  push) push ;;
  *) fail setup "usage: s3-transfer.sh pull-manifests|pull-head|pull-files|push" ;;
esac
