#!/usr/bin/env bash
# Sourced by the pod scripts that connect to mongod (probe.sh, bootstrap.sh): the CA file to
# verify the server with, or nothing when the connection is plaintext (config/tls.ts).
#   NYRKIO_TLS_CA_FILE    set when the pod's clients may use TLS (TLS_CA_FILE_ENV)
#   NYRKIO_TLS_MODE_FILE  in the pods that run mongod or mongos, the current tlsMode (a ConfigMap
#                         item the kubelet updates in place): TLS only while it says preferTLS or
#                         requireTLS, as config/tls.ts clientsUseTls. In allowTLS a member not yet
#                         restarted from "disabled" accepts no TLS, so the project's clients wait.

# tls_ca_file: prints the CA file to use, or nothing for a plaintext connection.
tls_ca_file() {
  local ca="${NYRKIO_TLS_CA_FILE:-}" mode=""
  if [[ -n "$ca" && -n "${NYRKIO_TLS_MODE_FILE:-}" ]]; then
    mode="$(tr -d '[:space:]' <"$NYRKIO_TLS_MODE_FILE" 2>/dev/null || true)"
    case "$mode" in
      preferTLS | requireTLS) ;;
      *) ca="" ;;
    esac
  fi
  printf '%s' "$ca"
}
