#!/usr/bin/env bats
# stacks/scripts/tls-rotate.sh as the arbiter's sidecar (TLS_SIDECAR_ROLE=arbiter): the arbiter
# holds no users, so a new certificate or tlsMode means a restart, made with shutdown over the
# localhost exception, and only while the rest of the set is healthy (replicaset/arbiter-restart.ts).
# The stand-in mongosh runs mongosh/arbiter-restart.js as the pod gets it (the pure decision in
# front, helpers.bash lay_out_pod_scripts) against a stand-in arbiter with mongod's authorization.

load helpers

setup_file() {
  local pki="$BATS_FILE_TMPDIR/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -subj /CN=nyrkio-test-ca -days 2 2>/dev/null
  for name in old new; do
    openssl req -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "/CN=arbiter-$name" 2>/dev/null
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -out "$pki/$name.crt" -days 2 2>/dev/null
  done
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/stray.key" 2>/dev/null
}

host() { printf '%s.mongodb-rs0.ns.svc.cluster.local:27017' "$1"; }

setup() {
  setup_standins
  PKI="$BATS_FILE_TMPDIR/pki"
  # The pod's scripts directory, with arbiter-restart.js as pod-scripts.ts renders it.
  POD_SCRIPTS="$SCRIPTS"
  export TLS_SIDECAR_ROLE=arbiter TLS_CHECK_INTERVAL_SECONDS=0
  export TLS_SECRET_DIR="$BATS_TEST_TMPDIR/secret" TLS_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
  export TLS_MODE_FILE="$BATS_TEST_TMPDIR/mode" REPLICASET_CONFIG="$BATS_TEST_TMPDIR/replicaset.json"
  export TLS_MONGOSH_ARGS="--tls --tlsCAFile $TLS_SECRET_DIR/ca.crt"
  printf 'requireTLS\n' >"$TLS_MODE_FILE"
  printf '{"_id":"rs0","members":[{"_id":0,"host":"%s","priority":2,"votes":1},{"_id":1,"host":"%s","priority":1,"votes":1},{"_id":100,"host":"%s","arbiterOnly":true,"priority":0,"votes":1}]}' \
    "$(host mongodb-rs0-0)" "$(host mongodb-rs0-1)" "$(host mongodb-rs0-arbiter-0)" >"$REPLICASET_CONFIG"
  arbiter_state SECONDARY
  mkdir -p "$TLS_SECRET_DIR"
  cp "$PKI/old.key" "$TLS_SECRET_DIR/tls.key"
  cp "$PKI/old.crt" "$TLS_SECRET_DIR/tls.crt"
  cp "$PKI/ca.crt" "$TLS_SECRET_DIR/ca.crt"
  bash "$SCRIPTS/tls-assemble.sh"
}

# arbiter_state <state of member 1>: the stand-in arbiter, running requireTLS, sees member 0 as PRIMARY.
arbiter_state() {
  member_state "{\"hello\":\"SECONDARY\",\"users\":[],\"arbiter\":true,\"tlsMode\":\"requireTLS\",\"statusMembers\":[
    {\"name\":\"$(host mongodb-rs0-0)\",\"health\":1,\"stateStr\":\"PRIMARY\"},
    {\"name\":\"$(host mongodb-rs0-1)\",\"health\":1,\"stateStr\":\"$1\"},
    {\"name\":\"$(host mongodb-rs0-arbiter-0)\",\"health\":1,\"stateStr\":\"ARBITER\",\"self\":true}]}"
}

shutdowns() {
  node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).shutdowns ?? 0)' "$STANDIN_STATE/member.json"
}

@test "a renewed certificate and a healthy set: the arbiter is shut down once over 127.0.0.1 (the kubelet restarts it)" {
  cp "$PKI/new.key" "$TLS_SECRET_DIR/tls.key"
  cp "$PKI/new.crt" "$TLS_SECRET_DIR/tls.crt"
  TLS_CHECKS=1 run bash "$POD_SCRIPTS/tls-rotate.sh"
  [ "$status" -eq 0 ]
  [ "$(shutdowns)" -eq 1 ]
  grep -q -- "mongodb://127.0.0.1:27017/?directConnection=true.* --tls --tlsCAFile .* --file .*/mongosh/arbiter-restart.js" "$STANDIN_LOG"
  [[ "$output" == *'"event":"restarting"'* ]]
  # Its files stay until it starts again (the start script assembles them): no rotation here.
  [[ "$(openssl x509 -in "$TLS_RUNTIME_DIR/server.pem" -noout -subject)" == *arbiter-old* ]]
}

@test "a secondary in initial sync: the arbiter waits (no shutdown), and restarts once the set is healthy" {
  cp "$PKI/new.key" "$TLS_SECRET_DIR/tls.key"
  cp "$PKI/new.crt" "$TLS_SECRET_DIR/tls.crt"
  arbiter_state STARTUP2
  TLS_CHECKS=2 run bash "$POD_SCRIPTS/tls-rotate.sh"
  [ "$status" -ne 0 ]
  [ "$(shutdowns)" -eq 0 ]
  [[ "$output" == *"mongodb-rs0-1 is STARTUP2"* ]]
  arbiter_state SECONDARY
  TLS_CHECKS=1 run bash "$POD_SCRIPTS/tls-rotate.sh"
  [ "$(shutdowns)" -eq 1 ]
}

@test "nothing changed: mongosh only at the first check (the running tlsMode), no restart" {
  TLS_CHECKS=3 run bash "$POD_SCRIPTS/tls-rotate.sh"
  [ "$status" -eq 0 ]
  [ "$(calls_of arbiter-restart.js)" -eq 1 ]
  [ "$(shutdowns)" -eq 0 ]
}

@test "the ConfigMap's tlsMode one step above the running one: a restart into it" {
  printf 'preferTLS\n' >"$TLS_MODE_FILE"
  member_state "$(sed 's/"tlsMode":"requireTLS"/"tlsMode":"allowTLS"/' "$STANDIN_STATE/member.json")"
  TLS_CHECKS=1 run bash "$POD_SCRIPTS/tls-rotate.sh"
  [ "$status" -eq 0 ]
  [ "$(shutdowns)" -eq 1 ]
  [[ "$output" == *"allowTLS → preferTLS"* ]]
}

@test "a key that does not belong to the certificate: no restart into files mongod would refuse" {
  cp "$PKI/stray.key" "$TLS_SECRET_DIR/tls.key"
  cp "$PKI/new.crt" "$TLS_SECRET_DIR/tls.crt"
  TLS_CHECKS=1 run bash "$POD_SCRIPTS/tls-rotate.sh"
  [ "$status" -ne 0 ]
  [ "$(shutdowns)" -eq 0 ]
  [ "$(wc -l <"$STANDIN_LOG")" -eq 0 ]
  [[ "$output" == *"not restarting the arbiter"* ]]
}
