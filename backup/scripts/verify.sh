#!/usr/bin/env bash
# Verification: restores the newest full dump and the slices that continue it into a throwaway
# mongod inside this pod, the way a restore does (unpack, merge the oplog, ONE mongorestore call:
# backup/restore/planner.ts), up to the newest point of the chain with recorded counts, and
# compares document counts per collection with the counts recorded at backup time for that point
# (a manifest's `counts`, as of its lastTs; the live source no longer holds that point). The
# slices after that point are merged too (read, in order, continuing the chain) but not applied:
# that would take a second mongorestore process. Fails loudly (exit 4) when counts differ, and
# (exit 3) when the chain from the newest full dump does not reach the newest slice.
# Phases (with s3 storage they run in separate containers and the artifacts are pulled between):
#   select  what to restore (verify-plan.js): $BACKUP_WORK/verify-steps, and $BACKUP_WORK/needed,
#           the artifact paths to pull
#   run     checksums of every artifact first; mongod on 127.0.0.1 with its dbpath in the scratch
#           emptyDir (a standalone: mongorestore --oplogReplay applies entries with applyOps,
#           which needs no replica set); unpack, merge, one mongorestore with the checkpoint's
#           limit; the count check; the remaining slices merged (read) too
#   all     both (pvc storage)
# Environment: lib.sh's, plus VERIFY_PORT (default 27018), VERIFY_START_SECONDS (default 120).
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

start_mongod() {
  local polls=0 limit="${VERIFY_START_SECONDS:-120}"
  step_begin
  rm -rf -- "$scratch"
  mkdir -p "$scratch/db" "$scratch/empty"
  EXIT_HOOKS+=(stop_mongod)
  # Wire compressors without zlib, as on every server of the project (CVE-2025-14847; mongod-config.ts).
  # No TLS, on purpose: this mongod listens on 127.0.0.1 inside this pod only (--bind_ip), holds a
  # copy of data the job already read from the catalog, and lives as long as the job; nothing
  # crosses the network. Its clients below (mongosh, mongorestore, compare-counts.js) connect
  # without TLS, and prepare_credentials, which sets the tools' TLS flags, is never called here.
  mongod --dbpath "$scratch/db" --port "$port" --bind_ip 127.0.0.1 --unixSocketPrefix "$scratch" \
    --wiredTigerCacheSizeGB 0.25 --networkMessageCompressors snappy,zstd --logpath "$scratch/mongod.log" &
  mongod_pid=$!
  until mongosh --quiet --norc "mongodb://127.0.0.1:$port/?directConnection=true" --eval 'db.adminCommand({ ping: 1 }).ok' >/dev/null 2>&1; do
    if ! kill -0 "$mongod_pid" 2>/dev/null; then
      mongod_pid=""
      fail mongod "the throwaway mongod exited: $(tail -n 2 "$scratch/mongod.log" 2>/dev/null | tr '\n' ' ')"
    fi
    ((polls < limit * 4)) || fail mongod "the throwaway mongod did not answer within ${limit}s"
    sleep 0.25
    polls=$((polls + 1))
  done
  ok mongod port="$port"
}

check_counts() {
  local manifest="$1" out="$BACKUP_WORK/tmp/compare.out" details line
  step_begin
  TARGET_URI="mongodb://127.0.0.1:$port/?directConnection=true" EXPECTED_MANIFEST="$CATALOG/$manifest" \
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
  local _step op file _sha _bytes limit manifest format base="" base_format="" check="" restore_limit="" unpacked merged
  local target="127.0.0.1:$port"
  while read -r _step op file _sha _bytes limit manifest format; do
    case "$op" in
      unpack | archive) base="$file" base_format="$format" restore_limit="$limit" ;;
      oplog | tail) ;;
      check) check="$manifest" ;;
      *) fail restore "unknown step $op" ;;
    esac
  done <"$steps_file"
  [[ -n "$base" && -n "$check" ]] || fail restore "the verification plan has no base or no count check"
  if [[ "$base_format" == dir-tar+gzip ]]; then
    unpacked="$scratch/base"
    merged="$scratch/replay-oplog.bson.gz"
    step_begin
    unpack_base "$CATALOG/$base" "$unpacked"
    ok unpack file="$base"
    step_begin
    # Every slice of the chain, the ones after the checkpoint too (MERGE_TAIL): each is read and
    # must continue the merge in order; the limit keeps what is applied at the checkpoint.
    STEPS_FILE="$steps_file" CATALOG_DIR="$CATALOG" BASE_OPLOG="$unpacked/oplog.bson.gz" MERGE_LIMIT=- MERGE_TAIL=1 MERGE_OUT="$merged" \
      run_js replay-oplog.js "$BACKUP_WORK/tmp/merge.out" || fail merge "cannot merge the oplog: $JS_ERROR"
    read_kv "$BACKUP_WORK/tmp/merge.out"
    need_kv merge entries
    ok merge entries="${KV[entries]}" fromSlices="${KV[fromSlices]:-0}" lastTs="${KV[lastTs]:-}"
    replay_args --dir="$unpacked/dump" "$base_format" "$merged" "$restore_limit"
  else
    replay_args --archive="$CATALOG/$base" "$base_format" - "$restore_limit"
  fi
  step_begin
  mongorestore --host="$target" "${REPLAY_ARGS[@]}" || fail restore "mongorestore of $base and its oplog up to $restore_limit failed" file="$base"
  ok restore file="$base" oplogLimit="$restore_limit"
  check_counts "$check"
}

run_verification() {
  read_kv "$plan_out"
  local gap="${KV[gap]:-}" checkpoint="${KV[checkpoint]}" end="${KV[end]}"
  check_artifacts "$steps_file" ""
  start_mongod
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
