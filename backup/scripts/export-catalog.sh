#!/usr/bin/env bash
# Prints the catalog's manifests and majority confirmation records (not the artifacts) as a base64 tar.gz between two marker lines,
# so an SRE can plan a restore on a workstation when the catalog lives on a claim only pods can
# mount (docs/backups.md):
#   kubectl logs job/<name> | sed -n '/^-----BEGIN NYRKIO CATALOG/,/^-----END NYRKIO CATALOG/{//!p}' \
#     | base64 -d | tar -xz -C ./catalog
# Environment: lib.sh's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091 # followed with shellcheck -x; embedded copies are checked alone
source "$here/lib.sh"

init_job catalog read-only
step_begin
manifests=()
while IFS= read -r -d '' path; do
  manifests+=("${path#"$CATALOG"/}")
done < <(find "$CATALOG" -type f \( -name manifest.json -o -name '*.manifest.json' -o -name '*.confirmed.json' \) -not -path '*/.*' -print0 | sort -z)
[[ ${#manifests[@]} -gt 0 ]] || fail export "the catalog $CATALOG holds no manifest"
echo "-----BEGIN NYRKIO CATALOG $BACKUP_REPLSET-----"
tar -C "$CATALOG" -czf - -- "${manifests[@]}" | base64 -w 76
echo "-----END NYRKIO CATALOG $BACKUP_REPLSET-----"
ok export manifests="${#manifests[@]}"
