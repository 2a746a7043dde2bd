#!/usr/bin/env bash
# Runs docker compose v2 when installed, else docker-compose v1, on samples/docker/docker-compose.yml.
set -euo pipefail
# One project name wherever the scripts are run from (v1 would take the folder name, "docker").
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-ringway}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if docker compose version >/dev/null 2>&1; then
  exec docker compose -f "$here/docker-compose.yml" "$@"
fi
exec docker-compose -f "$here/docker-compose.yml" "$@"
