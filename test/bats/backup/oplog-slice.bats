#!/usr/bin/env bats
# backup/scripts/oplog-slice.sh with stand-ins: the member's oplog is $STANDIN_OPLOG, and the
# mongodump stand-in returns the entries its --queryFile selects, so the bounds the script asks
# for decide what the slice holds.

bats_require_minimum_version 1.5.0
load helpers

# A chain: full dump ending at 1000:5, slices to 1300:1.
chain() {
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  add_slice 1200:1 1250:1 1300:1
}

setup() {
  setup_backup_env
  cached_catalog chain
  export STANDIN_OPLOG="1250:1 1300:1 1310:1 1320:7 1400:2 1500:1"
  export STANDIN_DUMP_OPLOG="1490:1 1500:1"
}

query_bounds() {
  node -e 'const q = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).ts;
    console.log(`${q.$gt.$timestamp.t}:${q.$gt.$timestamp.i} ${q.$lte.$timestamp.t}:${q.$lte.$timestamp.i}`)' "$1"
}

@test "a slice continues the last one and stops at the majority commit point" {
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  call="$(cat "$STANDIN_LOG/mongodump.log")"
  [[ "$call" == *"--db=local --collection=oplog.rs --queryFile="* ]]
  [[ "$call" == *"--out=-"* ]]
  [[ "$call" == *"--config=$CREDENTIALS_DIR/mongo-tools.yaml"* ]]
  [ "$(query_bounds "$STANDIN_LOG"/mongodump.query.*.json)" = "1300:1 1400:2" ]
  m="$CATALOG/oplog/1300-1_1400-2.manifest.json"
  [ -f "$m" ]
  [ -f "$CATALOG/oplog/1300-1_1400-2.bson.gz" ]
  [ "$(manifest_field "$m" '[m.kind, m.format, m.prevTs.t + ":" + m.prevTs.i, m.firstTs.t + ":" + m.firstTs.i, m.lastTs.t + ":" + m.lastTs.i, m.entries].join(" ")')" = "oplog bson+gzip 1300:1 1310:1 1400:2 3" ]
  [ "$(manifest_field "$m" m.sha256)" = "$(sha256sum "$CATALOG/oplog/1300-1_1400-2.bson.gz" | cut -d' ' -f1)" ]
  [ "$(manifest_field "$m" m.replicaSetId)" = 65f1a2b3c4d5e6f708192a3b ]
  no_partial_files "$BACKUP_ROOT"
  refute_password_anywhere
}

@test "entries the member has applied past the commit point are not saved" {
  # applied 1500:1 is past the commit point 1320:7: the slice ends at 1320:7, 1400:2 waits.
  facts 1100:1 1320:7 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ "$(query_bounds "$STANDIN_LOG"/mongodump.query.*.json)" = "1300:1 1320:7" ]
  [ "$(manifest_field "$CATALOG/oplog/1300-1_1320-7.manifest.json" 'm.lastTs.t + ":" + m.lastTs.i')" = "1320:7" ]
}

@test "a commit point ahead of what the member applied is capped at the member" {
  facts 1100:1 1500:1 1310:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ "$(query_bounds "$STANDIN_LOG"/mongodump.query.*.json)" = "1300:1 1310:1" ]
}

@test "chain break: the oplog no longer holds the end of the last slice: one failed line, a full dump at once, exit 3" {
  facts 1305:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 3 ]
  assert_json_lines
  line="$(json_line chain failed)"
  [[ "$line" == *'"error":"chain broken: the oldest entry still in the oplog (1305:1) is newer than the end of the last saved slice oplog/1200-1_1300-1.bson.gz (1300:1)'* ]]
  [[ "$line" == *'"exitCode":3'* ]]
  # No slice was attempted; a full dump was taken in the same job.
  [ "$(grep -c -- '--collection=oplog.rs' "$STANDIN_LOG/mongodump.log")" -eq 0 ]
  grep -q -- '--oplog --gzip --out=' "$STANDIN_LOG/mongodump.log"
  [ "$(ls "$CATALOG"/full/*.manifest.json | wc -l)" -eq 2 ]
  [ "$(ls "$CATALOG"/oplog/*.manifest.json | wc -l)" -eq 2 ]
  [ -n "$(json_line chain restarted)" ]
}

@test "chain break: the job fails even when the full dump it starts fails too" {
  facts 1305:1 1400:2 1500:1
  export STANDIN_MONGODUMP=fail
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 3 ]
  [[ "$(json_line chain failed)" == *"chain broken"* ]]
  [[ "$output" == *'"fullDumpExitCode":1'* ]]
  no_partial_files "$BACKUP_ROOT"
}

@test "chain break while saving: the oplog rolled past the start during the dump; the slice is discarded" {
  facts 1100:1 1400:2 1500:1 secondary 1
  facts 1301:1 1400:2 1500:1 secondary 2
  facts 1301:1 1500:1 1500:1 secondary 3
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 3 ]
  [[ "$(json_line chain failed)" == *"rolled over to 1301:1 while the slice after 1300:1 was being saved"* ]]
  [ ! -e "$CATALOG/oplog/1300-1_1400-2.manifest.json" ]
  [ ! -e "$CATALOG/oplog/1300-1_1400-2.bson.gz" ]
  no_partial_files "$BACKUP_ROOT"
  # The re-check asked the member the slice was read from.
  grep -q 'source-facts.js.2 FACTS_HOST=mongodb-rs0-1' "$STANDIN_LOG/mongosh.env"
  [ "$(ls "$CATALOG"/full/*.manifest.json | wc -l)" -eq 2 ]
}

@test "no full dump yet: a chain starts with one, and that is not a failure" {
  rm -rf "$CATALOG"
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [[ "$(json_line plan info)" == *"no full dump in the catalog yet"* ]]
  [ "$(ls "$CATALOG"/full/*.manifest.json | wc -l)" -eq 1 ]
  [ -z "$(json_line chain failed)" ]
}

@test "the slices of a lost chain end; a new chain starts inside the newest full dump's window" {
  # The oplog lost 1300:1 (the last slice's end) but still holds the newer dump's window.
  add_full 20240502T000000Z 1350:1 1380:4
  facts 1340:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 3 ]
  [ "$(query_bounds "$STANDIN_LOG"/mongodump.query.*.json)" = "1350:1 1400:2" ]
  m="$CATALOG/oplog/1350-1_1400-2.manifest.json"
  [ "$(manifest_field "$m" 'm.prevTs.t + ":" + m.prevTs.i')" = "1350:1" ]
  [[ "$(json_line chain failed)" == *"a new chain starts at full/20240502T000000Z.dump.tar"* ]]
  # No second full dump: the newest one begins the new chain.
  [ "$(grep -c -- '--oplog ' "$STANDIN_LOG/mongodump.log")" -eq 0 ]
}

@test "nothing committed since the last slice: no dump, success" {
  facts 1100:1 1300:1 1300:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ ! -s "$STANDIN_LOG/mongodump.log" ]
  [[ "$(json_line slice ok)" == *"nothing committed after 1300:1"* ]]
}

@test "a failed oplog dump leaves no slice" {
  facts 1100:1 1400:2 1500:1
  export STANDIN_MONGODUMP=enospc
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line dump failed)" == *"nothing was saved"* ]]
  [ "$(ls "$CATALOG"/oplog | wc -l)" -eq 4 ]
  no_partial_files "$BACKUP_ROOT"
}

@test "an empty answer writes no slice" {
  facts 1100:1 1400:2 1500:1
  export STANDIN_OPLOG="1250:1 1300:1"
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [[ "$(json_line window ok)" == *'"entries":0'* ]]
  [ "$(ls "$CATALOG"/oplog | wc -l)" -eq 4 ]
  no_partial_files "$BACKUP_ROOT"
}

@test "a commit point far behind the newest write fails the job after saving what is committed" {
  export BACKUP_MAX_COMMIT_LAG_SECONDS=60
  facts 1100:1 1320:7 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 5 ]
  [ -f "$CATALOG/oplog/1300-1_1320-7.manifest.json" ]
  [[ "$(json_line commit-point failed)" == *'"commitLagSeconds":180'* ]]
}

@test "counts are recorded at the slice's end when due, and not before" {
  add_slice 1300:1 1301:1 1302:1 '{"nyrkio.results": 4}'
  export STANDIN_OPLOG="1302:1 1310:1 1320:7 4000:1"
  counts '{"nyrkio.results": 9}'
  export BACKUP_COUNTS_EVERY_SECONDS=100
  facts 1100:1 1320:7 1320:7
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ "$(manifest_field "$CATALOG/oplog/1302-1_1320-7.manifest.json" 'm.counts === undefined')" = true ]
  [ ! -e "$STANDIN_LOG/mongosh.snapshot-counts.js.count" ]

  facts 1100:1 4000:1 4000:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ "$(manifest_field "$CATALOG/oplog/1320-7_4000-1.manifest.json" 'm.counts["nyrkio.results"]')" = 9 ]
  grep -qx 'snapshot-counts.js.1 COUNTS_TS=4000:1' "$STANDIN_LOG/mongosh.env"
}

@test "a corrupt manifest stops the job before it dumps anything" {
  echo '{"kind": "oplog"' >"$CATALOG/oplog/broken.manifest.json"
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line plan failed)" == *"oplog/broken.manifest.json: not valid JSON"* ]]
  [ ! -s "$STANDIN_LOG/mongodump.log" ]
}

@test "a stalled secondary is not 'nothing to do': commit lag is measured against the newest write of the whole set" {
  # The chosen secondary stopped at 1300:1 (its own commit point and last write agree); the set
  # wrote up to 1500:1 meanwhile. Measured against the member itself, this was exit 0.
  export BACKUP_MAX_COMMIT_LAG_SECONDS=60
  facts 1100:1 1300:1 1300:1 secondary "" 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 5 ]
  [[ "$(json_line commit-point failed)" == *'"commitLagSeconds":200'* ]]
}

@test "every run records the recovery point in status/recovery-point.json, and fails loudly past three slice intervals" {
  export BACKUP_MAX_COMMIT_LAG_SECONDS=100000 BACKUP_SLICE_INTERVAL_SECONDS=300
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  # The new slice ends at 1400:2; the set's newest write is 1500:1.
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.restorableUntil.t + ":" + m.restorableUntil.i')" = "1400:2" ]
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.recoveryPointLagSeconds')" = 100 ]
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.maxRecoveryPointLagSeconds')" = 900 ]
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.newestWrite.t')" = 1500 ]
  [[ "$(json_line recovery-point ok)" == *'"recoveryPointLagSeconds":100'* ]]

  # Nothing new can be saved (the commit point stands at the last slice) while the set writes on:
  # the job fails loudly once the restorable point trails by more than 3 x 30 s, and says by how much.
  export BACKUP_SLICE_INTERVAL_SECONDS=30
  facts 1100:1 1400:2 1400:2 secondary "" 1600:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 5 ]
  [[ "$(json_line recovery-point failed)" == *"trails the newest write of the set (1600:1) by 200s, more than three slice intervals (90s)"* ]]
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.recoveryPointLagSeconds')" = 200 ]
}

@test "a slice run publishes the confirmation record of an unconfirmed full dump the commit point has passed, write-once beside its manifest" {
  node -e 'const fs = require("fs"), f = process.argv[1], m = JSON.parse(fs.readFileSync(f, "utf8"));
    Object.assign(m, { lastTerm: 3, majorityCommit: "unconfirmed" }); fs.writeFileSync(f, JSON.stringify(m));' "$CATALOG/full/20240501T000000Z.manifest.json"
  mkdir -p "$STANDIN_DIR/mongosh/confirm-dumps.js.confirm"
  printf '%s' '{"kind":"majority-confirmation","schemaVersion":1,"manifest":"20240501T000000Z.manifest.json","lastTs":{"t":1000,"i":5},"lastTerm":3,"majority":{"ts":{"t":1400,"i":2},"t":3},"member":"h","confirmedAt":"2024-05-01T00:00:00Z"}' \
    >"$STANDIN_DIR/mongosh/confirm-dumps.js.confirm/1.json"
  canned confirm-dumps.js "verdict full/20240501T000000Z.manifest.json confirmed 1 the majority commit point 1400:2 is at or after lastTs 1000:5 in the same term 3"
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ "$(manifest_field "$CATALOG/full/20240501T000000Z.confirmed.json" 'm.manifest + " " + m.lastTerm')" = "20240501T000000Z.manifest.json 3" ]
  [[ "$(json_line majority ok)" == *'"files":1'* ]]
  # The dump is a chain base again: the recovery point reaches the new slice's end.
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.restorableUntil.t + ":" + m.restorableUntil.i')" = "1400:2" ]
  no_partial_files "$BACKUP_ROOT"
}

@test "an unconfirmed full dump bases no chain: the recovery point stays at the last confirmed one and the job fails loudly" {
  node -e 'const fs = require("fs"), f = process.argv[1], m = JSON.parse(fs.readFileSync(f, "utf8"));
    Object.assign(m, { lastTerm: 3, majorityCommit: "unconfirmed" }); fs.writeFileSync(f, JSON.stringify(m));' "$CATALOG/full/20240501T000000Z.manifest.json"
  canned confirm-dumps.js "verdict full/20240501T000000Z.manifest.json pending - the majority commit point 900:1 (term 3) has not reached lastTs 1000:5"
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 5 ]
  [ ! -e "$CATALOG/full/20240501T000000Z.confirmed.json" ]
  [[ "$(json_line majority warning)" == *"still unconfirmed"* ]]
  [ "$(manifest_field "$CATALOG/status/recovery-point.json" 'm.restorableUntil')" = null ]
}

@test "s3: a slice run works from the pulled catalog head alone, and leaves the next head last in the outbox" {
  export BACKUP_STORAGE=s3 BACKUP_DEFER_EXIT=1
  HEAD_MODE=write CATALOG_DIR="$CATALOG" STATUS_OUT="$BACKUP_WORK/catalog-head" BACKUP_MONGOSH_DIR="$REPO_ROOT/backup/mongosh" \
    mongosh --nodb --quiet --norc "$REPO_ROOT/backup/mongosh/catalog-head.js" >/dev/null
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.exit-code")" = 0 ]
  [[ "$(json_line catalog-head ok)" == *"incremental"* ]]
  # It continued the newest slice the head carries, and measured the recovery point from the head's span.
  [ -f "$BACKUP_WORK/outbox/oplog/1300-1_1400-2.manifest.json" ]
  [ "$(manifest_field "$BACKUP_WORK/outbox/status/recovery-point.json" 'm.restorableUntil.t + ":" + m.restorableUntil.i')" = "1400:2" ]
  [ "$(tail -n 1 "$BACKUP_WORK/outbox/.upload-order")" = status/catalog-head ]
  grep -qx 'known oplog/1300-1_1400-2.manifest.json' "$BACKUP_WORK/outbox/status/catalog-head"
  grep -qx 'after oplog/1300' "$BACKUP_WORK/outbox/status/catalog-head"
}

@test "with no unconfirmed full dump in the catalog the slice job asks nothing about the majority (no extra mongosh run)" {
  facts 1100:1 1400:2 1500:1
  run --separate-stderr bash "$SCRIPTS/oplog-slice.sh"
  [ "$status" -eq 0 ]
  [ ! -e "$STANDIN_LOG/mongosh.confirm-dumps.js.count" ]
}
