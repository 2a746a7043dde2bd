#!/usr/bin/env bash
# A worker node lost under load, on a real three-node swarm made on this machine (scripts/swarm-nodes.sh: needs root, a
# Docker engine in no swarm, the image ringway/sample-server, iproute2): the long version of the CI test
# MultiNodeSwarmTests.WorkerCutOffUnderLoad_..., with more clients and more time, repeated.
#   scripts/multinode.sh [--clients 32] [--after 20] [--rounds 3] [--heartbeat 5s] [--tcp-retries 4] [--no-build]
#   scripts/multinode.sh --balancers [--keys 50000] [--rounds 3] [--no-build]
#   --balancers    instead: three balancers sharing the replicas (MultiNodeSwarmTests.ThreeBalancers_...): every key to the
#                  same replica on all three, the leader killed and taken over; --keys keys per balancer (CI: 10000)
#   --clients      concurrent GET clients through the balancer (CI: 8)
#   --after        seconds of load with N restored before the node comes back (CI: 3)
#   --rounds       runs, each on a fresh swarm
#   --heartbeat    the swarm's dispatcher heartbeat; a node is marked down after about three (Docker's default 5s)
#   --tcp-retries  the balancer container's net.ipv4.tcp_retries2 (docs/docker.md; Linux's default is 15)
# Prints each round's figures: GETs and failed GETs, when the lost replica left /rep, when the node was marked down, when
# N = 3 served again, and how long the node took to be ready and rid of its old task once it returned.
set -euo pipefail
cd "$(dirname "$0")/.."

clients=32 after=20 rounds=3 heartbeat=5s retries=4 build=1 test=WorkerCutOffUnderLoad keys=50000
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --heartbeat) heartbeat=$2; shift 2 ;;
    --tcp-retries) retries=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --balancers) test=ThreeBalancers; shift ;;
    --keys) keys=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

results=$(mktemp /tmp/ringway-multinode.XXXXXX)
trap 'rm -f "$results" "$results.log"' EXIT
if [ "$build" = 1 ]; then dotnet build tests/Replicas.Docker.Tests -c Release -v quiet -nologo >/dev/null; fi
failed=0
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds: $clients clients, $after s after recovery, dispatcher heartbeat $heartbeat, tcp_retries2 $retries"
  RINGWAY_REQUIRE_DOCKER=1 RINGWAY_RESULTS_FILE="$results" RINGWAY_MULTINODE_CLIENTS=$clients RINGWAY_MULTINODE_SECONDS_AFTER=$after \
  RINGWAY_MULTINODE_HEARTBEAT=$heartbeat RINGWAY_MULTINODE_TCP_RETRIES=$retries RINGWAY_MULTINODE_KEYS=$keys \
    dotnet test tests/Replicas.Docker.Tests -c Release --no-build --filter "FullyQualifiedName~MultiNodeSwarmTests.$test" \
      --logger "console;verbosity=detailed" >"$results.log" 2>&1 || { failed=1; grep -E "Failed|Error Message|Assert" -A3 "$results.log" | head -20; }
  # The balancer's membership log and the first failed requests, if any.
  grep -E "left the ring|joined the ring|did not run on node|Started replica|GET key|the lease" "$results.log" | sed 's/^ */  /' | head -30 || true
done
echo "----"
cat "$results"
rm -f "$results.log"
echo "$([ $failed = 0 ] && echo PASS || echo FAIL): $rounds rounds"
exit $failed
