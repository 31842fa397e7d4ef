#!/usr/bin/env bash
# Retention for one replica set's catalog: the pruner (backup/retention/pruner.ts, embedded at
# synth time) decides; this script deletes, each manifest before its artifact, so a crash in
# between leaves an unnamed artifact (collected later as a leftover), never a manifest whose
# artifact is gone. With s3 storage the deletions are queued for the upload container, which
# runs them after every upload of this job has succeeded.
# Environment: lib.sh's, plus
#   BACKUP_PRUNER                     the pruner module (default: pruner.js beside the mongosh scripts)
#   RETENTION_DAILY, RETENTION_WEEKLY the policy (config.backup.retention)
#   LEFTOVER_MIN_AGE_SECONDS          partial files younger than this belong to a running job
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

init_job prune
require_env RETENTION_DAILY RETENTION_WEEKLY
export BACKUP_PRUNER="${BACKUP_PRUNER:-$BACKUP_MONGOSH_DIR/pruner.js}"

# An incremental S3 pull (a slice job's) holds only the catalog head: retention decides from the
# whole catalog, so it never runs on one (with S3 the prune job prunes, after a complete pull).
if [[ -e "$CATALOG/.partial" ]]; then
  log prune info "message=skipped: this job pulled the catalog head, not every manifest; the prune job prunes after a complete pull"
  exit 0
fi

decisions="$BACKUP_WORK/tmp/prune.out"
CATALOG_DIR="$CATALOG" run_js prune.js "$decisions" || fail prune "the pruner failed; nothing was deleted: $JS_ERROR"
read_kv "$decisions"
need_kv prune kept deleted

removed=0
while read -r verb rel rest; do
  case "$verb" in
    reason) log prune decision "manifest=$rel" "reason=$rest" ;;
    delete)
      [[ "$rel" != *..* && "$rel" != /* ]] || fail prune "refusing to delete $rel: not inside the catalog"
      remove "$rel"
      removed=$((removed + 1))
      ;;
    delete-stage)
      # A killed full dump's staging directory (pvc only: with s3 it lived on the pod's scratch).
      [[ "$rel" =~ ^full/\.[A-Za-z0-9._-]+\.stage$ ]] || fail prune "refusing to delete $rel: not a staging directory"
      [[ "$BACKUP_STORAGE" != pvc ]] || rm -rf -- "${CATALOG:?}/$rel"
      ;;
  esac
done <"$decisions"
ok prune kept="${KV[kept]}" deleted="${KV[deleted]}" files="$removed"
