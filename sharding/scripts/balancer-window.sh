#!/usr/bin/env bash
# Runs a command (a replica set's full dump) inside a balancer window of the sharded cluster, so
# no chunk moves between shards while it runs. balancer.js decides with the other open windows:
# the balancer is stopped by whoever finds it running, and started again when the last window
# closes, only if it was running before; one an operator had stopped stays stopped. The window
# is closed also when the command fails or the pod is told to stop; a window whose pod was
# killed outright expires after its lease, and the next window takes over. While the command
# runs, the lease is renewed every third of its length (a full dump may outlast one lease).
#
# When the window cannot be opened (mongos down, authentication failing), the command runs
# anyway, with BALANCER_WINDOW=unwindowed in its environment (else "windowed"): a replica set's
# dump is better than none, and full-dump.sh marks such a dump in its manifest, which cluster
# restores refuse without --allow-unwindowed (MongoDB requires the balancer stopped for
# mongodump-based backups of a sharded cluster:
# https://www.mongodb.com/docs/manual/tutorial/backup-sharded-cluster-with-database-dumps/).
#
#   balancer-window.sh <command> [args...]      exit status: the command's; 1 when the window
#                                               could not be closed after a good command
# Environment:
#   MONGOS_URI         mongodb://<mongos service>:27017/admin (no credentials)
#   BALANCER_SCRIPT    path of balancer.js (mounted from the ConfigMap)
#   BALANCER_USERNAME_FILE, BALANCER_PASSWORD_FILE  read by balancer.js, never by this script
#   BALANCER_HOLDER    this window's name (default: host name and process id)
#   BALANCER_LEASE_SECONDS  the lease's length, read by balancer.js (default 21600)
#   BALANCER_RENEW_SECONDS  how often the lease is renewed (default a third of the lease)
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
lease_third=$(( ${BALANCER_LEASE_SECONDS:-21600} / 3 ))
renew_every="${BALANCER_RENEW_SECONDS:-$(( lease_third > 0 ? lease_third : 1 ))}"
child=""
renewer=""

balancer() {
  BALANCER_ACTION="$1" BALANCER_HOLDER="$holder" BALANCER_STATE_FILE="$state_file" mongosh --quiet "$MONGOS_URI" --file "$BALANCER_SCRIPT"
}

# Renews the lease until told to stop; a failed renewal is retried at the next turn (the lease
# still has two thirds of its time).
renew_loop() {
  local nap=""
  # shellcheck disable=SC2317  # called by the TERM trap
  trap 'if [[ -n "$nap" ]]; then kill "$nap" 2>/dev/null || true; fi; exit 0' TERM
  while :; do
    sleep "$renew_every" &
    nap=$!
    wait "$nap" || true
    nap=""
    if ! balancer renew; then log warning "could not renew the balancer window's lease; trying again in ${renew_every} s"; fi
  done
}

# shellcheck disable=SC2317  # called by the EXIT trap
finish() {
  local code=$?
  trap - EXIT
  # Stop renewing first: a renewal still running ends before the close starts.
  if [[ -n "$renewer" ]]; then
    kill -TERM "$renewer" 2>/dev/null || true
    wait "$renewer" 2>/dev/null || true
  fi
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

if balancer open; then
  export BALANCER_WINDOW=windowed
  renew_loop &
  renewer=$!
  log info "window open, running $1"
else
  # Whatever open recorded is closed at exit (finish reads the state file).
  export BALANCER_WINDOW=unwindowed
  log error "could not open the balancer window: running $1 WITHOUT it; its manifest is marked unwindowed, and cluster restores refuse it without --allow-unwindowed"
fi

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
