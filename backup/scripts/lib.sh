# Shared by the backup pod scripts (sourced, not run). The official mongo image has bash,
# coreutils, gzip, mongosh and the database tools; nothing else is assumed.
#
# Environment (set by the CronJobs, stacks/constructs/backup/):
#   BACKUP_REPLSET      replica set name
#   BACKUP_MEMBERS      comma-separated host:port of its data members
#   BACKUP_DATABASE     the application database (document counts)
#   BACKUP_USER_DIR     the mounted backup-user Secret (files `username`, `password`)
#   BACKUP_STORAGE      pvc | s3
#   BACKUP_ROOT         pvc: the claim's mount; the catalog is $BACKUP_ROOT/$BACKUP_REPLSET
#   BACKUP_WORK         the scratch volume, shared by the pod's containers, bounded (partial files
#                       of s3 jobs, a verify mongod); never credentials
#   CREDENTIALS_DIR     this container's own memory-backed volume, which no other container mounts:
#                       the database tools' config file (prepare_credentials), removed on exit
#   BACKUP_DEFER_EXIT   1: record the exit code for the s3 upload container that runs next and
#                       exit 0, so what was saved is still uploaded (s3 only)
#   NYRKIO_TLS_CA_FILE  set when clients use TLS (config/tls.ts tlsClientEnv): the CA file every
#                       connection to the database verifies the server with
#
# Every step writes one JSON line to stdout: {"time", "job", "replicaSet", "step", "status",
# "durationMs", ...}; a failure is a line with "status":"failed" and an "error".
# Layout of a catalog (docs/backups.md): full/<stamp>.dump.tar (schemaVersion 1: <stamp>.archive.gz), oplog/<prev>_<last>.bson.gz,
# each with <name>.manifest.json beside it, and status/<kind>.json. Files are written as
# .<name>.part and renamed when complete; a manifest is published after its artifact.

# shellcheck shell=bash

BACKUP_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BACKUP_MONGOSH_DIR="${BACKUP_MONGOSH_DIR:-$(cd "$BACKUP_SCRIPTS_DIR/../mongosh" && pwd)}"

# Exit codes (docs/backups.md).
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly EXIT_FAILED=1 EXIT_CHAIN_BREAK=3 EXIT_VERIFY_MISMATCH=4 EXIT_LAGGING=5

JOB="${JOB:-backup}"
PARTS=()
# Functions run on exit before the partial files go (a verify job stops its mongod).
EXIT_HOOKS=()
declare -A KV=()
JS_ERROR=""
STEP_STARTED=0

now_ms() {
  date -u +%s%3N
}

json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037'
}

# Fields written as JSON numbers; every other field is a string.
is_numeric_field() {
  case "$1" in
    durationMs | bytes | entries | exitCode | users | collections | checked | mismatches | deleted | kept | slices | commitLagSeconds | recoveryPointLagSeconds | maxRecoveryPointLagSeconds | mongorestoreExitCode | documentsFailed | steps | files | step | of | manifests | fullDumpExitCode | fromBase | fromSlices | skippedAtOrBeforeBase) return 0 ;;
    *) return 1 ;;
  esac
}

# log <step> <status> [key=value ...]: one JSON line on stdout.
log() {
  local step="$1" status="$2" kv key value line
  shift 2
  line="{\"time\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\",\"job\":\"$(json_escape "$JOB")\",\"replicaSet\":\"$(json_escape "${BACKUP_REPLSET:-}")\""
  line+=",\"step\":\"$(json_escape "$step")\",\"status\":\"$(json_escape "$status")\""
  for kv in "$@"; do
    key="${kv%%=*}"
    value="${kv#*=}"
    if is_numeric_field "$key" && [[ "$value" =~ ^(0|-?[1-9][0-9]*)$ ]]; then
      line+=",\"$key\":$value"
    else
      line+=",\"$key\":\"$(json_escape "$value")\""
    fi
  done
  printf '%s}\n' "$line"
}

step_begin() {
  STEP_STARTED="$(now_ms)"
}

step_ms() {
  echo $(($(now_ms) - STEP_STARTED))
}

# ok <step> [key=value ...]: the step that began with step_begin succeeded.
ok() {
  local step="$1"
  shift
  log "$step" ok "durationMs=$(step_ms)" "$@"
}

# fail <step> <message> [key=value ...]: logs the failure and exits (EXIT_CODE, default 1).
fail() {
  local step="$1" message="$2"
  shift 2
  local code="${EXIT_CODE:-$EXIT_FAILED}"
  log "$step" failed "durationMs=$(step_ms)" "error=$message" "exitCode=$code" "$@"
  exit "$code"
}

# fail_code <exit code> <step> <message> [key=value ...]
fail_code() {
  EXIT_CODE="$1"
  shift
  fail "$@"
}

require_env() {
  local name
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || fail_code "$EXIT_FAILED" setup "$name is not set"
  done
}

# Partial files are removed on any exit: nothing half-written survives a failed job.
remove_parts() {
  local part
  for part in "${PARTS[@]}"; do
    [[ -n "$part" ]] && rm -f -- "$part"
  done
  PARTS=()
}

on_exit() {
  local code=$? hook
  for hook in "${EXIT_HOOKS[@]}"; do
    "$hook" || true
  done
  remove_parts
  if [[ "${BACKUP_DEFER_EXIT:-0}" == 1 && -n "${OUTBOX:-}" ]]; then
    mkdir -p "$OUTBOX"
    echo "$code" >"$OUTBOX/.exit-code"
    exit 0
  fi
  exit "$code"
}

# init_job <name> [read-only]: checks the environment, lays out the directories, arms the exit
# trap. A read-only job (restore, catalog export: the claim is mounted read-only) creates nothing
# in the catalog.
#   CATALOG  where manifests are read (pvc: the claim; s3: the manifests pulled before this step)
#   OUT      where new files are published (pvc: the catalog itself; s3: the outbox to upload)
init_job() {
  JOB="$1"
  local read_only="${2:-}"
  step_begin
  require_env BACKUP_REPLSET BACKUP_STORAGE BACKUP_WORK
  case "$BACKUP_STORAGE" in
    pvc)
      require_env BACKUP_ROOT
      CATALOG="$BACKUP_ROOT/$BACKUP_REPLSET"
      OUT="$CATALOG"
      OUTBOX=""
      ;;
    s3)
      CATALOG="$BACKUP_WORK/catalog"
      OUTBOX="$BACKUP_WORK/outbox"
      OUT="$OUTBOX"
      ;;
    *) fail setup "BACKUP_STORAGE must be pvc or s3, got $BACKUP_STORAGE" ;;
  esac
  mkdir -p "$BACKUP_WORK/tmp"
  if [[ "$read_only" != read-only ]]; then mkdir -p "$CATALOG" "$OUT/full" "$OUT/oplog" "$OUT/status"; fi
  if [[ "$BACKUP_STORAGE" == s3 && ("$JOB" == full || "$JOB" == oplog) ]]; then
    load_catalog_head
    # Every slice and full-dump run leaves the head for the next slice run (issue 10 item 8).
    EXIT_HOOKS+=(write_catalog_head)
  fi
  trap on_exit EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
}

# The database tools' TLS flags (config/tls.ts toolsTlsArgs: mongo-tools spells TLS --ssl and
# --sslCAFile, common/options/options.go SSL; the chain and host name are verified unless a flag
# turns the check off, and none here does: test/security/insecure-tls-options.test.ts). Set by
# prepare_credentials, the step of every job that connects to the database; a verify job's
# scratch mongod on 127.0.0.1 is local, started without TLS, and gets none.
TOOLS_TLS=()
# Every mongodump and mongorestore of the scripts goes through these, so no call site can leave
# TLS out.
mongodump() { command mongodump "${TOOLS_TLS[@]}" "$@"; }
mongorestore() { command mongorestore "${TOOLS_TLS[@]}" "$@"; }

# prepare_credentials <secret dir>: writes the database tools' config file (`password:` only)
# from the mounted Secret, mode 0600, into this container's own CREDENTIALS_DIR (never the shared
# scratch volume, which other containers, the S3 client's among them, mount), so the password
# never appears in argv, the environment or another container. Removed when the script exits.
# Sets TOOLS_CONFIG and DB_USER.
prepare_credentials() {
  local dir="$1" password
  [[ -n "$dir" && -r "$dir/username" && -r "$dir/password" ]] || fail credentials "no readable username and password in ${dir:-(no directory given)}"
  [[ -n "${CREDENTIALS_DIR:-}" && -d "$CREDENTIALS_DIR" && -w "$CREDENTIALS_DIR" ]] || fail credentials "CREDENTIALS_DIR (the container's own credentials volume) is not a writable directory"
  # shellcheck disable=SC2034 # used by the scripts that source this file
  DB_USER="$(<"$dir/username")"
  password="$(<"$dir/password")"
  [[ "$password" != *$'\n'* ]] || fail credentials "the password in $dir must be a single line"
  TOOLS_CONFIG="$CREDENTIALS_DIR/mongo-tools.yaml"
  EXIT_HOOKS+=(remove_credentials)
  TOOLS_TLS=()
  if [[ -n "${NYRKIO_TLS_CA_FILE:-}" ]]; then
    [[ -r "$NYRKIO_TLS_CA_FILE" ]] || fail credentials "NYRKIO_TLS_CA_FILE names $NYRKIO_TLS_CA_FILE, which is not readable: the CA volume is missing"
    TOOLS_TLS=(--ssl "--sslCAFile=$NYRKIO_TLS_CA_FILE")
  fi
  (
    umask 077
    # printf is a builtin: the password is not passed to any process.
    printf "password: '%s'\n" "${password//\'/\'\'}" >"$TOOLS_CONFIG"
  )
}

# remove_credentials: the exit hook of prepare_credentials.
remove_credentials() {
  rm -f "${TOOLS_CONFIG:-}"
}

# run_js <script> <stdout-file>: runs a mongosh script (no connection of mongosh's own: the
# scripts open theirs). Its stderr is relayed; on failure JS_ERROR holds its last lines.
run_js() {
  local script="$1" out="$2" err="$BACKUP_WORK/tmp/mongosh.err"
  JS_ERROR=""
  if mongosh --nodb --quiet --norc "$BACKUP_MONGOSH_DIR/$script" >"$out" 2>"$err"; then
    cat "$err" >&2
    return 0
  fi
  cat "$err" >&2
  JS_ERROR="$(tail -n 3 "$err" | tr '\n' ' ')"
  JS_ERROR="${JS_ERROR:-$script failed}"
  return 1
}

# read_kv <file>: its `key=value` lines into KV.
read_kv() {
  local key value
  KV=()
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[A-Za-z][A-Za-z0-9]*$ ]] && KV["$key"]="$value"
  done <"$1"
  return 0
}

# need_kv <step> <key>...: fails the step unless the last script printed every key.
need_kv() {
  local step="$1" key
  shift
  for key in "$@"; do
    [[ -n "${KV[$key]:-}" ]] || fail "$step" "the script output has no $key"
  done
}

# new_part <dir relative to OUT> <final name>: sets PART to a partial file beside its final place
# (so the rename is atomic), removed on exit unless published. (A variable, not output: a command
# substitution would register the file in a subshell.)
new_part() {
  PART="$OUT/$1/.$2.part"
  PARTS+=("$PART")
}

forget_part() {
  local part="$1" i
  for i in "${!PARTS[@]}"; do
    [[ "${PARTS[$i]}" == "$part" ]] && PARTS[i]=""
  done
  return 0
}

# publish <part> <path relative to OUT>: moves a complete file into place. pvc: flushed, renamed,
# directory flushed. s3: moved into the outbox and queued for upload in publish order (manifests
# are also copied into the pulled catalog, so later steps see them).
publish() {
  local part="$1" rel="$2"
  sync -- "$part" 2>/dev/null || true
  mv -f -- "$part" "$OUT/$rel"
  forget_part "$part"
  sync -- "$(dirname "$OUT/$rel")" 2>/dev/null || true
  if [[ "$BACKUP_STORAGE" == s3 ]]; then
    printf '%s\n' "$rel" >>"$OUTBOX/.upload-order"
    if [[ "$rel" == *manifest.json ]]; then
      mkdir -p "$(dirname "$CATALOG/$rel")"
      cp -- "$OUT/$rel" "$CATALOG/$rel"
    fi
  fi
}

# remove <path relative to the catalog>: pvc: deleted now; s3: queued for deletion after upload.
remove() {
  local rel="$1"
  if [[ "$BACKUP_STORAGE" == s3 ]]; then
    printf '%s\n' "$rel" >>"$OUTBOX/.delete"
    rm -f -- "$CATALOG/$rel"
  else
    rm -f -- "$CATALOG/$rel"
  fi
}

# write_status <kind> [manifest] [detail]: status/<kind>.json, the newest success of this job.
write_status() {
  local kind="$1" manifest="${2:-}" detail="${3:-}" part
  new_part status "$kind.json"
  part="$PART"
  STATUS_OUT="$part" STATUS_KIND="$kind" STATUS_REPLSET="$BACKUP_REPLSET" STATUS_MANIFEST="$manifest" STATUS_DETAIL="$detail" \
    run_js write-status.js /dev/null || fail status "cannot write status/$kind.json: $JS_ERROR"
  publish "$part" "status/$kind.json"
}

# facts_of <host or empty>: source-facts.js's answer in KV.
facts_of() {
  local out="$BACKUP_WORK/tmp/facts.out"
  FACTS_HOST="$1" run_js source-facts.js "$out" || fail facts "cannot read the replica set's oplog facts: $JS_ERROR"
  read_kv "$out"
}

# pick_source: the member to read from (a secondary when one answers) and its oplog facts.
pick_source() {
  facts_of ""
}

# member_facts <host>: the oplog facts of that member (a job re-checks its source after a dump).
member_facts() {
  facts_of "$1"
}

file_bytes() {
  stat -c %s -- "$1"
}

file_sha256() {
  local sum
  sum="$(sha256sum -- "$1")"
  printf '%s' "${sum%% *}"
}

# collect_steps <plan output> <steps file>: the plan's `step ...` lines into <steps file>, and the
# artifacts they name (not the `check` lines) into $BACKUP_WORK/needed, which an S3 pull reads.
# Every step line must have exactly the eight fields catalog.js stepLines writes, each name
# matching the catalog's name rule (backup/manifest.ts SAFE_CATALOG_PATH) without "." or ".."
# segments: a name with a space or newline must never split into fields or lines of its own.
STEP_NAME='[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*'
STEP_LINE="^step (unpack|archive|oplog|tail|check) ($STEP_NAME) [0-9a-f]{64} [0-9]+ ([0-9]+:[0-9]+|-) ($STEP_NAME) [a-z+-]+\$"
collect_steps() {
  local line op file manifest
  : >"$2"
  : >"$BACKUP_WORK/needed"
  while IFS= read -r line; do
    [[ "$line" == "step "* ]] || continue
    [[ "$line" =~ $STEP_LINE ]] || fail plan "a step line of the plan is malformed (a name outside ${STEP_NAME}?): $(printf '%q' "$line")"
    file="${BASH_REMATCH[2]}" manifest="${BASH_REMATCH[5]}"
    [[ "/$file/$manifest/" != */../* && "/$file/$manifest/" != */./* ]] || fail plan "a step line names a . or .. segment: $(printf '%q' "$line")"
    printf '%s\n' "$line" >>"$2"
    read -r _ op file _ <<<"$line"
    [[ "$op" == check ]] || printf '%s\n' "$file" >>"$BACKUP_WORK/needed"
  done <"$1"
}

# check_artifacts <steps file> <note>: every artifact a plan's step lines name exists with the
# bytes and sha256 of its manifest, checked before anything is restored; `check` lines name no
# artifact. <note> ends each failure line (what state the failure leaves).
check_artifacts() {
  local steps="$1" note="$2" _step op file sha bytes _limit _manifest _format actual total=0
  step_begin
  while read -r _step op file sha bytes _limit _manifest _format; do
    [[ "$op" == check ]] && continue
    [[ -f "$CATALOG/$file" ]] || fail checksums "$file is missing$note"
    actual="$(file_bytes "$CATALOG/$file")"
    [[ "$actual" == "$bytes" ]] || fail checksums "$file has $actual bytes, its manifest says $bytes$note"
    actual="$(file_sha256 "$CATALOG/$file")"
    [[ "$actual" == "$sha" ]] || fail checksums "$file has sha256 $actual, its manifest says $sha$note"
    total=$((total + bytes))
  done <"$steps"
  ok checksums bytes="$total"
}

tool_version() {
  local line
  line="$("$1" --version 2>/dev/null | head -n 1)" || true
  printf '%s' "${line##* }"
}

# The pod name's random suffix keeps names of two dumps in the same second apart.
instance_suffix() {
  local host="${HOSTNAME:-}"
  if [[ -n "$host" ]]; then printf '%s' "${host##*-}"; else printf '%s' "$$"; fi
}

# read_flags <manifest format>: READ_FLAGS, how mongorestore reads an artifact of that format
# (docs/backup-format.md): --gzip for "archive+gzip" and "bson+gzip", nothing for "archive" and
# "bson". (A variable, not output: a failure inside a command substitution would not stop the job.)
# shellcheck disable=SC2034 # READ_FLAGS is used by the scripts that source this file
read_flags() {
  case "$1" in
    dir-tar+gzip | archive+gzip | bson+gzip) READ_FLAGS=(--gzip) ;;
    archive | bson) READ_FLAGS=() ;;
    *) fail restore "unknown artifact format ${1:-(none)} in the plan's step lines" ;;
  esac
}

# unpack_base <artifact> <into>: unpacks a "dir-tar+gzip" full dump (docs/backup-format.md):
# <into>/dump, the directory mongodump wrote, and <into>/oplog.bson.gz, the dump's own oplog kept
# out of it (mongorestore refuses --oplogFile beside a top-level oplog.bson: mongo-tools
# mongorestore/mongorestore.go Restore). GNU tar is in the official mongo image (its Dockerfile
# runs tar in its own build on ubuntu:noble); it drops leading "/" and ".." members.
unpack_base() {
  local artifact="$1" into="$2"
  rm -rf -- "$into"
  mkdir -p -- "$into"
  tar -x --no-same-owner -f "$artifact" -C "$into" || fail unpack "cannot unpack $artifact (see tar's message above)"
  [[ -d "$into/dump" && -f "$into/oplog.bson.gz" ]] || fail unpack "$artifact holds no dump/ directory and oplog.bson.gz: not a dir-tar+gzip full dump"
  [[ ! -e "$into/dump/oplog.bson" ]] || fail unpack "$artifact holds dump/oplog.bson: mongorestore would refuse --oplogFile beside it"
}

# tool_connection <host>: TOOL_CONN, the connection flags of every mongodump and mongorestore
# call of the jobs (the user from prepare_credentials, its password in the --config file, never
# argv). The one place the tools' connection is spelled: TLS flags (config/tls.ts toolsTlsArgs)
# belong here.
# shellcheck disable=SC2034 # TOOL_CONN is used by the scripts that source this file
tool_connection() {
  TOOL_CONN=(--host="$1" --authenticationDatabase=admin --username="$DB_USER" --config="$TOOLS_CONFIG")
}

# replay_args <dump flag> <format> <oplog file or -> <oplogLimit> [extra flag...]: REPLAY_ARGS, the one
# mongorestore call's flags after the connection's, in the order backup/restore/tool-args.ts
# mongorestoreReplayArgv writes them: the dump (--dir=..., or a schemaVersion 1 --archive=...),
# --gzip when the manifest's format says so (read_flags; it covers the merged oplog too),
# --oplogReplay, the merged --oplogFile (never with --archive: mongorestore
# refuses it), the exclusive --oplogLimit, --stopOnError (without it mongorestore exits 0 over
# failed documents: mongorestore/main/mongorestore.go), then the extra flags (--drop, parallelism).
# shellcheck disable=SC2034 # REPLAY_ARGS is used by the scripts that source this file
replay_args() {
  local dump="$1" format="$2" oplog="$3" limit="$4"
  shift 4
  [[ "$oplog" == - || "$dump" != --archive=* ]] || fail restore "refusing --oplogFile with --archive: mongorestore refuses it"
  read_flags "$format"
  REPLAY_ARGS=("$dump" "${READ_FLAGS[@]}" --oplogReplay)
  [[ "$oplog" == - ]] || REPLAY_ARGS+=(--oplogFile="$oplog")
  REPLAY_ARGS+=(--oplogLimit="$limit" --stopOnError "$@")
}

# replay_base <steps file> <base> <format> <limit> <work dir> <merge limit> <merge tail> <note> [extra flag...]:
# the one mongorestore call of a restore and of a verification (backup/restore/planner.ts says why
# one), up to REPLAY_ARGS: a "dir-tar+gzip" base is unpacked into <work dir>/base (unpack_base), its
# own oplog and every slice entry after its lastTs merged into <work dir>/replay-oplog.bson.gz
# (replay-oplog.js: MERGE_LIMIT is the exclusive limit to merge up to, "-" for none; MERGE_TAIL=1
# reads the slices past the limit too), then REPLAY_ARGS; a schemaVersion 1 base (an --archive)
# replays its own oplog only. <note> ends each failure line (what state the failure leaves).
replay_base() {
  local steps="$1" base="$2" format="$3" limit="$4" work="$5" merge_limit="$6" merge_tail="$7" note="$8" unpacked merged
  shift 8
  if [[ "$format" != dir-tar+gzip ]]; then
    replay_args --archive="$CATALOG/$base" "$format" - "$limit" "$@"
    return 0
  fi
  unpacked="$work/base"
  merged="$work/replay-oplog.bson.gz"
  step_begin
  log unpack started file="$base"
  unpack_base "$CATALOG/$base" "$unpacked"
  ok unpack file="$base" bytes="$(du -sb -- "$unpacked" | cut -f1)"
  set_aside_users "$unpacked/dump" "$work/users-and-roles"
  step_begin
  STEPS_FILE="$steps" CATALOG_DIR="$CATALOG" BASE_OPLOG="$unpacked/oplog.bson.gz" MERGE_LIMIT="$merge_limit" MERGE_TAIL="$merge_tail" MERGE_OUT="$merged" \
    run_js replay-oplog.js "$BACKUP_WORK/tmp/merge.out" || fail merge "cannot merge the oplog: $JS_ERROR$note"
  read_kv "$BACKUP_WORK/tmp/merge.out"
  need_kv merge entries
  ok merge entries="${KV[entries]}" fromBase="${KV[fromBase]:-0}" fromSlices="${KV[fromSlices]:-0}" skippedAtOrBeforeBase="${KV[skippedAtOrBeforeBase]:-0}" skippedUsersAndRoles="${KV[skippedUsersAndRoles]:-0}" lastTs="${KV[lastTs]:-}" oplogLimit="$limit"
  replay_args --dir="$unpacked/dump" "$format" "$merged" "$limit" "$@"
}

# set_aside_users <dump dir> <aside dir>: before the mongorestore call, the dump's users and roles
# are moved out of the directory it reads and listed (restored-users.js, dump-authz.js): with
# --drop mongorestore's _mergeAuthzCollections would otherwise remove every user the dump does not
# hold, the restoring user included, before the oplog replay (mongo-tools mongorestore.go Restore,
# metadata.go RestoreUsersOrRoles; the server's _processUsers). The target keeps its own users and
# roles; the restore and its verification alike. USERS_KV holds the listing for the report.
# shellcheck disable=SC2034 # USERS_KV is read by restore.sh's report
set_aside_users() {
  step_begin
  DUMP_DIR="$1" AUTHZ_ASIDE="$2" run_js restored-users.js "$BACKUP_WORK/tmp/users.out" ||
    fail users "cannot set the dump's users and roles aside: $JS_ERROR; nothing was restored"
  read_kv "$BACKUP_WORK/tmp/users.out"
  need_kv users count
  USERS_KV="users=${KV[count]} found=${KV[found]:-} setAside=${KV[setAside]:-}"
  ok users-set-aside users="${KV[count]}" setAside="${KV[setAside]:-}"
}

# run_mongorestore <file> <what> <note> <args>...: the one mongorestore call, its lines passed to
# stderr as they come; a failure (a non-zero exit, or "N document(s) failed to restore" with N > 0:
# mongorestore/main/mongorestore.go exits 0 over failed documents without --stopOnError) fails the
# job naming <what>, mongorestore's own last error line and <note>.
run_mongorestore() {
  local file="$1" what="$2" note="$3" out="$BACKUP_WORK/tmp/mongorestore.out" rc=0 failed why
  shift 3
  mongorestore "$@" 2>&1 | tee "$out" >&2 || rc=$?
  failed="$(sed -n 's/.* \([0-9][0-9]*\) document(s) failed to restore.*/\1/p' "$out" | tail -n 1)"
  why="$(grep -E 'Failed:|[Ee]rror' "$out" | tail -n 1 || true)"
  if ((rc != 0)) || [[ -n "$failed" && "$failed" != 0 ]]; then
    fail restore "mongorestore of $what failed: ${why:-mongorestore exited with code $rc}$note" \
      file="$file" "mongorestoreExitCode=$rc" "documentsFailed=${failed:-0}"
  fi
}

ts_seconds() {
  printf '%s' "${1%%:*}"
}

# confirm_dumps <host> [last ts] [last term]: majority confirmation (confirm-dumps.js,
# backup/majority.ts). Publishes a write-once `<name>.confirmed.json` beside every unconfirmed dump
# of the catalog whose end <host>'s committed snapshot has passed in the same term, and sets
# DUMP_MAJORITY to the verdict on a dump given by its last ts and term (not yet published; empty
# without one). Never fails the job: a dump that cannot be confirmed now stays unconfirmed (it bases
# no chain, and monitoring alerts on it) until a later run confirms it.
# shellcheck disable=SC2034 # DUMP_MAJORITY and DUMP_MAJORITY_STATE are used by full-dump.sh
confirm_dumps() {
  local host="$1" last="${2:-}" term="${3:-}" out="$BACKUP_WORK/tmp/confirm.out" dir="$BACKUP_WORK/tmp/confirm"
  local _verb path state record reason part rel confirmed=0
  DUMP_MAJORITY=""
  DUMP_MAJORITY_STATE=""
  # Nothing to ask (no dump of its own, no unconfirmed manifest in the catalog): no mongosh at all.
  if [[ -z "$last" ]] && ! grep -rlqsE --include='*manifest.json' '"majorityCommit": *"unconfirmed"' "$CATALOG"; then return 0; fi
  step_begin
  rm -rf -- "$dir"
  mkdir -p "$dir"
  if ! FACTS_HOST="$host" CATALOG_DIR="$CATALOG" DUMP_LAST_TS="$last" DUMP_LAST_TERM="$term" CONFIRM_DIR="$dir" run_js confirm-dumps.js "$out"; then
    log majority warning "durationMs=$(step_ms)" "message=cannot ask $host for its majority commit point; unconfirmed dumps stay unconfirmed: $JS_ERROR"
    [[ -z "$last" ]] || DUMP_MAJORITY=unconfirmed
    return 0
  fi
  while read -r _verb path state record reason; do
    [[ "$_verb" == verdict ]] || continue
    if [[ "$path" == - ]]; then
      DUMP_MAJORITY_STATE="$state"
      DUMP_MAJORITY="$([[ "$state" == confirmed ]] && echo confirmed || echo unconfirmed)"
      [[ "$state" == confirmed ]] || log majority warning "state=$state" "message=this dump is unconfirmed: $reason"
      continue
    fi
    if [[ "$state" == confirmed && "$record" =~ ^[0-9]+$ ]]; then
      rel="$(dirname "$path")/$(basename "$path" .manifest.json).confirmed.json"
      new_part "$(dirname "$path")" "$(basename "$rel")"
      part="$PART"
      mv -f -- "$dir/$record.json" "$part"
      publish "$part" "$rel"
      # The pulled catalog sees it too (publish copies only manifests there).
      [[ "$BACKUP_STORAGE" != s3 ]] || cp -- "$OUT/$rel" "$CATALOG/$rel"
      confirmed=$((confirmed + 1))
      log majority info "manifest=$path" "message=confirmed: $reason"
    else
      log majority warning "manifest=$path" "state=$state" "message=still unconfirmed: $reason"
    fi
  done <"$out"
  ok majority files="$confirmed"
}

# load_catalog_head: with S3, when the pull brought status/catalog-head instead of every manifest
# (s3-transfer.sh pull-head), writes the head's manifests and spans into the pulled catalog
# (catalog-head.js load). Once per pod: a full dump a chain break starts in the same pod finds it done.
load_catalog_head() {
  local head="$BACKUP_WORK/catalog-head" out="$BACKUP_WORK/tmp/catalog-head.out"
  [[ -f "$head" && ! -e "$CATALOG/.partial" ]] || return 0
  HEAD_MODE=load HEAD_FILE="$head" CATALOG_DIR="$CATALOG" run_js catalog-head.js "$out" || fail catalog-head "cannot read the catalog head pulled from status/catalog-head: $JS_ERROR"
  read_kv "$out"
  log catalog-head ok "durationMs=$(step_ms)" "manifests=${KV[entries]:-0}" "message=incremental: the head's manifests, ${KV[spans]:-0} chain span(s) and the keys listed after it"
}

# write_catalog_head: status/catalog-head from the catalog as this job leaves it (catalog-head.js
# write), published last, so the outbox uploads it after everything it describes. An exit hook:
# it never exits itself; a failure is a warning (the next run then pulls every manifest).
write_catalog_head() {
  local part out="$BACKUP_WORK/tmp/catalog-head.out"
  [[ -d "$CATALOG" && -d "$OUT/status" ]] || return 0
  # Only when the catalog changed (this job published something), or when a slice job pulled
  # every manifest (no head yet): otherwise the head on the bucket is still right.
  [[ -s "$OUTBOX/.upload-order" || ("$JOB" == oplog && ! -e "$CATALOG/.partial") ]] || return 0
  PART=""
  new_part status catalog-head
  part="$PART"
  if HEAD_MODE=write CATALOG_DIR="$CATALOG" STATUS_OUT="$part" run_js catalog-head.js "$out"; then
    publish "$part" status/catalog-head
  else
    log catalog-head warning "message=no status/catalog-head written; the next slice run lists every manifest: $JS_ERROR"
    return 1
  fi
}
