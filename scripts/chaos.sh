#!/usr/bin/env bash
# Replica crashes (or removals) under load, against the real sample host (samples/LoadBalancer, N = 3), on 127.0.0.1 only.
#   scripts/chaos.sh [--system processes|docker] [--mode kill|removal] [--connections 128] [--duration 60] [--every 10] [--no-build]
# Load: wrk, GET /home?key=<random>, for --duration seconds over --connections connections.
#   kill:    every --every seconds one replica is killed: kill -9 of a replica process (processes), docker kill of a
#            replica container (docker, needs the image ringway/sample-server and a running engine). For each kill it
#            prints the time until /rep lists N replicas again without the victim.
#   removal: every --every seconds, /add {"n":1} then /rm of that replica, then /rm {"n":1} (a random one) and /add {"n":1}.
# At the end: wrk's totals, its non-2xx responses and socket errors (a failed request is one of those), and the recoveries.
# Everything the script starts is stopped by its own id (and, for Docker, its containers and network by their label).
set -euo pipefail
cd "$(dirname "$0")/.."

system=processes mode=kill connections=128 duration=60 every=10 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --system) system=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "chaos: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

config=Release
dll=samples/LoadBalancer/bin/$config/net10.0/Ringway.Samples.LoadBalancer.dll
if [ "$build" = 1 ]; then dotnet build samples/LoadBalancer -c $config -v quiet -nologo >/dev/null; fi

work=$(mktemp -d /tmp/ringway-chaos.XXXXXX)
instance="chaos-$$"
host_pid=""
cleanup() {
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    kill -TERM "$host_pid" 2>/dev/null || true           # the host stops its replicas, then exits
    for _ in $(seq 1 200); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$host_pid" 2>/dev/null || true
  fi
  if [ -n "$host_pid" ]; then
    # Replica processes left behind (the host carries a marker its children inherit): by their own ids.
    for p in $(grep -l "RINGWAY_CHAOS_MARKER=$instance" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do kill -KILL "$p" 2>/dev/null || true; done
  fi
  if [ "$system" = docker ]; then
    ids=$(docker ps -aq --filter "label=io.ringway.instance=$instance" 2>/dev/null || true)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
    docker network rm "ringway-$instance" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

args=(--urls http://127.0.0.1:0)
if [ "$system" = docker ]; then
  args+=(--Replicas:Provider=docker --Replicas:Docker:Image=ringway/sample-server --Replicas:Docker:UsePublishedPorts=true
         --Replicas:Docker:InstanceName="$instance" --Replicas:Docker:Network="ringway-$instance")
fi
RINGWAY_CHAOS_MARKER=$instance setsid dotnet "$dll" "${args[@]}" >"$work/host.log" 2>&1 </dev/null &
host_pid=$!
base=""
for _ in $(seq 1 600); do
  base=$(grep -o 'Ringway load balancer on http://[0-9.]*:[0-9]*' "$work/host.log" | head -n1 | awk '{print $5}') || true
  [ -n "$base" ] && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "chaos: the host did not start" >&2; cat "$work/host.log" >&2; exit 1; }
rep() { curl -s --max-time 2 "$base/rep" || true; }
count() { rep | grep -o '"N":[0-9]*' | cut -d: -f2; }
n=$(count)
echo "chaos: $system, mode $mode, $connections connections, $duration s, every $every s; balancer $base (pid $host_pid), N = $n: $(rep)"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The victim: a random replica, as (hostname, how to kill it).
pick_victim() {
  if [ "$system" = docker ]; then
    local id; id=$(docker ps -q --filter "label=io.ringway.instance=$instance" | shuf -n1)
    echo "$(docker inspect --format '{{index .Config.Labels "io.ringway.hostname"}}' "$id")|docker kill $id"
  else
    local pid; pid=$(cat /proc/"$host_pid"/task/*/children | tr ' ' '\n' | grep -v '^$' | shuf -n1)
    echo "$(tr '\0' '\n' </proc/"$pid"/environ | sed -n 's/^SERVER_ID=//p')|kill -9 $pid"
  fi
}

# Waits until /rep lists N replicas and not $1; prints the milliseconds since $2.
wait_recovered() {
  local victim=$1 start=$2 body
  for _ in $(seq 1 600); do
    body=$(rep)
    if echo "$body" | grep -q "\"N\":$n," && ! echo "$body" | grep -qF "\"$victim\""; then
      echo $(( $(now_ms) - start )); return 0
    fi
    sleep 0.02
  done
  echo "not-recovered"
}

cat >"$work/keys.lua" <<'LUA'
math.randomseed(os.time())
request = function() return wrk.format("GET", "/home?key=" .. math.random(1, 1000000)) end
LUA
wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency -s "$work/keys.lua" "$base/home" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
started=$(now_ms)
recoveries=()
round=0
while :; do
  round=$((round + 1))
  next=$(( started + round * every * 1000 ))
  [ $(( next + 1000 )) -lt $(( started + duration * 1000 )) ] || break
  sleep "$(awk -v ms=$(( next - $(now_ms) )) 'BEGIN { print (ms > 0 ? ms / 1000 : 0) }')"
  if [ "$mode" = kill ]; then
    IFS='|' read -r victim action <<<"$(pick_victim)"
    t0=$(now_ms)
    $action >/dev/null
    ms=$(wait_recovered "$victim" "$t0")
    recoveries+=("$ms")
    echo "  $(( (t0 - started) / 1000 )) s: killed '$victim' ($action); N = $n again after $ms ms"
  else
    name="R$round"
    t0=$(now_ms)
    a=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/add" -H 'Content-Type: application/json' -d "{\"n\": 1, \"hostnames\": [\"$name\"]}")
    r=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$base/rm" -H 'Content-Type: application/json' -d "{\"n\": 1, \"hostnames\": [\"$name\"]}")
    r2=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$base/rm" -H 'Content-Type: application/json' -d '{"n": 1}')
    a2=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/add" -H 'Content-Type: application/json' -d '{"n": 1}')
    echo "  $(( (t0 - started) / 1000 )) s: /add $name $a, /rm $name $r, /rm random $r2, /add random $a2 ($(( $(now_ms) - t0 )) ms)"
    recoveries+=("$a$r$r2$a2")
  fi
done
wait "$wrk_pid" || true

total=$(grep -o '[0-9]* requests in' "$work/wrk.txt" | awk '{print $1}')
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
socket=$(grep 'Socket errors' "$work/wrk.txt" || echo "Socket errors: none")
p50=$(awk '/^ +50%/ {print $2}' "$work/wrk.txt"); p99=$(awk '/^ +99%/ {print $2}' "$work/wrk.txt")
final=$(rep)
echo "----"
echo "requests: ${total:-?} (${rps:-?}/s), p50 $p50, p99 $p99; non-2xx: $non2xx; ${socket# *}"
if [ "$mode" = kill ]; then
  sorted=$(printf '%s\n' "${recoveries[@]}" | grep -v not | sort -n | tr '\n' ' ')
  echo "kills: ${#recoveries[@]}; time to N = $n again (ms): $sorted"
fi
echo "final /rep: $final"
failed=0
[ "$non2xx" = 0 ] || failed=1
grep -q 'Socket errors' "$work/wrk.txt" && failed=1
printf '%s\n' "${recoveries[@]}" | grep -q not-recovered && failed=1
[ "$mode" = removal ] && printf '%s\n' "${recoveries[@]}" | grep -qv '^200200200200$' && failed=1
echo "$([ $failed = 0 ] && echo PASS || echo FAIL): zero failed requests$([ "$mode" = kill ] && echo ", N restored after every kill")"
exit $failed
