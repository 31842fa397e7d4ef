#!/usr/bin/env bats
# backup/scripts/verify.sh with stand-ins: a catalog of real artifacts, a mongod stand-in that runs
# until stopped, a mongorestore stand-in that records the calls, canned count comparisons.

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

@test "restores the newest dump and its slices into a throwaway mongod and checks counts at the newest counted point" {
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
  [ "${#calls[@]}" -eq 3 ]
  [[ "${calls[0]}" == "--host=127.0.0.1:27018 --archive=$CATALOG/full/20240501T000000Z.archive.gz --gzip --oplogReplay"* ]]
  [[ "${calls[1]}" == "--host=127.0.0.1:27018 --oplogReplay --oplogFile=$CATALOG/oplog/900-1_1200-1.bson.gz --gzip --dir="* ]]
  [[ "${calls[2]}" == *"--oplogFile=$CATALOG/oplog/1200-1_1300-1.bson.gz"* ]]
  # The counts of the slice that recorded them, after it was replayed and before the next one.
  grep -q "compare-counts.js.1 EXPECTED_MANIFEST=$CATALOG/oplog/900-1_1200-1.manifest.json" "$STANDIN_LOG/mongosh.env"
  [[ "$(json_line compare ok)" == *'"checked":1'* ]]
  [ "$(manifest_field "$CATALOG/status/verify.json" 'm.kind + " " + m.lastTs.t')" = "verify 1200" ]
  # The verification connects to nothing but its own mongod.
  [ ! -e "$STANDIN_LOG/mongosh.source-facts.js.count" ]
}

@test "an uncompressed artifact is restored without --gzip, as its manifest's format says" {
  gunzip "$CATALOG/full/20240501T000000Z.archive.gz"
  write_manifest full "$CATALOG/full/20240501T000000Z" 20240501T000000Z.archive 900:1 1000:5 "" '{"nyrkio.results": 3}' archive
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 0 ]
  mapfile -t calls <"$STANDIN_LOG/mongorestore.log"
  [ "${#calls[@]}" -eq 3 ]
  [ "${calls[0]}" = "--host=127.0.0.1:27018 --archive=$CATALOG/full/20240501T000000Z.archive --oplogReplay --stopOnError" ]
  [[ "${calls[1]}" == *"--oplogFile=$CATALOG/oplog/900-1_1200-1.bson.gz --gzip "* ]]
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
  [ "$(wc -l <"$STANDIN_LOG/mongorestore.log")" -eq 3 ]
}

@test "no recorded counts in the chain: nothing to compare with is a failure" {
  rm -rf "$CATALOG"
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line select failed)" == *"recorded document counts"* ]]
}

@test "a failed restore step fails the job and stops the mongod" {
  export STANDIN_MONGORESTORE_FAIL_AT=2
  run --separate-stderr bash "$SCRIPTS/verify.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line restore failed)" == *"replaying oplog/900-1_1200-1.bson.gz failed"* ]]
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
  [ "$(cat "$BACKUP_WORK/needed")" = "full/20240501T000000Z.archive.gz
oplog/900-1_1200-1.bson.gz
oplog/1200-1_1300-1.bson.gz" ]
  BACKUP_DEFER_EXIT=1 run --separate-stderr bash "$SCRIPTS/verify.sh" run
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.exit-code")" = 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.upload-order")" = status/verify.json ]
}
