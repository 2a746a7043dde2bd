#!/usr/bin/env bash
# Long fuzz run of the admin API (/add, /rm) against the real sample host: random mutations of valid bodies.
#   scripts/fuzz.sh [SEED] [COUNT]        defaults: a seed from the clock, 5000 requests
# Same test as CI (tests/Reliability.Tests, AdminFuzzTests: seed 1124, 300 requests), with RINGWAY_FUZZ_SEED/COUNT set.
# A failure prints the seed and the request index, so `scripts/fuzz.sh SEED INDEX+1` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-$(date +%s)}
count=${2:-5000}
results=$(mktemp /tmp/ringway-fuzz.XXXXXX)
trap 'rm -f "$results"' EXIT
echo "fuzz: seed $seed, $count requests"
status=0
RINGWAY_FUZZ_SEED=$seed RINGWAY_FUZZ_COUNT=$count RINGWAY_RESULTS_FILE=$results \
  dotnet test tests/Reliability.Tests -c Release --filter "FullyQualifiedName~AdminFuzzTests" \
  --logger "console;verbosity=normal" || status=$?
echo "----"
cat "$results"
exit $status
