# Shared setup of the replica-set pod-script tests: stand-in binaries first on PATH, a fresh
# call log and counters per test.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
SCRIPTS="$REPO_ROOT/stacks/scripts"

setup_standins() {
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export STANDIN_LOG="$BATS_TEST_TMPDIR/mongosh.calls"
  export STANDIN_STATE="$BATS_TEST_TMPDIR/state"
  mkdir -p "$STANDIN_STATE"
  : >"$STANDIN_LOG"
}

# calls_of <pattern>: how many recorded mongosh calls match.
calls_of() {
  grep -c -- "$1" "$STANDIN_LOG" || true
}

# refute_in_log <extended regex>: fails when any recorded call matches (a bare `! grep` would
# not fail a bats test).
refute_in_log() {
  if grep -qiE -- "$1" "$STANDIN_LOG"; then
    echo "unexpected match for /$1/ in:" >&2
    cat "$STANDIN_LOG" >&2
    return 1
  fi
}
