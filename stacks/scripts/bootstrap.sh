#!/usr/bin/env bash
# Bootstrap sidecar of the data members. With a keyfile, access control is on from the first
# start, and only a connection from localhost may initiate the replica set and create the first
# user (MongoDB's localhost exception): so the first data pod does both, over 127.0.0.1.
#   ordinal 0   wait for the local mongod; initiate the set from the desired config unless it
#               is initiated already; create the one-time bootstrap user from the mounted
#               bootstrap Secret unless a user exists already; then idle. The reconcile Job logs
#               in as that user, creates root from the root Secret (never mounted here) and drops
#               it (docs/security.md, "The root Secret").
#   ordinal >0  idle at once: they join when the primary's config names them.
# Every step checks before it acts, so the script runs again harmlessly on every restart. A
# sidecar must keep running (a finished container is restarted), so it idles afterwards and
# exits at once on SIGTERM instead of holding the pod for its whole grace period.
#   POD_NAME                 this pod's name, <statefulset>-<ordinal> (required)
#   MONGODB_PORT             mongod's port (default 27017)
#   REPLICASET_CONFIG        the desired replica-set config (read by mongosh/initiate.js)
#   BOOTSTRAP_SECRET_DIR     the bootstrap Secret's files (read by mongosh/create-bootstrap-user.js;
#                            empty when the optional Secret does not exist)
#   BOOTSTRAP_RETRY_SECONDS  pause between attempts (default 5)
#   NYRKIO_TLS_CA_FILE       set when the server has TLS (config/tls.ts): the local connections
#                            use TLS and verify the certificate and host name (127.0.0.1 is in
#                            the SANs, docs/tls.md); mongosh/initiate.js decides for the peers
#   NYRKIO_TLS_MODE_FILE     the deployed TLS mode (read by mongosh/initiate.js)
set -euo pipefail

sleep_pid=""
stop() {
  log "stopping"
  if [[ -n "$sleep_pid" ]]; then kill "$sleep_pid" 2>/dev/null || true; fi
  exit 0
}
trap stop TERM INT

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pod="${POD_NAME:?POD_NAME must name this pod}"
ordinal="${pod##*-}"
port="${MONGODB_PORT:-27017}"
retry_seconds="${BOOTSTRAP_RETRY_SECONDS:-5}"
uri="mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=5000"
# config/tls.ts uriTlsOptions, spelled for a URI.
if [[ -n "${NYRKIO_TLS_CA_FILE:-}" ]]; then uri+="&tls=true&tlsCAFile=${NYRKIO_TLS_CA_FILE}"; fi

log() {
  printf '%s bootstrap[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${pod:-}" "$*"
}

# Sleeps in the background so that SIGTERM is handled at once, not after the sleep.
pause() {
  sleep "$1" &
  sleep_pid=$!
  wait "$sleep_pid" || true
  sleep_pid=""
}

idle() {
  log "$1; idle"
  while true; do pause 3600; done
}

# until_done <step> <command...>: runs the command until it exits 0, logging each retry.
until_done() {
  local step="$1" attempt=1
  shift
  until "$@"; do
    log "$step: not done yet (attempt $attempt); retrying in ${retry_seconds}s"
    attempt=$((attempt + 1))
    pause "$retry_seconds"
  done
}

local_mongosh() {
  mongosh "$uri" --quiet --norc "$@"
}

if [[ "$ordinal" != "0" ]]; then
  idle "ordinal $ordinal: nothing to bootstrap (ordinal 0 initiates the set)"
fi

log "waiting for mongod on 127.0.0.1:$port"
until_done "ping" local_mongosh --eval 'db.adminCommand({ ping: 1 }).ok'
until_done "initiate" local_mongosh --file "$here/mongosh/initiate.js"
until_done "bootstrap user" local_mongosh --file "$here/mongosh/create-bootstrap-user.js"
idle "bootstrap complete"
