#!/usr/bin/env bash
# Full dump of one replica set: `mongodump --oplog --gzip --out` (a directory dump) from a
# secondary (the primary only when no secondary answers), packed into one tar with one checksum
# (format "dir-tar+gzip", manifest schemaVersion 2: docs/backup-format.md), then its manifest,
# then retention. A directory dump, not --archive: a restore replays the dump and every slice in
# ONE mongorestore process with --oplogFile, which mongorestore refuses beside --archive
# (mongo-tools mongorestore/mongorestore.go ParseAndValidateOptions).
#   1. facts     pick the member (source-facts.js)
#   2. dump      mongodump into full/.<name>.stage/dump (beside the final file, on the same
#                volume); credentials from a --config file, never argv. Its own oplog, which
#                mongodump writes as dump/oplog.bson (gzipped with --gzip: mongodump/prepare.go
#                CreateOplogIntents, oplog_dump.go), moves to .stage/oplog.bson.gz: mongorestore
#                refuses --oplogFile when the dump directory has a top-level oplog.bson
#                (mongorestore/mongorestore.go Restore, GetOplogConflict)
#   3. window    firstTs/lastTs read from that oplog (oplog-window.js): the exact point the dump
#                restores to, which no query before or after the dump can give, and lastTerm
#   3b. majority confirmed when the source's committed snapshot has passed lastTs in the same
#                term (confirm-dumps.js); otherwise the manifest says "unconfirmed", and older
#                unconfirmed dumps the commit point has now passed get their confirmation records
#   4. pack      tar of dump/ and oplog.bson.gz (--remove-files: the staged copy goes as it is
#                packed); GNU tar is in the official mongo image (docker-library/mongo
#                8.0/Dockerfile runs tar in its own build, on ubuntu:noble where tar is Essential)
#   5. checksum  sha256 and bytes of the tar
#   6. counts    document counts at lastTs with a snapshot read (best effort: a dump that ran
#                past the member's snapshot history still counts as a good dump)
#   7. publish   the archive, then its manifest (a manifest always describes a whole artifact)
#   8. prune     retention (prune.sh), when BACKUP_PRUNE=1
# Any failure before publish leaves neither a dump nor a manifest (the stage directory goes on exit).
# Environment: lib.sh's, plus BACKUP_PRUNE and prune.sh's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

init_job full
require_env BACKUP_MEMBERS BACKUP_DATABASE BACKUP_USER_DIR
prepare_credentials "$BACKUP_USER_DIR"
ok setup storage="$BACKUP_STORAGE"

step_begin
pick_source
need_kv facts source role replicaSetId
source_host="${KV[source]}"
replica_set_id="${KV[replicaSetId]}"
ok facts source="$source_host" role="${KV[role]}"
if [[ "${KV[role]}" != secondary ]]; then
  log facts warning "message=no secondary answered: dumping from the primary $source_host"
fi

step_begin
name="$(date -u +%Y%m%dT%H%M%SZ)-$(instance_suffix)"
stage="$OUT/full/.$name.stage"
remove_stage() {
  rm -rf -- "$stage"
}
EXIT_HOOKS+=(remove_stage)
rm -rf -- "$stage"
mkdir -p -- "$stage"
tool_connection "$source_host"
if ! mongodump "${TOOL_CONN[@]}" \
  --readPreference=secondaryPreferred --oplog --gzip --out="$stage/dump"; then
  fail dump "mongodump failed (see its messages above); nothing was saved" source="$source_host"
fi
[[ -f "$stage/dump/oplog.bson" ]] || fail dump "mongodump wrote no oplog.bson (was --oplog ignored?); nothing was saved" source="$source_host"
mv -- "$stage/dump/oplog.bson" "$stage/oplog.bson.gz"
ok dump bytes="$(du -sb -- "$stage" | cut -f1)" source="$source_host"

step_begin
window_out="$BACKUP_WORK/tmp/window.out"
ARTIFACT="$stage/oplog.bson.gz" ARTIFACT_KIND=oplog run_js describe-artifact.js "$window_out" || fail window "cannot read the oplog window of the dump: $JS_ERROR"
read_kv "$window_out"
need_kv window firstTs lastTs entries
first_ts="${KV[firstTs]}"
last_ts="${KV[lastTs]}"
last_term="${KV[lastTerm]:-}"
ok window firstTs="$first_ts" lastTs="$last_ts" entries="${KV[entries]}" lastTerm="$last_term"

# Issue 10 item 5: the dump bases a chain only once the majority commit point has passed its lastTs
# in the same term; until a later job writes full/<name>.confirmed.json it is "unconfirmed".
confirm_dumps "$source_host" "$last_ts" "$last_term"
# A secondary's committed snapshot trails its own newest entry by moments: ask again for a while
# (BACKUP_CONFIRM_WAIT_SECONDS, default 60) rather than leave a healthy set's dump unconfirmed
# until the next job (a day, without slices).
confirm_waited=0
while [[ "$DUMP_MAJORITY_STATE" == pending ]] && ((confirm_waited < ${BACKUP_CONFIRM_WAIT_SECONDS:-60})); do
  sleep "${BACKUP_CONFIRM_POLL_SECONDS:-5}"
  confirm_waited=$((confirm_waited + ${BACKUP_CONFIRM_POLL_SECONDS:-5}))
  confirm_dumps "$source_host" "$last_ts" "$last_term"
done

step_begin
new_part full "$name.dump.tar"
archive="$PART"
tar -c --remove-files -f "$archive" -C "$stage" dump oplog.bson.gz || fail pack "cannot pack the dump into one file (see tar's message above); nothing was saved"
bytes="$(file_bytes "$archive")"
ok pack bytes="$bytes"

step_begin
sha256="$(file_sha256 "$archive")"
ok checksum sha256="$sha256" bytes="$bytes"

step_begin
counts="$BACKUP_WORK/tmp/counts.json"
rm -f -- "$counts"
if BACKUP_SOURCE="$source_host" COUNTS_TS="$last_ts" COUNTS_OUT="$counts" run_js snapshot-counts.js "$BACKUP_WORK/tmp/counts.out"; then
  read_kv "$BACKUP_WORK/tmp/counts.out"
  ok counts at="$last_ts" collections="${KV[collections]:-0}"
else
  rm -f -- "$counts"
  log counts warning "durationMs=$(step_ms)" "message=no document counts recorded for this dump: $JS_ERROR"
fi

step_begin
counts_file=""
if [[ -s "$counts" ]]; then counts_file="$counts"; fi
new_part full "$name.manifest.json"
manifest="$PART"
M_OUT="$manifest" M_KIND=full M_FILE="$name.dump.tar" M_BYTES="$bytes" M_SHA256="$sha256" M_REPLSET="$BACKUP_REPLSET" M_REPLSET_ID="$replica_set_id" \
  M_FIRST="$first_ts" M_LAST="$last_ts" M_LAST_TERM="$last_term" M_MAJORITY_COMMIT="${DUMP_MAJORITY:-unconfirmed}" M_CREATED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  M_COUNTS="$counts_file" M_TOOLS="mongodump=$(tool_version mongodump)" M_BALANCER_WINDOW="${BALANCER_WINDOW:-}" \
  run_js write-manifest.js /dev/null || fail manifest "cannot write the manifest: $JS_ERROR"
publish "$archive" "full/$name.dump.tar"
publish "$manifest" "full/$name.manifest.json"
ok publish file="full/$name.dump.tar" bytes="$bytes" lastTs="$last_ts"
write_status full "$OUT/full/$name.manifest.json"

if [[ "${BACKUP_PRUNE:-0}" == 1 ]]; then
  # Its own exit code matters here: a deferred exit would read as success.
  BACKUP_DEFER_EXIT=0 bash "$here/prune.sh"
fi
log finished ok file="full/$name.dump.tar" bytes="$bytes" lastTs="$last_ts"
