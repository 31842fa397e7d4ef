#!/usr/bin/env bats
# stacks/scripts/probe.sh: the member's startup, readiness and liveness probes. Startup and
# liveness speak the wire protocol to a stand-in mongod on a real TCP port (wire-mongod.ts, with
# mongod's authorization model); readiness runs mongosh/readiness.js through the stand-in mongosh.

load helpers

setup_file() {
  export WIRE_MONGOD="$BATS_FILE_TMPDIR/wire-mongod.js"
  "$REPO_ROOT/node_modules/.bin/esbuild" "$BATS_TEST_DIRNAME/wire-mongod.ts" --bundle --platform=node --log-level=error --outfile="$WIRE_MONGOD"
}

setup() {
  setup_standins
  export REPLICASET_CONFIG="$BATS_TEST_TMPDIR/replicaset.json"
  printf '%s' '{"_id":"rs0","members":[{"_id":0,"host":"mongodb-rs0-0.mongodb-rs0.ns.svc.cluster.local:27017","priority":2,"votes":1}]}' >"$REPLICASET_CONFIG"
  MONGOD_PID=""
}

teardown() {
  if [[ -n "$MONGOD_PID" ]]; then kill "$MONGOD_PID" 2>/dev/null || true; fi
}

# start_mongod <mode>: the stand-in mongod on a free port; exports MONGODB_PORT.
start_mongod() {
  local port_file="$BATS_TEST_TMPDIR/port"
  rm -f "$port_file"
  node "$WIRE_MONGOD" "$port_file" "$1" &
  MONGOD_PID=$!
  for _ in $(seq 1 300); do
    [[ -s "$port_file" ]] && break
    sleep 0.1
  done
  MONGODB_PORT="$(cat "$port_file")"
  export MONGODB_PORT
}

@test "startup and liveness: mongod answers ping over the wire protocol, without credentials and without mongosh" {
  start_mongod ok
  for mode in startup liveness; do
    run bash "$SCRIPTS/probe.sh" "$mode"
    [ "$status" -eq 0 ]
  done
  [ ! -s "$STANDIN_LOG" ]
}

@test "startup and liveness fail when nothing listens, when mongod refuses, and when it hangs (within the probe's timeout)" {
  MONGODB_PORT=1 run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not answer ping"* ]]
  start_mongod refuse
  run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
  kill "$MONGOD_PID"
  start_mongod silent
  SECONDS=0
  run bash "$SCRIPTS/probe.sh" startup
  [ "$status" -eq 1 ]
  ((SECONDS < 10))
}

@test "readiness runs mongosh/readiness.js next to the script, over 127.0.0.1 without credentials" {
  run bash "$SCRIPTS/probe.sh" readiness
  [ "$status" -eq 0 ]
  [[ "$output" == *"ready: mongod answers; no member holds a replica-set config yet"* ]]
  grep -q -- "--file $SCRIPTS/mongosh/readiness.js" "$STANDIN_LOG"
  grep -q '^mongodb://127.0.0.1:27017/?directConnection=true' "$STANDIN_LOG"
  refute_in_log '--password|--username|-p |@'
}

@test "readiness fails when mongod does not answer" {
  export FAIL_readiness=1
  run bash "$SCRIPTS/probe.sh" readiness
  [ "$status" -eq 1 ]
}

@test "MONGODB_PORT picks the port" {
  MONGODB_PORT=27018 run bash "$SCRIPTS/probe.sh" readiness
  [ "$status" -eq 0 ]
  grep -q '^mongodb://127.0.0.1:27018/' "$STANDIN_LOG"
}

@test "an unknown mode is a usage error and runs nothing" {
  run bash "$SCRIPTS/probe.sh" sometimes
  [ "$status" -eq 2 ]
  [[ "$output" == *"usage: probe.sh startup|readiness|liveness"* ]]
  [ ! -s "$STANDIN_LOG" ]
}

# With clients on TLS (NYRKIO_TLS_CA_FILE, config/tls.ts tlsClientEnv) and a stand-in that, as a
# requireTLS mongod, speaks TLS only. Certificates as create-secrets.sh --tls makes them
# (test/support/tls-certs.sh).
tls_certs() {
  TLS_DIR="$BATS_TEST_TMPDIR/tls"
  bash "$REPO_ROOT/test/support/tls-certs.sh" "$TLS_DIR" "$@"
  export TLS_CERT="$TLS_DIR/tls.crt" TLS_KEY="$TLS_DIR/tls.key"
}

@test "TLS: startup and liveness ping through openssl, verifying the chain and 127.0.0.1, without mongosh" {
  tls_certs
  start_mongod ok
  for mode in startup liveness; do
    NYRKIO_TLS_CA_FILE="$TLS_DIR/ca.crt" run bash "$SCRIPTS/probe.sh" "$mode"
    [ "$status" -eq 0 ]
  done
  [ ! -s "$STANDIN_LOG" ]
}

@test "TLS: the plaintext ping fails against a TLS-only mongod (why /dev/tcp cannot probe requireTLS)" {
  tls_certs
  start_mongod ok
  run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not answer ping"* ]]
}

@test "TLS: a certificate from another CA, or one whose SANs lack 127.0.0.1, fails the probe" {
  tls_certs
  bash "$REPO_ROOT/test/support/tls-certs.sh" "$BATS_TEST_TMPDIR/other"
  start_mongod ok
  NYRKIO_TLS_CA_FILE="$BATS_TEST_TMPDIR/other/ca.crt" run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
  kill "$MONGOD_PID"
  rm -rf "$TLS_DIR"
  tls_certs --no-ip
  start_mongod ok
  NYRKIO_TLS_CA_FILE="$TLS_DIR/ca.crt" run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
}

@test "TLS: a hung TLS mongod fails the probe within its timeout" {
  tls_certs
  start_mongod silent
  SECONDS=0
  NYRKIO_TLS_CA_FILE="$TLS_DIR/ca.crt" run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
  ((SECONDS < 10))
}

@test "TLS: readiness's mongosh connects with tls=true and the CA file (config/tls.ts uriTlsOptions)" {
  NYRKIO_TLS_CA_FILE=/etc/nyrkio/tls-ca/ca.crt run bash "$SCRIPTS/probe.sh" readiness
  [ "$status" -eq 0 ]
  grep -q '^mongodb://127.0.0.1:27017/?directConnection=true&serverSelectionTimeoutMS=5000&tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt ' "$STANDIN_LOG"
}

@test "TLS: without openssl in the image the ping falls back to mongosh, with TLS" {
  mkdir -p "$BATS_TEST_TMPDIR/path"
  for tool in bash timeout head od tr cat dirname; do ln -s "$(command -v "$tool")" "$BATS_TEST_TMPDIR/path/$tool"; done
  ln -s "$BATS_TEST_DIRNAME/bin/mongosh" "$BATS_TEST_TMPDIR/path/mongosh"
  ln -s "$(command -v node)" "$BATS_TEST_TMPDIR/path/node"
  NYRKIO_TLS_CA_FILE=/etc/nyrkio/tls-ca/ca.crt PATH="$BATS_TEST_TMPDIR/path" run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 0 ]
  grep -q 'tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt --quiet --norc --eval' "$STANDIN_LOG"
}

@test "TLS: nothing listening fails the probe at once, with the usual message" {
  tls_certs
  NYRKIO_TLS_CA_FILE="$TLS_DIR/ca.crt" MONGODB_PORT=1 run bash "$SCRIPTS/probe.sh" liveness
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not answer ping"* ]]
}
