#!/usr/bin/env bash
# Retakes docs/dashboard.png: the dashboard browser test that loads the real sample host and looks up a key under
# traffic, with its screenshot kept. Needs chromium and chromium-driver (.ci/browser-setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
RINGWAY_DASHBOARD_SCREENSHOT="$PWD/docs/dashboard.png" RINGWAY_REQUIRE_BROWSER=1 \
  dotnet test tests/Dashboard.Tests --filter "FullyQualifiedName~Screenshot_of_the_page_under_load"
echo "wrote docs/dashboard.png"
