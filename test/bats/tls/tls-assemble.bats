#!/usr/bin/env bats
# stacks/scripts/tls-assemble.sh: the init container (and the rotation sidecar) that writes the
# PEM mongod reads (key + certificate) and its CA into the memory-backed runtime directory, from
# the certificate Secret in cert-manager's layout. Certificates are made here with the real
# openssl: a CA, a server certificate it signs, a second CA, and a certificate of another key.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
SCRIPT="$REPO_ROOT/stacks/scripts/tls-assemble.sh"

# make_ca <dir>, make_cert <dir> <ca dir>: a CA key and self-signed certificate; a server key and
# certificate signed by the CA.
make_ca() {
  mkdir -p "$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/O=test/CN=ca $(basename "$1")" \
    -keyout "$1/ca.key" -out "$1/ca.crt" 2>/dev/null
}
make_cert() {
  mkdir -p "$1"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=nyrkio/OU=mongodb/CN=server" \
    -keyout "$1/tls.key" -out "$1/tls.csr" 2>/dev/null
  openssl x509 -req -in "$1/tls.csr" -CA "$2/ca.crt" -CAkey "$2/ca.key" -CAcreateserial -days 1 -out "$1/tls.crt" 2>/dev/null
}

setup_file() {
  export PKI="$BATS_FILE_TMPDIR/pki"
  make_ca "$PKI/ca1"
  make_ca "$PKI/ca2"
  make_cert "$PKI/server1" "$PKI/ca1"
  make_cert "$PKI/server2" "$PKI/ca2"
}

setup() {
  export TLS_SECRET_DIR="$BATS_TEST_TMPDIR/secret"
  export TLS_SERVER_PEM_FILE="$BATS_TEST_TMPDIR/run/server.pem"
  export TLS_SERVER_CA_FILE="$BATS_TEST_TMPDIR/run/ca.pem"
  mkdir -p "$TLS_SECRET_DIR" "$BATS_TEST_TMPDIR/run"
  secret_from server1 ca1
}

# secret_from <server> <ca>: the Secret's three files.
secret_from() {
  cp "$PKI/$1/tls.key" "$TLS_SECRET_DIR/tls.key"
  cp "$PKI/$1/tls.crt" "$TLS_SECRET_DIR/tls.crt"
  cp "$PKI/$2/ca.crt" "$TLS_SECRET_DIR/ca.crt"
}

@test "writes the key and certificate in one PEM and the CA, each mode 0400, that openssl accepts as a key pair and a chain" {
  run bash "$SCRIPT"
  [ "$status" -eq 0 ]
  [[ "$output" == *"tls-assemble: wrote $TLS_SERVER_PEM_FILE and $TLS_SERVER_CA_FILE (mode 0400)"* ]]
  [ "$(stat -c %a "$TLS_SERVER_PEM_FILE")" = 400 ]
  [ "$(stat -c %a "$TLS_SERVER_CA_FILE")" = 400 ]
  # The PEM holds the Secret's key and certificate (openssl reads each from the one file).
  [ "$(openssl pkey -in "$TLS_SERVER_PEM_FILE" -pubout)" = "$(openssl x509 -in "$PKI/server1/tls.crt" -noout -pubkey)" ]
  [ "$(openssl x509 -in "$TLS_SERVER_PEM_FILE" -noout -fingerprint)" = "$(openssl x509 -in "$PKI/server1/tls.crt" -noout -fingerprint)" ]
  run openssl verify -CAfile "$TLS_SERVER_CA_FILE" "$TLS_SERVER_PEM_FILE"
  [ "$status" -eq 0 ]
  # Nothing else is left in the runtime directory (no temporary files).
  [ "$(find "$BATS_TEST_TMPDIR/run" -mindepth 1 | sort | tr '\n' ' ')" = "$TLS_SERVER_CA_FILE $TLS_SERVER_PEM_FILE " ]
}

@test "a second run replaces both files (rotation): the new certificate, at the same paths" {
  run bash "$SCRIPT"
  [ "$status" -eq 0 ]
  secret_from server2 ca2
  run bash "$SCRIPT"
  [ "$status" -eq 0 ]
  [ "$(openssl x509 -in "$TLS_SERVER_PEM_FILE" -noout -fingerprint)" = "$(openssl x509 -in "$PKI/server2/tls.crt" -noout -fingerprint)" ]
  [ "$(openssl x509 -in "$TLS_SERVER_CA_FILE" -noout -fingerprint)" = "$(openssl x509 -in "$PKI/ca2/ca.crt" -noout -fingerprint)" ]
}

@test "a CA bundle (old and new CA, the first step of a CA change) verifies the certificate of either" {
  cat "$PKI/ca1/ca.crt" "$PKI/ca2/ca.crt" >"$TLS_SECRET_DIR/ca.crt"
  run bash "$SCRIPT"
  [ "$status" -eq 0 ]
  run openssl verify -CAfile "$TLS_SERVER_CA_FILE" "$PKI/server2/tls.crt"
  [ "$status" -eq 0 ]
}

@test "a key that is not the certificate's is refused and the files mongod reads stay as they were" {
  run bash "$SCRIPT"
  [ "$status" -eq 0 ]
  before="$(cat "$TLS_SERVER_PEM_FILE")"
  cp "$PKI/server2/tls.key" "$TLS_SECRET_DIR/tls.key"
  run bash "$SCRIPT"
  [ "$status" -eq 1 ]
  [[ "$output" == *"tls.key does not belong to the certificate in $TLS_SECRET_DIR/tls.crt (their public keys differ)"* ]]
  [ "$(cat "$TLS_SERVER_PEM_FILE")" = "$before" ]
  [ "$(find "$BATS_TEST_TMPDIR/run" -mindepth 1 | wc -l)" -eq 2 ]
}

@test "a certificate that the CA did not sign is refused" {
  cp "$PKI/ca2/ca.crt" "$TLS_SECRET_DIR/ca.crt"
  run bash "$SCRIPT"
  [ "$status" -eq 1 ]
  [[ "$output" == *"tls.crt does not verify against $TLS_SECRET_DIR/ca.crt"* ]]
  [ ! -e "$TLS_SERVER_PEM_FILE" ]
}

@test "a missing or empty file of the Secret is refused, naming it" {
  for f in tls.key tls.crt ca.crt; do
    secret_from server1 ca1
    : >"$TLS_SECRET_DIR/$f"
    run bash "$SCRIPT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$TLS_SECRET_DIR/$f is missing or empty: the certificate Secret needs tls.key, tls.crt and ca.crt"* ]]
    rm "$TLS_SECRET_DIR/$f"
    run bash "$SCRIPT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$TLS_SECRET_DIR/$f is missing or empty"* ]]
  done
  [ ! -e "$TLS_SERVER_PEM_FILE" ]
}

@test "a file that is not PEM is refused" {
  echo "not a key" >"$TLS_SECRET_DIR/tls.key"
  run bash "$SCRIPT"
  [ "$status" -eq 1 ]
  [[ "$output" == *"tls.key is not a PEM private key"* ]]
}
