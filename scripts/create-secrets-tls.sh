# shellcheck shell=bash
# shellcheck disable=SC2154 # namespace, workdir, dry_run, tls_*: set by create-secrets.sh, which sources this file
# Sourced by scripts/create-secrets.sh for --tls (docs/tls.md, "Certificates without
# cert-manager"): a private CA and the server certificate, made with openssl in the script's
# private temporary directory (umask 077, removed on exit). Keys leave it only through
# `kubectl --from-file` into their Secrets:
#   <tls secret>     tls.key, tls.crt, ca.crt: cert-manager's layout, which every mongod and
#                    mongos mounts (config tls.certificates.secretName)
#   <tls secret>-ca  tls.key, tls.crt of the CA (a cert-manager CA Issuer's layout): mounted by
#                    nothing; --rotate signs the new server certificate with it
# The subject and names come from `nyrkio-db tls-names` (config/tls-names.ts), the one function
# the cert-manager Certificate reads too. Uses the caller's kc, log, workdir, namespace, dry_run.
#   NYRKIO_DB_TLS_NAMES_JS  the tls-names CLI (default dist/ops/tls-names/tls-names-cli.js: npm run build)

# Validity: the CA for ten years, the server certificate for one (renew with --tls --rotate,
# which keeps the CA, so rotateCertificates reloads it without a CA change).
TLS_CA_DAYS=3650
TLS_SERVER_DAYS=365

# tls_fail <message>: an openssl, kubectl or config failure (exit 1).
tls_fail() {
  echo "create-secrets: $1" >&2
  exit 1
}

# new_key <file>: an EC P-256 private key (mongod's OpenSSL, mongosh and the drivers all take it).
new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null || tls_fail "openssl could not generate a key"
}

# secret_key <secret> <key> <file>: one key of an existing Secret, decoded into the private directory.
secret_key() {
  local escaped="${2//./\\.}"
  kc -n "$namespace" get secret "$1" -o "jsonpath={.data.$escaped}" | base64 -d >"$3" || tls_fail "could not read $2 of secret $1"
  [[ -s "$3" ]] || tls_fail "secret $1 has no $2"
}

# tls_names: reads the subject, names and Secret name for the environment into tls_subject,
# tls_sans (openssl's subjectAltName value) and tls_config_secret.
tls_names() {
  local script_dir cli output line
  script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  cli="${NYRKIO_DB_TLS_NAMES_JS:-$script_dir/../dist/ops/tls-names/tls-names-cli.js}"
  [[ -f "$cli" ]] || tls_fail "$cli is missing: run npm run build first"
  local args=(--env "$tls_env")
  [[ -z "$tls_config" ]] || args+=(--config "$tls_config")
  output="$(node "$cli" "${args[@]}")" || tls_fail "nyrkio-db tls-names failed for environment $tls_env"
  tls_subject=""
  tls_sans=""
  tls_config_secret=""
  local config_namespace=""
  while IFS= read -r line; do
    case "$line" in
      "namespace "*) config_namespace="${line#namespace }" ;;
      "secret "*) tls_config_secret="${line#secret }" ;;
      "subject "*) tls_subject="${line#subject }" ;;
      DNS:* | IP:*) tls_sans="${tls_sans:+$tls_sans,}$line" ;;
    esac
  done <<<"$output"
  [[ -n "$tls_subject" && -n "$tls_sans" ]] || tls_fail "nyrkio-db tls-names gave no subject or names"
  [[ "$config_namespace" == "$namespace" ]] || tls_fail "--namespace $namespace is not the environment's namespace ($config_namespace): the certificate would name the wrong hosts"
}

# make_ca <dir>: a new CA key and self-signed certificate.
make_ca() {
  new_key "$1/tls.key"
  openssl req -x509 -new -key "$1/tls.key" -days "$TLS_CA_DAYS" -subj "${tls_subject%/CN=*}/CN=${tls_subject##*/CN=} CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$1/tls.crt" 2>/dev/null || tls_fail "openssl could not make the CA"
}

# make_server <dir> <ca dir>: a new server key and a certificate the CA signs, with the subject
# and names of the environment and both extended key usages: mongod presents it to clients
# (serverAuth) and to the other members it connects to (clientAuth).
make_server() {
  new_key "$1/tls.key"
  openssl req -new -key "$1/tls.key" -subj "$tls_subject" -out "$1/tls.csr" 2>/dev/null || tls_fail "openssl could not make the certificate request"
  cat >"$1/ext.cnf" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $tls_sans
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
  openssl x509 -req -in "$1/tls.csr" -CA "$2/tls.crt" -CAkey "$2/tls.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$TLS_SERVER_DAYS" -extfile "$1/ext.cnf" -out "$1/tls.crt" 2>/dev/null || tls_fail "openssl could not sign the server certificate"
}

# create_tls_secrets: the CA Secret (made once, reused after), then the server Secret: created
# when missing; replaced with a new key and certificate under --rotate (ca.crt kept as it is,
# which during a CA change is the bundle of the old and new CA).
create_tls_secrets() {
  tls_names
  local secret="${tls_secret_name:-${tls_config_secret:-nyrkio-mongodb-tls}}"
  local ca_secret="$secret-ca"
  local dir="$workdir/tls"
  mkdir -p "$dir/ca" "$dir/server"
  local tls_exists=false ca_exists=false
  kc -n "$namespace" get secret "$secret" >/dev/null 2>&1 && tls_exists=true
  kc -n "$namespace" get secret "$ca_secret" >/dev/null 2>&1 && ca_exists=true

  if [[ "$tls_exists" == true && "$tls_rotate" != true ]]; then
    log "secret $secret exists: left unchanged (--tls --rotate replaces its key and certificate)"
    return 0
  fi
  if [[ "$tls_rotate" == true && "$tls_exists" != true ]]; then
    tls_fail "--rotate: secret $secret does not exist; run with --tls alone first"
  fi
  if [[ "$dry_run" == true ]]; then
    if [[ "$ca_exists" == true ]]; then log "would sign with the CA of secret $ca_secret"; else log "would create secret $ca_secret with a new CA (keys: tls.crt tls.key)"; fi
    log "would $([[ "$tls_exists" == true ]] && echo replace || echo create) secret $secret (keys: tls.key tls.crt ca.crt) for $tls_subject, names $tls_sans"
    return 0
  fi

  if [[ "$ca_exists" == true ]]; then
    secret_key "$ca_secret" tls.key "$dir/ca/tls.key"
    secret_key "$ca_secret" tls.crt "$dir/ca/tls.crt"
  elif [[ "$tls_exists" == true ]]; then
    tls_fail "--rotate: secret $ca_secret (the CA that signed $secret) does not exist: a certificate from your own PKI is renewed there, then put into $secret"
  else
    make_ca "$dir/ca"
    create_secret "$ca_secret" "tls.crt=$dir/ca/tls.crt" "tls.key=$dir/ca/tls.key"
  fi
  make_server "$dir/server" "$dir/ca"
  if [[ "$tls_exists" == true ]]; then
    secret_key "$secret" ca.crt "$dir/server/ca.crt"
  else
    cp "$dir/ca/tls.crt" "$dir/server/ca.crt"
  fi
  # The Secret's own CA must verify the new certificate, or every mongod would refuse it
  # (tls-assemble.sh checks the same in the pods).
  openssl verify -CAfile "$dir/server/ca.crt" "$dir/server/tls.crt" >/dev/null 2>&1 || tls_fail "the new certificate does not verify against the ca.crt of secret $secret"
  local files=("tls.key=$dir/server/tls.key" "tls.crt=$dir/server/tls.crt" "ca.crt=$dir/server/ca.crt")
  if [[ "$tls_exists" == true ]]; then
    # In place (the Secret never disappears): the kubelet updates the mounted directory, and
    # the pods load the new files without a restart (docs/tls.md, rotation).
    local from=()
    for pair in "${files[@]}"; do from+=(--from-file="$pair"); done
    kc -n "$namespace" create secret generic "$secret" "${from[@]}" --dry-run=client -o yaml | kc -n "$namespace" replace -f - >/dev/null || tls_fail "could not replace secret $secret"
    log "replaced the key and certificate of secret $secret (the same CA; valid $TLS_SERVER_DAYS days)"
  else
    create_secret "$secret" "${files[@]}"
  fi
}
