#!/usr/bin/env bash
# Builds the images and starts the system: the balancer on port 5000 (RINGWAY_PUBLISH), which starts 3 server containers.
# Usage: samples/docker/up.sh [--offline]     (--offline: no registry; builds on a locally made .NET base image)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/build-images.sh" "$@"
bash "$here/compose.sh" up -d
# The published address as the engine reports it (RINGWAY_PUBLISH may ask for a random port).
address="$(bash "$here/compose.sh" port loadbalancer 5000 | tail -n 1)"
url="http://127.0.0.1:${address##*:}"
echo "waiting for $url/rep ..."
for _ in $(seq 1 60); do
  if body="$(curl -fsS "$url/rep" 2>/dev/null)" && grep -Eq '"N": ?3[,}]' <<<"$body"; then
    echo "$body"
    echo "the balancer answers on $url (stop everything with samples/docker/down.sh)"
    echo "dashboard: $url/ringway/"
    exit 0
  fi
  sleep 1
done
echo "the balancer did not report 3 replicas within 60 s; logs:" >&2
bash "$here/compose.sh" logs --tail 50 >&2
exit 1
