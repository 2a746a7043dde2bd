#!/usr/bin/env bash
# Formats every project of Ringway.slnx as .editorconfig says: the code-style rules it sets to warning (file-scoped
# namespaces, usings outside them, explicit accessibility, modifier order), then white space. Run it after merging or
# before committing; the build fails on those rules, and CI fails when this script would change a file.
#
#   eng/format.sh            # rewrites the files in place
#   eng/format.sh --verify   # changes nothing; exits non-zero and names the files that need formatting (CI)
# Both restore nothing: run after a build or a restore (CI runs it after its build).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=()
if [ "${1:-}" = "--verify" ]; then
  mode=(--verify-no-changes)
elif [ $# -gt 0 ]; then
  echo "usage: eng/format.sh [--verify]" >&2
  exit 2
fi
# Both passes run even when the first reports files, so --verify names them all.
status=0
dotnet format style Ringway.slnx --no-restore --severity warn "${mode[@]}" || status=1
dotnet format whitespace Ringway.slnx --no-restore "${mode[@]}" || status=1
exit "$status"
