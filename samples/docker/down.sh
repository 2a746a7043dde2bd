#!/usr/bin/env bash
# Stops the system and removes its containers and network. The balancer removes its server containers when it stops;
# containers it could not remove (it was killed) are removed here, found by their labels.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
instance="${RINGWAY_INSTANCE:-compose}"
bash "$here/compose.sh" stop -t 30 >/dev/null 2>&1 || true
leftovers="$(docker ps -aq --filter label=io.ringway.managed=true --filter "label=io.ringway.instance=$instance")"
if [[ -n "$leftovers" ]]; then
  docker rm -f $leftovers >/dev/null
fi
bash "$here/compose.sh" down --remove-orphans
