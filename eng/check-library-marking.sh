#!/usr/bin/env bash
# Library projects are marked by src/Directory.Build.props (IsRingwayLibrary), not by "/src/" in their path. This
# clones the committed tree under a folder named src (as in ~/src/ringway) and asks every project of Ringway.slnx, in
# one MSBuild run without building, whether it is a library: exactly the projects in the repository's own src/ folder
# may be (packable, XML docs required, public API analyzers); every test, sample and benchmark must not be.
#
#   eng/check-library-marking.sh        # CI runs it (.ci/run); checks HEAD, not uncommitted changes
set -euo pipefail
cd "$(dirname "$0")/.."

parent=$(mktemp -d /tmp/ringway-layout.XXXXXX)
trap 'rm -rf "$parent"' EXIT
clone="$parent/src/ringway"
git clone --quiet --shared . "$clone"
cd "$clone"

expected=$(grep -c '<Project Path=' Ringway.slnx)
marks=$(dotnet msbuild Ringway.slnx -t:RingwayLibraryMark -nologo -v:m | sed -n 's/^ *ringway-library-mark //p')
status=0
seen=0
while read -r project library packable docs; do
  seen=$((seen + 1))
  relative=${project#"$clone"/}
  want=false
  case "$relative" in src/*) want=true ;; esac
  got="${library#library=}/${packable#packable=}/${docs#docs=}"
  if [ "$want" = true ] && [ "$got" != "true/true/true" ]; then
    echo "check-library-marking: $relative is in src/ but not a library (IsRingwayLibrary/IsPackable/GenerateDocumentationFile = $got)" >&2
    status=1
  elif [ "$want" = false ] && [ "$got" != "/false/false" ]; then
    echo "check-library-marking: $relative is treated as a library under $parent/src (IsRingwayLibrary/IsPackable/GenerateDocumentationFile = $got)" >&2
    status=1
  fi
done <<<"$marks"

if [ "$seen" -ne "$expected" ]; then
  echo "check-library-marking: $seen of the $expected projects of Ringway.slnx answered" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "check-library-marking: $seen projects, libraries exactly those in src/ (cloned under $parent/src)"
exit $status
