#!/usr/bin/env bash
# Assembles what mongod's net.tls reads from the certificate Secret (config/tls.ts):
#   TLS_SERVER_PEM_FILE  certificateKeyFile: the private key and the certificate in one PEM file
#                        (https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-net.tls.certificateKeyFile)
#   TLS_SERVER_CA_FILE   CAFile: a copy of the Secret's ca.crt
# in the memory-backed TLS_RUNTIME_DIR (never on the data volume). Each file is written to a
# temporary file in the same directory and renamed over the old one, so mongod (at start, or on
# rotateCertificates) reads either the old file or the new one, never half of one.
# No arguments. Exit 1, with the reason on stderr, when a file is missing or the key does not
# belong to the certificate (a Secret read half before and half after the kubelet swapped it
# ends here too; the rotation sidecar tries again at its next check).
#   TLS_SECRET_DIR   the Secret mounted whole (tls.key, tls.crt, ca.crt); default /etc/nyrkio/tls
#   TLS_RUNTIME_DIR  default /run/nyrkio/tls; TLS_SERVER_PEM_FILE and TLS_SERVER_CA_FILE default
#                    to server.pem and ca.pem in it
set -euo pipefail

secret_dir="${TLS_SECRET_DIR:-/etc/nyrkio/tls}"
runtime_dir="${TLS_RUNTIME_DIR:-/run/nyrkio/tls}"
pem_file="${TLS_SERVER_PEM_FILE:-$runtime_dir/server.pem}"
ca_file="${TLS_SERVER_CA_FILE:-$runtime_dir/ca.pem}"

fail() {
  echo "tls-assemble: $*" >&2
  exit 1
}

for name in tls.key tls.crt ca.crt; do
  [[ -s "$secret_dir/$name" ]] || fail "$secret_dir/$name is missing or empty (is the certificate Secret mounted, with keys tls.key, tls.crt and ca.crt?)"
done

# The same public key in both, or mongod would refuse the PEM (openssl is in the image: the
# mongo image installs ca-certificates, which depends on openssl; docker-library/mongo 8.0/Dockerfile).
key_public="$(openssl pkey -in "$secret_dir/tls.key" -pubout 2>/dev/null)" || fail "$secret_dir/tls.key is not a private key in PEM"
cert_public="$(openssl x509 -in "$secret_dir/tls.crt" -noout -pubkey 2>/dev/null)" || fail "$secret_dir/tls.crt is not a certificate in PEM"
[[ "$key_public" == "$cert_public" ]] || fail "tls.key does not belong to tls.crt in $secret_dir: not assembling a PEM mongod would refuse"

umask 077
mkdir -p "$runtime_dir"
# install_file <target> <sources...>: the sources concatenated (each ending in a newline, so two
# PEM blocks never share a line), atomically at <target>.
install_file() {
  local target="$1" tmp source
  shift
  tmp="$(mktemp "$(dirname "$target")/.$(basename "$target").XXXXXX")"
  if ! for source in "$@"; do awk 1 "$source"; done >"$tmp"; then
    rm -f "$tmp"
    fail "cannot write $tmp"
  fi
  mv -f "$tmp" "$target"
}
install_file "$pem_file" "$secret_dir/tls.key" "$secret_dir/tls.crt"
install_file "$ca_file" "$secret_dir/ca.crt"
