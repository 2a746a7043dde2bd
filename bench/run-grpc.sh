#!/usr/bin/env bash
# gRPC unary calls per second, and the proxy's CPU per call, in one run: direct to a replica, through the balancer (the
# sample host, --backends) and through a YARP gateway set up the same way (samples/YarpGateway), in front of the same
# three Grpc.AspNetCore replicas (bench/GrpcLoad replica). Both proxies take h2c from clients on an HTTP/2-only endpoint,
# speak HTTP/2 to the replicas (RequestVersionExact), pick the replica by rendezvous hashing of the x-user-id metadata
# with bounded loads (factor 1.25, the gateway sample's setting) and check the replicas' /heartbeat.
#   bench/run-grpc.sh [--seconds 10] [--concurrency 64] [--connections 4] [--warmup 2] [--rounds 1] [--only 'direct ringway yarp']
# Each of the --concurrency callers makes one unary call at a time (closed loop), each with a fresh random x-user-id, over
# --connections HTTP/2 connections (one GrpcChannel each). After --warmup seconds, --seconds are measured: the calls
# completed in them, their p50 and p99 latency, and the proxy process's user+system CPU time over them per call. Before
# measuring, every proxy must send each of 12 keys to the same replica twice, and the keys to more than one replica.
# A failed call (warm-up included) fails the run. Needs dotnet and curl.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10 concurrency=64 conns=4 warmup=2 rounds=1 only="direct ringway yarp"
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --connections) conns=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --rounds) rounds=$2; shift 2;;
    --only) only=$2; shift 2;;
    *) echo "run-grpc.sh: unknown option $1" >&2; exit 2;;
  esac
done
for system in $only; do
  case $system in direct|ringway|yarp) ;; *) echo "run-grpc.sh: --only takes direct, ringway and yarp, not '$system'" >&2; exit 2;; esac
done
wants() { [[ " $only " == *" $1 "* ]]; }
for tool in dotnet curl; do command -v $tool >/dev/null || { echo "run-grpc.sh: '$tool' is not installed" >&2; exit 2; }; done

key_header=x-user-id
replica_ports="7401 7402 7403" ringway_port=7412 yarp_port=7411
# Something else answering on these ports would be measured instead: refuse to start.
for p in $replica_ports $ringway_port $yarp_port; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "run-grpc.sh: port $p is in use" >&2; exit 2; fi
done

work=$(mktemp -d /tmp/ringway-grpc.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
echo "publishing bench/GrpcLoad and the proxies to $work" >&2
dotnet publish "$repo/bench/GrpcLoad" -c Release -o "$work/load" --nologo -v quiet >&2
if wants ringway; then dotnet publish "$repo/samples/LoadBalancer" -c Release -o "$work/lb" --nologo -v quiet >&2; fi
if wants yarp; then dotnet publish "$repo/samples/YarpGateway" -c Release -o "$work/yarp" --nologo -v quiet >&2; fi
tool="$work/load/GrpcLoad.dll"
wait_up() { # port log
  for _ in $(seq 1 150); do curl -fs -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$1/heartbeat" && return 0; sleep 0.2; done
  echo "run-grpc.sh: nothing answers on port $1; $2 says:" >&2; tail -20 "$2" >&2; exit 1
}

backends=""
for p in $replica_ports; do
  dotnet "$tool" replica --urls "http://127.0.0.1:$p" --id "replica-$p" >"$work/replica-$p.log" 2>&1 & pids+=($!)
  backends+="${backends:+,}http://127.0.0.1:$p"
done
# An HTTP/2-only Kestrel endpoint takes h2c with prior knowledge (docs/configuration.md, "HTTP/2, gRPC and TLS").
h2c=--Kestrel:Endpoints:Grpc:Protocols=Http2
if wants ringway; then
  dotnet "$work/lb/Ringway.Samples.LoadBalancer.dll" --backends "$backends" "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$ringway_port" "$h2c" \
    "--Balancer:Keys:Sources:0=header:$key_header" --Balancer:Hashing:Algorithm=Rendezvous --Balancer:Hashing:BoundedLoadFactor=1.25 \
    --Balancer:Forwarding:HttpVersion=2.0 --Balancer:Forwarding:HttpVersionPolicy=RequestVersionExact \
    >"$work/ringway.log" 2>&1 & pids+=($!); ringway_pid=$!
fi
if wants yarp; then
  # The gateway sample as bench/yarp-gateway-candidate.sh sets it up (its destinations become the three replicas), plus
  # h2c from clients, the same key and bounded loads as the balancer, and HTTP/2 to the replicas.
  cluster=--ReverseProxy:Clusters:servers
  LB_PORT=$yarp_port BACKENDS=$backends "$repo/bench/yarp-gateway-candidate.sh" "$work/yarp/Ringway.Samples.YarpGateway.dll" RendezvousHash \
    --Kestrel:EndpointDefaults:Protocols=Http2 "$cluster:Metadata:Ringway.KeySources=header:$key_header" \
    "$cluster:Metadata:Ringway.BoundedLoadFactor=1.25" "$cluster:HttpRequest:Version=2.0" "$cluster:HttpRequest:VersionPolicy=RequestVersionExact" \
    >"$work/yarp.log" 2>&1 & pids+=($!); yarp_pid=$!
fi
for p in $replica_ports; do wait_up "$p" "$work/replica-$p.log"; done
if wants ringway; then wait_up $ringway_port "$work/ringway.log"; fi
if wants yarp; then wait_up $yarp_port "$work/yarp.log"; fi

check() { # system port min-replicas
  local out
  if ! out=$(dotnet "$tool" route --url "http://127.0.0.1:$2" --header "$key_header" --min-replicas "$3" 2>&1); then
    echo "run-grpc.sh: $1 does not route by the $key_header metadata:" >&2; echo "$out" >&2; exit 1
  fi
  echo "routing check, $1: $out" >&2
}
if wants direct; then check direct 7401 1; fi
if wants ringway; then check ringway $ringway_port 2; fi
if wants yarp; then check yarp $yarp_port 2; fi

failed=0
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$2"; }
measure() { # round system port [proxy pid]
  local out
  if ! out=$(dotnet "$tool" load --url "http://127.0.0.1:$3" --header "$key_header" --concurrency "$concurrency" \
      --connections "$conns" --warmup "$warmup" --seconds "$seconds" ${4:+--pid "$4"} 2>"$work/load.err"); then
    failed=1
    echo "run-grpc.sh: round $1, $2: calls failed: ${out:-no result}" >&2; cat "$work/load.err" >&2
  fi
  local calls ticks rate p50 p99 errors us=-
  calls=$(field calls "$out"); ticks=$(field cpu-ticks "$out"); rate=$(field calls/s "$out")
  p50=$(field p50-us "$out"); p99=$(field p99-us "$out"); errors=$(field errors "$out")
  if [ -n "${4:-}" ] && [ "${calls:-0}" -gt 0 ] && [ -n "$ticks" ] && [ "$ticks" != - ]; then
    us=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$calls" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  fi
  echo "$1 $2 ${rate:--} ${p50:--} ${p99:--} $us ${errors:--}" >>"$work/rows"
}

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$rounds"); do
  if wants direct; then measure "$round" direct 7401; fi
  if wants ringway; then measure "$round" ringway $ringway_port "$ringway_pid"; fi
  if wants yarp; then measure "$round" yarp $yarp_port "$yarp_pid"; fi
done
echo "machine: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

printf '%-6s %-8s %10s %8s %8s %13s %7s\n' round system calls/s p50-us p99-us cpu-us/call errors
while read -r round name rate p50 p99 us errors; do
  printf '%-6s %-8s %10s %8s %8s %13s %7s\n' "$round" "$name" "$rate" "$p50" "$p99" "$us" "$errors"
done <"$work/rows"
if ((rounds > 1)); then
  echo "median over $rounds rounds:"
  median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
  for name in $only; do
    rate=$(awk -v n="$name" '$2 == n { print $3 }' "$work/rows" | median)
    us=$(awk -v n="$name" '$2 == n { print $6 }' "$work/rows" | median)
    printf '%-8s %10s calls/s %10s cpu-us/call\n' "$name" "${rate:--}" "${us:--}"
  done
fi
if ((failed)); then echo "run-grpc.sh: calls failed (above): these figures do not count" >&2; exit 1; fi
