#!/usr/bin/env bats
# stacks/scripts/tls-rotate.sh, the TLS rotation sidecar, with tls-assemble.sh: real openssl
# certificates, the Secret laid out as the kubelet lays it out (each key a symlink through
# ..data to a timestamped directory, swapped by renaming a new ..data symlink over the old:
# kubernetes pkg/volume/util/atomic_writer.go), and the stand-in mongosh running the real
# mongosh/rotate-certificates.js against a stand-in member that applies mongod's authorization
# (member-mongosh.ts, test/support/mongod-authz.ts): rotateCertificates needs its action on the
# cluster, which only the rotator's role grants.

load helpers

# The rotator's role as replicaset/users.ts rotationRole() defines it (test/replicaset/rotation-user.test.ts pins that one).
ROTATION_ROLE='{"role":"nyrkioCertRotation","db":"admin","privileges":[{"resource":{"cluster":true},"actions":["rotateCertificates"]}],"roles":[]}'

setup_file() {
  # One CA and two server certificates (the one mongod runs, its renewal), and a key of nobody's.
  local pki="$BATS_FILE_TMPDIR/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -subj /CN=nyrkio-test-ca -days 2 2>/dev/null
  for name in old new; do
    openssl req -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "/CN=mongodb-rs0-0-$name" 2>/dev/null
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -out "$pki/$name.crt" -days 2 2>/dev/null
  done
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/stray.key" 2>/dev/null
}

setup() {
  setup_standins
  PKI="$BATS_FILE_TMPDIR/pki"
  export TLS_SECRET_DIR="$BATS_TEST_TMPDIR/secret" TLS_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
  export TLS_ROTATOR_SECRET_DIR="$BATS_TEST_TMPDIR/rotator"
  export TLS_MONGOSH_ARGS="--tls --tlsCAFile $TLS_SECRET_DIR/ca.crt" TLS_CHECK_INTERVAL_SECONDS=0
  mkdir -p "$TLS_SECRET_DIR" "$TLS_ROTATOR_SECRET_DIR"
  printf 'nyrkio-rotator\n' >"$TLS_ROTATOR_SECRET_DIR/username"
  printf 'rot-pw\n' >"$TLS_ROTATOR_SECRET_DIR/password"
  member_state "{\"hello\":\"PRIMARY\",\"customRoles\":[$ROTATION_ROLE],\"users\":[
    {\"user\":\"nyrkio-rotator\",\"pwd\":\"rot-pw\",\"roles\":[{\"role\":\"nyrkioCertRotation\",\"db\":\"admin\"}]},
    {\"user\":\"nyrkio-app\",\"pwd\":\"app-pw\",\"roles\":[{\"role\":\"readWrite\",\"db\":\"nyrkio\"}]}]}"
  # The pod as it starts: the Secret holds the old certificate, assembled for mongod at start.
  secret_update old.key old.crt
  bash "$SCRIPTS/tls-assemble.sh"
}

# secret_update <key> <cert>: the kubelet's atomic swap of the mounted Secret.
secret_update() {
  local version="..$(date +%s%N)"
  mkdir "$TLS_SECRET_DIR/$version"
  cp "$PKI/$1" "$TLS_SECRET_DIR/$version/tls.key"
  cp "$PKI/$2" "$TLS_SECRET_DIR/$version/tls.crt"
  cp "$PKI/ca.crt" "$TLS_SECRET_DIR/$version/ca.crt"
  ln -s "$version" "$TLS_SECRET_DIR/..data_tmp"
  mv -T "$TLS_SECRET_DIR/..data_tmp" "$TLS_SECRET_DIR/..data"
  for key in tls.key tls.crt ca.crt; do [[ -L "$TLS_SECRET_DIR/$key" ]] || ln -s "..data/$key" "$TLS_SECRET_DIR/$key"; done
}

rotations() {
  node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).rotations ?? 0)' "$STANDIN_STATE/member.json"
}

served_subject() {
  openssl x509 -in "$TLS_RUNTIME_DIR/server.pem" -noout -subject
}

@test "nothing changed: no mongosh at all, the loop only compares" {
  TLS_CHECKS=3 run bash "$SCRIPTS/tls-rotate.sh"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$STANDIN_LOG")" -eq 0 ]
  [ "$(rotations)" -eq 0 ]
}

@test "a renewed certificate: new files at the same paths, then rotateCertificates as the rotator, over TLS to 127.0.0.1" {
  secret_update new.key new.crt
  TLS_CHECKS=2 run bash "$SCRIPTS/tls-rotate.sh"
  [ "$status" -eq 0 ]
  [[ "$(served_subject)" == *mongodb-rs0-0-new* ]]
  [ "$(rotations)" -eq 1 ]
  [ "$(calls_of rotate-certificates.js)" -eq 1 ]
  grep -q -- "mongodb://127.0.0.1:27017/?directConnection=true.* --tls --tlsCAFile $TLS_SECRET_DIR/ca.crt --file .*/mongosh/rotate-certificates.js" "$STANDIN_LOG"
  [[ "$output" == *'"event":"rotated"'* ]]
  # The key and the certificate in one file, the key first; nothing left of the temporary files.
  [ "$(grep -c 'BEGIN PRIVATE KEY' "$TLS_RUNTIME_DIR/server.pem")" -eq 1 ]
  [ "$(ls -A "$TLS_RUNTIME_DIR" | tr '\n' ' ')" = "ca.pem server.pem " ]
}

@test "the wrong user (the application's credentials): mongod refuses rotateCertificates, nothing is rotated, the check fails" {
  printf 'nyrkio-app\n' >"$TLS_ROTATOR_SECRET_DIR/username"
  printf 'app-pw\n' >"$TLS_ROTATOR_SECRET_DIR/password"
  secret_update new.key new.crt
  TLS_CHECKS=1 run bash "$SCRIPTS/tls-rotate.sh"
  [ "$status" -ne 0 ]
  [ "$(rotations)" -eq 0 ]
  [[ "$output" == *"rotateCertificates failed"*"not authorized on admin to execute command"* ]]
}

@test "a wrong password: authentication fails, nothing is rotated" {
  printf 'not-the-password\n' >"$TLS_ROTATOR_SECRET_DIR/password"
  secret_update new.key new.crt
  TLS_CHECKS=1 run bash "$SCRIPTS/tls-rotate.sh"
  [ "$status" -ne 0 ]
  [ "$(rotations)" -eq 0 ]
  [[ "$output" == *"Authentication failed"* ]]
}

@test "mongod not answering at the first try: the rotation stays pending and is made at the next check" {
  secret_update new.key new.crt
  FAIL_rotate=1 TLS_CHECKS=2 run bash "$SCRIPTS/tls-rotate.sh"
  [ "$status" -eq 0 ]
  [ "$(calls_of rotate-certificates.js)" -eq 2 ]
  [ "$(rotations)" -eq 1 ]
}

@test "a key that does not belong to the certificate: the old files stay, no rotation, the problem logged once" {
  secret_update stray.key new.crt
  TLS_CHECKS=3 run bash "$SCRIPTS/tls-rotate.sh"
  [ "$status" -ne 0 ]
  [[ "$(served_subject)" == *mongodb-rs0-0-old* ]]
  [ "$(wc -l <"$STANDIN_LOG")" -eq 0 ]
  [ "$(grep -c 'tls.key does not belong to the certificate in' <<<"$output")" -eq 1 ]
}

@test "tls-assemble.sh: a missing key is an error that names it, and the old files stay" {
  rm "$TLS_SECRET_DIR/tls.key"
  run bash "$SCRIPTS/tls-assemble.sh"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$TLS_SECRET_DIR/tls.key is missing or empty"* ]]
  [[ "$(served_subject)" == *mongodb-rs0-0-old* ]]
}
