#!/usr/bin/env bash
# Kubernetes probes of a replica-set member, over localhost and without credentials (`ping` and
# `hello` need no authentication: their requiresAuth() is false in the server source, so a probe
# never holds a password).
#   startup, liveness  mongod answers ping. Sent as one OP_MSG over bash's /dev/tcp: a few MiB
#                      and milliseconds, where a mongosh start costs about 125 MiB and a second
#                      of CPU (docs/replica-set.md, "Memory"), in the same container as mongod.
#   readiness          mongosh/readiness.js: without a config, ready only while no peer holds
#                      one (the first bootstrap); PRIMARY or ARBITER; SECONDARY within
#                      READY_MAX_LAG_SECONDS of the primary.
#   MONGODB_PORT       mongod's port (default 27017)
#   NYRKIO_TLS_CA_FILE set when the server has TLS (any mode but disabled; config/tls.ts
#                      TLS_CA_FILE_ENV): the CA the server's certificate must chain to. This
#                      member's own mongod accepts TLS in every such mode, so every probe of it
#                      uses TLS (mongosh/readiness.js decides for the peers). The ping goes through
#                      `openssl s_client`, which verifies the chain and the IP address
#                      127.0.0.1 in the certificate's SANs, and readiness's mongosh connects with
#                      tls=true&tlsCAFile (host names verified). /dev/tcp cannot speak TLS, and a
#                      requireTLS mongod closes a plaintext connection.
#                      openssl is in the official image: its Dockerfile (docker-library/mongo
#                      8.0/Dockerfile) installs ca-certificates, which Depends: openssl (>= 1.1.1)
#                      (Debian and Ubuntu noble's debian/control; update-ca-certificates runs
#                      `openssl rehash`). Without openssl the probe falls back to mongosh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${MONGODB_PORT:-27017}"
# 127.0.0.1, not localhost: mongod listens on IPv4 only, and localhost may resolve to ::1 first.
uri="mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=5000"
ca_file="${NYRKIO_TLS_CA_FILE:-}"
# config/tls.ts uriTlsOptions, spelled for a URI.
if [[ -n "$ca_file" ]]; then uri+="&tls=true&tlsCAFile=${ca_file}"; fi

# { ping: 1, $db: "admin" } as an OP_MSG (MongoDB wire protocol, little-endian): header
# (messageLength 51, requestID 1, responseTo 0, opCode 2013), flagBits 0, one body section (kind
# 0) holding the BSON document.
# https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/#op_msg
PING_OP_MSG='\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x10\x70\x69\x6e\x67\x00\x01\x00\x00\x00\x02\x24\x64\x62\x00\x06\x00\x00\x00\x61\x64\x6d\x69\x6e\x00\x00'
# The reply's `ok: 1.0`: element type 0x01 (double), "ok\0", 1.0 as an IEEE 754 double; mongod
# appends ok as a double (CommandHelpers::appendSimpleCommandStatus, src/mongo/db/commands.cpp).
# An int32 1 (type 0x10) is accepted too.
OK_ONE='016f6b00000000000000f03f'
OK_ONE_INT='106f6b0001000000'

# ping_exchange <in fd> <out fd>: sends ping on <in>, reads one reply from <out>; 0 when it is ok: 1.
ping_exchange() {
  local length reply
  printf '%b' "$PING_OP_MSG" >&"$1"
  # The reply's first 4 bytes are its length; read exactly that much (the connection stays open).
  length=$(timeout 5 head -c 4 <&"$2" | od -An -tu4 | tr -d ' \n')
  [[ "$length" =~ ^[0-9]+$ ]] && ((length > 4 && length < 65536)) || return 1
  reply=$(timeout 5 head -c $((length - 4)) <&"$2" | od -An -v -tx1 | tr -d ' \n')
  [[ "$reply" == *"$OK_ONE"* || "$reply" == *"$OK_ONE_INT"* ]]
}

# ping_mongod: 0 when mongod on 127.0.0.1:$port answers ping with ok: 1.
ping_mongod() {
  local rc=0
  exec 3<>"/dev/tcp/127.0.0.1/${port}" || return 1
  ping_exchange 3 3 || rc=1
  exec 3>&-
  return "$rc"
}

# ping_mongod_tls: the same ping inside a verified TLS session. s_client -verify_return_error
# aborts the handshake unless the chain verifies against $ca_file and -verify_ip matches a SAN
# (https://docs.openssl.org/3.0/man1/openssl-verification-options/); -quiet prints only the
# server's bytes on stdout. The whole exchange is bounded by timeout.
ping_mongod_tls() {
  local rc=0
  coproc TLS_PING { exec timeout 8 openssl s_client -connect "127.0.0.1:${port}" -CAfile "$ca_file" -verify_return_error -verify_ip 127.0.0.1 -quiet 2>/dev/null; }
  # A coproc's descriptors are not inherited by subshells ($(...) in ping_exchange): copy them.
  exec 4>&"${TLS_PING[1]}" 5<&"${TLS_PING[0]}"
  ping_exchange 4 5 || rc=1
  exec 4>&- 5<&-
  kill "$TLS_PING_PID" 2>/dev/null || true
  wait "$TLS_PING_PID" 2>/dev/null || true
  return "$rc"
}

# ping_mongosh: the fallback without openssl (the cost of a mongosh start: see the header).
ping_mongosh() {
  mongosh "$uri" --quiet --norc --eval 'quit(db.adminCommand({ ping: 1 }).ok === 1 ? 0 : 1)' >/dev/null
}

ping_any() {
  if [[ -z "$ca_file" ]]; then ping_mongod
  elif command -v openssl >/dev/null; then ping_mongod_tls
  else ping_mongosh
  fi
}

case "${1:-}" in
  startup | liveness)
    if ! ping_any 2>/dev/null; then
      echo "mongod on 127.0.0.1:${port} does not answer ping" >&2
      exit 1
    fi
    ;;
  readiness)
    exec mongosh "$uri" --quiet --norc --file "$here/mongosh/readiness.js"
    ;;
  *)
    echo "usage: probe.sh startup|readiness|liveness" >&2
    exit 2
    ;;
esac
