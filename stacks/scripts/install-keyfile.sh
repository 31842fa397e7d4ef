#!/usr/bin/env bash
# Init container of every member: copies the replica set's keyfile from its Secret volume to a
# private in-memory emptyDir with mode 0400. mongod refuses a keyfile that group or others can
# read, and a Secret volume under the pod's fsGroup is group-readable, so mongod cannot use it
# in place (the Bitnami chart does the same copy).
#   KEYFILE_SOURCE  the mounted Secret's file   (default /etc/nyrkio/keyfile-secret/keyfile)
#   KEYFILE_PATH    where mongod reads it       (default /etc/nyrkio/keyfile/keyfile)
set -euo pipefail

source_file="${KEYFILE_SOURCE:-/etc/nyrkio/keyfile-secret/keyfile}"
target_file="${KEYFILE_PATH:-/etc/nyrkio/keyfile/keyfile}"

if [[ ! -s "$source_file" ]]; then
  echo "install-keyfile: $source_file is missing or empty: create the keyfile Secret first (docs/secrets.md)" >&2
  exit 1
fi

umask 077
# Written next to the target and renamed, so a restarted init container never leaves a half
# copy; a leftover read-only temporary file from an earlier attempt is removed first.
staging_file="$target_file.tmp"
rm -f "$staging_file"
cp "$source_file" "$staging_file"
chmod 0400 "$staging_file"
mv -f "$staging_file" "$target_file"
echo "install-keyfile: installed $target_file (mode 0400)"
