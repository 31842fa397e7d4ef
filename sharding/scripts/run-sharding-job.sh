#!/usr/bin/env bash
# The sharding Job's entry point: waits until mongos answers, then runs the sharding script
# (shard-cluster.js), which authenticates itself from the mounted root Secret.
# mongos comes up with the same deploy as this Job, so the Job waits for it rather than
# failing and burning its retries; the script's own failures (a shard not reachable yet, a
# refused shard key) fail the pod, and the Job's backoff retries it.
# Environment:
#   MONGOS_URI             mongodb://<mongos service>:27017/admin (no credentials)
#   SHARDING_SCRIPT        path of shard-cluster.js
#   MONGOS_WAIT_SECONDS    how long to wait for mongos (default 600)
#   MONGOS_POLL_SECONDS    pause between tries (default 5)
set -euo pipefail

log() {
  printf '{"job":"sharding","at":"%s","level":"%s","msg":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2"
}

: "${MONGOS_URI:?MONGOS_URI must name the mongos service}"
: "${SHARDING_SCRIPT:?SHARDING_SCRIPT must name shard-cluster.js}"
wait_seconds="${MONGOS_WAIT_SECONDS:-600}"

started=$SECONDS
# ping needs no authentication: no credential is involved in waiting.
until mongosh --quiet "$MONGOS_URI" --eval 'db.adminCommand({ ping: 1 }).ok' >/dev/null 2>&1; do
  if ((SECONDS - started >= wait_seconds)); then
    log error "mongos did not answer within ${wait_seconds} s"
    exit 1
  fi
  sleep "${MONGOS_POLL_SECONDS:-5}"
done
log info "mongos answers after $((SECONDS - started)) s; running the sharding script"

exec mongosh --quiet "$MONGOS_URI" --file "$SHARDING_SCRIPT"
