#!/usr/bin/env bash
# Reproduces the forwarding table of docs/benchmarks.md: publishes the sample host (Release) and measures it against
# nginx, HAProxy and YARP with the shared peers.sh, in one run. Needs the shared bench folder beside the repository
# (../shared/bench/peers.sh, or set PEERS_SH) and nginx-light, haproxy, wrk installed.
#   bench/run-peers.sh [--forwarder Yarp|Http1] [peers.sh options: --seconds S --connections C --only '...']
# The sample host forwards with Http1 (the lean path) by default; --forwarder Yarp measures YARP's forwarder in it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${PEERS_SH:-$repo/../shared/bench/peers.sh}"
if [[ ! -x "$peers" ]]; then
  echo "run-peers.sh: $peers not found." >&2
  echo "  The peer benchmark lives outside this repository: put the shared folder beside the clone" >&2
  echo "  (so that ../shared/bench/peers.sh exists) or set PEERS_SH=/path/to/peers.sh." >&2
  exit 2
fi
for tool in wrk nginx haproxy dotnet; do
  command -v "$tool" >/dev/null || { echo "run-peers.sh: '$tool' is not installed (apt-get install -y nginx-light haproxy wrk)" >&2; exit 2; }
done

forwarder=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --forwarder) forwarder="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

out="${LB_PUBLISH_DIR:-$(mktemp -d /tmp/ringway-lb.XXXXXX)}"
echo "publishing samples/LoadBalancer to $out" >&2
dotnet publish "$repo/samples/LoadBalancer" -c Release -o "$out" --nologo -v quiet >&2

candidate="dotnet $out/Ringway.Samples.LoadBalancer.dll --urls http://127.0.0.1:\$LB_PORT --backends \$BACKENDS"
if [[ -n "$forwarder" ]]; then
  candidate="env Balancer__Forwarding__Forwarder=$forwarder $candidate"
fi
echo "candidate: $candidate" >&2
exec "$peers" --candidate "$candidate" "${args[@]}"
