#!/usr/bin/env bash
# Test certificates in cert-manager's layout (ca.crt, tls.crt, tls.key), made with openssl as
# issue 15 specifies for scripts/create-secrets.sh --tls: a private CA, and a server certificate
# with serverAuth and clientAuth extended key usage whose SANs are the given names plus localhost
# and 127.0.0.1. Used by the bats and integration tests until create-secrets.sh --tls is on main
# (then they call it instead).
#   tls-certs.sh <out dir> [--no-ip] [--ca-only] [DNS name ...]
#     --no-ip    leave 127.0.0.1 out of the SANs (a certificate a probe must refuse)
set -euo pipefail
out="${1:?usage: tls-certs.sh <out dir> [--no-ip] [DNS name ...]}"
shift
ip=1
names=(localhost)
for arg in "$@"; do
  case "$arg" in
    --no-ip) ip=0 ;;
    *) names+=("$arg") ;;
  esac
done
mkdir -p "$out"
umask 077
san=""
for n in "${names[@]}"; do san+="DNS:$n,"; done
if ((ip)); then san+="IP:127.0.0.1,"; fi
san="${san%,}"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$out/ca.key" -out "$out/ca.crt" -days 2 -subj "/CN=nyrkio-test-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$out/tls.key" -out "$out/tls.csr" -subj "/CN=${names[-1]}" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$san" >"$out/ext.cnf"
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -out "$out/tls.crt" -days 2 -extfile "$out/ext.cnf" 2>/dev/null
rm -f "$out/tls.csr" "$out/ext.cnf" "$out/ca.srl"
# mongod's net.tls.certificateKeyFile: key and certificate in one file.
cat "$out/tls.key" "$out/tls.crt" >"$out/server.pem"
chmod 0644 "$out/ca.crt"
