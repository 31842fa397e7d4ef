#!/usr/bin/env bash
# The TLS rotation sidecar of every data member and mongos pod: when the certificate Secret
# changes (cert-manager renews it, or scripts/create-secrets.sh --tls --rotate), the kubelet
# swaps the mounted directory (never a subPath mount: those never update,
# https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod).
# Every TLS_CHECK_INTERVAL_SECONDS this compares the Secret with what mongod was given in
# TLS_RUNTIME_DIR; when they differ it runs tls-assemble.sh (new files at the same paths,
# atomically) and then rotateCertificates (mongosh/rotate-certificates.js, as the rotator user),
# so mongod or mongos serves the new certificate to new connections without a restart. A failed
# rotation is tried again at the next check. Stateless against the Secret: a change made while
# the sidecar was not running (or between mongod's start and the first check) is found too.
# Cheap while nothing changes: a bash loop, sleep and one cksum of the Secret per check.
#   TLS_SECRET_DIR, TLS_RUNTIME_DIR, TLS_SERVER_PEM_FILE, TLS_SERVER_CA_FILE  as tls-assemble.sh
#   TLS_ROTATOR_SECRET_DIR        the rotator's Secret (username, password)
#   TLS_MONGOSH_ARGS              mongosh's TLS flags (config/tls.ts mongoshTlsArgs), space-separated
#   MONGODB_PORT                  the port of this pod's mongod or mongos (default 27017)
#   TLS_CHECK_INTERVAL_SECONDS    default 30
#   TLS_CHECKS                    stop after this many checks (the tests); default: never
#   TLS_SIDECAR_ROLE              "arbiter": an arbiter holds no users, so nobody can log in to
#                                 run rotateCertificates; instead, when the Secret or the tlsMode in
#                                 TLS_MODE_FILE changed, check that the new files assemble (in a
#                                 scratch directory) and run mongosh/arbiter-restart.js, which
#                                 restarts the arbiter only while the rest of the set is healthy
#                                 (replicaset/arbiter-restart.ts), and otherwise waits
#   TLS_MODE_FILE                 (arbiter) the ConfigMap key with the tlsMode mongod starts with
#   REPLICASET_CONFIG             (arbiter) the designed config, for the votes
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
secret_dir="${TLS_SECRET_DIR:-/etc/nyrkio/tls}"
runtime_dir="${TLS_RUNTIME_DIR:-/run/nyrkio/tls}"
pem_file="${TLS_SERVER_PEM_FILE:-$runtime_dir/server.pem}"
ca_file="${TLS_SERVER_CA_FILE:-$runtime_dir/ca.pem}"
port="${MONGODB_PORT:-27017}"
interval="${TLS_CHECK_INTERVAL_SECONDS:-30}"
checks="${TLS_CHECKS:-0}"
read -r -a tls_args <<<"${TLS_MONGOSH_ARGS:-}"

# One JSON line per event (jq is in the image: docker-library/mongo 8.0/Dockerfile installs it).
log() {
  jq -cn --arg event "$1" --arg message "$2" '{event: $event, message: $message}'
}

# fingerprint <pem>: the SHA-256 fingerprint of the first certificate in the file (a PEM with
# the key first is read past it).
fingerprint() {
  openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null
}

# in_sync: what mongod was given is what the Secret holds (the same certificate, the same CA).
in_sync() {
  local given wanted
  cmp -s "$secret_dir/ca.crt" "$ca_file" || return 1
  given="$(fingerprint "$pem_file")" || return 1
  wanted="$(fingerprint "$secret_dir/tls.crt")" || return 1
  [[ "$given" == "$wanted" ]]
}

# 127.0.0.1 (mongod listens on IPv4; localhost may resolve to ::1 first): the certificate names
# 127.0.0.1 among its SANs, so the host name check passes.
rotate() {
  mongosh "mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=5000" --quiet "${tls_args[@]}" \
    --file "$here/mongosh/rotate-certificates.js"
}

# A checksum of the Secret's three files: while it stays the same nothing needs a closer look,
# so an idle check is one cksum (no openssl), and the first check compares in full.
secret_sum() {
  cat "$secret_dir/tls.key" "$secret_dir/tls.crt" "$secret_dir/ca.crt" ${TLS_MODE_FILE:+"$TLS_MODE_FILE"} 2>/dev/null | cksum
}

# check_arbiter: the arbiter's variant of check (see TLS_SIDECAR_ROLE).
check_arbiter() {
  local out changed=0 scratch status
  in_sync || changed=1
  if ((changed)); then
    scratch="$(mktemp -d)"
    out="$(TLS_RUNTIME_DIR="$scratch" TLS_SERVER_PEM_FILE="$scratch/server.pem" TLS_SERVER_CA_FILE="$scratch/ca.pem" bash "$here/tls-assemble.sh" 2>&1)"
    status=$?
    rm -rf "$scratch"
    if ((status != 0)); then
      [[ "$out" == "$last_problem" ]] || log "waiting" "the certificate Secret changed, but it cannot be assembled: not restarting the arbiter: $out"
      last_problem="$out"
      return 1
    fi
  elif [[ -z "${TLS_MODE_FILE:-}" ]]; then
    last_sum="$sum"
    return 0
  fi
  out="$(CERT_CHANGED="$changed" mongosh "mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=5000" --quiet "${tls_args[@]}" \
    --file "$here/mongosh/arbiter-restart.js" 2>&1)"
  status=$?
  if ((status != 0)); then
    [[ "$out" == "$last_problem" ]] || log "waiting" "$out"
    last_problem="$out"
    return 1
  fi
  [[ "$out" == *'"action":"none"'* ]] || log "restarting" "$out"
  last_problem=""
  # A restart is not done until mongod runs again with the new files: look again at the next check.
  [[ "$out" == *'"action":"restart"'* ]] || last_sum="$sum"
}

pending=false
last_problem=""
last_sum=""
sum=""
# check: one comparison, and the assembly and rotation it calls for. Logs a problem once, not at every check.
check() {
  local out
  sum="$(secret_sum)"
  [[ "$sum" == "$last_sum" && "$pending" == false && -z "$last_problem" ]] && return 0
  if [[ "${TLS_SIDECAR_ROLE:-}" == arbiter ]]; then
    check_arbiter
    return
  fi
  if ! in_sync; then
    if ! out="$(bash "$here/tls-assemble.sh" 2>&1)"; then
      [[ "$out" == "$last_problem" ]] || log "waiting" "the certificate Secret changed, but it cannot be assembled: $out"
      last_problem="$out"
      return 1
    fi
    log "assembled" "the certificate Secret changed: new $pem_file and $ca_file"
    pending=true
  fi
  if [[ "$pending" == false ]]; then
    last_sum="$sum"
    last_problem=""
    return 0
  fi
  if ! out="$(TLS_ROTATION_REASON="nyrkio tls-rotate: the certificate Secret changed" rotate 2>&1)"; then
    [[ "$out" == "$last_problem" ]] || log "waiting" "rotateCertificates failed, trying again in ${interval}s: $out"
    last_problem="$out"
    return 1
  fi
  pending=false
  last_problem=""
  last_sum="$sum"
  log "rotated" "mongod loaded the new certificate (rotateCertificates)"
}

trap 'exit 0' TERM INT
log "start" "watching $secret_dir every ${interval}s"
n=0
while :; do
  check
  n=$((n + 1))
  if ((checks > 0 && n >= checks)); then
    [[ "$pending" == false && -z "$last_problem" ]]
    exit
  fi
  # In the background and waited for, so that SIGTERM ends the sidecar at once.
  sleep "$interval" &
  wait $!
done
