#!/usr/bin/env bash
# In-cluster restore: runs the steps of a plan made with
# `npm run --silent restore -- plan --catalog <dir> --to <target> --json` against the target
# replica set, as the restore user: unpack the base dump, merge its oplog with the slices, then
# ONE mongorestore call (backup/restore/planner.ts says why one). The plan comes from a ConfigMap
# the SRE creates (docs/backups.md); the plan's own argv is not run (it names the planning
# machine's paths): the steps are rebuilt from its base, slices and oplogLimit, each file checked
# against this catalog's manifests and the checksums the plan recorded.
# Phases (with s3 storage they run in separate containers and the artifacts are pulled between):
#   select  check the plan against the catalog: $BACKUP_WORK/restore-steps, $BACKUP_WORK/needed
#   run     sizes and checksums of every artifact first; then the target (target-facts.js): a mongos
#           is refused (mongorestore replays through applyOps, which mongos does not serve), and so
#           is a target holding documents unless `drop` (replaying into data from another moment
#           mixes both); then
#             unpack  the base (a dir-tar+gzip full dump) into the scratch volume (lib.sh unpack_base),
#                     and set its users and roles aside: listed, never restored (set_aside_users)
#             merge   its own oplog, then every slice entry after the base's lastTs and before the
#                     plan's exclusive limit, as one gzipped file (replay-oplog.js, oplog-merge.js),
#                     without the entries that change users or roles
#             restore ONE mongorestore --dir=<unpacked>/dump --gzip --oplogReplay --oplogFile=<merged>
#                     --oplogLimit --stopOnError (lib.sh replay_args; --drop when asked), so a
#                     transaction or index change that spans slices is replayed whole and the
#                     restore user logs in once. A schemaVersion 1 base (an archive) is one
#                     --archive call without slices (catalog.js restoreSteps refuses slices with it).
#   all     both (pvc storage)
# Environment: lib.sh's, plus
#   RESTORE_PLAN_DIR   the ConfigMap: plan.json; optional `target` (mongorestore --host, e.g.
#                      rs0/h1:27017,h2:27017; default: this replica set, in place) and `drop` ("true")
#   RESTORE_USER_DIR   the temporary restore user's Secret (username restore-<random>, password),
#                      created by the restore-user Job for this restore; the user drops itself
#                      when the run ends, success or failure (drop_restore_user)
#   RESTORE_PARALLEL_COLLECTIONS, RESTORE_INSERTION_WORKERS   (default 4 and 4)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

phase="${1:-all}"
init_job restore read-only
steps_file="$BACKUP_WORK/restore-steps"
plan_dir="${RESTORE_PLAN_DIR:-}"

# report_users <target>: the users the restored data holds. A directory dump's were set aside and
# listed before the restore (lib.sh set_aside_users): not restored, the target keeps its own. An
# archive's were restored by mongorestore: listed from the target now; the reconcile Job drops those
# the project does not manage (docs/runbooks/restore.md). A listing that fails is a warning: the
# restore itself stands.
report_users() {
  local next="run the reconcile Job now: it resets the managed users and drops every other user and role"
  step_begin
  if [[ -n "${USERS_KV:-}" ]]; then
    read_kv <(tr ' ' '\n' <<<"$USERS_KV")
    ok users users="${KV[users]:-0}" found="${KV[found]:-}" restored=no next="the dump's users were set aside, not restored: the target keeps its own; $next"
  elif TARGET="$1" run_js restored-users.js "$BACKUP_WORK/tmp/users.out"; then
    read_kv "$BACKUP_WORK/tmp/users.out"
    ok users users="${KV[count]:-0}" found="${KV[found]:-}" restored=yes next="$next"
  else
    log users warning "durationMs=$(step_ms)" error="cannot list the users in the restored data: $JS_ERROR"
  fi
}

select_artifacts() {
  local out="$BACKUP_WORK/tmp/restore-plan.out"
  step_begin
  [[ -n "$plan_dir" && -f "$plan_dir/plan.json" ]] ||
    fail plan "no restore plan: create the ConfigMap with plan.json first (docs/backups.md, \"Restore\")"
  PLAN_FILE="$plan_dir/plan.json" CATALOG_DIR="$CATALOG" run_js restore-plan.js "$out" || fail plan "the plan does not fit this catalog: $JS_ERROR"
  read_kv "$out"
  need_kv plan oplogLimit
  collect_steps "$out" "$steps_file"
  ok plan oplogLimit="${KV[oplogLimit]}" steps="$(wc -l <"$steps_file")"
}

# drop_restore_user: the exit hook once the temporary user's credentials are in use: the user drops
# itself, whether the restore succeeded or not (drop-restore-user.js). A failure is logged; the
# reconcile Job drops it at its expiry anyway.
drop_restore_user() {
  local out="$BACKUP_WORK/tmp/drop-user.out"
  if TARGET="$RESTORE_TARGET" run_js drop-restore-user.js "$out"; then
    read_kv "$out"
    log restore-user ok dropped="${KV[dropped]:-}"
  else
    log restore-user warning error="cannot drop the temporary restore user (the reconcile Job drops it at its expiry): $JS_ERROR"
  fi
}

run_restore() {
  local target drop=() op file _sha _bytes limit _manifest format total base="" base_format="" plan_limit=""
  require_env RESTORE_USER_DIR
  [[ -r "$RESTORE_USER_DIR/username" ]] ||
    fail credentials "no temporary restore user in $RESTORE_USER_DIR: generate its Secret and run the restore-user Job first (docs/runbooks/restore.md, 6C); nothing was restored"
  target="$BACKUP_REPLSET/${BACKUP_MEMBERS:-}"
  if [[ -f "$plan_dir/target" ]]; then target="$(<"$plan_dir/target")"; fi
  [[ "$target" != *@* ]] || fail setup "the target must not hold credentials; the restore user comes from its Secret"
  prepare_credentials "$RESTORE_USER_DIR"
  RESTORE_TARGET="$target"
  EXIT_HOOKS+=(drop_restore_user)
  if [[ -f "$plan_dir/drop" && "$(<"$plan_dir/drop")" == true ]]; then drop=(--drop); fi
  total="$(wc -l <"$steps_file")"
  check_artifacts "$steps_file" "; nothing was restored"
  step_begin
  TARGET="$target" run_js target-facts.js "$BACKUP_WORK/tmp/target.out" || fail target "cannot check the target $target before restoring: $JS_ERROR; nothing was restored"
  read_kv "$BACKUP_WORK/tmp/target.out"
  need_kv target mongos
  if [[ "${KV[mongos]}" == 1 ]]; then
    fail target "$target is a mongos: mongorestore --oplogReplay replays through applyOps, which mongos does not serve; name the replica set's members; nothing was restored"
  fi
  if [[ -n "${KV[withData]:-}" && ${#drop[@]} -eq 0 ]]; then
    fail target "$target already holds documents (${KV[withData]}): replaying the oplog into data from another moment mixes both; restore into an empty replica set or set drop to true in the ConfigMap; nothing was restored"
  fi
  ok target target="$target" drop="${drop:+true}"
  # (read clears its variables at the end of the file: what a line says is kept apart.)
  while read -r _ op file _sha _bytes limit _manifest format; do
    case "$op" in
      unpack | archive) base="$file" base_format="$format" plan_limit="$limit" ;;
      oplog) ;;
      *) fail plan "unexpected step $op in a restore" ;;
    esac
  done <"$steps_file"
  [[ -n "$base" && -n "$plan_limit" ]] || fail plan "the plan has no base dump or no oplogLimit; nothing was restored"
  # An archive's users cannot be set aside: with --drop they would replace every user, the
  # temporary restore user included, before the replay (planner.ts refuses it the same way).
  if [[ "$base_format" != dir-tar+gzip && ${#drop[@]} -gt 0 ]]; then
    fail plan "$base is a schemaVersion 1 archive: its users and roles cannot be set aside, and restored with drop they replace every user, the temporary restore user included; restore it without drop into an empty replica set; nothing was restored"
  fi
  limit="$plan_limit"
  tool_connection "$target"
  local extra=("${drop[@]}" --numParallelCollections="${RESTORE_PARALLEL_COLLECTIONS:-4}" --numInsertionWorkersPerCollection="${RESTORE_INSERTION_WORKERS:-4}")
  replay_base "$steps_file" "$base" "$base_format" "$limit" "$BACKUP_WORK/restore" "$limit" "" "; nothing was restored" "${extra[@]}"
  step_begin
  log restore started steps="$total" file="$base" oplogLimit="$limit" target="$target"
  run_mongorestore "$base" "$base" "; the target holds a partial restore: rerun with drop set to true" "${TOOL_CONN[@]}" "${REPLAY_ARGS[@]}"
  ok restore file="$base" oplogLimit="$limit"
  rm -rf -- "$BACKUP_WORK/restore"
  report_users "$target"
  log finished ok steps="$total" oplogLimit="$limit" target="$target"
}

case "$phase" in
  select) select_artifacts ;;
  run) run_restore ;;
  all)
    select_artifacts
    run_restore
    ;;
  *) fail setup "unknown phase $phase (select, run or all)" ;;
esac
