#!/usr/bin/env bash
# Kubernetes probes of a replica-set member, over localhost and without credentials (`ping` and
# `hello` need no authentication, so a probe never holds a password).
#   startup, liveness  mongod answers ping.
#   readiness          mongosh/readiness.js: without a config, ready only while no peer holds
#                      one (the first bootstrap); PRIMARY or ARBITER; SECONDARY within
#                      READY_MAX_LAG_SECONDS of the primary.
#   MONGODB_PORT       mongod's port (default 27017)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${MONGODB_PORT:-27017}"
# 127.0.0.1, not localhost: mongod listens on IPv4 only, and localhost may resolve to ::1 first.
uri="mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=5000"

case "${1:-}" in
  startup | liveness)
    exec mongosh "$uri" --quiet --norc --eval 'db.adminCommand({ ping: 1 }).ok'
    ;;
  readiness)
    exec mongosh "$uri" --quiet --norc --file "$here/mongosh/readiness.js"
    ;;
  *)
    echo "usage: probe.sh startup|readiness|liveness" >&2
    exit 2
    ;;
esac
