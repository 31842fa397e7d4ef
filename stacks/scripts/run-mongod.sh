#!/usr/bin/env bash
# Starts mongod as the official image's entrypoint does with its NUMA policy: under
# `numactl --interleave=all` when that works, plain mongod otherwise. The image's
# docker-entrypoint.sh (docker-library/mongo) tests `numactl --interleave=all true` first and
# only then prefixes the command; under the restricted Pod Security Standard the test can fail
# (setting a memory policy may need a capability the pods drop), and the image may lack numactl.
# mongod must start either way: never fail because of it.
#   all arguments  passed to mongod
set -euo pipefail

numa=(numactl --interleave=all)
if command -v numactl >/dev/null 2>&1 && "${numa[@]}" true >/dev/null 2>&1; then
  exec "${numa[@]}" mongod "$@"
fi
echo "run-mongod: numactl --interleave=all is not available here; starting mongod without it" >&2
exec mongod "$@"
