#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every package project (src/*/) from the PublicApiAnalyzers diagnostics,
# so a public API change shows up as a reviewable diff of that file. docs/packaging.md ("Public API files") says when
# to run it and how shipping works.
#
#   eng/update-public-api.sh            # all projects under src/
#   eng/update-public-api.sh src/ConsistentHashing/ConsistentHashing.csproj
#
# For each project: creates PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt (with the "#nullable enable" header) when
# missing, empties Unshipped, rebuilds, and writes into Unshipped every symbol the analyzer reports as undeclared
# (RS0016), plus a "*REMOVED*" line for every shipped symbol that no longer exists (RS0017). Shipped is never edited.
# Then builds once more with warnings as errors and fails if any public API diagnostic is left.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! grep -q 'Microsoft.CodeAnalysis.PublicApiAnalyzers' Directory.Build.props; then
  echo "update-public-api: Directory.Build.props does not reference Microsoft.CodeAnalysis.PublicApiAnalyzers yet (docs/packaging.md, step 1)." >&2
  exit 1
fi

if [ "$#" -gt 0 ]; then projects=("$@"); else mapfile -t projects < <(ls src/*/*.csproj); fi
header='#nullable enable'
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for project in "${projects[@]}"; do
  dir=$(dirname "$project")
  full=$(cd "$dir" && pwd)/$(basename "$project")
  shipped="$dir/PublicAPI.Shipped.txt"
  unshipped="$dir/PublicAPI.Unshipped.txt"
  [ -f "$shipped" ] || printf '%s\n' "$header" > "$shipped"
  printf '%s\n' "$header" > "$unshipped"

  # A full rebuild: analyzers report only when the compiler runs. Warnings stay warnings so the build completes.
  dotnet build "$project" -c Release --no-incremental -nologo -clp:NoSummary -p:TreatWarningsAsErrors=false > "$log" 2>&1 || {
    if ! grep -q 'warning RS00' "$log"; then cat "$log" >&2; echo "update-public-api: $project does not build." >&2; exit 1; fi
  }

  # Only this project's diagnostics (a build also compiles the projects it references).
  mine=$(grep -F "[$full]" "$log" || true)
  added=$(sed -n "s/.*warning RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" <<<"$mine" | LC_ALL=C sort -u)
  removed=$(sed -n "s/.*warning RS0017: Symbol '\(.*\)' is part of the declared API, but is either not public or could not be found.*/*REMOVED*\1/p" <<<"$mine" | LC_ALL=C sort -u)
  { printf '%s\n' "$header"; [ -z "$added" ] || printf '%s\n' "$added"; [ -z "$removed" ] || printf '%s\n' "$removed"; } > "$unshipped"
  echo "$project: $(grep -c . <<<"$added" || true) unshipped, $(grep -c . <<<"$removed" || true) removed"
done

# The files must now describe the API exactly: any RS00xx left (RS0016, RS0017, RS0026 overload rules...) fails here.
status=0
for project in "${projects[@]}"; do
  full=$(cd "$(dirname "$project")" && pwd)/$(basename "$project")
  dotnet build "$project" -c Release --no-incremental -nologo -clp:NoSummary > "$log" 2>&1 || true
  if grep -F "[$full]" "$log" | grep -qE '(warning|error) RS00'; then
    echo "update-public-api: $project still reports public API diagnostics:" >&2
    grep -F "[$full]" "$log" | grep -E '(warning|error) RS00' | sort -u >&2
    status=1
  elif grep -qE ' error ' "$log"; then
    echo "update-public-api: $project does not build:" >&2
    grep -E ' error ' "$log" | sort -u >&2
    status=1
  fi
done
exit $status
