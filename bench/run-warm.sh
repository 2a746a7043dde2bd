#!/usr/bin/env bash
# Proxies compared in their steady state, in one run: every candidate command is started in front of the same three
# backends (peers.sh's, from ../shared/bench/backend), driven with wrk for --warmup seconds so that the runtime's tiered
# compilation has finished, then measured for --seconds. Each round measures every candidate once, in the order given,
# with a fresh process, so the rounds show the run-to-run spread the differences are compared with.
#   bench/run-warm.sh [--rounds 3] [--warmup 30] [--seconds 10] [--connections 64] NAME='COMMAND' [NAME='COMMAND' ...]
# COMMAND serves on $LB_PORT and routes to $BACKENDS (comma-separated base URLs), like peers.sh's --candidate; it is run
# with bash -c, so it may use those variables. A fresh random ?key= per request (peers.sh's keys.lua).
# Why not peers.sh alone: its 2 s warm-up leaves JIT work inside the measured window (on 2 cores, perf shows the JIT at
# about a fifth of a .NET proxy's CPU there, and CPU per request falls 2 to 3x over the first 20 to 30 s under load).
# Needs the shared bench folder beside the repository (or PEERS_SH=.../peers.sh), dotnet, wrk and curl.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${PEERS_SH:-$repo/../shared/bench/peers.sh}"
shared="$(cd "$(dirname "$peers")" 2>/dev/null && pwd || true)"
if [[ ! -f "$shared/backend/backend.csproj" || ! -f "$shared/keys.lua" ]]; then
  echo "run-warm.sh: the shared bench folder (backend/, keys.lua) was not found beside $peers." >&2
  echo "  Put the shared folder beside the clone (../shared/bench) or set PEERS_SH=/path/to/bench/peers.sh." >&2
  exit 2
fi
for tool in wrk curl dotnet; do
  command -v "$tool" >/dev/null || { echo "run-warm.sh: '$tool' is not installed (apt-get install -y wrk curl)" >&2; exit 2; }
done

rounds=3 warmup=30 seconds=10 conns=64 names=() commands=()
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    *=*) names+=("${1%%=*}"); commands+=("${1#*=}"); shift ;;
    *) echo "run-warm.sh: expected NAME='COMMAND', got '$1'" >&2; exit 2 ;;
  esac
done
((${#names[@]})) || { echo "usage: bench/run-warm.sh [--rounds N] [--warmup S] [--seconds S] [--connections C] NAME='COMMAND' ..." >&2; exit 2; }

work=$(mktemp -d /tmp/ringway-warm.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
echo "publishing the shared backend to $work" >&2
dotnet publish "$shared/backend" -c Release -o "$work/backend" --nologo -v quiet >&2

wait_up() { for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$1/home?key=warm" && return 0; sleep 0.2; done; echo "run-warm.sh: nothing answers on port $1" >&2; return 1; }
cpu_ticks() { # the process and its children: utime + stime in clock ticks
  local total=0 p
  for p in $1 $(pgrep -P "$1" 2>/dev/null); do
    [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $total
}

BACKENDS=""
for p in 7401 7402 7403; do
  dotnet "$work/backend/backend.dll" --urls "http://127.0.0.1:$p" --id "$p" >/dev/null 2>&1 & pids+=($!)
  BACKENDS+="${BACKENDS:+,}http://127.0.0.1:$p"
done
export BACKENDS LB_PORT=7410
for p in 7401 7402 7403; do wait_up $p; done

rows="$work/rows"
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$rounds"); do
  for i in "${!names[@]}"; do
    name=${names[$i]}
    echo "round $round: $name (warm-up ${warmup}s, measured ${seconds}s, load average $(cut -d' ' -f1 /proc/loadavg))" >&2
    bash -c "exec ${commands[$i]}" >"$work/$name.log" 2>&1 & pid=$!; pids+=($pid)
    wait_up $LB_PORT || { tail -5 "$work/$name.log" >&2; exit 1; }
    wrk -t1 -c"$conns" -d"${warmup}s" -s "$shared/keys.lua" "http://127.0.0.1:$LB_PORT" >/dev/null 2>&1 || true
    before=$(cpu_ticks $pid)
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "$shared/keys.lua" "http://127.0.0.1:$LB_PORT" 2>&1)
    after=$(cpu_ticks $pid)
    pkill -P $pid 2>/dev/null || true; kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    awk -v r="$round" -v n="$name" -v t=$((after - before)) -v hz="$hz" '
      /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } /requests in/ { reqs = $1 }
      /Non-2xx|Socket errors/ { sub(/^ +/, ""); errors = errors $0 "; " }
      END { printf "%s %s %s %s %s %.1f %s\n", r, n, rps, p50, p99, t / hz * 1e6 / reqs, (errors == "" ? "none" : errors) }' <<<"$out" | tee -a "$rows" >&2
  done
done

printf '\n%-6s %-20s %12s %10s %10s %12s  %s\n' round candidate req/s p50 p99 cpu-us/req errors
awk '{ errors = $7; for (i = 8; i <= NF; i++) errors = errors " " $i; printf "%-6s %-20s %12s %10s %10s %12s  %s\n", $1, $2, $3, $4, $5, $6, errors }' "$rows"
printf '\n%-20s %16s %22s %14s\n' candidate "mean cpu-us/req" "spread over rounds" "mean req/s"
for name in "${names[@]}"; do
  awk -v n="$name" '$2 == n { c += $6; q += $3; k++; if (k == 1 || $6 < lo) lo = $6; if (k == 1 || $6 > hi) hi = $6 }
    END { printf "%-20s %16.1f %10.1f to %-9.1f %14.0f\n", n, c / k, lo, hi, q / k }' "$rows"
done
# Every other candidate against the first: the difference of the means, to hold against the spreads above.
awk -v first="${names[0]}" '{ c[$2] += $6; k[$2]++ } END { for (n in c) if (n != first) printf "\n%s minus %s: %+.1f us per request\n", n, first, c[n] / k[n] - c[first] / k[first] }' "$rows"
