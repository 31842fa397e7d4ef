#!/usr/bin/env bats
# backup/scripts/verify.sh with stand-ins: a catalog of real artifacts, a mongod stand-in that runs
# until stopped, a mongorestore stand-in that records the calls and the oplog it replays, canned
# count comparisons.

bats_require_minimum_version 1.5.0
load helpers

# A chain whose middle slice recorded counts.
chain() {
  add_full 20240501T000000Z 900:1 1000:5 '{"nyrkio.results": 3}'
  add_slice 900:1 1000:1 1200:1 '{"nyrkio.results": 5}'
  add_slice 1200:1 1250:1 1300:1
}

setup() {
  setup_backup_env
  cached_catalog chain
  canned compare-counts.js "checked=1
mismatches=0"
}

@test "restores the newest dump and its slices into a throwaway mongod in ONE mongorestore up to the newest counted point, and checks counts there" {
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  # mongod: localhost only, its data in the scratch volume.
  mongod="$(head -n 1 "$STANDIN_LOG/mongod.log")"
  [[ "$mongod" == *"--dbpath $BACKUP_WORK/scratch/db"* ]]
  [[ "$mongod" == *"--bind_ip 127.0.0.1"* ]]
  [[ "$mongod" == *"--port 27018"* ]]
  # No zlib decompressor on the scratch mongod either (CVE-2025-14847).
  [[ "$mongod" == *"--networkMessageCompressors snappy,zstd"* ]]
  grep -qx stopped "$STANDIN_LOG/mongod.log"
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 1 ]
  # The limit is just after the checkpoint (the slice ending at 1200:1 recorded counts).
  [ "${calls[0]}" = "--host=127.0.0.1:27018 --dir=$BACKUP_WORK/scratch/base/dump --gzip --oplogReplay --oplogFile=$BACKUP_WORK/scratch/replay-oplog.bson.gz --oplogLimit=1200:2 --stopOnError" ]
  # Every slice is merged (the one after the checkpoint too: it must read and continue the chain);
  # mongorestore's limit keeps what is applied at the checkpoint. 1000:1 is at or before the base.
  [ "$(cat "$STANDIN_LOG/mongorestore.oplog")" = "900:1 1000:5 1200:1 1250:1 1300:1" ]
  # The counts of the slice that recorded them.
  grep -q "compare-counts.js.1 EXPECTED_MANIFEST=$CATALOG/oplog/900-1_1200-1.manifest.json" "$STANDIN_LOG/mongosh.env"
  [[ "$(json_line compare ok)" == *'"checked":1'* ]]
  [ "$(manifest_field "$CATALOG/status/verify.json" 'm.kind + " " + m.lastTs.t')" = "verify 1200" ]
  # The verification connects to nothing but its own mongod.
  [ ! -e "$STANDIN_LOG/mongosh.source-facts.js.count" ]
}

@test "a schemaVersion 1 base (an uncompressed archive) is restored alone, without --gzip, and checked on its own counts" {
  rm -rf "$CATALOG"
  add_legacy_full 20240501T000000Z 900:1 1000:5 '{"nyrkio.results": 3}'
  gunzip "$CATALOG/full/20240501T000000Z.archive.gz"
  write_manifest full "$CATALOG/full/20240501T000000Z" 20240501T000000Z.archive 900:1 1000:5 "" '{"nyrkio.results": 3}' archive
  add_slice 900:1 1000:1 1200:1 '{"nyrkio.results": 5}'
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 0 ]
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 1 ]
  [ "${calls[0]}" = "--host=127.0.0.1:27018 --archive=$CATALOG/full/20240501T000000Z.archive --oplogReplay --oplogLimit=1000:6 --stopOnError" ]
  grep -q "compare-counts.js.1 EXPECTED_MANIFEST=$CATALOG/full/20240501T000000Z.manifest.json" "$STANDIN_LOG/mongosh.env"
}

@test "counts that differ fail the job loudly with the collections named" {
  canned compare-counts.js 'mismatch={"collection":"nyrkio.results","expected":5,"restored":4}
checked=1
mismatches=1'
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 4 ]
  line="$(json_line compare failed)"
  [[ "$line" == *'restored document counts differ from those recorded at backup time'* ]]
  [[ "$line" == *'nyrkio.results'* ]]
  [[ "$line" == *'"exitCode":4'* ]]
  grep -qx stopped "$STANDIN_LOG/mongod.log"
  [ ! -e "$CATALOG/status/verify.json" ]
}

@test "a checksum mismatch fails before any mongod starts" {
  printf 'x' >>"$CATALOG/oplog/1200-1_1300-1.bson.gz"
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line checksums failed)" == *"oplog/1200-1_1300-1.bson.gz has"* ]]
  [ ! -s "$STANDIN_LOG/mongod.log" ]
  [ ! -s "$STANDIN_LOG/mongorestore.log" ]
}

@test "a gap after the chain fails the job after verifying what the chain reaches" {
  add_slice 1400:1 1450:1 1500:1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 3 ]
  [[ "$(json_line chain failed)" == *"restore points in between are unreachable"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 1 ]
}

@test "no recorded counts in the chain: nothing to compare with is a failure" {
  rm -rf "$CATALOG"
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line select failed)" == *"recorded document counts"* ]]
}

@test "a failed restore fails the job and stops the mongod" {
  export STANDIN_MONGORESTORE_FAIL_AT=1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line restore failed)" == *"mongorestore of full/20240501T000000Z.dump.tar and its oplog up to 1200:2 failed"* ]]
  grep -qx stopped "$STANDIN_LOG/mongod.log"
}

@test "a mongod that does not start fails the job" {
  export STANDIN_MONGOD=fail
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line mongod failed)" == *"the throwaway mongod exited"* ]]
}

@test "s3: select lists the artifacts to pull, run verifies them, the result waits for push" {
  export BACKUP_STORAGE=s3
  mkdir -p "$BACKUP_WORK"
  mv "$CATALOG" "$BACKUP_WORK/catalog"
  run --separate-stderr bash "$SCRIPTS/verify.sh" select
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/needed")" = "full/20240501T000000Z.dump.tar
oplog/900-1_1200-1.bson.gz
oplog/1200-1_1300-1.bson.gz" ]
  BACKUP_DEFER_EXIT=1 run --separate-stderr bash "$SCRIPTS/verify.sh" run
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.exit-code")" = 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.upload-order")" = status/verify.json ]
}
