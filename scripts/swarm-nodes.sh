#!/usr/bin/env bash
# A multi-node Docker Swarm on one machine: this machine's engine is the manager, and each worker is another dockerd
# in a network namespace of its own, joined to the manager over a private test network. Needs root, iproute2 and
# nsenter/unshare (util-linux); traffic goes only to the run's own addresses (10.213.<n>.0/24) and loopback.
#
#   scripts/swarm-nodes.sh up [--workers 2] [--images "ringway/sample-server"] [--owner PID] [--heartbeat 5s]
#       Makes the swarm and prints the run id. Fails if this machine's engine is in a swarm already.
#       --owner: the process the run belongs to (default: the caller); `clean` removes runs whose owner is gone.
#       --heartbeat: the swarm's dispatcher heartbeat (a node is marked down after about 3 of them; Docker's default 5s).
#   scripts/swarm-nodes.sh describe RUN            one line per node: name, engine endpoint, address
#   scripts/swarm-nodes.sh cut RUN WORKER          pulls WORKER's cable: its port on the test switch goes down
#   scripts/swarm-nodes.sh mend RUN WORKER         plugs it in again
#   scripts/swarm-nodes.sh down RUN                removes the swarm, engines, data, namespaces and links of RUN
#   scripts/swarm-nodes.sh clean [--all]           `down` for every run whose owner is gone (--all: every run), and
#                                                  removes namespaces, links and folders of runs whose records are lost
#
# What a run makes, all named after its id (6 hex digits):
#   network namespaces rwsn-ID-sw (a bridge: the test switch), rwsn-ID-w1, rwsn-ID-w2...; the link rwsnID (this
#   machine's port on the switch, 10.213.n.1); in each worker namespace eth0 (10.213.n.2, .3...);
#   for each worker a dockerd (its own UTS namespace, hostname rwsn-ID-wK) with data in /var/lib/ringway-swarm-nodes/ID/wK,
#   run state in /run/ringway-swarm-nodes/ID/wK and its API on unix:///run/ringway-swarm-nodes/ID/wK/docker.sock.
set -euo pipefail
[ -z "${SWARM_NODES_TRACE:-}" ] || { PS4='+ ${EPOCHREALTIME} '; set -x; }

STATE_ROOT=/run/ringway-swarm-nodes
DATA_ROOT=/var/lib/ringway-swarm-nodes
log() { echo "[swarm-nodes] $*" >&2; }
die() { log "$*"; exit 1; }

# "pid start-time": a pid alone may be reused by another process after the owner died.
process_identity() { [ -r "/proc/$1/stat" ] && echo "$1 $(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20)"; }
owner_alive() {
  local recorded; recorded=$(cat "$STATE_ROOT/$1/owner" 2>/dev/null) || return 1
  [ "$(process_identity "${recorded%% *}" 2>/dev/null)" = "$recorded" ]
}

engine() { docker -H "unix://$STATE_ROOT/$1/$2/docker.sock" "${@:3}"; }

# Every process below $1 (by parent ids), deepest first.
descendants() {
  local parent=$1 child
  for child in $(ps -o pid= --ppid "$parent" 2>/dev/null); do
    descendants "$child"
    echo "$child"
  done
}

# Kills what runs in a worker namespace (dockerd, containerd, shims) and their children (containers, in namespaces of
# their own): a worker whose engine could not be stopped politely.
kill_namespace() {
  local ns=$1 pid
  [ -e "/var/run/netns/$ns" ] || return 0
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill -KILL $(descendants "$pid") "$pid" 2>/dev/null || true
  done
}

stop_worker_engine() {
  local run=$1 worker=$2 pidfile pid
  pidfile="$STATE_ROOT/$run/$worker/dockerd.pid"
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
}

unmount_below() {
  local dir=$1 mount
  # Deepest first; /proc/mounts escapes spaces as \040, which none of these paths has.
  for mount in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$mount" 2>/dev/null || true
  done
}

down() {
  local run=$1 state="$STATE_ROOT/$1" worker manager_addr pid
  log "removing run $run"
  manager_addr=$(cat "$state/manager-address" 2>/dev/null || true)
  # The workers' engines stop (their containers with them) without leaving the swarm: the whole swarm goes.
  local stopping=()
  for worker in $(cat "$state/workers" 2>/dev/null); do
    stop_worker_engine "$run" "$worker" &
    stopping+=($!)
  done
  for pid in "${stopping[@]}"; do wait "$pid" || true; done
  for worker in $(cat "$state/workers" 2>/dev/null); do
    kill_namespace "rwsn-$run-$worker"
    unmount_below "$DATA_ROOT/$run/$worker"
    unmount_below "$state/$worker"
  done
  # The manager leaves only a swarm this run made (its address is the run's own).
  if [ -n "$manager_addr" ] && [ "$(timeout 20 docker info --format '{{.Swarm.NodeAddr}}' 2>/dev/null)" = "$manager_addr" ]; then
    timeout 60 docker swarm leave --force >/dev/null 2>&1 || log "the manager could not leave its swarm"
    if [ ! -e "$state/had-gateway-bridge" ]; then
      # swarm init made docker_gwbridge; it stays after leaving. Its endpoints go a moment later.
      for _ in $(seq 1 20); do
        timeout 20 docker network rm docker_gwbridge >/dev/null 2>&1 && break
        timeout 20 docker network inspect docker_gwbridge >/dev/null 2>&1 || break
        sleep 0.5
      done
    fi
  fi
  ip link del "rwsn$run" 2>/dev/null || true
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^rwsn-$run-" || true); do
    kill_namespace "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  unmount_below "$DATA_ROOT/$run"
  umount "$DATA_ROOT/$run" 2>/dev/null || true
  rm -rf "${DATA_ROOT:?}/$run" "${STATE_ROOT:?}/$run"
}

clean() {
  local all=${1:-} run ns link
  for state in "$STATE_ROOT"/*/; do
    [ -d "$state" ] || continue
    run=$(basename "$state")
    if [ "$all" = --all ] || ! owner_alive "$run"; then down "$run"; fi
  done
  # Runs whose records are gone (a reboot clears /run): their namespaces, links, data and a swarm on their addresses.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^rwsn-' || true); do
    run=$(cut -d- -f2 <<<"$ns")
    [ -d "$STATE_ROOT/$run" ] && continue
    kill_namespace "$ns"; ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^rwsn' || true); do
    [ -d "$STATE_ROOT/${link#rwsn}" ] || ip link del "$link" 2>/dev/null || true
  done
  for data in "$DATA_ROOT"/*/; do
    [ -d "$data" ] || continue
    run=$(basename "$data")
    [ -d "$STATE_ROOT/$run" ] && continue
    unmount_below "${data%/}"; umount "${data%/}" 2>/dev/null || true; rm -rf "${data%/}"
  done
  if [[ "$(timeout 20 docker info --format '{{.Swarm.NodeAddr}}' 2>/dev/null)" == 10.213.* ]] \
     && ! grep -qsx "$(docker info --format '{{.Swarm.NodeAddr}}')" "$STATE_ROOT"/*/manager-address; then
    log "leaving a swarm left behind on a test address"
    timeout 60 docker swarm leave --force >/dev/null 2>&1 || true
  fi
}

# The first 10.213.n.0/24 no interface of this machine and no other run uses.
free_subnet() {
  local n used
  used=$(ip -o -4 addr show | awk '{print $4}'; cat "$STATE_ROOT"/*/manager-address 2>/dev/null || true)
  for n in $(seq 1 254); do
    grep -q "^10\.213\.$n\." <<<"$used" || { echo "$n"; return 0; }
  done
  return 1
}

wait_for() { # seconds, description, command...
  local limit=$1 what=$2; shift 2
  local until=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $until ] || die "$what: not within $limit s"
    sleep 0.3
  done
}

up() {
  local workers=2 images="ringway/sample-server" owner=$PPID heartbeat=5s
  while [ $# -gt 0 ]; do
    case "$1" in
      --workers) workers=$2; shift 2 ;;
      --images) images=$2; shift 2 ;;
      --owner) owner=$2; shift 2 ;;
      --heartbeat) heartbeat=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, a second dockerd)"
  for tool in ip nsenter unshare dockerd docker; do command -v $tool >/dev/null || die "$tool is missing (apt-get install -y iproute2 util-linux docker.io)"; done
  local swarm; swarm=$(timeout 20 docker info --format '{{.Swarm.LocalNodeState}}') || die "this machine's Docker engine does not answer"
  [ "$swarm" = inactive ] || die "this machine's engine is in a swarm already ($swarm); leave it first"

  local run; run=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local state="$STATE_ROOT/$run" data="$DATA_ROOT/$run" n
  mkdir -p "$state" "$data"
  # The workers' images and containers live in memory (about 300 MB a worker): quick to write and to drop.
  mount -t tmpfs -o size=4g,mode=0710 "rwsn-$run" "$data"
  process_identity "$owner" > "$state/owner" || die "no process $owner to own the run"
  n=$(free_subnet) || die "no free 10.213.n.0/24"
  local prefix="10.213.$n" driver
  echo "$prefix.1" > "$state/manager-address"
  trap 'log "setting up failed; removing run $run"; down "$run"' ERR
  driver=$(docker info --format '{{.Driver}}')
  [ "$driver" = overlay2 ] || driver=vfs

  # The switch: a bridge in a namespace of its own (its traffic meets none of this machine's firewall rules).
  ip netns add "rwsn-$run-sw"
  ip -n "rwsn-$run-sw" link add br0 type bridge
  ip -n "rwsn-$run-sw" link set br0 up
  ip link add "rwsn$run" type veth peer name port-m netns "rwsn-$run-sw"
  ip -n "rwsn-$run-sw" link set port-m master br0
  ip -n "rwsn-$run-sw" link set port-m up
  ip addr add "$prefix.1/24" dev "rwsn$run"
  ip link set "rwsn$run" up

  local i worker list=() saved="$state/images.tar"
  for i in $(seq 1 "$workers"); do
    worker="w$i"; list+=("$worker")
    ip netns add "rwsn-$run-$worker"
    ip -n "rwsn-$run-sw" link add "port-$worker" type veth peer name eth0 netns "rwsn-$run-$worker"
    ip -n "rwsn-$run-sw" link set "port-$worker" master br0
    ip -n "rwsn-$run-sw" link set "port-$worker" up
    ip -n "rwsn-$run-$worker" addr add "$prefix.$((i + 1))/24" dev eth0
    ip -n "rwsn-$run-$worker" link set eth0 up
    ip -n "rwsn-$run-$worker" link set lo up
    mkdir -p "$state/$worker" "$data/$worker"
    echo '{}' > "$state/$worker/daemon.json"   # not /etc/docker/daemon.json: this machine's settings are not the worker's
    # nsenter, not `ip netns exec` (which remounts /sys, and dockerd then finds no cgroups); unshare --uts for a hostname.
    DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid nsenter --net="/var/run/netns/rwsn-$run-$worker" unshare --uts -- sh -c \
      "hostname rwsn-$run-$worker && exec dockerd --config-file $state/$worker/daemon.json --data-root $data/$worker \
       --exec-root $state/$worker/exec --pidfile $state/$worker/dockerd.pid -H unix://$state/$worker/docker.sock \
       --storage-driver=$driver" >"$state/$worker/dockerd.log" 2>&1 </dev/null &
  done
  echo "${list[*]}" > "$state/workers"
  docker network inspect docker_gwbridge >/dev/null 2>&1 && touch "$state/had-gateway-bridge"

  # shellcheck disable=SC2086 # a list of image names
  docker save -o "$saved" $images
  local loads=()
  for worker in "${list[@]}"; do
    wait_for 60 "the engine of $worker" engine "$run" "$worker" info
    engine "$run" "$worker" load -q -i "$saved" >/dev/null &
    loads+=($!)
  done
  for i in "${loads[@]}"; do wait "$i"; done
  rm -f "$saved"

  docker swarm init --advertise-addr "$prefix.1" --listen-addr "$prefix.1:2377" --dispatcher-heartbeat "$heartbeat" >/dev/null
  local token; token=$(docker swarm join-token -q worker)
  i=1
  for worker in "${list[@]}"; do
    i=$((i + 1))
    engine "$run" "$worker" swarm join --advertise-addr "$prefix.$i" --listen-addr "$prefix.$i:2377" --token "$token" "$prefix.1:2377" >/dev/null
  done
  wait_for 60 "all nodes ready" bash -c "[ \"\$(docker node ls --format '{{.Status}}' | grep -c Ready)\" = $((workers + 1)) ]"
  trap - ERR
  log "run $run: manager $prefix.1, workers ${list[*]} (${prefix}.2...), images: $images"
  echo "$run"
}

describe() {
  local run=$1 state="$STATE_ROOT/$1" prefix i=1 worker
  [ -d "$state" ] || die "no run $run"
  prefix=$(cut -d. -f1-3 "$state/manager-address")
  echo "manager unix:///var/run/docker.sock $prefix.1"
  for worker in $(cat "$state/workers"); do
    i=$((i + 1))
    echo "$worker unix://$state/$worker/docker.sock $prefix.$i"
  done
}

port() { # run worker up|down
  [ -d "$STATE_ROOT/$1" ] || die "no run $1"
  ip -n "rwsn-$1-sw" link set "port-$2" "$3"
}

command=${1:-}; shift || true
case "$command" in
  up) up "$@" ;;
  describe) describe "$1" ;;
  cut) port "$1" "$2" down ;;
  mend) port "$1" "$2" up ;;
  down) [ -n "${1:-}" ] || die "usage: down RUN"; down "$1" ;;
  clean) clean "${1:-}" ;;
  *) sed -n '2,22p' "$0" >&2; exit 2 ;;
esac
