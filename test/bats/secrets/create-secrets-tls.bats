#!/usr/bin/env bats
# scripts/create-secrets.sh --tls (and --tls --rotate), against the stand-in kubectl (bin/kubectl),
# the real openssl and the real tls-names CLI (ops/tls-names/tls-names-cli.ts, bundled once with
# the repository's esbuild): the chain, the names, the extended key usages and the subject of
# what it creates, and tls-assemble.sh (the pods' init container) accepting the Secret.

setup_file() {
  REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
  export NYRKIO_DB_TLS_NAMES_JS="$BATS_FILE_TMPDIR/tls-names.js"
  "$REPO_ROOT/node_modules/.bin/esbuild" "$REPO_ROOT/ops/tls-names/tls-names-cli.ts" --bundle --platform=node --log-level=error --outfile="$NYRKIO_DB_TLS_NAMES_JS"
}

setup() {
  REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
  SCRIPT="$REPO_ROOT/scripts/create-secrets.sh"
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export STANDIN_LOG="$BATS_TEST_TMPDIR/kubectl.calls"
  export STANDIN_STATE="$BATS_TEST_TMPDIR/state"
  export EXISTING_NAMESPACES="nyrkio-db-dev nyrkio-db-sharded"
  export EXISTING_SECRETS=""
  unset NYRKIO_DB_ENV NYRKIO_DB_CONFIG
  mkdir -p "$STANDIN_STATE"
  : >"$STANDIN_LOG"
  CREATED="$STANDIN_STATE/created"
}

# The names `nyrkio-db tls-names` gives for an environment, sorted, one per line.
expected_names() {
  node "$NYRKIO_DB_TLS_NAMES_JS" --env "$1" | grep -E '^(DNS|IP):' | sed 's/^IP:/IP Address:/' | sort
}

# The certificate's subjectAltName entries, sorted, one per line.
cert_names() {
  openssl x509 -in "$1" -noout -ext subjectAltName | tail -n +2 | tr ',' '\n' | sed 's/^ *//' | sort
}

@test "--tls: a private CA and a server certificate it signs, with every name of the environment, serverAuth and clientAuth, in cert-manager's layout" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls --env dev
  [ "$status" -eq 0 ]
  [[ "$output" == *"created secret nyrkio-mongodb-tls-ca"* ]]
  [[ "$output" == *"created secret nyrkio-mongodb-tls"* ]]
  tls="$CREATED/nyrkio-mongodb-tls"
  [ "$(ls "$tls" | grep -v '\.' ; ls "$tls" | grep -E '^(ca|tls)\.(crt|key)$' | sort | tr '\n' ' ')" = "ca.crt tls.crt tls.key " ]
  [ "$(ls "$CREATED/nyrkio-mongodb-tls-ca" | grep -E '^tls\.(crt|key)$' | tr '\n' ' ')" = "tls.crt tls.key " ]
  # The chain.
  run openssl verify -CAfile "$tls/ca.crt" "$tls/tls.crt"
  [ "$status" -eq 0 ]
  [ "$(cat "$tls/ca.crt")" = "$(cat "$CREATED/nyrkio-mongodb-tls-ca/tls.crt")" ]
  # The key is the certificate's.
  [ "$(openssl pkey -in "$tls/tls.key" -pubout)" = "$(openssl x509 -in "$tls/tls.crt" -noout -pubkey)" ]
  # Every name of the environment, and nothing else.
  [ "$(cert_names "$tls/tls.crt")" = "$(expected_names dev)" ]
  cert_names "$tls/tls.crt" | grep -qx 'DNS:\*.mongodb-rs0.nyrkio-db-dev.svc.cluster.local'
  cert_names "$tls/tls.crt" | grep -qx 'DNS:mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local'
  cert_names "$tls/tls.crt" | grep -qx 'DNS:localhost'
  cert_names "$tls/tls.crt" | grep -qx 'IP Address:127.0.0.1'
  # Both extended key usages (mongod presents it to the members it connects to as well).
  [ "$(openssl x509 -in "$tls/tls.crt" -noout -ext extendedKeyUsage | tail -n +2 | sed 's/^ *//')" = "TLS Web Server Authentication, TLS Web Client Authentication" ]
  openssl x509 -in "$tls/tls.crt" -noout -ext basicConstraints | grep -q "CA:FALSE"
  openssl x509 -in "$tls/ca.crt" -noout -ext basicConstraints | grep -q "CA:TRUE"
  # O and OU, which x.509 member authentication compares.
  [ "$(openssl x509 -in "$tls/tls.crt" -noout -subject)" = "subject=O = Nyrkio, OU = nyrkio-db-dev, CN = nyrkio-db-dev" ]
  # The keys were handed over from a private directory (0700, files 0600) that is gone now.
  for key in "$tls/tls.key" "$CREATED/nyrkio-mongodb-tls-ca/tls.key"; do
    [ "$(cat "$key.mode")" = 600 ]
    [ "$(cat "$key.dirmode")" = 700 ]
    [ ! -e "$(cat "$key.path")" ]
  done
}

@test "--tls: the pods' tls-assemble.sh accepts the Secret it creates" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls
  [ "$status" -eq 0 ]
  mkdir -p "$BATS_TEST_TMPDIR/run"
  TLS_SECRET_DIR="$CREATED/nyrkio-mongodb-tls" TLS_SERVER_PEM_FILE="$BATS_TEST_TMPDIR/run/server.pem" TLS_SERVER_CA_FILE="$BATS_TEST_TMPDIR/run/ca.pem" \
    run bash "$REPO_ROOT/stacks/scripts/tls-assemble.sh"
  [ "$status" -eq 0 ]
  [[ "$output" == *"subject=O = Nyrkio, OU = nyrkio-db-dev, CN = nyrkio-db-dev"* ]]
}

@test "--tls for a sharded environment names the config servers, every shard and mongos" {
  run bash "$SCRIPT" --namespace nyrkio-db-sharded --tls --env sharded
  [ "$status" -eq 0 ]
  names="$(cert_names "$CREATED/nyrkio-mongodb-tls/tls.crt")"
  [ "$names" = "$(expected_names sharded)" ]
  for host in mongodb-cfg-0.mongodb-cfg mongodb-rs1-2.mongodb-rs1; do grep -qx "DNS:$host.nyrkio-db-sharded.svc.cluster.local" <<<"$names"; done
  grep -qx "DNS:mongodb-mongos.nyrkio-db-sharded.svc.cluster.local" <<<"$names"
}

@test "--tls leaves an existing TLS Secret unchanged" {
  export EXISTING_SECRETS="nyrkio-mongodb-tls nyrkio-mongodb-tls-ca"
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls
  [ "$status" -eq 0 ]
  [[ "$output" == *"secret nyrkio-mongodb-tls exists: left unchanged"* ]]
  [ ! -e "$CREATED/nyrkio-mongodb-tls" ]
  ! grep -q "replace" "$STANDIN_LOG"
}

@test "--tls --rotate: a new key and certificate signed by the same CA replace the Secret's in place, ca.crt kept" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls
  [ "$status" -eq 0 ]
  # The cluster now holds what the first run created.
  mkdir -p "$STANDIN_STATE/existing"
  cp -r "$CREATED/nyrkio-mongodb-tls" "$CREATED/nyrkio-mongodb-tls-ca" "$STANDIN_STATE/existing/"
  # A CA bundle in ca.crt (the first step of a CA change) must survive the rotation.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=next CA" -keyout /dev/null -out "$BATS_TEST_TMPDIR/next-ca.crt" 2>/dev/null
  cat "$CREATED/nyrkio-mongodb-tls/ca.crt" "$BATS_TEST_TMPDIR/next-ca.crt" >"$STANDIN_STATE/existing/nyrkio-mongodb-tls/ca.crt"
  export EXISTING_SECRETS="nyrkio-mongodb-tls nyrkio-mongodb-tls-ca"
  : >"$STANDIN_LOG"
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls --rotate
  [ "$status" -eq 0 ]
  [[ "$output" == *"replaced the key and certificate of secret nyrkio-mongodb-tls (the same CA"* ]]
  new="$STANDIN_STATE/replaced/nyrkio-mongodb-tls"
  [ "$(cat "$new/ca.crt")" = "$(cat "$STANDIN_STATE/existing/nyrkio-mongodb-tls/ca.crt")" ]
  ! cmp -s "$new/tls.key" "$CREATED/nyrkio-mongodb-tls/tls.key"
  run openssl verify -CAfile "$CREATED/nyrkio-mongodb-tls-ca/tls.crt" "$new/tls.crt"
  [ "$status" -eq 0 ]
  [ "$(cert_names "$new/tls.crt")" = "$(expected_names dev)" ]
  # No Secret was created, none deleted: replaced in place.
  ! grep -Eq "create secret generic [^ ]+ --from-file[^ ]* --from-file[^ ]* --from-file[^ ]*$|delete" "$STANDIN_LOG"
}

@test "--tls --rotate without the CA Secret (a certificate from your own PKI) is refused" {
  export EXISTING_SECRETS="nyrkio-mongodb-tls"
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls --rotate
  [ "$status" -eq 1 ]
  [[ "$output" == *"secret nyrkio-mongodb-tls-ca (the CA that signed nyrkio-mongodb-tls) does not exist"* ]]
}

@test "--rotate without --tls, and a namespace other than the environment's, are refused" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --rotate
  [ "$status" -eq 2 ]
  [[ "$output" == *"--rotate needs --tls"* ]]
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls --env sharded
  [ "$status" -eq 1 ]
  [[ "$output" == *"--namespace nyrkio-db-dev is not the environment's namespace (nyrkio-db-sharded)"* ]]
  [ ! -e "$CREATED/nyrkio-mongodb-tls" ]
}

@test "--tls --dry-run says what it would make, names included, and creates nothing" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --tls --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"would create secret nyrkio-mongodb-tls-ca with a new CA"* ]]
  [[ "$output" == *"would create secret nyrkio-mongodb-tls (keys: tls.key tls.crt ca.crt) for /O=Nyrkio/OU=nyrkio-db-dev/CN=nyrkio-db-dev, names DNS:mongodb-rs0-0."* ]]
  [ ! -e "$CREATED" ]
}
