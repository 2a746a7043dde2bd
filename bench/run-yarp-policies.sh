#!/usr/bin/env bash
# A YARP gateway with a Ringway policy against the same gateway with YARP's default PowerOfTwoChoices, in one run:
# samples/YarpGateway (Release) in front of peers.sh's three backends, measured by ../shared/bench/peers.sh (wrk, a fresh
# random ?key= per request, the gateway's CPU time per request). peers.sh measures one candidate per call, so every round
# calls it once per policy, alternating; the rounds give the run-to-run spread the difference is compared with.
#   bench/run-yarp-policies.sh [--rounds N (3)] [--policy RendezvousHash|Maglev|RingHash|JumpHash] [--seconds S] [--connections C]
# Needs the shared bench folder beside the repository (or PEERS_SH=...) and nginx-light, haproxy, wrk installed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${PEERS_SH:-$repo/../shared/bench/peers.sh}"
if [[ ! -x "$peers" ]]; then
  echo "run-yarp-policies.sh: $peers not found (put the shared folder beside the clone or set PEERS_SH)." >&2
  exit 2
fi
for tool in wrk nginx haproxy dotnet; do
  command -v "$tool" >/dev/null || { echo "run-yarp-policies.sh: '$tool' is not installed (apt-get install -y nginx-light haproxy wrk)" >&2; exit 2; }
done

rounds=3 policy=RendezvousHash args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --policy) policy="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

out="${GATEWAY_PUBLISH_DIR:-$(mktemp -d /tmp/ringway-yarp-gateway.XXXXXX)}"
echo "publishing samples/YarpGateway to $out" >&2
dotnet publish "$repo/samples/YarpGateway" -c Release -o "$out" --nologo -v quiet >&2
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

for round in $(seq 1 "$rounds"); do
  for p in "$policy" PowerOfTwoChoices; do
    echo "round $round: $p" >&2
    result=$("$peers" --only candidate --candidate "$repo/bench/yarp-gateway-candidate.sh $out/Ringway.Samples.YarpGateway.dll $p" "${args[@]}")
    # peers.sh's row: candidate req/s p50 p99 cpu-us/req vs-nginx errors...
    awk -v r="$round" -v p="$p" '$1 == "candidate" { $1 = ""; print r, p $0 }' <<<"$result" | tee -a "$rows" >&2
  done
done

printf '\n%-6s %-18s %12s %10s %10s %12s  %s\n' round policy req/s p50 p99 cpu-us/req errors
awk '{ errors = $8; for (i = 9; i <= NF; i++) errors = errors " " $i; printf "%-6s %-18s %12s %10s %10s %12s  %s\n", $1, $2, $3, $4, $5, $6, errors }' "$rows"
# Per policy: mean CPU per request and its spread over the rounds; then the difference of the means.
awk '
  { cpu[$2] += $6; n[$2]++; if (!($2 in lo) || $6 < lo[$2]) lo[$2] = $6; if (!($2 in hi) || $6 > hi[$2]) hi[$2] = $6 }
  END {
    printf "\n%-18s %16s %22s\n", "policy", "mean cpu-us/req", "spread over rounds"
    for (p in cpu) printf "%-18s %16.2f %10.1f to %-8.1f\n", p, cpu[p] / n[p], lo[p], hi[p]
    for (p in cpu) if (p != "PowerOfTwoChoices") printf "\n%s minus PowerOfTwoChoices: %+.2f us per request\n", p, cpu[p] / n[p] - cpu["PowerOfTwoChoices"] / n["PowerOfTwoChoices"]
  }' "$rows"
