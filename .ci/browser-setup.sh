#!/usr/bin/env bash
# Headless chromium and its chromedriver from Debian's packages, for tests/Dashboard.Tests (Selenium). Idempotent:
# installs only what is missing; the tests never download a browser.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
/usr/bin/chromium --version
