#!/usr/bin/env bats
# stacks/scripts/run-mongod.sh: mongod under `numactl --interleave=all` where that works (tested
# with `numactl --interleave=all true`, as the official image's docker-entrypoint.sh does), plain
# mongod otherwise; never a failed start because of NUMA. The stand-ins are written per test into
# a directory that is the only one on PATH besides the shell's own tools.

load helpers

setup() {
  BIN="$BATS_TEST_TMPDIR/bin"
  mkdir -p "$BIN"
  # mongod stand-in: prints how it was started (its argv and whether numactl wrapped it).
  cat >"$BIN/mongod" <<'SH'
#!/usr/bin/env bash
echo "mongod ${NUMA_WRAPPED:-plain} $*"
SH
  chmod +x "$BIN/mongod"
  for tool in bash env true; do ln -s "$(type -P "$tool")" "$BIN/$tool"; done
}

# numactl stand-in: `ok` runs the command (marking it wrapped), `refused` fails as set_mempolicy
# without the capability does ("set_mempolicy: Operation not permitted").
numactl_that() {
  cat >"$BIN/numactl" <<SH
#!/usr/bin/env bash
[ "\$1" = "--interleave=all" ] || { echo "unexpected \$*" >&2; exit 2; }
shift
if [ "$1" = refused ]; then echo "set_mempolicy: Operation not permitted" >&2; exit 1; fi
export NUMA_WRAPPED=numa
exec "\$@"
SH
  chmod +x "$BIN/numactl"
}

@test "numactl works: mongod runs under numactl --interleave=all with every argument" {
  numactl_that ok
  PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /etc/nyrkio/config/mongod.conf
  [ "$status" -eq 0 ]
  [ "$output" = "mongod numa --config /etc/nyrkio/config/mongod.conf" ]
}

@test "numactl refused (restricted pod: no capability for a memory policy): plain mongod, one line why" {
  numactl_that refused
  PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /c
  [ "$status" -eq 0 ]
  [[ "$output" == *"numactl --interleave=all is not available here; starting mongod without it"* ]]
  [[ "$output" == *"mongod plain --config /c" ]]
}

@test "no numactl in the image: plain mongod" {
  PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /c
  [ "$status" -eq 0 ]
  [[ "$output" == *"mongod plain --config /c" ]]
}

# mongos stand-in, like mongod's.
mongos_standin() {
  printf '#!/usr/bin/env bash\necho "mongos $*"\n' >"$BIN/mongos"
  chmod +x "$BIN/mongos"
}

@test "TLS on: the mode from TLS_MODE_FILE (the ConfigMap key outside the config hash) is passed as --tlsMode" {
  ln -s "$(type -P tr)" "$BIN/tr"
  for mode in allowTLS preferTLS requireTLS; do
    printf '%s\n' "$mode" >"$BATS_TEST_TMPDIR/tls-mode"
    TLS_MODE_FILE="$BATS_TEST_TMPDIR/tls-mode" PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /c
    [ "$status" -eq 0 ]
    [[ "$output" == *"mongod plain --config /c --tlsMode $mode" ]]
  done
}

@test "TLS on: a mode mongod would not take, or no mode file, refuses to start with the reason" {
  ln -s "$(type -P tr)" "$BIN/tr"
  printf 'disabled' >"$BATS_TEST_TMPDIR/tls-mode"
  TLS_MODE_FILE="$BATS_TEST_TMPDIR/tls-mode" PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /c
  [ "$status" -eq 1 ]
  [[ "$output" == *"must hold allowTLS, preferTLS or requireTLS, got 'disabled'"* ]]
  TLS_MODE_FILE="$BATS_TEST_TMPDIR/none" PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /c
  [ "$status" -eq 1 ]
  [[ "$output" == *"$BATS_TEST_TMPDIR/none (the TLS mode) cannot be read"* ]]
}

@test "mongos: started without numactl, with the TLS mode" {
  ln -s "$(type -P tr)" "$BIN/tr"
  numactl_that ok
  mongos_standin
  printf 'preferTLS' >"$BATS_TEST_TMPDIR/tls-mode"
  MONGO_SERVER=mongos TLS_MODE_FILE="$BATS_TEST_TMPDIR/tls-mode" PATH="$BIN" run "$BIN/bash" "$SCRIPTS/run-mongod.sh" --config /m
  [ "$status" -eq 0 ]
  [[ "$output" == *"mongos --config /m --tlsMode preferTLS" ]]
}
