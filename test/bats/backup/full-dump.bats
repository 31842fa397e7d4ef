#!/usr/bin/env bats
# backup/scripts/full-dump.sh with stand-ins: mongodump writes a real directory dump (or fails midway),
# the --nodb mongosh scripts run for real under Node, the server-side ones are canned.

bats_require_minimum_version 1.5.0
load helpers

setup() {
  setup_backup_env
  facts 1700000000:1 1700000500:3 1700000500:3
  counts '{"nyrkio.results": 12, "nyrkio.users": 2}'
  export STANDIN_DUMP_OPLOG="1700000400:1 1700000401:5 1700000460:2"
}

@test "a dump publishes one packed directory dump (schemaVersion 2) and a manifest whose window is the dump's own oplog" {
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  assert_json_lines
  manifests=("$CATALOG"/full/*.manifest.json)
  [ "${#manifests[@]}" -eq 1 ]
  m="${manifests[0]}"
  [ "$(manifest_field "$m" 'm.kind + " " + m.format + " " + m.schemaVersion')" = "full dir-tar+gzip 2" ]
  [ "$(manifest_field "$m" 'm.firstTs.t + ":" + m.firstTs.i')" = "1700000400:1" ]
  # The end is the archive's last oplog entry, not the member's newest write (1700000500:3).
  [ "$(manifest_field "$m" 'm.lastTs.t + ":" + m.lastTs.i')" = "1700000460:2" ]
  archive="$CATALOG/full/$(manifest_field "$m" m.file)"
  [ -f "$archive" ]
  [ "$(manifest_field "$m" m.sha256)" = "$(sha256sum "$archive" | cut -d' ' -f1)" ]
  [ "$(manifest_field "$m" m.bytes)" = "$(stat -c %s "$archive")" ]
  [ "$(manifest_field "$m" 'm.counts["nyrkio.results"]')" = 12 ]
  [ "$(manifest_field "$m" 'm.tools.mongodump')" = "100.10.0" ]
  # The replica set's own id (replSetGetConfig), so no chain joins it to another set's artifacts.
  [ "$(manifest_field "$m" m.replicaSetId)" = 65f1a2b3c4d5e6f708192a3b ]
  [[ "$(basename "$archive")" =~ ^[0-9]{8}T[0-9]{6}Z-x7k2q\.dump\.tar$ ]]
  # The tar holds the directory mongodump wrote, without its oplog.bson (mongorestore refuses
  # --oplogFile beside one), and that oplog beside it as oplog.bson.gz: the restore's one input.
  members="$(tar -tf "$archive")"
  grep -qx 'dump/nyrkio/results.bson.gz' <<<"$members"
  grep -qx 'oplog.bson.gz' <<<"$members"
  ! grep -q '^dump/oplog.bson' <<<"$members"
  [ "$(tar -xOf "$archive" oplog.bson.gz | gzip -dc | oplog_ts)" = "$STANDIN_DUMP_OPLOG" ]
  no_partial_files "$BACKUP_ROOT"
  # The staging directory went as it was packed.
  [ -z "$(find "$CATALOG/full" -name '*.stage')" ]
  [ "$(manifest_field "$CATALOG/status/full.json" 'm.kind + " " + m.lastTs.t')" = "full 1700000460" ]
}

@test "a dump run outside a balancer window (BALANCER_WINDOW=unwindowed) is marked so in its manifest; a windowed one is not" {
  BALANCER_WINDOW=unwindowed run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  m="$(ls "$CATALOG"/full/*.manifest.json)"
  [ "$(manifest_field "$m" 'm.unwindowed')" = "true" ]
  rm -f "$CATALOG"/full/*
  BALANCER_WINDOW=windowed run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  m="$(ls "$CATALOG"/full/*.manifest.json)"
  [ "$(manifest_field "$m" '"unwindowed" in m')" = "false" ]
}

@test "without its own credentials volume the job refuses to write the password anywhere" {
  unset CREDENTIALS_DIR
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -ne 0 ]
  [[ "$(json_line credentials failed)" == *"CREDENTIALS_DIR (the container's own credentials volume) is not a writable directory"* ]]
  [ "$(wc -l <"$STANDIN_LOG/mongodump.log")" -eq 0 ]
  ! grep -rqF -- "s3cr'et" "$BACKUP_WORK"
}

@test "the dump reads a secondary with --oplog into a gzipped directory dump, credentials from a 0600 config file" {
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  call="$(grep -- '--oplog' "$STANDIN_LOG/mongodump.log")"
  [[ "$call" == *"--host=mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017"* ]]
  [[ "$call" == *"--readPreference=secondaryPreferred"* ]]
  [[ "$call" == *"--out=$CATALOG/full/."*".stage/dump"* ]]
  [[ "$call" != *"--archive"* ]]
  [[ "$call" == *"--gzip"* ]]
  [[ "$call" == *"--username=backup"* ]]
  [[ "$call" == *"--config=$CREDENTIALS_DIR/mongo-tools.yaml"* ]]
  [[ "$call" != *"--password"* ]]
  [ "$(head -n 1 "$STANDIN_LOG/mongodump.config")" = 600 ]
  [ "$(tail -n 1 "$STANDIN_LOG/mongodump.config")" = "password: 's3cr''et pass:word'" ]
  refute_password_anywhere
  # The config file lived on the container's own credentials volume only, and is gone (issue 12:
  # the scratch volume is shared with the S3 client's containers).
  [ ! -e "$CREDENTIALS_DIR/mongo-tools.yaml" ]
  ! grep -rqF -- "s3cr''et" "$BACKUP_WORK"
  # The counts are taken at the dump's end, on the member it was read from.
  grep -qx 'snapshot-counts.js.1 COUNTS_TS=1700000460:2' "$STANDIN_LOG/mongosh.env"
}

@test "a failed dump fails the job and leaves neither a dump, its staging directory, nor a manifest" {
  export STANDIN_MONGODUMP=fail
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line dump failed)" == *'"error":"mongodump failed'* ]]
  [ -z "$(find "$CATALOG/full" -mindepth 1)" ]
  [ ! -e "$CATALOG/status/full.json" ]
}

@test "a full disk midway fails the job and leaves no partial dump" {
  export STANDIN_MONGODUMP=enospc
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"no space left on device"* ]]
  [ -z "$(find "$CATALOG" -type f)" ]
}

@test "when the manifest cannot be written, the dump goes too" {
  canned_failure write-manifest.js "Error: ENOSPC: no space left on device, write"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line manifest failed)" == *"no space left on device"* ]]
  [ -z "$(find "$CATALOG/full" -mindepth 1)" ]
}

@test "a dump whose oplog cannot be read is refused" {
  canned_failure describe-artifact.js "Error: corrupt stream: 7 is not a BSON document length"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line window failed)" == *"corrupt stream"* ]]
  [ -z "$(find "$CATALOG/full" -mindepth 1)" ]
}

@test "a dump without the oplog.bson that --oplog writes is refused" {
  export STANDIN_MONGODUMP_NO_OPLOG=1
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line dump failed)" == *"mongodump wrote no oplog.bson"* ]]
  [ -z "$(find "$CATALOG/full" -mindepth 1)" ]
}

@test "counts that cannot be taken leave a good dump without counts and a warning" {
  rm -f "$STANDIN_DIR/mongosh/snapshot-counts.js".*
  canned_failure snapshot-counts.js "MongoServerError: SnapshotTooOld"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  [[ "$(json_line counts warning)" == *"SnapshotTooOld"* ]]
  m="$(ls "$CATALOG"/full/*.manifest.json)"
  [ "$(manifest_field "$m" 'm.counts === undefined')" = true ]
}

@test "with no secondary answering it dumps from the primary and says so" {
  facts 1700000000:1 1700000500:3 1700000500:3 primary
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  [[ "$(json_line facts warning)" == *"dumping from the primary"* ]]
}

@test "no reachable member: the job fails before dumping" {
  canned_failure source-facts.js "Error: no reachable secondary or primary among a, b"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line facts failed)" == *"no reachable secondary or primary"* ]]
  [ ! -s "$STANDIN_LOG/mongodump.log" ]
}

@test "a missing password file fails before anything runs" {
  rm "$BACKUP_USER_DIR/password"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line credentials failed)" == *"no readable username and password"* ]]
  [ ! -s "$STANDIN_LOG/mongosh.log" ]
}

@test "with s3 storage the dump goes to the outbox in upload order and the exit code is recorded" {
  export BACKUP_STORAGE=s3 BACKUP_DEFER_EXIT=1
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  mapfile -t order <"$BACKUP_WORK/outbox/.upload-order"
  [ "${#order[@]}" -eq 4 ]
  [[ "${order[0]}" == full/*.dump.tar ]]
  [[ "${order[1]}" == full/*.manifest.json ]]
  [ "${order[2]}" = status/full.json ]
  # The catalog head for the next slice run's incremental pull, last (issue 10 item 8).
  [ "${order[3]}" = status/catalog-head ]
  grep -q '^after full/[0-9]\{8\}T[0-9]\{6\}Z$' "$BACKUP_WORK/outbox/status/catalog-head"
  [ "$(cat "$BACKUP_WORK/outbox/.exit-code")" = 0 ]
  [ ! -e "$BACKUP_ROOT/rs0" ]
}

@test "with s3 storage a failed dump records its exit code for the upload container and exits 0" {
  export BACKUP_STORAGE=s3 BACKUP_DEFER_EXIT=1 STANDIN_MONGODUMP=fail
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  [ "$(cat "$BACKUP_WORK/outbox/.exit-code")" = 1 ]
  [ ! -e "$BACKUP_WORK/outbox/.upload-order" ]
  no_partial_files "$BACKUP_WORK"
}

# With clients on TLS the job carries NYRKIO_TLS_CA_FILE (config/tls.ts tlsClientEnv); the
# stand-in set then runs with requireTLS (STANDIN_TLS_CA): a dump without TLS, or with another CA,
# cannot connect (server-model.ts transport).
@test "TLS: mongodump connects with --ssl and --sslCAFile (config/tls.ts toolsTlsArgs), and only options mongo-tools knows" {
  ca="$BATS_TEST_TMPDIR/ca.crt"
  printf 'CA\n' >"$ca"
  STANDIN_TLS_CA="$ca" NYRKIO_TLS_CA_FILE="$ca" run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  call="$(grep -- '--oplog' "$STANDIN_LOG/mongodump.log")"
  [[ "$call" == "--ssl --sslCAFile=$ca "* ]]
}

@test "TLS: against a requireTLS set, a job without the CA fails to connect and saves nothing" {
  ca="$BATS_TEST_TMPDIR/ca.crt"
  printf 'CA\n' >"$ca"
  STANDIN_TLS_CA="$ca" run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"connection handshake: EOF"* ]]
  [ -z "$(ls "$CATALOG/full" 2>/dev/null)" ]
}

@test "TLS: a CA file that is not there fails the job before mongodump runs, naming the file" {
  NYRKIO_TLS_CA_FILE="$BATS_TEST_TMPDIR/missing.crt" run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing.crt, which is not readable"* ]]
  [ ! -s "$STANDIN_LOG/mongodump.log" ] || ! grep -q -- '--oplog' "$STANDIN_LOG/mongodump.log"
}

@test "a dump the source's committed snapshot has passed in its term is confirmed in its manifest; otherwise unconfirmed, with a warning" {
  canned confirm-dumps.js "verdict - confirmed - the majority commit point 1700000470:1 is at or after lastTs 1700000460:2 in the same term 3"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  m="$(ls "$CATALOG"/full/*.manifest.json)"
  # lastTerm is the term of the dump's own oplog's last entry (the fixture writes t: 3).
  [ "$(manifest_field "$m" 'm.lastTerm + " " + m.majorityCommit')" = "3 confirmed" ]
  grep -q 'confirm-dumps.js.1 DUMP_LAST_TS=1700000460:2' "$STANDIN_LOG/mongosh.env"
  grep -q 'confirm-dumps.js.1 DUMP_LAST_TERM=3' "$STANDIN_LOG/mongosh.env"
  rm -f "$CATALOG"/full/*
  canned confirm-dumps.js "verdict - pending - the majority commit point 1700000400:1 (term 3) has not reached lastTs 1700000460:2"
  BACKUP_CONFIRM_WAIT_SECONDS=0 run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  m="$(ls "$CATALOG"/full/*.manifest.json)"
  [ "$(manifest_field "$m" 'm.majorityCommit')" = unconfirmed ]
  [[ "$(json_line majority warning)" == *"this dump is unconfirmed"* ]]
}

@test "a member that cannot be asked leaves the dump unconfirmed, never a failure" {
  canned_failure confirm-dumps.js "MongoServerSelectionError: connection refused"
  run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  [ "$(manifest_field "$(ls "$CATALOG"/full/*.manifest.json)" 'm.majorityCommit')" = unconfirmed ]
  [[ "$(json_line majority warning)" == *"stay unconfirmed"* ]]
}

@test "a dump still pending is asked about again for a while: a healthy secondary's commit point catches up in moments" {
  canned confirm-dumps.js "verdict - pending - the majority commit point 1700000459:1 (term 3) has not reached lastTs 1700000460:2" 1
  canned confirm-dumps.js "verdict - pending - the majority commit point 1700000459:9 (term 3) has not reached lastTs 1700000460:2" 2
  canned confirm-dumps.js "verdict - confirmed - the majority commit point 1700000461:1 is at or after lastTs 1700000460:2 in the same term 3" 3
  BACKUP_CONFIRM_POLL_SECONDS=0 run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$status" -eq 0 ]
  [ "$(manifest_field "$(ls "$CATALOG"/full/*.manifest.json)" 'm.majorityCommit')" = confirmed ]
  [ "$(cat "$STANDIN_LOG/mongosh.confirm-dumps.js.count")" = 3 ]
  # A rolled-back verdict is final: no waiting.
  rm -f "$CATALOG"/full/* "$STANDIN_DIR"/mongosh/confirm-dumps.js.* "$STANDIN_LOG/mongosh.confirm-dumps.js.count"
  canned confirm-dumps.js "verdict - rolled-back - the committed oplog holds another entry at lastTs 1700000460:2"
  BACKUP_CONFIRM_POLL_SECONDS=0 run --separate-stderr bash "$SCRIPTS/full-dump.sh"
  [ "$(cat "$STANDIN_LOG/mongosh.confirm-dumps.js.count")" = 1 ]
  [ "$(manifest_field "$(ls "$CATALOG"/full/*.manifest.json)" 'm.majorityCommit')" = unconfirmed ]
}
