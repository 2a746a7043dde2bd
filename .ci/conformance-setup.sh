#!/usr/bin/env bash
# Installs what tests/Conformance.Tests and .ci/readme-smoke.sh run: nginx (the reference proxy), httpbin under gunicorn
# (the third-party application), python3 and curl, from Debian packages. Idempotent: installs only what is missing.
set -euo pipefail
log() { echo "[conformance-setup] $*"; }

missing=()
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/bin/gunicorn ] || missing+=(gunicorn)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import httpbin' 2>/dev/null; } || missing+=(python3-httpbin)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]} == 0)); then
  log "nginx, gunicorn, httpbin and curl are installed"
  exit 0
fi

log "installing ${missing[*]} from Debian packages"
export DEBIAN_FRONTEND=noninteractive
# nginx's package would start the system's nginx on port 80; the tests start their own, so keep services down meanwhile.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
fi
trap '[ "$own_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
log "installed"
