#!/usr/bin/env bash
# Starts mongod as the official image's entrypoint does with its NUMA policy: under
# `numactl --interleave=all` when that works, plain mongod otherwise. The image's
# docker-entrypoint.sh (docker-library/mongo) tests `numactl --interleave=all true` first and
# only then prefixes the command; under the restricted Pod Security Standard the test can fail
# (setting a memory policy may need a capability the pods drop), and the image may lack numactl.
# mongod must start either way: never fail because of it.
#   all arguments  passed to mongod
#   TLS_MODE_FILE  with TLS on: a file holding net.tls.mode (allowTLS, preferTLS or requireTLS),
#                  passed as --tlsMode. It is read here, at start, from a ConfigMap key outside
#                  the pods' config hash, so raising the mode restarts nothing; the running
#                  server's mode is raised live (setParameter tlsMode) by the reconcile Job.
#                  mongod.conf holds the rest of net.tls (docs/tls.md).
#   MONGO_SERVER   mongod (default) or mongos; mongos runs without numactl, as the image's
#                  entrypoint does (it wraps mongod only).
set -euo pipefail

server="${MONGO_SERVER:-mongod}"
case "$server" in
  mongod | mongos) ;;
  *) echo "run-mongod: MONGO_SERVER must be mongod or mongos, got '$server'" >&2; exit 1 ;;
esac

tls_args=()
if [[ -n "${TLS_MODE_FILE:-}" ]]; then
  [[ -r "$TLS_MODE_FILE" ]] || { echo "run-mongod: $TLS_MODE_FILE (the TLS mode) cannot be read" >&2; exit 1; }
  mode="$(tr -d '[:space:]' <"$TLS_MODE_FILE")"
  case "$mode" in
    allowTLS | preferTLS | requireTLS) tls_args=(--tlsMode "$mode") ;;
    # "disabled" never comes with TLS_MODE_FILE: with TLS off the pod has neither (tls-server.ts).
    *) echo "run-mongod: $TLS_MODE_FILE must hold allowTLS, preferTLS or requireTLS, got '$mode'" >&2; exit 1 ;;
  esac
  echo "run-mongod: starting $server with --tlsMode $mode" >&2
fi

if [[ "$server" == mongos ]]; then
  exec mongos "$@" "${tls_args[@]}"
fi
numa=(numactl --interleave=all)
if command -v numactl >/dev/null 2>&1 && "${numa[@]}" true >/dev/null 2>&1; then
  exec "${numa[@]}" mongod "$@" "${tls_args[@]}"
fi
echo "run-mongod: numactl --interleave=all is not available here; starting mongod without it" >&2
exec mongod "$@" "${tls_args[@]}"
