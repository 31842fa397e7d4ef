#!/usr/bin/env bash
# One oplog slice: the entries of local.oplog.rs after the end of the previous artifact and up to
# the majority commit point (entries past it can still be rolled back), gzipped, with a manifest
# whose prevTs is where it starts.
#   1. facts    pick the member; its oldest entry, commit point and newest applied write
#   1b. majority confirmation records for the full dumps the commit point has passed (confirm-dumps.js)
#   2. plan     where the slice starts (slice-plan.js, catalog.js sliceStart):
#               - no full dump yet: take one now (a chain starts with one; not a failure)
#               - chain broken (the oldest entry still in the oplog is newer than the end of the
#                 last saved slice): one "failed" log line, a full dump at once in this pod, and
#                 exit 3 whatever the dump's outcome
#   3. dump     mongodump -d local -c oplog.rs --queryFile {ts: {$gt: from, $lte: to}} | gzip
#   4. recheck  the oplog must still hold `from` after the dump (else it rolled over meanwhile:
#               the slice may miss entries, so it is discarded and the chain is broken)
#   5. window   first/last entry read from the slice itself
#   6. counts   document counts at its lastTs, when due (BACKUP_COUNTS_EVERY_SECONDS)
#   7. publish  the slice, then its manifest
#   8. recovery point  status/recovery-point.json (recovery-point.js): how far the newest restorable
#               point trails the set's newest write; every run writes it, whatever it saved
# Exits 5 after saving when the commit point lags the newest write OF THE WHOLE SET (not the
# chosen member's own) by more than BACKUP_MAX_COMMIT_LAG_SECONDS: what is not majority-committed
# cannot be saved, so the restore window falls behind (in a PSA set, a data-bearing member is
# down); and when the recovery point trails it by more than three slice intervals.
# Environment: lib.sh's, plus BACKUP_COUNTS_EVERY_SECONDS, BACKUP_MAX_COMMIT_LAG_SECONDS,
# BACKUP_SLICE_INTERVAL_SECONDS, BACKUP_PRUNER (default pruner.js beside the mongosh scripts) and
# full-dump.sh's (for a chain break).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

init_job oplog
require_env BACKUP_MEMBERS BACKUP_DATABASE BACKUP_USER_DIR
prepare_credentials "$BACKUP_USER_DIR"
max_lag="${BACKUP_MAX_COMMIT_LAG_SECONDS:-900}"
export BACKUP_PRUNER="${BACKUP_PRUNER:-$BACKUP_MONGOSH_DIR/pruner.js}"
ok setup storage="$BACKUP_STORAGE"

# ts_le <a> <b>: a <= b for <seconds>:<ordinal> timestamps.
ts_le() {
  local at="${1%%:*}" ai="${1##*:}" bt="${2%%:*}" bi="${2##*:}"
  ((at < bt || (at == bt && ai <= bi)))
}

# The loud failure: one line saying what was lost, a full dump at once to begin a new chain
# (in this pod: no API access needed), then exit 3 whatever the dump's outcome.
chain_broken() {
  local message="$1" rc=0
  remove_parts
  log chain failed "error=$message" "exitCode=$EXIT_CHAIN_BREAK" "action=full dump started in this job to begin a new chain"
  BACKUP_DEFER_EXIT=0 bash "$here/full-dump.sh" || rc=$?
  log chain "$([[ $rc == 0 ]] && echo restarted || echo failed)" "fullDumpExitCode=$rc" "exitCode=$EXIT_CHAIN_BREAK"
  exit "$EXIT_CHAIN_BREAK"
}

check_commit_lag() {
  local lag="$1"
  if ((lag > max_lag)); then
    step_begin
    fail_code "$EXIT_LAGGING" commit-point "the majority commit point is ${lag}s behind the newest write on $source_host: entries after it cannot be saved yet, so the restore window falls behind (is a data-bearing member down?)" "commitLagSeconds=$lag"
  fi
}

# record_recovery_point: status/recovery-point.json, then a loud failure (exit 5) when the newest
# restorable point trails the set's newest write by more than three slice intervals.
record_recovery_point() {
  local out="$BACKUP_WORK/tmp/recovery-point.out" part
  step_begin
  new_part status recovery-point.json
  part="${PART:?new_part sets PART}"
  STATUS_OUT="$part" CATALOG_DIR="$CATALOG" OPLOG_SET_NEWEST="$set_newest" BACKUP_SLICE_INTERVAL_SECONDS="${BACKUP_SLICE_INTERVAL_SECONDS:-300}" \
    run_js recovery-point.js "$out" || fail recovery-point "cannot work out the recovery point: $JS_ERROR"
  publish "$part" "status/recovery-point.json"
  read_kv "$out"
  need_kv recovery-point restorableUntil lagSeconds maxLagSeconds exceeded
  if [[ "${KV[exceeded]}" == 1 ]]; then
    fail_code "$EXIT_LAGGING" recovery-point "the newest restorable point (${KV[restorableUntil]}) trails the newest write of the set ($set_newest) by ${KV[lagSeconds]}s, more than three slice intervals (${KV[maxLagSeconds]}s): a restore now would lose that much" \
      "recoveryPointLagSeconds=${KV[lagSeconds]}" "maxRecoveryPointLagSeconds=${KV[maxLagSeconds]}"
  fi
  ok recovery-point restorableUntil="${KV[restorableUntil]}" "recoveryPointLagSeconds=${KV[lagSeconds]}"
}

step_begin
pick_source
need_kv facts source role oldest majority applied setNewest replicaSetId
source_host="${KV[source]}"
set_newest="${KV[setNewest]}"
replica_set_id="${KV[replicaSetId]}"
ok facts source="$source_host" role="${KV[role]}" oldest="${KV[oldest]}" majority="${KV[majority]}" applied="${KV[applied]}" setNewest="$set_newest"
oldest="${KV[oldest]}" majority="${KV[majority]}" applied="${KV[applied]}"

# Confirm the full dumps the majority commit point has passed since (issue 10 item 5), before the
# recovery point is measured from the chain bases.
confirm_dumps "$source_host"

step_begin
plan_out="$BACKUP_WORK/tmp/slice-plan.out"
CATALOG_DIR="$CATALOG" OPLOG_OLDEST="$oldest" OPLOG_MAJORITY="$majority" OPLOG_APPLIED="$applied" OPLOG_SET_NEWEST="$set_newest" OPLOG_REPLSET_ID="$replica_set_id" \
  run_js slice-plan.js "$plan_out" || fail plan "cannot plan the slice from the catalog: $JS_ERROR"
read_kv "$plan_out"
need_kv plan action to countsAfter commitLagSeconds
action="${KV[action]}"
from="${KV[from]:-}"
to="${KV[to]}"
chain_break="${KV[chainBreak]:-}"
counts_after="${KV[countsAfter]}"
commit_lag="${KV[commitLagSeconds]}"
ok plan action="$action" from="$from" to="$to" commitLagSeconds="$commit_lag"

case "$action" in
  full)
    [[ -z "$chain_break" ]] || chain_broken "$chain_break"
    log plan info "message=${KV[reason]:-a full dump is needed}; taking it now"
    BACKUP_DEFER_EXIT=0 bash "$here/full-dump.sh"
    exit 0
    ;;
  none)
    log slice ok "message=nothing committed after $from yet"
    check_commit_lag "$commit_lag"
    record_recovery_point
    exit 0
    ;;
  slice) ;;
  *) fail plan "unknown action $action" ;;
esac

step_begin
query="$BACKUP_WORK/tmp/slice-query.json"
# shellcheck disable=SC2016 # $gt, $lte and $timestamp are MongoDB operators, not shell expansions
printf '{"ts":{"$gt":{"$timestamp":{"t":%s,"i":%s}},"$lte":{"$timestamp":{"t":%s,"i":%s}}}}\n' \
  "${from%%:*}" "${from##*:}" "${to%%:*}" "${to##*:}" >"$query"
new_part oplog "slice-$(instance_suffix).bson.gz"
slice="$PART"
tool_connection "$source_host"
if ! mongodump "${TOOL_CONN[@]}" \
  --readPreference=secondaryPreferred --db=local --collection=oplog.rs --queryFile="$query" --out=- | gzip -c >"$slice"; then
  fail dump "mongodump of the oplog failed (see its messages above); nothing was saved" source="$source_host" from="$from" to="$to"
fi
bytes="$(file_bytes "$slice")"
ok dump bytes="$bytes" from="$from" to="$to"

step_begin
member_facts "$source_host"
need_kv recheck oldest
if ! ts_le "${KV[oldest]}" "$from"; then
  chain_broken "chain broken: the oplog of $source_host rolled over to ${KV[oldest]} while the slice after $from was being saved; the entries in between are lost"
fi
ok recheck oldest="${KV[oldest]}"

step_begin
window_out="$BACKUP_WORK/tmp/window.out"
ARTIFACT="$slice" ARTIFACT_KIND=oplog run_js describe-artifact.js "$window_out" || fail window "cannot read the slice back: $JS_ERROR"
read_kv "$window_out"
need_kv window entries
entries="${KV[entries]}"
if [[ "$entries" == 0 ]]; then
  remove_parts
  ok window entries=0 "message=no entries after $from up to $to"
  check_commit_lag "$commit_lag"
  record_recovery_point
  exit 0
fi
need_kv window firstTs lastTs
first_ts="${KV[firstTs]}"
last_ts="${KV[lastTs]}"
if ts_le "$first_ts" "$from" || ! ts_le "$last_ts" "$to"; then
  fail window "the slice holds $first_ts..$last_ts, outside the bounds ($from, $to] it was asked for"
fi
ok window firstTs="$first_ts" lastTs="$last_ts" entries="$entries"

step_begin
sha256="$(file_sha256 "$slice")"
ok checksum sha256="$sha256" bytes="$bytes"

counts_file=""
if (($(ts_seconds "$last_ts") >= counts_after)); then
  step_begin
  counts="$BACKUP_WORK/tmp/counts.json"
  rm -f -- "$counts"
  if BACKUP_SOURCE="$source_host" COUNTS_TS="$last_ts" COUNTS_OUT="$counts" run_js snapshot-counts.js "$BACKUP_WORK/tmp/counts.out"; then
    read_kv "$BACKUP_WORK/tmp/counts.out"
    counts_file="$counts"
    ok counts at="$last_ts" collections="${KV[collections]:-0}"
  else
    log counts warning "durationMs=$(step_ms)" "message=no document counts recorded for this slice: $JS_ERROR"
  fi
fi

step_begin
name="${from/:/-}_${last_ts/:/-}"
new_part oplog "$name.manifest.json"
manifest="$PART"
M_OUT="$manifest" M_KIND=oplog M_FILE="$name.bson.gz" M_BYTES="$bytes" M_SHA256="$sha256" M_REPLSET="$BACKUP_REPLSET" M_REPLSET_ID="$replica_set_id" \
  M_FIRST="$first_ts" M_LAST="$last_ts" M_PREV="$from" M_ENTRIES="$entries" M_CREATED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  M_COUNTS="$counts_file" M_TOOLS="mongodump=$(tool_version mongodump)" \
  run_js write-manifest.js /dev/null || fail manifest "cannot write the manifest: $JS_ERROR"
publish "$slice" "oplog/$name.bson.gz"
publish "$manifest" "oplog/$name.manifest.json"
ok publish file="oplog/$name.bson.gz" bytes="$bytes" prevTs="$from" lastTs="$last_ts" entries="$entries"
write_status oplog "$OUT/oplog/$name.manifest.json"

if [[ -n "$chain_break" ]]; then
  # The newest full dump begins the new chain: no new dump is needed, but restore points were lost.
  step_begin
  fail_code "$EXIT_CHAIN_BREAK" chain "$chain_break"
fi
check_commit_lag "$commit_lag"
record_recovery_point
log finished ok file="oplog/$name.bson.gz" lastTs="$last_ts"
