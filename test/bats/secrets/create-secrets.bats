#!/usr/bin/env bats
# scripts/create-secrets.sh, against a stand-in kubectl (bin/kubectl) and the real openssl.

# use_standins <directory>: a fresh call log and copies under the directory.
use_standins() {
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export STANDIN_LOG="$1/kubectl.calls"
  export STANDIN_STATE="$1/state"
  export EXISTING_NAMESPACES="nyrkio-db-dev"
  export EXISTING_SECRETS=""
  mkdir -p "$STANDIN_STATE"
  : >"$STANDIN_LOG"
  CREATED="$STANDIN_STATE/created"
}

# One plain run, shared by the tests that only inspect its result.
setup_file() {
  use_standins "$BATS_FILE_TMPDIR/plain"
  bash "$BATS_TEST_DIRNAME/../../../scripts/create-secrets.sh" --namespace nyrkio-db-dev >"$BATS_FILE_TMPDIR/plain/output" 2>&1
}

setup() {
  REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
  SCRIPT="$REPO_ROOT/scripts/create-secrets.sh"
  use_standins "$BATS_TEST_TMPDIR"
}

# plain_run: point the checks at the shared run from setup_file.
plain_run() {
  use_standins "$BATS_FILE_TMPDIR/plain-view"
  export STANDIN_LOG="$BATS_FILE_TMPDIR/plain/kubectl.calls"
  CREATED="$BATS_FILE_TMPDIR/plain/state/created"
  output="$(cat "$BATS_FILE_TMPDIR/plain/output")"
}

@test "creates the keyfile and one Secret per user, with the expected keys" {
  plain_run
  [[ "$output" == *"create-secrets: done"* ]]
  [ "$(ls "$CREATED" | tr '\n' ' ')" = "nyrkio-mongodb-app nyrkio-mongodb-backup nyrkio-mongodb-bootstrap nyrkio-mongodb-keyfile nyrkio-mongodb-migrator nyrkio-mongodb-monitor nyrkio-mongodb-retention nyrkio-mongodb-root nyrkio-mongodb-rotator " ]
  [ -s "$CREATED/nyrkio-mongodb-keyfile/keyfile" ]
  for user in root bootstrap app migrator backup monitor retention rotator; do
    [ -s "$CREATED/nyrkio-mongodb-$user/username" ]
    [ -s "$CREATED/nyrkio-mongodb-$user/password" ]
  done
  [ "$(cat "$CREATED/nyrkio-mongodb-root/username")" = "root" ]
  # The one-time first user (docs/security.md, "The root Secret"): a name of its own.
  [ "$(cat "$CREATED/nyrkio-mongodb-bootstrap/username")" = "nyrkio-bootstrap" ]
  [ "$(cat "$CREATED/nyrkio-mongodb-app/username")" = "nyrkio-app" ]
  [ "$(cat "$CREATED/nyrkio-mongodb-monitor/username")" = "nyrkio-monitor" ]
  [ "$(cat "$CREATED/nyrkio-mongodb-retention/username")" = "nyrkio-retention" ]
  [ "$(cat "$CREATED/nyrkio-mongodb-rotator/username")" = "nyrkio-rotator" ]
  [ "$(grep -c '^-n nyrkio-db-dev create secret generic' "$STANDIN_LOG")" -eq 9 ]
}

@test "passwords: 40 letters and digits, no newline, all different" {
  plain_run
  [[ "$output" == *"create-secrets: done"* ]]
  for user in root bootstrap app migrator backup monitor retention rotator; do
    password="$CREATED/nyrkio-mongodb-$user/password"
    [ "$(wc -c <"$password")" -eq 40 ]
    grep -qE '^[A-Za-z0-9]{40}$' "$password"
  done
  [ "$(cat "$CREATED"/*/password | fold -w 40 | sort -u | wc -l)" -eq 8 ]
}

@test "keyfile: 1008 base64 characters, as mongod accepts (6 to 1024)" {
  plain_run
  [[ "$output" == *"create-secrets: done"* ]]
  [ "$(tr -d '\n' <"$CREATED/nyrkio-mongodb-keyfile/keyfile" | wc -c)" -eq 1008 ]
  ! grep -qvE '^[A-Za-z0-9+/=]+$' "$CREATED/nyrkio-mongodb-keyfile/keyfile" || false
}

@test "no password or keyfile content is ever on a command line; files are private and removed" {
  plain_run
  [[ "$output" == *"create-secrets: done"* ]]
  for user in root bootstrap app migrator backup monitor retention rotator; do
    if grep -qF -- "$(cat "$CREATED/nyrkio-mongodb-$user/password")" "$STANDIN_LOG"; then
      echo "password of $user on a kubectl command line" >&2
      return 1
    fi
    [ "$(cat "$CREATED/nyrkio-mongodb-$user/password.mode")" = "600" ]
    [ "$(cat "$CREATED/nyrkio-mongodb-$user/password.dirmode")" = "700" ]
    [ ! -e "$(cat "$CREATED/nyrkio-mongodb-$user/password.path")" ]
  done
  if grep -qF -- "$(head -c 64 "$CREATED/nyrkio-mongodb-keyfile/keyfile")" "$STANDIN_LOG"; then return 1; fi
  grep -q -- '--from-file=password=' "$STANDIN_LOG"
}

@test "an existing Secret is left unchanged" {
  export EXISTING_SECRETS="nyrkio-mongodb-root nyrkio-mongodb-keyfile"
  run bash "$SCRIPT" --namespace nyrkio-db-dev
  [ "$status" -eq 0 ]
  [[ "$output" == *"secret nyrkio-mongodb-root exists: left unchanged"* ]]
  [ ! -e "$CREATED/nyrkio-mongodb-root" ]
  [ ! -e "$CREATED/nyrkio-mongodb-keyfile" ]
  [ -e "$CREATED/nyrkio-mongodb-app" ]
}

@test "--secret and --username override names; --context is passed to every call" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --context prod-cluster --secret app=billing-db-app --username app=billing
  [ "$status" -eq 0 ]
  [ "$(cat "$CREATED/billing-db-app/username")" = "billing" ]
  [ ! -e "$CREATED/nyrkio-mongodb-app" ]
  [ "$(grep -vc '^--context prod-cluster ' "$STANDIN_LOG")" -eq 0 ]
}

@test "a missing namespace is an error unless created or awaited" {
  export EXISTING_NAMESPACES=""
  run bash "$SCRIPT" --namespace nyrkio-db
  [ "$status" -eq 1 ]
  [[ "$output" == *"namespace nyrkio-db does not exist"* ]]
  [ ! -e "$CREATED" ]

  run bash "$SCRIPT" --namespace nyrkio-db --create-namespace
  [ "$status" -eq 0 ]
  grep -q '^create namespace nyrkio-db$' "$STANDIN_LOG"
  # labelled so that the stack's check on an existing namespace passes (restricted Pod Security)
  grep -q '^label namespace nyrkio-db pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest$' "$STANDIN_LOG"
  [ -e "$CREATED/nyrkio-mongodb-root" ]
}

@test "--wait-for-namespace waits while cdktf deploy creates the namespace, and gives up in time" {
  export EXISTING_NAMESPACES="" NAMESPACE_APPEARS_AT=3
  run bash "$SCRIPT" --namespace nyrkio-db-dev --wait-for-namespace 30
  [ "$status" -eq 0 ]
  [[ "$output" == *"waiting up to 30s for namespace nyrkio-db-dev"* ]]
  [ "$(grep -c '^get namespace nyrkio-db-dev$' "$STANDIN_LOG")" -eq 3 ]
  [ -e "$CREATED/nyrkio-mongodb-root" ]

  use_standins "$BATS_TEST_TMPDIR/never"
  unset NAMESPACE_APPEARS_AT
  export EXISTING_NAMESPACES=""
  run bash "$SCRIPT" --namespace nyrkio-db-dev --wait-for-namespace 1
  [ "$status" -eq 1 ]
  [[ "$output" == *"did not appear within 1s"* ]]
  [ ! -e "$CREATED" ]
}

@test "--state-namespace creates Terraform's state namespace when it is missing, and only then" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --state-namespace terraform-state
  [ "$status" -eq 0 ]
  grep -q '^get namespace terraform-state$' "$STANDIN_LOG"
  grep -q '^create namespace terraform-state$' "$STANDIN_LOG"
  [[ "$output" == *"created namespace terraform-state for Terraform's state"* ]]
  [ -e "$CREATED/nyrkio-mongodb-root" ]

  use_standins "$BATS_TEST_TMPDIR/exists"
  export EXISTING_NAMESPACES="nyrkio-db-dev terraform-state"
  run bash "$SCRIPT" --namespace nyrkio-db-dev --state-namespace terraform-state --context prod-cluster
  [ "$status" -eq 0 ]
  grep -q '^--context prod-cluster get namespace terraform-state$' "$STANDIN_LOG"
  ! grep -q "create namespace" "$STANDIN_LOG" || false

  use_standins "$BATS_TEST_TMPDIR/dry"
  run bash "$SCRIPT" --namespace nyrkio-db-dev --state-namespace terraform-state --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"would create namespace terraform-state for Terraform's state"* ]]
  ! grep -q "create namespace" "$STANDIN_LOG" || false

  run bash "$SCRIPT" --namespace nyrkio-db-dev --state-namespace
  [ "$status" -eq 2 ]
}

@test "--dry-run creates nothing" {
  run bash "$SCRIPT" --namespace nyrkio-db-dev --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"would create secret nyrkio-mongodb-root with keys: username password"* ]]
  [ ! -e "$CREATED" ]
  ! grep -q "create secret" "$STANDIN_LOG" || false
}

@test "usage errors exit 2 and touch nothing" {
  run bash "$SCRIPT"
  [ "$status" -eq 2 ]
  [[ "$output" == *"--namespace is required"* ]]
  run bash "$SCRIPT" --namespace x --secret nobody=foo
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown user 'nobody'"* ]]
  run bash "$SCRIPT" --namespace x --bogus
  [ "$status" -eq 2 ]
  # The reconcile Job drops the bootstrap user after creating root: one name for both would drop root.
  run bash "$SCRIPT" --namespace x --username bootstrap=root
  [ "$status" -eq 2 ]
  [[ "$output" == *"--username bootstrap must differ from the root user's name (root)"* ]]
  [ ! -s "$STANDIN_LOG" ]
  run bash "$SCRIPT" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage: scripts/create-secrets.sh"* ]]
}
