#!/usr/bin/env bash
# WebSocket echoes per second, and the proxy's CPU per echo, in one run: direct to a replica, through YARP's reverse
# proxy (bench/WebSocketLoad yarp: key hash of ?key=, like the HTTP peer) and through the sample host (the balancer),
# all in front of the same three echo replicas, measured in alternating rounds so that the machine's drift hits all alike.
#   bench/run-websockets.sh [--seconds 10] [--connections 32] [--size 64] [--rounds 3] [--forwarder Yarp|Http1]
# An echo is one message from the client to the replica and back (two messages through the proxy); each connection sends
# the next when its echo arrived (closed loop). CPU is the proxy process's user+system time over the measured run.
# Needs dotnet and curl.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10 conns=32 size=64 rounds=3 forwarder=""
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2;;
    --connections) conns=$2; shift 2;;
    --size) size=$2; shift 2;;
    --rounds) rounds=$2; shift 2;;
    --forwarder) forwarder=$2; shift 2;;
    *) echo "run-websockets.sh: unknown option $1" >&2; exit 2;;
  esac
done
for tool in dotnet curl; do command -v $tool >/dev/null || { echo "run-websockets.sh: '$tool' is not installed" >&2; exit 2; }; done

work=$(mktemp -d /tmp/ringway-ws.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
echo "publishing bench/WebSocketLoad and samples/LoadBalancer to $work" >&2
dotnet publish "$repo/bench/WebSocketLoad" -c Release -o "$work/load" --nologo -v quiet >&2
dotnet publish "$repo/samples/LoadBalancer" -c Release -o "$work/lb" --nologo -v quiet >&2
tool="$work/load/WebSocketLoad.dll"
wait_up() { for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$1/home" && return 0; sleep 0.2; done; echo "nothing answers on port $1" >&2; return 1; }

replica_ports="7301 7302 7303"
backends=""
for p in $replica_ports; do
  dotnet "$tool" echo --urls "http://127.0.0.1:$p" --id "$p" >/dev/null 2>&1 & pids+=($!)
  backends+="${backends:+,}http://127.0.0.1:$p"
done
dotnet "$tool" yarp --urls http://127.0.0.1:7311 --backends "$backends" >/dev/null 2>&1 & pids+=($!); yarp_pid=$!
env ${forwarder:+Balancer__Forwarding__Forwarder=$forwarder} \
  dotnet "$work/lb/Ringway.Samples.LoadBalancer.dll" --urls http://127.0.0.1:7312 --backends "$backends" >"$work/lb.log" 2>&1 & pids+=($!); lb_pid=$!
for p in $replica_ports 7311 7312; do wait_up "$p"; done

cpu_ticks() { [ -r "/proc/$1/stat" ] && awk '{print $14+$15}' "/proc/$1/stat" || echo 0; }
measure() { # round system port [proxy pid]
  local url="ws://127.0.0.1:$3/ws" before=0 after=0 out
  dotnet "$tool" load --url "$url" --connections "$conns" --seconds 1 --size "$size" >/dev/null 2>&1 || true # warm-up
  [ -n "${4:-}" ] && before=$(cpu_ticks "$4")
  out=$(dotnet "$tool" load --url "$url" --connections "$conns" --seconds "$seconds" --size "$size" 2>&1) || true
  [ -n "${4:-}" ] && after=$(cpu_ticks "$4")
  local echoes rate p50 p99 errors us
  echoes=$(awk '{print $2}' <<<"$out"); rate=$(awk '{print $6}' <<<"$out")
  p50=$(awk '{print $8}' <<<"$out"); p99=$(awk '{print $10}' <<<"$out"); errors=$(awk '{print $12}' <<<"$out")
  if [ -z "$echoes" ] || [ "$echoes" = 0 ]; then echo "$1 $2 failed: $out" >&2; return; fi
  us=$([ -n "${4:-}" ] && awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$echoes" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}' || echo -)
  echo "$1 $2 $rate $p50 $p99 $us $errors" >>"$work/rows"
}

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$rounds"); do
  measure "$round" direct 7301
  measure "$round" yarp 7311 "$yarp_pid"
  measure "$round" ringway 7312 "$lb_pid"
done
echo "machine: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

printf '%-6s %-8s %10s %8s %8s %12s %7s\n' round system echoes/s p50-us p99-us cpu-us/echo errors
while read -r round name rate p50 p99 us errors; do
  printf '%-6s %-8s %10s %8s %8s %12s %7s\n' "$round" "$name" "$rate" "$p50" "$p99" "$us" "$errors"
done <"$work/rows"
echo "median over $rounds rounds:"
median() { sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }
for name in direct yarp ringway; do
  rate=$(awk -v n="$name" '$2==n {print $3}' "$work/rows" | median)
  us=$(awk -v n="$name" '$2==n {print $6}' "$work/rows" | median)
  [ -n "$rate" ] && printf '%-8s %10s echoes/s %10s cpu-us/echo\n' "$name" "$rate" "${us:--}"
done
