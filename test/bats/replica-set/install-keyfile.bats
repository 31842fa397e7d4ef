#!/usr/bin/env bats
# stacks/scripts/install-keyfile.sh: the keyfile copied out of the group-readable Secret volume
# into a private file with mode 0400, which is what mongod accepts.

load helpers

setup() {
  export KEYFILE_SOURCE="$BATS_TEST_TMPDIR/secret/keyfile"
  export KEYFILE_PATH="$BATS_TEST_TMPDIR/keyfile/keyfile"
  mkdir -p "$(dirname "$KEYFILE_SOURCE")" "$(dirname "$KEYFILE_PATH")"
  printf 'c2VjcmV0LWtleWZpbGUtY29udGVudA==\n' >"$KEYFILE_SOURCE"
  chmod 0440 "$KEYFILE_SOURCE"
}

@test "copies the keyfile with mode 0400" {
  run bash "$SCRIPTS/install-keyfile.sh"
  [ "$status" -eq 0 ]
  cmp "$KEYFILE_SOURCE" "$KEYFILE_PATH"
  [ "$(stat -c %a "$KEYFILE_PATH")" = "400" ]
  [ ! -e "$KEYFILE_PATH.tmp" ]
}

@test "a restarted init container replaces the earlier copy" {
  bash "$SCRIPTS/install-keyfile.sh"
  printf 'bmV3LWtleWZpbGU=\n' >"$KEYFILE_SOURCE"
  : >"$KEYFILE_PATH.tmp" && chmod 0400 "$KEYFILE_PATH.tmp"
  run bash "$SCRIPTS/install-keyfile.sh"
  [ "$status" -eq 0 ]
  cmp "$KEYFILE_SOURCE" "$KEYFILE_PATH"
  [ "$(stat -c %a "$KEYFILE_PATH")" = "400" ]
}

@test "a missing keyfile Secret fails with a pointer to the docs" {
  rm "$KEYFILE_SOURCE"
  run bash "$SCRIPTS/install-keyfile.sh"
  [ "$status" -eq 1 ]
  [[ "$output" == *"docs/secrets.md"* ]]
  [ ! -e "$KEYFILE_PATH" ]
}

@test "an empty keyfile is refused" {
  : >"$KEYFILE_SOURCE"
  run bash "$SCRIPTS/install-keyfile.sh"
  [ "$status" -eq 1 ]
  [ ! -e "$KEYFILE_PATH" ]
}
