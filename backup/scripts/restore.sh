#!/usr/bin/env bash
# In-cluster restore: runs the mongorestore calls of a plan made with
# `npm run --silent restore -- plan --catalog <dir> --to <target> --json` against the target
# replica set, as the restore user. The plan comes from a ConfigMap the SRE creates
# (docs/backups.md); the plan's own argv is not run (it names the planning machine's paths):
# the calls are rebuilt from its base, slices and oplogLimit, each file checked against this
# catalog's manifests and the checksums the plan recorded.
# Phases (with s3 storage they run in separate containers and the artifacts are pulled between):
#   select  check the plan against the catalog: $BACKUP_WORK/restore-steps, $BACKUP_WORK/needed
#   run     sizes and checksums of every artifact first; then the calls in order: the dump with
#           --oplogReplay (and --drop when asked), then one --oplogFile call per slice, each with
#           the plan's exclusive --oplogLimit and the parallel restore flags, and --gzip when
#           the manifest's format says the artifact is compressed (as the planner does)
#   all     both (pvc storage)
# Environment: lib.sh's, plus
#   RESTORE_PLAN_DIR   the ConfigMap: plan.json; optional `target` (mongorestore --host, e.g.
#                      rs0/h1:27017,h2:27017; default: this replica set, in place) and `drop` ("true")
#   RESTORE_USER_DIR   the restore user's Secret (username, password)
#   RESTORE_PARALLEL_COLLECTIONS, RESTORE_INSERTION_WORKERS   (default 4 and 4)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

phase="${1:-all}"
init_job restore read-only
steps_file="$BACKUP_WORK/restore-steps"
plan_dir="${RESTORE_PLAN_DIR:-}"

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

run_restore() {
  local target drop="" _step op file _sha bytes limit _manifest format n=0 total applied_limit=""
  require_env RESTORE_USER_DIR
  prepare_credentials "$RESTORE_USER_DIR"
  target="$BACKUP_REPLSET/${BACKUP_MEMBERS:-}"
  if [[ -f "$plan_dir/target" ]]; then target="$(<"$plan_dir/target")"; fi
  [[ "$target" != *@* ]] || fail setup "the target must not hold credentials; the restore user comes from its Secret"
  if [[ -f "$plan_dir/drop" && "$(<"$plan_dir/drop")" == true ]]; then drop="--drop"; fi
  total="$(wc -l <"$steps_file")"
  check_artifacts "$steps_file" "; nothing was restored"
  mkdir -p "$BACKUP_WORK/empty"
  local common=(--host="$target" --authenticationDatabase=admin --username="$DB_USER" --config="$TOOLS_CONFIG")
  local parallel=(--numParallelCollections="${RESTORE_PARALLEL_COLLECTIONS:-4}" --numInsertionWorkersPerCollection="${RESTORE_INSERTION_WORKERS:-4}")
  while read -r _step op file _sha bytes limit _manifest format; do
    n=$((n + 1))
    step_begin
    log restore started step="$n" of="$total" file="$file" bytes="$bytes" oplogLimit="$limit" target="$target"
    read_flags "$format"
    case "$op" in
      archive)
        # shellcheck disable=SC2086 # $drop is one flag or nothing
        mongorestore "${common[@]}" --archive="$CATALOG/$file" "${READ_FLAGS[@]}" --oplogReplay --oplogLimit="$limit" $drop "${parallel[@]}" ||
          fail restore "mongorestore of $file failed at step $n of $total; the target holds a partial restore" file="$file"
        ;;
      oplog)
        mongorestore "${common[@]}" --oplogReplay --oplogFile="$CATALOG/$file" "${READ_FLAGS[@]}" --oplogLimit="$limit" --dir="$BACKUP_WORK/empty" ||
          fail restore "replaying $file failed at step $n of $total; the target holds a partial restore" file="$file"
        ;;
      *) fail restore "unknown step $op" ;;
    esac
    ok restore step="$n" of="$total" file="$file" bytes="$bytes"
    applied_limit="$limit"
  done <"$steps_file"
  log finished ok steps="$total" oplogLimit="$applied_limit" target="$target"
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
