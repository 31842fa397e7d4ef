#!/usr/bin/env bats
# stacks/scripts/bootstrap.sh: the data pods' sidecar that initiates the set and creates the
# one-time bootstrap user from ordinal 0 over localhost, then idles until SIGTERM (the reconcile
# Job creates root with that user and drops it: test/replicaset/bootstrap-handover.test.ts). The stand-in mongosh
# (bin/mongosh) runs the real mongosh steps against a stand-in member that applies mongod's
# authorization (localhost exception, users and roles: test/support/mongod-authz.ts); the steps'
# own cases are tested in test/stacks/member-mongosh-scripts.test.ts.

load helpers

setup() {
  setup_standins
  export POD_NAME=mongodb-rs0-0
  export BOOTSTRAP_RETRY_SECONDS=0
  export BOOTSTRAP_SECRET_DIR="$BATS_TEST_TMPDIR/secrets/bootstrap"
  mkdir -p "$BOOTSTRAP_SECRET_DIR"
  printf 'nyrkio-bootstrap' >"$BOOTSTRAP_SECRET_DIR/username"
  printf 'Sup3rSecretBootstrapPassw0rd' >"$BOOTSTRAP_SECRET_DIR/password"
  export REPLICASET_CONFIG="$BATS_TEST_TMPDIR/replicaset.json"
  printf '%s' '{"_id":"rs0","members":[{"_id":0,"host":"mongodb-rs0-0.mongodb-rs0.ns.svc.cluster.local:27017","priority":2,"votes":1}]}' >"$REPLICASET_CONFIG"
  OUT="$BATS_TEST_TMPDIR/bootstrap.out"
  BOOT_PID=""
}

teardown() {
  if [[ -n "$BOOT_PID" ]] && kill -0 "$BOOT_PID" 2>/dev/null; then kill -KILL "$BOOT_PID"; fi
}

start_bootstrap() {
  bash "$SCRIPTS/bootstrap.sh" >"$OUT" 2>&1 &
  BOOT_PID=$!
}

# wait_for_output <pattern>: up to 60 s (each mongosh step starts node: seconds on a loaded machine).
wait_for_output() {
  for _ in $(seq 1 600); do
    grep -q -- "$1" "$OUT" && return 0
    sleep 0.1
  done
  echo "no '$1' in the output:" >&2
  cat "$OUT" >&2
  return 1
}

# stop_bootstrap: SIGTERM, as the kubelet sends it; the sidecar must exit 0 within 2 s.
stop_bootstrap() {
  kill -TERM "$BOOT_PID"
  for _ in $(seq 1 20); do
    kill -0 "$BOOT_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$BOOT_PID" 2>/dev/null; then
    echo "bootstrap still running 2 s after SIGTERM" >&2
    return 1
  fi
  local status=0
  wait "$BOOT_PID" || status=$?
  BOOT_PID=""
  [ "$status" -eq 0 ]
}

# steps: the sequence of steps the stand-in saw, one word per call.
steps() {
  sed -E -e 's#.*ping.*#ping#' -e 's#.*/mongosh/initiate\.js.*#initiate#' -e 's#.*/mongosh/create-bootstrap-user\.js.*#user#' "$STANDIN_LOG" | tr '\n' ' '
}

@test "other ordinals idle at once without touching mongod, and stop on SIGTERM" {
  export POD_NAME=mongodb-rs0-1
  start_bootstrap
  wait_for_output "idle"
  grep -q "ordinal 1: nothing to bootstrap" "$OUT"
  [ ! -s "$STANDIN_LOG" ]
  stop_bootstrap
}

BOOTSTRAP_EXISTS='{"hello":"PRIMARY","users":[{"user":"nyrkio-bootstrap","pwd":"Sup3rSecretBootstrapPassw0rd","roles":[{"role":"userAdmin","db":"admin"}]}]}'
# After the handover: root made by the reconcile Job, the bootstrap user dropped.
HANDED_OVER='{"hello":"PRIMARY","users":[{"user":"root","pwd":"some-root-password","roles":[{"role":"root","db":"admin"}]}]}'

@test "ordinal 0 waits for mongod, initiates, creates the bootstrap user (userAdmin) under the localhost exception, then idles" {
  export FAIL_ping=2
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping ping ping initiate user " ]
  grep -q "ping: not done yet (attempt 2)" "$OUT"
  [ "$(member_users)" = "nyrkio-bootstrap:userAdmin" ]
  stop_bootstrap
}

@test "already initiated, bootstrap user there: one initiate call, the user step authenticates and is done" {
  member_state "$BOOTSTRAP_EXISTS"
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping initiate user " ]
  grep -q "already initiated" "$OUT"
  grep -q "a user exists already and the bootstrap Secret authenticates as nyrkio-bootstrap" "$OUT"
  ! grep -q "not done yet" "$OUT" || false
  [ "$(member_users)" = "nyrkio-bootstrap:userAdmin" ]
  stop_bootstrap
}

@test "after the handover (root exists, the bootstrap user is gone): a restart creates nothing and is complete" {
  member_state "$HANDED_OVER"
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping initiate user " ]
  grep -q "the reconcile Job has handed over to root" "$OUT"
  [ "$(member_users)" = "root:root" ]
  stop_bootstrap
}

@test "a restart on a first pod that is SECONDARY now (the primary moved), after the handover: complete, not waiting for PRIMARY" {
  # mongod answers createUser's authorization (Unauthorized once a user exists) before its
  # primary check (service_entry_point_common.cpp r8.0), so the step ends on a secondary too.
  member_state '{"hello":"SECONDARY","users":[{"user":"root","pwd":"some-root-password","roles":[{"role":"root","db":"admin"}]}]}'
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping initiate user " ]
  grep -q "the reconcile Job has handed over to root" "$OUT"
  ! grep -q "not done yet" "$OUT" || false
  stop_bootstrap
}

@test "an existing set without the bootstrap Secret (the optional volume is empty): nothing to create, complete" {
  rm -f "$BOOTSTRAP_SECRET_DIR/username" "$BOOTSTRAP_SECRET_DIR/password"
  member_state "$HANDED_OVER"
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  grep -q "no bootstrap Secret under $BOOTSTRAP_SECRET_DIR" "$OUT"
  [ "$(member_users)" = "root:root" ]
  stop_bootstrap
}

@test "initiate fails (a member is not up yet) then succeeds: retried until it does" {
  member_state '{"hello":"NOT_INITIATED","users":[],"initiateFailures":3}'
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping initiate initiate initiate initiate user " ]
  grep -q "initiate: not done yet (attempt 3)" "$OUT"
  grep -q "initiate failed: NodeNotFound" "$OUT"
  stop_bootstrap
}

@test "the bootstrap user waits until this member is PRIMARY" {
  member_state '{"hello":"NOT_INITIATED","users":[],"electionPolls":2}'
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping initiate user user user " ]
  grep -q "waiting for this member to become PRIMARY" "$OUT"
  [ "$(member_users)" = "nyrkio-bootstrap:userAdmin" ]
  stop_bootstrap
}

@test "every call goes to 127.0.0.1 on MONGODB_PORT and no password is ever an argument" {
  export MONGODB_PORT=27018
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(wc -l <"$STANDIN_LOG")" -eq 3 ]
  [ "$(grep -c '^mongodb://127.0.0.1:27018/?directConnection=true' "$STANDIN_LOG")" -eq 3 ]
  refute_in_log 'Sup3rSecretBootstrapPassw0rd|--password|--username|-p |@'
  stop_bootstrap
}

@test "SIGTERM during a retry pause ends the sidecar at once" {
  export FAIL_ping=1000 BOOTSTRAP_RETRY_SECONDS=30
  start_bootstrap
  wait_for_output "retrying in 30s"
  stop_bootstrap
  grep -q "stopping" "$OUT"
}

@test "every restart runs the checks again (the steps decide that nothing is left to do)" {
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  stop_bootstrap
  : >"$OUT"
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  stop_bootstrap
  [ "$(steps)" = "ping initiate user ping initiate user " ]
  grep -q "already initiated" "$OUT"
  grep -q "the bootstrap Secret authenticates" "$OUT"
  [ "$(member_users)" = "nyrkio-bootstrap:userAdmin" ]
}

@test "without POD_NAME it refuses to start" {
  unset POD_NAME
  run bash "$SCRIPTS/bootstrap.sh"
  [ "$status" -ne 0 ]
  [[ "$output" == *"POD_NAME must name this pod"* ]]
  [ ! -s "$STANDIN_LOG" ]
}

@test "TLS: with NYRKIO_TLS_CA_FILE every step connects with tls=true and the CA file (config/tls.ts uriTlsOptions)" {
  export NYRKIO_TLS_CA_FILE=/etc/nyrkio/tls-ca/ca.crt
  start_bootstrap
  wait_for_output "bootstrap complete; idle"
  [ "$(steps)" = "ping initiate user " ]
  [ "$(grep -c -- '^mongodb://127.0.0.1:27017/?directConnection=true&serverSelectionTimeoutMS=5000&tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt --quiet --norc ' "$STANDIN_LOG")" -eq 3 ]
  stop_bootstrap
}
