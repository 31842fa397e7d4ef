# Shared setup of the replica-set pod-script tests: stand-in binaries first on PATH, a fresh
# call log, counters and member state per test. The stand-in mongosh runs the real mongosh
# scripts against member-mongosh.ts (a stand-in member with mongod's authorization), bundled
# once per file with the repository's esbuild.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
SCRIPTS="$REPO_ROOT/stacks/scripts"

# lay_out_pod_scripts: SCRIPTS becomes the scripts as the pod gets them, once per file (the
# mongosh scripts with the pure functions pod-scripts.ts puts in front of them: peer-tls.ts,
# arbiter-restart.ts).
lay_out_pod_scripts() {
  local layout="$BATS_FILE_TMPDIR/pod-scripts"
  if [[ ! -d "$layout" ]]; then
    "$REPO_ROOT/node_modules/.bin/esbuild" "$BATS_TEST_DIRNAME/pod-scripts-layout.ts" --bundle --platform=node --log-level=error --outfile="$BATS_FILE_TMPDIR/pod-scripts-layout.js"
    node "$BATS_FILE_TMPDIR/pod-scripts-layout.js" "$REPO_ROOT/stacks/scripts" "$layout"
  fi
  SCRIPTS="$layout"
}

setup_standins() {
  lay_out_pod_scripts
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export STANDIN_LOG="$BATS_TEST_TMPDIR/mongosh.calls"
  export STANDIN_STATE="$BATS_TEST_TMPDIR/state"
  export STANDIN_RUNNER="$BATS_FILE_TMPDIR/member-mongosh.js"
  mkdir -p "$STANDIN_STATE"
  : >"$STANDIN_LOG"
  if [[ ! -f "$STANDIN_RUNNER" ]]; then
    "$REPO_ROOT/node_modules/.bin/esbuild" "$BATS_TEST_DIRNAME/member-mongosh.ts" --bundle --platform=node --log-level=error \
      --external:@mongosh/async-rewriter2 --outfile="$STANDIN_RUNNER"
  fi
  member_state '{"hello":"NOT_INITIATED","users":[]}'
}

# member_state <json>: the stand-in member's state (see member-mongosh.ts).
member_state() {
  printf '%s' "$1" >"$STANDIN_STATE/member.json"
}

# member_users: the users the stand-in member holds now, "name:role" per line.
member_users() {
  node -e 'for (const u of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).users) console.log(`${u.user}:${u.roles.map((r) => r.role).join(",")}`)' "$STANDIN_STATE/member.json"
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
