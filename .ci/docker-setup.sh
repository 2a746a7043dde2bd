#!/usr/bin/env bash
# Makes sure a Docker engine answers and the images the Docker tests and the compose system need exist.
# Idempotent: an engine that answers is left alone; images that exist are not rebuilt.
#   1. engine: installs Debian's docker.io (+ docker-compose v1, debootstrap, and iproute2/util-linux/procps for the
#      tests' multi-node swarm) when missing, starts dockerd
#      in the background (log: /var/log/ringway-dockerd.log), overlay2 first, vfs as fallback;
#   2. base image: ringway/dotnet-aspnet-offline:10.0, made offline (samples/docker/make-offline-base.sh);
#   3. sample images: ringway/sample-server and ringway/sample-loadbalancer (samples/docker/build-images.sh),
#      rebuilt only when their published output changed.
# Environment: RINGWAY_DOCKER_SKIP_IMAGES=1 only provisions the engine.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "[docker-setup] $*"; }
started=$SECONDS

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  # The multi-node swarm of the tests (scripts/swarm-nodes.sh): network namespaces and veth links (ip), nsenter/unshare, ps.
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
  command -v ps >/dev/null 2>&1 || missing+=(procps)
  if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" iptables >/dev/null
  fi
}

wait_for_engine() {
  local pid=$1
  for _ in $(seq 1 60); do
    engine_answers && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

start_engine() {
  local logfile=/var/log/ringway-dockerd.log driver
  for driver in overlay2 vfs; do
    log "starting dockerd (storage driver $driver), log in $logfile"
    # setsid: the engine outlives this script and the CI step that called it.
    setsid dockerd --storage-driver="$driver" >>"$logfile" 2>&1 < /dev/null &
    local pid=$!
    if wait_for_engine "$pid"; then
      # Tells the engine-restart test how to start this engine again (it restarts only an engine started here).
      echo "--storage-driver=$driver" > /run/ringway-dockerd.args
      log "engine answers (pid $pid, storage $driver)"
      return 0
    fi
    log "dockerd with $driver did not come up; last log lines:"
    tail -n 15 "$logfile" || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f /var/run/docker.pid
  done
  log "no Docker engine could be started"
  return 1
}

if engine_answers; then
  log "a Docker engine answers already"
  for tool in debootstrap docker-compose ip nsenter ps; do command -v $tool >/dev/null 2>&1 || { install_packages; break; }; done
else
  install_packages
  start_engine
fi

if [[ "${RINGWAY_DOCKER_SKIP_IMAGES:-0}" != 1 ]]; then
  bash "$repo/samples/docker/make-offline-base.sh"
  RINGWAY_OFFLINE=1 bash "$repo/samples/docker/build-images.sh"
fi
log "done in $((SECONDS - started)) s"
