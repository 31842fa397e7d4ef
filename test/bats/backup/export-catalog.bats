#!/usr/bin/env bats
# backup/scripts/export-catalog.sh: the manifests, and only they, as a base64 tar between markers.

bats_require_minimum_version 1.5.0
load helpers

setup() {
  setup_backup_env
  add_full 20240501T000000Z 900:1 1000:5
  add_slice 900:1 1000:1 1200:1
  printf 'half' >"$CATALOG/full/.x.archive.gz.part"
}

@test "the logs hold the manifests as a tar the documented one-liner unpacks" {
  run --separate-stderr bash "$SCRIPTS/export-catalog.sh"
  [ "$status" -eq 0 ]
  mkdir "$BATS_TEST_TMPDIR/unpacked"
  printf '%s\n' "$output" | sed -n '/^-----BEGIN NYRKIO CATALOG/,/^-----END NYRKIO CATALOG/{//!p}' | base64 -d | tar -xz -C "$BATS_TEST_TMPDIR/unpacked"
  [ "$(cd "$BATS_TEST_TMPDIR/unpacked" && find . -type f | sort)" = "./full/20240501T000000Z.manifest.json
./oplog/900-1_1200-1.manifest.json" ]
  cmp "$BATS_TEST_TMPDIR/unpacked/full/20240501T000000Z.manifest.json" "$CATALOG/full/20240501T000000Z.manifest.json"
  [[ "$(json_line export ok)" == *'"manifests":2'* ]]
}

@test "an empty catalog is an error, not an empty export" {
  rm -rf "$CATALOG"
  run --separate-stderr bash "$SCRIPTS/export-catalog.sh"
  [ "$status" -eq 1 ]
  [[ "$(json_line export failed)" == *"holds no manifest"* ]]
}

@test "writes nothing into the catalog, which the Job mounts read-only" {
  before="$(cd "$BACKUP_ROOT" && find . | sort)"
  run --separate-stderr bash "$SCRIPTS/export-catalog.sh"
  [ "$status" -eq 0 ]
  [ "$(cd "$BACKUP_ROOT" && find . | sort)" = "$before" ]
}

@test "a dump's majority confirmation record travels with the manifests (without it the planner would not use the dump as a base)" {
  printf '{"kind":"majority-confirmation"}' >"$CATALOG/full/20240501T000000Z.confirmed.json"
  run --separate-stderr bash "$SCRIPTS/export-catalog.sh"
  [ "$status" -eq 0 ]
  mkdir "$BATS_TEST_TMPDIR/unpacked"
  printf '%s\n' "$output" | sed -n '/^-----BEGIN NYRKIO CATALOG/,/^-----END NYRKIO CATALOG/{//!p}' | base64 -d | tar -xz -C "$BATS_TEST_TMPDIR/unpacked"
  [ -f "$BATS_TEST_TMPDIR/unpacked/full/20240501T000000Z.confirmed.json" ]
}
