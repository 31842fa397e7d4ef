#!/usr/bin/env bats
# sharding/scripts/balancer-window.sh, with a stand-in mongosh on PATH.

setup() {
  SCRIPT="$BATS_TEST_DIRNAME/../../../sharding/scripts/balancer-window.sh"
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export CALLS="$BATS_TEST_TMPDIR/calls"
  export MONGOS_URI="mongodb://mongodb-mongos.nyrkio-db.svc.cluster.local:27017/admin"
  export BALANCER_SCRIPT=/etc/nyrkio/sharding/balancer.js
  export STATE_DIR="$BATS_TEST_TMPDIR"
  : >"$CALLS"
}

actions() { grep -oE 'action=[a-z]*|^dump' "$CALLS" | tr '\n' ' '; }

@test "stops the balancer, runs the command, starts the balancer again" {
  run "$SCRIPT" bash -c 'echo dump >>"$CALLS"'
  [ "$status" -eq 0 ]
  [ "$(actions)" = "action=stop dump action=start " ]
  [[ "$output" == *'"msg":"window closed: balancer running again"'* ]]
}

@test "starts the balancer again when the command fails, and exits with the command's status" {
  run "$SCRIPT" bash -c 'echo dump >>"$CALLS"; exit 3'
  [ "$status" -eq 3 ]
  [ "$(actions)" = "action=stop dump action=start " ]
  [[ "$output" == *'exited with status 3'* ]]
}

@test "leaves a balancer that was already off stopped" {
  FAKE_BALANCER=off run "$SCRIPT" bash -c 'echo dump >>"$CALLS"'
  [ "$status" -eq 0 ]
  [ "$(actions)" = "action=stop dump " ]
  [[ "$output" == *'was off before it and stays off'* ]]
}

@test "does not run the command when the balancer cannot be stopped" {
  FAKE_FAIL=stop run "$SCRIPT" bash -c 'echo dump >>"$CALLS"'
  [ "$status" -eq 1 ]
  [ "$(actions)" = "action=stop " ]
  [[ "$output" == *'could not stop the balancer'* ]]
}

@test "fails loudly when the balancer cannot be started again, even after a good dump" {
  FAKE_FAIL=start run "$SCRIPT" bash -c 'echo dump >>"$CALLS"'
  [ "$status" -eq 1 ]
  [ "$(actions)" = "action=stop dump action=start " ]
  [[ "$output" == *'could NOT be started again'* ]]
}

@test "on SIGTERM stops the command and still starts the balancer again" {
  "$SCRIPT" bash -c 'echo dump >>"$CALLS"; exec sleep 30' >"$BATS_TEST_TMPDIR/out" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q '^dump' "$CALLS" && break; sleep 0.1; done
  kill -TERM "$pid"
  rc=0; wait "$pid" || rc=$?
  [ "$rc" -ne 0 ]
  [ "$(actions)" = "action=stop dump action=start " ]
  grep -q 'stop requested' "$BATS_TEST_TMPDIR/out"
}

@test "passes no credential on mongosh's command line" {
  run "$SCRIPT" true
  [ "$status" -eq 0 ]
  grep -q -- "--quiet $MONGOS_URI --file $BALANCER_SCRIPT" "$CALLS"
  ! grep -qiE 'password|-p |@' "$CALLS"
}

@test "refuses to run without a command" {
  run "$SCRIPT"
  [ "$status" -eq 2 ]
  [ ! -s "$CALLS" ]
}

@test "leaves no state file behind" {
  run "$SCRIPT" true
  [ "$status" -eq 0 ]
  [ -z "$(ls "$STATE_DIR" | grep balancer-state || true)" ]
}
