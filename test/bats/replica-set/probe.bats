#!/usr/bin/env bats
# stacks/scripts/probe.sh: the member's startup, readiness and liveness probes.

load helpers

setup() {
  setup_standins
  export REPLICASET_CONFIG="$BATS_TEST_TMPDIR/replicaset.json"
  printf '%s' '{"_id":"rs0","members":[{"_id":0,"host":"mongodb-rs0-0.mongodb-rs0.ns.svc.cluster.local:27017","priority":2,"votes":1}]}' >"$REPLICASET_CONFIG"
}

@test "startup and liveness ping mongod over 127.0.0.1 without credentials" {
  for mode in startup liveness; do
    : >"$STANDIN_LOG"
    run bash "$SCRIPTS/probe.sh" "$mode"
    [ "$status" -eq 0 ]
    [ "$(wc -l <"$STANDIN_LOG")" -eq 1 ]
    grep -q '^mongodb://127.0.0.1:27017/?directConnection=true' "$STANDIN_LOG"
    grep -q -- '--eval db.adminCommand({ ping: 1 }).ok' "$STANDIN_LOG"
    refute_in_log '--password|--username|-p |@'
  done
}

@test "readiness runs mongosh/readiness.js next to the script" {
  run bash "$SCRIPTS/probe.sh" readiness
  [ "$status" -eq 0 ]
  [[ "$output" == *"ready: mongod answers; no member holds a replica-set config yet"* ]]
  grep -q -- "--file $SCRIPTS/mongosh/readiness.js" "$STANDIN_LOG"
  [ -f "$SCRIPTS/mongosh/readiness.js" ]
}

@test "a mongod that does not answer fails the probe" {
  export FAIL_readiness=1 FAIL_ping=1
  run bash "$SCRIPTS/probe.sh" readiness
  [ "$status" -eq 1 ]
  run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
}

@test "MONGODB_PORT picks the port" {
  MONGODB_PORT=27018 run bash "$SCRIPTS/probe.sh" startup
  [ "$status" -eq 0 ]
  grep -q '^mongodb://127.0.0.1:27018/' "$STANDIN_LOG"
}

@test "an unknown mode is a usage error and runs nothing" {
  run bash "$SCRIPTS/probe.sh" sometimes
  [ "$status" -eq 2 ]
  [[ "$output" == *"usage: probe.sh startup|readiness|liveness"* ]]
  [ ! -s "$STANDIN_LOG" ]
}
