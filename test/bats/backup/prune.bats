#!/usr/bin/env bats
# backup/scripts/prune.sh with a stand-in pruner (fixtures/fake-pruner.js): the script's part is
# to delete what the pruner decided, each manifest before its artifact, and the leftovers of
# crashed writes, and nothing else.

bats_require_minimum_version 1.5.0
load helpers

chain() {
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  add_full 20240502T000000Z 1100:1 1150:5
  add_slice 1200:1 1250:1 1300:1
}

setup() {
  setup_backup_env
  cached_catalog chain
  export BACKUP_PRUNER="$BATS_TEST_DIRNAME/fixtures/fake-pruner.js" RETENTION_DAILY=7 RETENTION_WEEKLY=4
  export FAKE_PRUNE="full/20240501T000000Z.manifest.json,oplog/900-1_1200-1.manifest.json"
  export FAKE_PRUNE_POLICY_OUT="$BATS_TEST_TMPDIR/policy.json"
}

@test "deletes what the pruner decides, artifacts and manifests, and keeps the rest" {
  run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  [ ! -e "$CATALOG/full/20240501T000000Z.manifest.json" ]
  [ ! -e "$CATALOG/full/20240501T000000Z.dump.tar" ]
  [ ! -e "$CATALOG/oplog/900-1_1200-1.manifest.json" ]
  [ ! -e "$CATALOG/oplog/900-1_1200-1.bson.gz" ]
  [ -e "$CATALOG/full/20240502T000000Z.dump.tar" ]
  [ -e "$CATALOG/oplog/1200-1_1300-1.bson.gz" ]
  [ "$(manifest_field "$FAKE_PRUNE_POLICY_OUT" 'JSON.stringify(m.policy)')" = '{"daily":7,"weekly":4}' ]
  [ "$(manifest_field "$FAKE_PRUNE_POLICY_OUT" 'm.seen.length')" = 4 ]
  [[ "$(json_line prune decision)" == *'"reason":"older than the policy keeps"'* ]]
  [[ "$(json_line prune ok)" == *'"kept":2,"deleted":2,"files":4'* ]]
}

@test "s3: deletions are queued for after the uploads, each manifest before its artifact" {
  export BACKUP_STORAGE=s3
  mkdir -p "$BACKUP_WORK"
  mv "$CATALOG" "$BACKUP_WORK/catalog"
  run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.delete")" = "full/20240501T000000Z.manifest.json
full/20240501T000000Z.dump.tar
oplog/900-1_1200-1.manifest.json
oplog/900-1_1200-1.bson.gz" ]
}

@test "leftovers of crashed writes go once they are old; a running job's partial files stay" {
  export FAKE_PRUNE=""
  printf 'half' >"$CATALOG/full/.20240503T000000Z-abcde.archive.gz.part"
  printf 'orphan' >"$CATALOG/oplog/1300-1_1400-1.bson.gz"
  printf 'fresh' >"$CATALOG/full/.20240504T000000Z-fghij.archive.gz.part"
  touch -d '3 days ago' "$CATALOG/full/.20240503T000000Z-abcde.archive.gz.part" "$CATALOG/oplog/1300-1_1400-1.bson.gz"
  run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 0 ]
  [ ! -e "$CATALOG/full/.20240503T000000Z-abcde.archive.gz.part" ]
  [ ! -e "$CATALOG/oplog/1300-1_1400-1.bson.gz" ]
  [ -e "$CATALOG/full/.20240504T000000Z-fghij.archive.gz.part" ]
  [ "$(find "$CATALOG" -name '*.manifest.json' | wc -l)" -eq 4 ]
}

@test "a killed full dump's staging directory goes once it is old; a running one's stays" {
  export FAKE_PRUNE=""
  mkdir -p "$CATALOG/full/.20240503T000000Z-abcde.stage/dump/nyrkio" "$CATALOG/full/.20240504T000000Z-fghij.stage/dump"
  printf 'half' >"$CATALOG/full/.20240503T000000Z-abcde.stage/dump/nyrkio/results.bson.gz"
  touch -d '3 days ago' "$CATALOG/full/.20240503T000000Z-abcde.stage"
  run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 0 ]
  [ ! -e "$CATALOG/full/.20240503T000000Z-abcde.stage" ]
  [ -d "$CATALOG/full/.20240504T000000Z-fghij.stage" ]
  [ "$(find "$CATALOG" -name '*.manifest.json' | wc -l)" -eq 4 ]
}

@test "a failing pruner deletes nothing" {
  export BACKUP_PRUNER="$BATS_TEST_TMPDIR/missing-pruner.js"
  run --separate-stderr bash "$SCRIPTS/prune.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line prune failed)" == *"nothing was deleted"* ]]
  [ "$(find "$CATALOG" -type f | wc -l)" -eq 8 ]
}

@test "the full dump prunes after it has published, with the retention policy" {
  facts 1100:1 1500:3 1500:3
  counts '{}'
  export BACKUP_PRUNE=1 STANDIN_DUMP_OPLOG="1490:1 1500:1"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  # The pruner saw the new dump's manifest.
  [ "$(manifest_field "$FAKE_PRUNE_POLICY_OUT" 'm.seen.filter((p) => p.startsWith("full/")).length')" = 3 ]
  [ ! -e "$CATALOG/full/20240501T000000Z.dump.tar" ]
}
