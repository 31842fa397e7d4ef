#!/usr/bin/env bash
# Creates, once, the Kubernetes Secrets the database needs (docs/secrets.md): the replica set's
# keyfile and a username/password Secret for each database user (root, bootstrap: the one-time
# first user that the data pods create and the reconcile Job replaces with root, app, migrator,
# backup, monitor: the metrics exporters' user, retention: the retention job's, rotator: the TLS
# rotation sidecars' user, rotateCertificates only), with random passwords. Passwords never pass
# through Terraform, a command line or the terminal: they are generated into files in a private
# temporary directory (umask 077), handed to kubectl with --from-file, and the directory is
# removed on exit.
# An existing Secret is left unchanged: changing a password in a Secret does not change it in
# MongoDB (see docs/secrets.md for rotation). No restore user: each restore creates a temporary
# restore-<random> user from a Secret made for it (`restore user-secret`, docs/runbooks/restore.md).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/create-secrets.sh --namespace NAMESPACE [options]

Creates the Secrets that the database stack expects, with random passwords and a random keyfile.

Options:
  --namespace NS           namespace of the database (config kubernetes.namespace); required
  --context CONTEXT        kubectl context (default: the current one)
  --secret USER=NAME       Secret name for USER (keyfile, root, bootstrap, app, migrator, backup,
                           monitor, retention, rotator);
                           default nyrkio-mongodb-USER, as in the shipped environments
  --username USER=NAME     database user name for USER; defaults: root, nyrkio-bootstrap,
                           nyrkio-app, nyrkio-migrator, nyrkio-backup, nyrkio-monitor,
                           nyrkio-retention, nyrkio-rotator
  --create-namespace       create the namespace when it does not exist, labelled to enforce the
                           restricted Pod Security Standard (then set
                           kubernetes.createNamespace: false in the config)
  --wait-for-namespace S   wait up to S seconds for the namespace to appear (it is created
                           by `cdktf deploy` when kubernetes.createNamespace is true)
  --state-namespace NS     also create the namespace of Terraform's state (config
                           state.namespace, kubernetes backend) when it does not exist: Terraform
                           keeps each stack's state there and cannot create it itself
  --tls                    also create the TLS Secrets (docs/tls.md): a private CA (Secret
                           <tls secret>-ca) and the server certificate it signs (Secret
                           tls.certificates.secretName, default nyrkio-mongodb-tls; --secret
                           tls=NAME overrides), for the hosts of the environment below; an
                           existing TLS Secret is left unchanged
  --rotate                 with --tls: replace the server key and certificate in the existing
                           TLS Secret, signed by the same CA (ca.crt kept); the pods load it
                           without a restart
  --env NAME               with --tls: the environment whose hosts the certificate names
                           (default: NYRKIO_DB_ENV, else dev); needs npm run build
  --config FILE            with --tls: its JSON override (default: NYRKIO_DB_CONFIG)
  --dry-run                say what would be created; create nothing
  -h, --help               this text

Exit codes: 0 done (created or already there), 1 a kubectl or openssl failure, 2 bad usage.
USAGE
}

USERS=(root bootstrap app migrator backup monitor retention rotator)
declare -A secret_names=([keyfile]=nyrkio-mongodb-keyfile)
declare -A usernames=([root]=root [bootstrap]=nyrkio-bootstrap [app]=nyrkio-app [migrator]=nyrkio-migrator [backup]=nyrkio-backup [monitor]=nyrkio-monitor [retention]=nyrkio-retention [rotator]=nyrkio-rotator)
for user in "${USERS[@]}"; do secret_names[$user]="nyrkio-mongodb-$user"; done

namespace=""
context_args=()
create_namespace=false
wait_seconds=0
dry_run=false
state_namespace=""
tls=false
tls_rotate=false
tls_env="${NYRKIO_DB_ENV:-dev}"
tls_config="${NYRKIO_DB_CONFIG:-}"
tls_secret_name=""

fail_usage() {
  echo "create-secrets: $1" >&2
  echo "Run with --help for usage." >&2
  exit 2
}

# parse_pair <USER=VALUE> <allowed users...>: sets pair_key and pair_value.
parse_pair() {
  local pair="$1"
  shift
  [[ "$pair" == *=* ]] || fail_usage "expected USER=NAME, got '$pair'"
  pair_key="${pair%%=*}"
  pair_value="${pair#*=}"
  [[ " $* " == *" $pair_key "* ]] || fail_usage "unknown user '$pair_key' (one of: $*)"
  [[ -n "$pair_value" ]] || fail_usage "empty name for '$pair_key'"
}

while (($#)); do
  case "$1" in
    --namespace) namespace="${2:-}"; shift 2 ;;
    --context) context_args=(--context "${2:-}"); shift 2 ;;
    --secret) parse_pair "${2:-}" keyfile tls "${USERS[@]}"; if [[ "$pair_key" == tls ]]; then tls_secret_name="$pair_value"; else secret_names[$pair_key]="$pair_value"; fi; shift 2 ;;
    --tls) tls=true; shift ;;
    --rotate) tls_rotate=true; shift ;;
    --env) tls_env="${2:-}"; [[ -n "$tls_env" ]] || fail_usage "--env takes an environment name"; shift 2 ;;
    --config) tls_config="${2:-}"; [[ -n "$tls_config" ]] || fail_usage "--config takes a file"; shift 2 ;;
    --username) parse_pair "${2:-}" "${USERS[@]}"; usernames[$pair_key]="$pair_value"; shift 2 ;;
    --create-namespace) create_namespace=true; shift ;;
    --wait-for-namespace) wait_seconds="${2:-}"; shift 2 ;;
    --state-namespace) state_namespace="${2:-}"; [[ -n "$state_namespace" ]] || fail_usage "--state-namespace takes a namespace"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) fail_usage "unknown argument '$1'" ;;
  esac
done
[[ -n "$namespace" ]] || fail_usage "--namespace is required"
[[ "$wait_seconds" =~ ^[0-9]+$ ]] || fail_usage "--wait-for-namespace takes a number of seconds"
[[ "$tls_rotate" == false || "$tls" == true ]] || fail_usage "--rotate needs --tls"
# The reconcile Job drops the bootstrap user once it has created root: they must differ.
[[ "${usernames[bootstrap]}" != "${usernames[root]}" ]] || fail_usage "--username bootstrap must differ from the root user's name (${usernames[root]})"

for tool in kubectl openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "create-secrets: $tool is not installed" >&2; exit 1; }
done

kc() {
  kubectl "${context_args[@]}" "$@"
}

log() {
  echo "create-secrets: $*"
}

# The namespace: there already, created here on request, or awaited while `cdktf deploy` creates it.
if ! kc get namespace "$namespace" >/dev/null 2>&1; then
  if [[ "$create_namespace" == true ]]; then
    # With the restricted Pod Security labels that the stack creates its own namespace with, and
    # that it requires of an existing one (stacks/constructs/database-namespace.ts).
    if [[ "$dry_run" == true ]]; then log "would create namespace $namespace (restricted Pod Security)"; else
      kc create namespace "$namespace"
      kc label namespace "$namespace" pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest >/dev/null
    fi
  elif ((wait_seconds > 0)); then
    log "waiting up to ${wait_seconds}s for namespace $namespace"
    deadline=$((SECONDS + wait_seconds))
    until kc get namespace "$namespace" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || { echo "create-secrets: namespace $namespace did not appear within ${wait_seconds}s" >&2; exit 1; }
      sleep 1
    done
  else
    echo "create-secrets: namespace $namespace does not exist: use --create-namespace, or --wait-for-namespace while cdktf deploy creates it" >&2
    exit 1
  fi
fi

# Terraform's kubernetes backend writes each stack's state Secret and lock Lease into
# state.namespace and does not create the namespace (hashicorp/terraform
# internal/backend/remote-state/kubernetes/client.go creates only the Secret and the Lease).
if [[ -n "$state_namespace" ]] && ! kc get namespace "$state_namespace" >/dev/null 2>&1; then
  if [[ "$dry_run" == true ]]; then log "would create namespace $state_namespace for Terraform's state"; else
    kc create namespace "$state_namespace"
    log "created namespace $state_namespace for Terraform's state"
  fi
fi

umask 077
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# A password of 40 letters and digits: safe in any driver option and config file, ~238 bits.
# It only ever lives in a pipe, a shell variable and the file: never an argument of a process
# (printf is a shell builtin).
new_password() {
  local random
  random="$(openssl rand -base64 96 | tr -dc 'A-Za-z0-9')"
  ((${#random} >= 40)) || { echo "create-secrets: could not generate a password" >&2; exit 1; }
  printf '%s' "${random:0:40}" >"$1"
}

# create_secret <name> <key=file>...: creates the Secret unless it exists.
create_secret() {
  local name="$1"
  shift
  if kc -n "$namespace" get secret "$name" >/dev/null 2>&1; then
    log "secret $name exists: left unchanged"
    return 0
  fi
  local args=()
  for pair in "$@"; do args+=(--from-file="$pair"); done
  if [[ "$dry_run" == true ]]; then
    log "would create secret $name with keys: ${*%%=*}"
    return 0
  fi
  kc -n "$namespace" create secret generic "$name" "${args[@]}"
  kc -n "$namespace" label secret "$name" app.kubernetes.io/part-of=nyrkio app.kubernetes.io/name=mongodb >/dev/null
  log "created secret $name"
}

# mongod accepts 6 to 1024 base64 characters; 756 random bytes are 1008 (whitespace is ignored).
openssl rand -base64 756 >"$workdir/keyfile"
create_secret "${secret_names[keyfile]}" "keyfile=$workdir/keyfile"

for user in "${USERS[@]}"; do
  mkdir "$workdir/$user"
  printf '%s' "${usernames[$user]}" >"$workdir/$user/username"
  new_password "$workdir/$user/password"
  create_secret "${secret_names[$user]}" "username=$workdir/$user/username" "password=$workdir/$user/password"
done

if [[ "$tls" == true ]]; then
  # shellcheck source=scripts/create-secrets-tls.sh
  source "$(dirname "${BASH_SOURCE[0]}")/create-secrets-tls.sh"
  create_tls_secrets
fi

log "done: namespace $namespace has the keyfile and the users' Secrets$([[ "$tls" == true ]] && echo ", and the TLS Secrets")"
