#!/usr/bin/env bash
# Runs a command (the dumps of every shard and of the config servers) with the sharded cluster's
# balancer stopped, so no chunk moves between shards while they are dumped, and restarts the
# balancer afterwards if it was on before: also when the command fails or the pod is told to stop.
# A balancer that an operator had stopped stays stopped.
#
#   balancer-window.sh <command> [args...]      exit status: the command's; 1 when the
#                                               balancer cannot be stopped or started again
# Environment:
#   MONGOS_URI         mongodb://<mongos service>:27017/admin (no credentials)
#   BALANCER_SCRIPT    path of balancer.js (mounted from the ConfigMap)
#   BALANCER_USERNAME_FILE, BALANCER_PASSWORD_FILE  read by balancer.js, never by this script
#   STATE_DIR          writable directory (default /tmp)
# Run one window per backup run, around all the dumps: two overlapping windows would restart the
# balancer when the first one ends.
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

state_file="$(mktemp "${STATE_DIR:-/tmp}/balancer-state.XXXXXX")"
child=""

balancer() {
  BALANCER_ACTION="$1" BALANCER_STATE_FILE="$state_file" mongosh --quiet "$MONGOS_URI" --file "$BALANCER_SCRIPT"
}

# shellcheck disable=SC2317  # called by the EXIT trap
finish() {
  local code=$?
  trap - EXIT
  if [[ "$(cat "$state_file" 2>/dev/null || true)" == "on" ]]; then
    if balancer start; then
      log info "window closed: balancer running again"
    else
      log error "the balancer could NOT be started again; start it through mongos with sh.startBalancer()"
      if [[ $code -eq 0 ]]; then code=1; fi
    fi
  else
    log info "window closed: the balancer was off before it and stays off"
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

if ! balancer stop; then
  log error "could not stop the balancer: the dumps do not run without the window"
  exit 1
fi
log info "window open: balancer stopped, running $1"

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
