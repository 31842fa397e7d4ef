#!/usr/bin/env bash
# Runs a command (a replica set's full dump) inside a balancer window of the sharded cluster, so
# no chunk moves between shards while it runs. balancer.js decides with the other open windows:
# the balancer is stopped by whoever finds it running, and started again when the last window
# closes, only if it was running before; one an operator had stopped stays stopped. The window
# is closed also when the command fails or the pod is told to stop; a window whose pod was
# killed outright expires after its lease, and the next window takes over.
#
#   balancer-window.sh <command> [args...]      exit status: the command's; 1 when the window
#                                               cannot be opened or closed
# Environment:
#   MONGOS_URI         mongodb://<mongos service>:27017/admin (no credentials)
#   BALANCER_SCRIPT    path of balancer.js (mounted from the ConfigMap)
#   BALANCER_USERNAME_FILE, BALANCER_PASSWORD_FILE  read by balancer.js, never by this script
#   BALANCER_HOLDER    this window's name (default: host name and process id)
#   STATE_DIR          writable directory (default /tmp)
set -euo pipefail

log() {
  printf '{"job":"balancer-window","at":"%s","level":"%s","msg":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2"
}

if [[ $# -lt 1 ]]; then
  log error "usage: balancer-window.sh <command> [args...]"
  exit 2
fi
: "${MONGOS_URI:?MONGOS_URI must name the mongos service}"
: "${BALANCER_SCRIPT:?BALANCER_SCRIPT must name balancer.js}"

holder="${BALANCER_HOLDER:-${HOSTNAME:-window}-$$}"
state_file="$(mktemp "${STATE_DIR:-/tmp}/balancer-state.XXXXXX")"
child=""

balancer() {
  BALANCER_ACTION="$1" BALANCER_HOLDER="$holder" BALANCER_STATE_FILE="$state_file" mongosh --quiet "$MONGOS_URI" --file "$BALANCER_SCRIPT"
}

# shellcheck disable=SC2317  # called by the EXIT trap
finish() {
  local code=$?
  trap - EXIT
  # "held": the lease was recorded, so the window must be closed, whatever happened after.
  if [[ "$(cat "$state_file" 2>/dev/null || true)" == "held" ]]; then
    if ! balancer close; then
      log error "the balancer window could NOT be closed; check sh.getBalancerState() through mongos (the lease expires by itself)"
      if [[ $code -eq 0 ]]; then code=1; fi
    fi
  fi
  rm -f "$state_file"
  exit "$code"
}
trap finish EXIT

# shellcheck disable=SC2317  # called by the TERM/INT trap
on_signal() {
  log warning "stop requested: stopping the command, then closing the window"
  if [[ -n "$child" ]]; then
    kill -TERM "$child" 2>/dev/null || true
  else
    exit 143
  fi
}
trap on_signal TERM INT

if ! balancer open; then
  log error "could not open the balancer window: the dump does not run without it"
  exit 1
fi
log info "window open, running $1"

set +e
"$@" &
child=$!
wait "$child"
rc=$?
# A trapped signal ends `wait` early; wait again for the command's own exit status.
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  rc=$?
done
set -e

if [[ $rc -ne 0 ]]; then log error "$1 exited with status $rc"; fi
exit "$rc"
