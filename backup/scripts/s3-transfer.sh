#!/usr/bin/env bash
# Moves backup files between the pod's scratch volume and the S3 bucket. Runs in the S3 client
# image (amazon/aws-cli: bash, coreutils and the aws CLI), beside the mongo containers that do the
# work, because the mongo image has no S3 client.
#   pull-manifests  every manifest under the replica set's prefix into $BACKUP_WORK/catalog
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
#   CREDENTIALS_DIR     this container's own memory-backed volume (no other container mounts it):
#                       the aws CLI's credentials file lives there, never on the shared scratch
#                       volume the mongo containers mount, and is removed on exit
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
    if [[ "${kv%%=*}" =~ ^(durationMs|bytes|files|exitCode)$ && "${kv#*=}" =~ ^(0|-?[1-9][0-9]*)$ ]]; then
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
mkdir -p "$catalog"
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

# s3 <cp|rm> <args...>: the aws CLI's s3 command (--only-show-errors belongs to the subcommand).
s3() {
  local command="$1"
  shift
  aws ${S3_ENDPOINT:+--endpoint-url="$S3_ENDPOINT"} s3 "$command" "$@" --only-show-errors
}

pull_manifests() {
  s3 cp "$url/" "$catalog/" --recursive --exclude '*' --include '*.manifest.json' --include '*/manifest.json' ||
    fail pull-manifests "cannot list or download the manifests under $url"
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
  pull-files) pull_files ;;
  push) push ;;
  *) fail setup "usage: s3-transfer.sh pull-manifests|pull-files|push" ;;
esac
