#!/usr/bin/env bash
# Runs the conformance suite (tests/Conformance.Tests) and writes its matrix into docs/conformance.md, between the
# "matrix:start" and "matrix:end" markers, whether or not every case passed. Needs nginx-light, gunicorn and
# python3-httpbin (.ci/conformance-setup.sh installs them). Extra arguments go to dotnet test (e.g. -c Release).
set -uo pipefail
cd "$(dirname "$0")/.."
matrix=$(mktemp)
trap 'rm -f "$matrix"' EXIT
RINGWAY_REQUIRE_CONFORMANCE=1 RINGWAY_CONFORMANCE_MATRIX="$matrix" dotnet test tests/Conformance.Tests "$@"
status=$?
if [ ! -s "$matrix" ]; then
  echo "conformance-matrix: the suite wrote no matrix" >&2
  exit 1
fi
awk -v matrix="$matrix" '
  /<!-- matrix:start -->/ { print; while ((getline line < matrix) > 0) print line; skipping = 1; next }
  /<!-- matrix:end -->/ { skipping = 0 }
  !skipping { print }
' docs/conformance.md > docs/conformance.md.new && mv docs/conformance.md.new docs/conformance.md
echo "conformance-matrix: docs/conformance.md updated (dotnet test exit code $status)"
exit $status
