#!/usr/bin/env bash
# Assembles the files mongod and mongos read for TLS (docs/tls.md) from the certificate Secret,
# mounted whole as a directory in cert-manager's layout (tls.key, tls.crt, ca.crt):
#   TLS_SERVER_PEM_FILE  key and certificate in one PEM (net.tls.certificateKeyFile)
#   TLS_SERVER_CA_FILE   the CA, or a bundle of the old and new CA (net.tls.CAFile)
# Both live in the memory-backed TLS_RUNTIME_DIR, never on the data volume. Runs as the members'
# and mongos's init container before mongod starts, and again from the rotation sidecar when the
# Secret changes: no arguments, and nothing is replaced unless every check passes, so a bad
# Secret leaves the files mongod runs with untouched. Each file is written to a temporary file
# in the same directory and renamed over the old one (a rename within one file system is atomic:
# mongod, reading on rotateCertificates, sees the old file or the new one, never half of one).
#   TLS_SECRET_DIR       the mounted Secret        (default /etc/nyrkio/tls)
#   TLS_SERVER_PEM_FILE  (default /run/nyrkio/tls/server.pem)
#   TLS_SERVER_CA_FILE   (default /run/nyrkio/tls/ca.pem)
# The defaults are config/tls.ts's constants (a test pins them). openssl is in the official
# image: docker-library/mongo's Dockerfile installs ca-certificates, which depends on openssl.
# Exit codes: 0 assembled, 1 a missing, unreadable or mismatched key, certificate or CA.
set -euo pipefail

secret_dir="${TLS_SECRET_DIR:-/etc/nyrkio/tls}"
pem_file="${TLS_SERVER_PEM_FILE:-/run/nyrkio/tls/server.pem}"
ca_file="${TLS_SERVER_CA_FILE:-/run/nyrkio/tls/ca.pem}"
key="$secret_dir/tls.key"
crt="$secret_dir/tls.crt"
ca="$secret_dir/ca.crt"

fail() {
  echo "tls-assemble: $1; the files mongod reads are left as they were (docs/tls.md)" >&2
  exit 1
}

command -v openssl >/dev/null 2>&1 || fail "openssl is not on PATH"
for f in "$key" "$crt" "$ca"; do
  [[ -s "$f" ]] || fail "$f is missing or empty: the certificate Secret needs tls.key, tls.crt and ca.crt (cert-manager's layout; an ACME issuer gives no ca.crt)"
done

# Each part must parse, the key must be the certificate's (same public key), and the
# certificate must verify against the CA (with any intermediates tls.crt carries after it):
# mongod would otherwise fail only when a peer or client first connects.
openssl pkey -in "$key" -noout 2>/dev/null || fail "$key is not a PEM private key"
openssl x509 -in "$crt" -noout 2>/dev/null || fail "$crt is not a PEM certificate"
openssl x509 -in "$ca" -noout 2>/dev/null || fail "$ca is not a PEM certificate"
key_pub="$(openssl pkey -in "$key" -pubout)"
crt_pub="$(openssl x509 -in "$crt" -noout -pubkey)"
[[ "$key_pub" == "$crt_pub" ]] || fail "$key does not belong to the certificate in $crt (their public keys differ)"
verify_out="$(openssl verify -CAfile "$ca" -untrusted "$crt" "$crt" 2>&1)" || fail "$crt does not verify against $ca: ${verify_out//$'\n'/ }"

umask 077
runtime_dir="$(dirname "$pem_file")"
[[ -d "$runtime_dir" && -w "$runtime_dir" ]] || fail "$runtime_dir is not a writable directory"
pem_tmp="$(mktemp "$runtime_dir/.server.pem.XXXXXX")"
ca_tmp="$(mktemp "$(dirname "$ca_file")/.ca.pem.XXXXXX")"
trap 'rm -f "$pem_tmp" "$ca_tmp"' EXIT
# mongod reads the key and the certificate chain from one file (net.tls.certificateKeyFile).
{ cat "$key"; printf '\n'; cat "$crt"; } >"$pem_tmp"
cat "$ca" >"$ca_tmp"
chmod 0400 "$pem_tmp" "$ca_tmp"
# The CA first: during a CA change it is the bundle of the old and the new CA, which verifies
# peers whichever certificate they present.
mv -f "$ca_tmp" "$ca_file"
mv -f "$pem_tmp" "$pem_file"
trap - EXIT
subject="$(openssl x509 -in "$crt" -noout -subject -enddate | tr '\n' ' ')"
echo "tls-assemble: wrote $pem_file and $ca_file (mode 0400): ${subject% }"
