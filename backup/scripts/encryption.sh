#!/usr/bin/env bash
# Client-side encryption of the artifacts to a public key (backup.storage.clientSideEncryption,
# docs/backups.md "Encryption at rest"). Runs in the mongo image, whose openssl comes with
# ca-certificates (Debian's and Ubuntu's ca-certificates depend on openssl; the image installs
# ca-certificates: docker-library/mongo 8.0/Dockerfile). The S3 client image has no openssl.
#   encrypt   (dump and slice jobs, between the work container and push; holds only the public
#             key) every artifact queued for upload in $BACKUP_WORK/outbox/.upload-order, in
#             place; manifests and status files stay readable (the writers plan from them)
#   decrypt   (verification and restore, after pull-files; holds the private key) every
#             artifact in $BACKUP_WORK/needed, in place; an unencrypted one (a backup from before
#             encryption was turned on) is left as it is. The manifests' sha256 and bytes are of
#             the plain artifact, so the checksums the jobs check next prove the decryption too.
#
# An encrypted artifact: "NYRKIOENC1", the length of the wrapped key as 4 digits, the wrapped key
# (a random 256-bit key, hex, encrypted to the RSA public key with OAEP, SHA-256), then the data
# as `openssl enc -aes-256-ctr` writes it with that key as its password. Streamed, so a dump of
# any size needs no memory, only its own size again in scratch while it is rewritten. CTR does not
# authenticate: the manifest's sha256, checked after decryption, does.
# Environment: BACKUP_WORK; ENCRYPTION_PUBLIC_KEY (encrypt) or ENCRYPTION_PRIVATE_KEY (decrypt),
# PEM files from the mounted Secret; CREDENTIALS_DIR, this container's own memory-backed volume
# (no other container mounts it), where each artifact's unwrapped data key lives while it is used:
# never the shared scratch volume, which the S3 client's container mounts too.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

readonly MAGIC=NYRKIOENC1
# RSA-OAEP with SHA-256 for both the digest and MGF1 (openssl pkeyutl's defaults are SHA-1).
readonly OAEP=(-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256)
readonly CIPHER=(-aes-256-ctr -pbkdf2 -iter 1 -md sha256)

mode="${1:-}"
# shellcheck disable=SC2034 # read by lib.sh's log lines (sourced above)
JOB="$mode"
step_begin
require_env BACKUP_WORK
require_env CREDENTIALS_DIR
[[ -d "$CREDENTIALS_DIR" && -w "$CREDENTIALS_DIR" ]] || fail credentials "CREDENTIALS_DIR (the container's own credentials volume) is not a writable directory"
mkdir -p "$BACKUP_WORK/tmp"
keydir="$(umask 077 && mktemp -d "$CREDENTIALS_DIR/encryption.XXXXXX")"
trap 'rm -rf -- "$keydir" "${partial:-}"' EXIT
partial=""

encrypt_file() {
  local file="$1" len
  openssl rand -hex 32 >"$keydir/key" || return 1
  openssl pkeyutl -encrypt -pubin -inkey "$ENCRYPTION_PUBLIC_KEY" "${OAEP[@]}" -in "$keydir/key" -out "$keydir/wrapped" || return 1
  len="$(stat -c %s "$keydir/wrapped")"
  partial="$file.encrypting"
  {
    printf '%s%04d' "$MAGIC" "$len"
    cat "$keydir/wrapped"
    openssl enc -e "${CIPHER[@]}" -pass "file:$keydir/key" -in "$file"
  } >"$partial" || return 1
  mv -f -- "$partial" "$file"
  partial=""
}

decrypt_file() {
  local file="$1" len
  [[ "$(head -c ${#MAGIC} -- "$file")" == "$MAGIC" ]] || return 2
  len="$(head -c $((${#MAGIC} + 4)) -- "$file" | tail -c 4)"
  [[ "$len" =~ ^[0-9]{4}$ ]] || return 1
  tail -c +$((${#MAGIC} + 5)) -- "$file" | head -c "$((10#$len))" >"$keydir/wrapped"
  openssl pkeyutl -decrypt -inkey "$ENCRYPTION_PRIVATE_KEY" "${OAEP[@]}" -in "$keydir/wrapped" -out "$keydir/key" || return 1
  partial="$file.decrypting"
  tail -c +$((${#MAGIC} + 5 + 10#$len)) -- "$file" | openssl enc -d "${CIPHER[@]}" -pass "file:$keydir/key" >"$partial" || return 1
  mv -f -- "$partial" "$file"
  partial=""
}

files=0 bytes=0 plain=0
case "$mode" in
  encrypt)
    require_env ENCRYPTION_PUBLIC_KEY
    outbox="$BACKUP_WORK/outbox"
    if [[ -f "$outbox/.upload-order" ]]; then
      while IFS= read -r rel; do
        # Manifests, majority confirmation records and status files (the catalog head too) stay
        # readable; everything else (a dump's own metadata too) is data.
        [[ -n "$rel" && "$rel" != status/* && "$rel" != *.manifest.json && "$rel" != manifest.json && "$rel" != */manifest.json && "$rel" != *.confirmed.json ]] || continue
        [[ "$rel" != *..* && "$rel" != /* ]] || fail encrypt "refusing the path $rel"
        # A failure fails this container, so push never runs: nothing leaves the pod unencrypted.
        encrypt_file "$outbox/$rel" || fail encrypt "cannot encrypt $rel to the public key in $ENCRYPTION_PUBLIC_KEY; nothing was uploaded"
        files=$((files + 1))
        bytes=$((bytes + $(stat -c %s "$outbox/$rel")))
      done <"$outbox/.upload-order"
    fi
    ok encrypt files="$files" bytes="$bytes"
    ;;
  decrypt)
    require_env ENCRYPTION_PRIVATE_KEY
    catalog="$BACKUP_WORK/catalog"
    [[ -f "$BACKUP_WORK/needed" ]] || fail decrypt "no list of files to decrypt ($BACKUP_WORK/needed)"
    while IFS= read -r rel; do
      [[ -n "$rel" ]] || continue
      [[ "$rel" != *..* && "$rel" != /* ]] || fail decrypt "refusing the path $rel"
      rc=0
      decrypt_file "$catalog/$rel" || rc=$?
      case "$rc" in
        0) files=$((files + 1)) ;;
        2) plain=$((plain + 1)) ;;
        *) fail decrypt "cannot decrypt $rel with the private key in $ENCRYPTION_PRIVATE_KEY (not encrypted to its public key, or damaged)" ;;
      esac
      bytes=$((bytes + $(stat -c %s "$catalog/$rel")))
    done <"$BACKUP_WORK/needed"
    ok decrypt files="$files" unencrypted="$plain" bytes="$bytes"
    ;;
  *) fail setup "usage: encryption.sh encrypt|decrypt" ;;
esac
