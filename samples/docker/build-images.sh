#!/usr/bin/env bash
# Publishes the sample server and load balancer and builds their images:
#   ringway/sample-server, ringway/sample-loadbalancer (tag latest)
# Usage: samples/docker/build-images.sh [--offline] [server|loadbalancer ...]
#   --offline (or RINGWAY_OFFLINE=1): build on the locally made base image (made when missing, see
#             make-offline-base.sh) instead of mcr.microsoft.com/dotnet/aspnet:10.0, for machines that
#             cannot reach a registry.
#   BASE_IMAGE=...: any other base image with the .NET 10 ASP.NET Core runtime.
# An image is rebuilt only when its published output, Dockerfile or base image changed (a content hash
# is kept as the label io.ringway.build-hash).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
offline="${RINGWAY_OFFLINE:-0}"
targets=()
for arg in "$@"; do
  case "$arg" in
    --offline) offline=1 ;;
    server|loadbalancer) targets+=("$arg") ;;
    *) echo "usage: $0 [--offline] [server|loadbalancer ...]" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(server loadbalancer)
log() { echo "[build-images] $*"; }

if [[ -z "${BASE_IMAGE:-}" ]]; then
  if [[ "$offline" == 1 ]]; then
    BASE_IMAGE=ringway/dotnet-aspnet-offline:10.0
    bash "$here/make-offline-base.sh"
  else
    BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
  fi
fi
base_id="$(docker image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || echo "$BASE_IMAGE")"

build() {
  local name=$1 project=$2 image=$3
  if [[ ! -f "$repo/$project" ]]; then
    log "skipping $image: $project does not exist yet"
    return 0
  fi
  local out="$repo/artifacts/docker/$name" dockerfile="$here/$name.Dockerfile"
  log "publishing $project"
  rm -rf "$out"
  local publishlog
  publishlog="$(mktemp)"
  if ! dotnet publish "$repo/$project" -c Release -o "$out" --nologo -p:UseAppHost=false >"$publishlog" 2>&1; then
    grep -E 'error|Error' "$publishlog" >&2 || cat "$publishlog" >&2
    rm -f "$publishlog"
    return 1
  fi
  rm -f "$publishlog"
  local hash
  hash="$( (cd "$out" && find . -type f -print0 | sort -z | xargs -0 sha256sum; sha256sum "$dockerfile"; echo "$base_id") | sha256sum | cut -c1-16)"
  if [[ "$(docker image inspect --format '{{ index .Config.Labels "io.ringway.build-hash" }}' "$image" 2>/dev/null || true)" == "$hash" ]]; then
    log "$image is up to date"
    return 0
  fi
  log "building $image on $BASE_IMAGE"
  # DOCKER_BUILDKIT=0: the classic builder works on every engine, including ones without buildx.
  local buildlog
  buildlog="$(mktemp)"
  if ! DOCKER_BUILDKIT=0 docker build -f "$dockerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
      --label "io.ringway.build-hash=$hash" -t "$image" "$out" >"$buildlog" 2>&1; then
    cat "$buildlog" >&2
    rm -f "$buildlog"
    return 1
  fi
  rm -f "$buildlog"
  # The image this one replaces is now untagged: remove it (only images this script built carry the label).
  docker image prune -f --filter label=io.ringway.build-hash >/dev/null
  log "built $image"
}

for target in "${targets[@]}"; do
  case "$target" in
    server) build server samples/Server/Server.csproj ringway/sample-server ;;
    loadbalancer) build loadbalancer samples/LoadBalancer/LoadBalancer.csproj ringway/sample-loadbalancer ;;
  esac
done
