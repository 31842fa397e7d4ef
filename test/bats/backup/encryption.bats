#!/usr/bin/env bats
# backup/scripts/encryption.sh with the real openssl: artifacts are encrypted to a public key
# before push (the dump and slice jobs hold only that key) and decrypted after pull-files by the
# jobs that hold the private key.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
  # One RSA key pair per file (key generation is the slow part); a second one that is not ours.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$BATS_FILE_TMPDIR/private-key.pem" 2>/dev/null
  openssl pkey -in "$BATS_FILE_TMPDIR/private-key.pem" -pubout -out "$BATS_FILE_TMPDIR/public-key.pem"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$BATS_FILE_TMPDIR/other-key.pem" 2>/dev/null
}

setup() {
  setup_backup_env
  export BACKUP_STORAGE=s3
  export ENCRYPTION_PUBLIC_KEY="$BATS_FILE_TMPDIR/public-key.pem" ENCRYPTION_PRIVATE_KEY="$BATS_FILE_TMPDIR/private-key.pem"
  box="$BACKUP_WORK/outbox"
  mkdir -p "$box/full" "$box/status"
  # An artifact with a recognisable secret in it, larger than one cipher block, and its manifest.
  { for _ in $(seq 1 2000); do printf 'SCRAM-SHA-256$4096:secret-hash-of-every-user;'; done; } >"$box/full/d.archive.gz"
  printf '{"file":"d.archive.gz"}' >"$box/full/d.manifest.json"
  printf '{}' >"$box/status/full.json"
  # A dump directory's own metadata is data too (index and validator definitions).
  mkdir -p "$box/full/dir"
  printf '{"indexes":[{"name":"secret-index-name"}]}' >"$box/full/dir/results.metadata.json"
  printf '{}' >"$box/full/dir/manifest.json"
  printf 'full/d.archive.gz\nfull/dir/results.metadata.json\nfull/dir/manifest.json\nfull/d.manifest.json\nstatus/full.json\n' >"$box/.upload-order"
  PLAIN_SHA="$(sha256sum "$box/full/d.archive.gz" | cut -d' ' -f1)"
}

# pulled: the outbox's files as pull-files leaves them in the catalog of a verify or restore job.
pulled() {
  mkdir -p "$BACKUP_WORK/catalog/full"
  cp "$box/full/d.archive.gz" "$BACKUP_WORK/catalog/full/d.archive.gz"
  echo full/d.archive.gz >"$BACKUP_WORK/needed"
}

@test "encrypt rewrites every queued artifact so no plaintext leaves; manifests and status stay readable" {
  run --separate-stderr bash "$SCRIPTS/encryption.sh" encrypt
  [ "$status" -eq 0 ]
  [ "$(head -c 10 "$box/full/d.archive.gz")" = NYRKIOENC1 ]
  ! grep -q 'secret-hash' "$box/full/d.archive.gz"
  [ "$(cat "$box/full/d.manifest.json")" = '{"file":"d.archive.gz"}' ]
  [ "$(cat "$box/status/full.json")" = '{}' ]
  [ "$(cat "$box/full/dir/manifest.json")" = '{}' ]
  [ "$(head -c 10 "$box/full/dir/results.metadata.json")" = NYRKIOENC1 ]
  [[ "$(json_line encrypt ok)" == *'"files":2'* ]]
  # No key material is left in scratch, nor in the container's own credentials volume.
  [ -z "$(find "$BACKUP_WORK/tmp" -mindepth 1 -print -quit)" ]
  [ -z "$(find "$CREDENTIALS_DIR" -mindepth 1 -print -quit)" ]
}

@test "decrypt with the private key gives back the artifact its manifest describes" {
  bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  pulled
  run --separate-stderr bash "$SCRIPTS/encryption.sh" decrypt
  [ "$status" -eq 0 ]
  [ "$(sha256sum "$BACKUP_WORK/catalog/full/d.archive.gz" | cut -d' ' -f1)" = "$PLAIN_SHA" ]
  [[ "$(json_line decrypt ok)" == *'"files":1'* ]]
}

@test "each artifact gets its own key: the same data encrypts differently twice" {
  cp "$box/full/d.archive.gz" "$BATS_TEST_TMPDIR/copy"
  bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  cp "$box/full/d.archive.gz" "$BATS_TEST_TMPDIR/first"
  cp "$BATS_TEST_TMPDIR/copy" "$box/full/d.archive.gz"
  bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  ! cmp -s "$BATS_TEST_TMPDIR/first" "$box/full/d.archive.gz"
}

@test "a private key that is not ours cannot decrypt, and the job fails" {
  bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  pulled
  ENCRYPTION_PRIVATE_KEY="$BATS_FILE_TMPDIR/other-key.pem" run --separate-stderr bash "$SCRIPTS/encryption.sh" decrypt
  [ "$status" -eq 1 ]
  [[ "$(json_line decrypt failed)" == *"cannot decrypt full/d.archive.gz"* ]]
  [ "$(head -c 10 "$BACKUP_WORK/catalog/full/d.archive.gz")" = NYRKIOENC1 ]
}

@test "a tampered ciphertext decrypts to data whose checksum no longer matches the manifest" {
  bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  pulled
  local f="$BACKUP_WORK/catalog/full/d.archive.gz" size
  size="$(stat -c %s "$f")"
  printf 'X' | dd of="$f" bs=1 seek=$((size - 100)) conv=notrunc status=none
  bash "$SCRIPTS/encryption.sh" decrypt >/dev/null
  [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$PLAIN_SHA" ]
}

@test "decrypt leaves an unencrypted artifact (a backup from before encryption) as it is" {
  pulled
  run --separate-stderr bash "$SCRIPTS/encryption.sh" decrypt
  [ "$status" -eq 0 ]
  [ "$(sha256sum "$BACKUP_WORK/catalog/full/d.archive.gz" | cut -d' ' -f1)" = "$PLAIN_SHA" ]
  [[ "$(json_line decrypt ok)" == *'"unencrypted":"1"'* ]]
}

@test "without a usable public key encrypt fails, so push never runs and nothing is uploaded in clear" {
  printf 'not a key' >"$BATS_TEST_TMPDIR/bad.pem"
  ENCRYPTION_PUBLIC_KEY="$BATS_TEST_TMPDIR/bad.pem" run --separate-stderr bash "$SCRIPTS/encryption.sh" encrypt
  [ "$status" -eq 1 ]
  [[ "$(json_line encrypt failed)" == *"nothing was uploaded"* ]]
  # The artifact is not half rewritten: it is the plain one, in the pod only.
  [ "$(sha256sum "$box/full/d.archive.gz" | cut -d' ' -f1)" = "$PLAIN_SHA" ]
  [ -z "$(find "$box" -name '*.encrypting')" ]
}

@test "the public key alone cannot decrypt (what a dump or slice job holds)" {
  bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  pulled
  ENCRYPTION_PRIVATE_KEY="$ENCRYPTION_PUBLIC_KEY" run --separate-stderr bash "$SCRIPTS/encryption.sh" decrypt
  [ "$status" -eq 1 ]
}

@test "each artifact's data key lives only in the container's own CREDENTIALS_DIR, never on the shared scratch volume" {
  # A shim in front of the real openssl records where the unwrapped key is read from.
  mkdir -p "$BATS_TEST_TMPDIR/shim"
  printf '#!/usr/bin/env bash\nprintf "%%s\\n" "$*" >>"%s"\nexec %s "$@"\n' "$BATS_TEST_TMPDIR/openssl.log" "$(command -v openssl)" >"$BATS_TEST_TMPDIR/shim/openssl"
  chmod +x "$BATS_TEST_TMPDIR/shim/openssl"
  PATH="$BATS_TEST_TMPDIR/shim:$PATH" bash "$SCRIPTS/encryption.sh" encrypt >/dev/null
  pulled
  PATH="$BATS_TEST_TMPDIR/shim:$PATH" bash "$SCRIPTS/encryption.sh" decrypt >/dev/null
  grep -q -- "-in $CREDENTIALS_DIR/encryption\.[^ ]*/key " "$BATS_TEST_TMPDIR/openssl.log"
  grep -qE -- "-out $CREDENTIALS_DIR/encryption\.[^ ]*/key( |$)" "$BATS_TEST_TMPDIR/openssl.log"
  ! grep -q -- "$BACKUP_WORK/[^ ]*/key" "$BATS_TEST_TMPDIR/openssl.log"
  # Without its own credentials volume the container refuses to start.
  unset CREDENTIALS_DIR
  run --separate-stderr bash "$SCRIPTS/encryption.sh" encrypt
  [ "$status" -eq 1 ]
}
