#!/usr/bin/env bash
# Verification: restores the newest full dump and the slices that continue it into a throwaway
# mongod inside this pod, the way a restore does (lib.sh replay_base and run_mongorestore, the
# path restore.sh runs: unpack, merge the oplog, ONE mongorestore call, backup/restore/planner.ts),
# with access control on and as a restore user holding the real restore user's role, up to the
# newest point of the chain with recorded counts, and compares document counts per collection with
# the counts recorded at backup time for that point (a manifest's `counts`, as of its lastTs; the
# live source no longer holds that point). The slices after that point are merged too (read, in
# order, continuing the chain) but not applied: that would take a second mongorestore process.
# Fails loudly (exit 4) when counts differ, and (exit 3) when the chain from the newest full dump
# does not reach the newest slice.
# Phases (with s3 storage they run in separate containers and the artifacts are pulled between):
#   select  what to restore (verify-plan.js): $BACKUP_WORK/verify-steps, and $BACKUP_WORK/needed,
#           the artifact paths to pull
#   run     checksums of every artifact first; then
#             mongod  on 127.0.0.1, its dbpath in the scratch volume, configured as the members
#                     are (verify-mongod.conf, generated from mongod-config.ts: the wire
#                     compressors, security.authorization) with a keyfile made now in this
#                     container's memory-backed CREDENTIALS_DIR (0400, as mongod demands); a
#                     standalone: mongorestore --oplogReplay applies entries with applyOps, which
#                     needs no replica set
#             users   through the localhost exception, a bootstrap admin (user administration
#                     only), then as it the restore role (VERIFY_RESTORE_ROLE: nyrkioRestore,
#                     anyAction on anyResource, as replicaset/users.ts restoreRole) and a restore
#                     user holding only that role (verify-users.js), random passwords in files in
#                     CREDENTIALS_DIR
#             restore unpack, merge, one mongorestore as that restore user (--authenticationDatabase
#                     admin, the password in a --config file) with the checkpoint's limit
#             compare the counts, read as the restore user; the remaining slices merged (read) too
#   all     both (pvc storage)
# Environment: lib.sh's, plus CREDENTIALS_DIR (this container's own memory-backed volume),
# VERIFY_RESTORE_ROLE (JSON, the restore role's definition), VERIFY_MONGOD_CONF (default
# verify-mongod.conf beside this script), VERIFY_PORT (default 27018), VERIFY_START_SECONDS
# (default 120).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

phase="${1:-all}"
init_job verify
port="${VERIFY_PORT:-27018}"
scratch="$BACKUP_WORK/scratch"
plan_out="$BACKUP_WORK/verify-plan.out"
steps_file="$BACKUP_WORK/verify-steps"
mongod_pid=""
target_uri="mongodb://127.0.0.1:$port/?directConnection=true"

select_artifacts() {
  step_begin
  CATALOG_DIR="$CATALOG" run_js verify-plan.js "$plan_out" || fail select "nothing to verify: $JS_ERROR"
  read_kv "$plan_out"
  need_kv select full checkpoint end
  collect_steps "$plan_out" "$steps_file"
  ok select full="${KV[full]}" checkpoint="${KV[checkpoint]}" end="${KV[end]}" slices="${KV[slices]:-0}"
}

stop_mongod() {
  if [[ -n "$mongod_pid" ]]; then
    kill "$mongod_pid" 2>/dev/null || true
    wait "$mongod_pid" 2>/dev/null || true
    mongod_pid=""
  fi
}

# secret_file <path> <bytes>: random base64 text, readable by this user only (written under
# umask 077; printf and the pipe's ends never put it in argv). CREDENTIALS_DIR is a tmpfs.
secret_file() {
  (
    umask 077
    head -c "$2" /dev/urandom | base64 -w 0 | tr -d '\n' >"$1"
  )
}

# remove_scratch_credentials: the exit hook once the keyfile and the scratch users exist.
remove_scratch_credentials() {
  rm -rf -- "${CREDENTIALS_DIR:?}/verify"
}

start_mongod() {
  local polls=0 limit="${VERIFY_START_SECONDS:-120}" conf="${VERIFY_MONGOD_CONF:-$here/verify-mongod.conf}" keyfile
  step_begin
  [[ -n "${CREDENTIALS_DIR:-}" && -d "$CREDENTIALS_DIR" && -w "$CREDENTIALS_DIR" ]] || fail mongod "CREDENTIALS_DIR (the container's own credentials volume) is not a writable directory"
  [[ -r "$conf" ]] || fail mongod "no mongod configuration at $conf"
  rm -rf -- "$scratch" "$CREDENTIALS_DIR/verify"
  mkdir -p "$scratch/db" "$scratch/empty"
  mkdir -m 700 -- "$CREDENTIALS_DIR/verify"
  EXIT_HOOKS+=(stop_mongod remove_scratch_credentials)
  # The keyfile: 756 random bytes are 1008 base64 characters (mongod takes 6 to 1024 base64
  # characters, and refuses a file group or others may read: "permissions on ... are too open",
  # src/mongo/db/auth/security_file.cpp readSecurityFile). A keyFile turns authorization on, as on
  # the members; the conf file says security.authorization: enabled too.
  keyfile="$CREDENTIALS_DIR/verify/keyfile"
  secret_file "$keyfile" 756
  chmod 0400 -- "$keyfile"
  # The conf (mongod-config.ts verifyMongodConf): net.bindIp 127.0.0.1, the members' wire
  # compressors without zlib (CVE-2025-14847), security.authorization, a small cache. No TLS, on
  # purpose: this mongod listens on 127.0.0.1 inside this pod only, holds a copy of data the job
  # already read from the catalog, and lives as long as the job; nothing crosses the network.
  # Its clients below (mongosh, mongorestore) connect without TLS: prepare_credentials sets the
  # tools' TLS flags only from NYRKIO_TLS_CA_FILE, which this container does not get.
  mongod --config "$conf" --dbpath "$scratch/db" --port "$port" --unixSocketPrefix "$scratch" \
    --keyFile "$keyfile" --logpath "$scratch/mongod.log" &
  mongod_pid=$!
  # ping needs no authentication (CmdPing requiresAuth() is false, src/mongo/db/commands/generic.cpp).
  until mongosh --quiet --norc "$target_uri" --eval 'db.adminCommand({ ping: 1 }).ok' >/dev/null 2>&1; do
    if ! kill -0 "$mongod_pid" 2>/dev/null; then
      mongod_pid=""
      fail mongod "the throwaway mongod exited: $(tail -n 2 "$scratch/mongod.log" 2>/dev/null | tr '\n' ' ')"
    fi
    ((polls < limit * 4)) || fail mongod "the throwaway mongod did not answer within ${limit}s"
    sleep 0.25
    polls=$((polls + 1))
  done
  ok mongod port="$port" authorization=enabled
}

# create_users: the bootstrap admin through the localhost exception, then the restore role and the
# restore user (verify-users.js); VERIFY_RESTORE_DIR holds the restore user's username and password.
create_users() {
  local dir="$CREDENTIALS_DIR/verify" out="$BACKUP_WORK/tmp/verify-users.out"
  step_begin
  require_env VERIFY_RESTORE_ROLE
  mkdir -m 700 -- "$dir/admin" "$dir/restore"
  printf 'verify-admin' >"$dir/admin/username"
  secret_file "$dir/admin/password" 24
  # A name the dump never holds. replay_base sets the dump's users and roles aside before
  # mongorestore (lib.sh set_aside_users), as a restore does, so this user is the only one there.
  printf 'verify-restore-%s' "$(instance_suffix)" >"$dir/restore/username"
  secret_file "$dir/restore/password" 24
  VERIFY_RESTORE_DIR="$dir/restore"
  TARGET_URI="$target_uri" VERIFY_ADMIN_DIR="$dir/admin" VERIFY_RESTORE_DIR="$VERIFY_RESTORE_DIR" \
    run_js verify-users.js "$out" || fail users "cannot create the restore user on the throwaway mongod: $JS_ERROR"
  read_kv "$out"
  need_kv users admin role restoreUser
  ok users admin="${KV[admin]}" role="${KV[role]}" restoreUser="${KV[restoreUser]}"
}

check_counts() {
  local manifest="$1" out="$BACKUP_WORK/tmp/compare.out" details line
  step_begin
  TARGET_URI="$target_uri" TARGET_USER_DIR="$VERIFY_RESTORE_DIR" EXPECTED_MANIFEST="$CATALOG/$manifest" \
    run_js compare-counts.js "$out" || fail compare "cannot count the restored documents: $JS_ERROR"
  read_kv "$out"
  need_kv compare checked mismatches
  if [[ "${KV[mismatches]}" != 0 ]]; then
    details=""
    while read -r line; do
      [[ "$line" == mismatch=* ]] && details+="${line#mismatch=} "
    done <"$out"
    fail_code "$EXIT_VERIFY_MISMATCH" compare "restored document counts differ from those recorded at backup time for $manifest: $details" \
      checked="${KV[checked]}" mismatches="${KV[mismatches]}" manifest="$manifest"
  fi
  ok compare checked="${KV[checked]}" mismatches=0 manifest="$manifest"
}

restore_artifacts() {
  local _step op file _sha _bytes limit manifest format base="" base_format="" check="" restore_limit=""
  while read -r _step op file _sha _bytes limit manifest format; do
    case "$op" in
      unpack | archive) base="$file" base_format="$format" restore_limit="$limit" ;;
      oplog | tail) ;;
      check) check="$manifest" ;;
      *) fail restore "unknown step $op" ;;
    esac
  done <"$steps_file"
  [[ -n "$base" && -n "$check" ]] || fail restore "the verification plan has no base or no count check"
  # Every slice of the chain, the ones after the checkpoint too (merge limit "-", MERGE_TAIL): each
  # is read and must continue the merge in order; mongorestore's limit keeps what is applied at the
  # checkpoint.
  replay_base "$steps_file" "$base" "$base_format" "$restore_limit" "$scratch" - 1 ""
  # As the restore user, as a restore logs in (lib.sh tool_connection: --authenticationDatabase=admin,
  # the password in a --config file in CREDENTIALS_DIR).
  prepare_credentials "$VERIFY_RESTORE_DIR"
  tool_connection "127.0.0.1:$port"
  step_begin
  log restore started file="$base" oplogLimit="$restore_limit" user="$DB_USER"
  run_mongorestore "$base" "$base and its oplog up to $restore_limit" "" "${TOOL_CONN[@]}" "${REPLAY_ARGS[@]}"
  ok restore file="$base" oplogLimit="$restore_limit" user="$DB_USER"
  check_counts "$check"
}

run_verification() {
  read_kv "$plan_out"
  local gap="${KV[gap]:-}" checkpoint="${KV[checkpoint]}" end="${KV[end]}"
  check_artifacts "$steps_file" ""
  start_mongod
  create_users
  restore_artifacts
  stop_mongod
  if [[ -n "$gap" ]]; then
    step_begin
    fail_code "$EXIT_CHAIN_BREAK" chain "$gap"
  fi
  write_status verify "$CATALOG/$checkpoint" "restored to $end; counts matched at $checkpoint"
  log finished ok checkpoint="$checkpoint" end="$end"
}

case "$phase" in
  select) select_artifacts ;;
  run) run_verification ;;
  all)
    select_artifacts
    run_verification
    ;;
  *) fail setup "unknown phase $phase (select, run or all)" ;;
esac
