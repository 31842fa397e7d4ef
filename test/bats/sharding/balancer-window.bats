#!/usr/bin/env bats
# sharding/scripts/balancer-window.sh, with a stand-in mongosh on PATH. Whether the balancer is
# stopped or started is balancer.js's decision (tested in test/sharding/); here: that the window
# is opened before the command and always closed after it once it was opened.

setup() {
  SCRIPT="$BATS_TEST_DIRNAME/../../../sharding/scripts/balancer-window.sh"
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export CALLS="$BATS_TEST_TMPDIR/calls"
  export MONGOS_URI="mongodb://mongodb-mongos.nyrkio-db.svc.cluster.local:27017/admin"
  export BALANCER_SCRIPT=/etc/nyrkio/backup/balancer.js
  export STATE_DIR="$BATS_TEST_TMPDIR"
  : >"$CALLS"
}

actions() { grep -oE 'action=[a-z]*|^dump[a-z-]*' "$CALLS" | tr '\n' ' '; }

@test "opens the window, runs the command, closes the window" {
  run "$SCRIPT" bash -c 'echo dump >>"$CALLS"'
  [ "$status" -eq 0 ]
  [ "$(actions)" = "action=open dump action=close " ]
}

@test "opens and closes the window under one holder name" {
  BALANCER_HOLDER=full-dump-rs0-abc run "$SCRIPT" true
  [ "$status" -eq 0 ]
  [ "$(grep -c '^holder=full-dump-rs0-abc$' "$CALLS")" -eq 2 ]
}

@test "closes the window when the command fails, and exits with the command's status" {
  run "$SCRIPT" bash -c 'echo dump >>"$CALLS"; exit 3'
  [ "$status" -eq 3 ]
  [ "$(actions)" = "action=open dump action=close " ]
  [[ "$output" == *'exited with status 3'* ]]
}

@test "tells the command it runs in a window" {
  run "$SCRIPT" bash -c 'echo "dump-$BALANCER_WINDOW" >>"$CALLS"'
  [ "$status" -eq 0 ]
  [ "$(actions)" = "action=open dump-windowed action=close " ]
}

@test "runs the command unwindowed when the window cannot be opened, and closes what it recorded" {
  FAKE_FAIL=open run "$SCRIPT" bash -c 'echo "dump-$BALANCER_WINDOW" >>"$CALLS"'
  [ "$status" -eq 0 ]
  [ "$(actions)" = "action=open dump-unwindowed action=close " ]
  [[ "$output" == *'could not open the balancer window: running bash WITHOUT it'* ]]
}

@test "runs the command unwindowed and closes nothing when opening failed before a lease was recorded" {
  FAKE_FAIL_BEFORE_LEASE=1 run "$SCRIPT" bash -c 'echo "dump-$BALANCER_WINDOW" >>"$CALLS"; exit 4'
  [ "$status" -eq 4 ]
  [ "$(actions)" = "action=open dump-unwindowed " ]
}

@test "renews the lease while the command runs, and stops renewing before it closes" {
  BALANCER_RENEW_SECONDS=0.2 run "$SCRIPT" bash -c 'echo dump >>"$CALLS"; sleep 1.1'
  [ "$status" -eq 0 ]
  [[ "$(actions)" =~ ^action=open\ dump\ (action=renew\ ){3,}action=close\ $ ]]
}

@test "a failed renewal is logged and retried; the command goes on" {
  FAKE_FAIL=renew BALANCER_RENEW_SECONDS=0.2 run "$SCRIPT" bash -c 'echo dump >>"$CALLS"; sleep 0.7'
  [ "$status" -eq 0 ]
  [[ "$output" == *'could not renew'* ]]
  [[ "$(actions)" =~ ^action=open\ dump\ (action=renew\ ){2,}action=close\ $ ]]
}

@test "renews every third of the lease by default" {
  BALANCER_LEASE_SECONDS=3 run "$SCRIPT" bash -c 'sleep 1.5'
  [ "$status" -eq 0 ]
  [[ "$(actions)" =~ action=renew ]]
}

@test "fails loudly when the window cannot be closed, even after a good dump" {
  FAKE_FAIL=close run "$SCRIPT" bash -c 'echo dump >>"$CALLS"'
  [ "$status" -eq 1 ]
  [ "$(actions)" = "action=open dump action=close " ]
  [[ "$output" == *'could NOT be closed'* ]]
}

@test "on SIGTERM stops the command and still closes the window" {
  "$SCRIPT" bash -c 'echo dump >>"$CALLS"; exec sleep 30' >"$BATS_TEST_TMPDIR/out" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q '^dump' "$CALLS" && break; sleep 0.1; done
  kill -TERM "$pid"
  rc=0; wait "$pid" || rc=$?
  [ "$rc" -ne 0 ]
  [ "$(actions)" = "action=open dump action=close " ]
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
