#!/usr/bin/env bats
# sharding/scripts/run-sharding-job.sh, with a stand-in mongosh on PATH.

setup() {
  SCRIPT="$BATS_TEST_DIRNAME/../../../sharding/scripts/run-sharding-job.sh"
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export CALLS="$BATS_TEST_TMPDIR/calls"
  export MONGOS_URI="mongodb://mongodb-mongos.nyrkio-db.svc.cluster.local:27017/admin"
  export SHARDING_SCRIPT=/etc/nyrkio/sharding/shard-cluster.js
  export MONGOS_POLL_SECONDS=0
  : >"$CALLS"
}

@test "waits for mongos to answer, then runs the sharding script" {
  FAKE_PING_FAILURES=2 run "$SCRIPT"
  [ "$status" -eq 0 ]
  [ "$(grep -c -- '--eval' "$CALLS")" -eq 3 ]
  [ "$(tail -n1 "$CALLS")" = "mongosh --quiet $MONGOS_URI --file $SHARDING_SCRIPT action=" ]
}

@test "gives up when mongos does not answer in time, without running the script" {
  FAKE_PING_FAILURES=1000 MONGOS_WAIT_SECONDS=0 run "$SCRIPT"
  [ "$status" -eq 1 ]
  [[ "$output" == *'mongos did not answer within 0 s'* ]]
  ! grep -q -- '--file' "$CALLS"
}

@test "fails with the script's exit status (a refused shard key, an unreachable shard)" {
  FAKE_SCRIPT_EXIT=1 run "$SCRIPT"
  [ "$status" -eq 1 ]
}

@test "requires the mongos URI and the script path" {
  MONGOS_URI= run "$SCRIPT"
  [ "$status" -ne 0 ]
  [ ! -s "$CALLS" ]
}
