#!/usr/bin/env bash
# A YARP gateway with a Ringway policy against the same gateway with YARP's default PowerOfTwoChoices, in one run:
# samples/YarpGateway (Release) in front of peers.sh's three backends, each policy in its own process, warmed up and then
# measured by bench/run-warm.sh (wrk, a fresh random ?key= per request, the gateway's CPU time per request), alternating
# over the rounds, which give the run-to-run spread the difference is compared with.
#   bench/run-yarp-policies.sh [--policy RendezvousHash|Maglev|RingHash|JumpHash] [run-warm.sh options: --rounds N
#                              --warmup S --seconds S --connections C]
# Needs the shared bench folder beside the repository (or PEERS_SH=...) and wrk, curl.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
policy=RendezvousHash args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --policy) policy="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

out="${GATEWAY_PUBLISH_DIR:-$(mktemp -d /tmp/ringway-yarp-gateway.XXXXXX)}"
echo "publishing samples/YarpGateway to $out" >&2
dotnet publish "$repo/samples/YarpGateway" -c Release -o "$out" --nologo -v quiet >&2
gateway="$repo/bench/yarp-gateway-candidate.sh $out/Ringway.Samples.YarpGateway.dll"
exec "$repo/bench/run-warm.sh" "${args[@]}" "PowerOfTwoChoices=$gateway PowerOfTwoChoices" "$policy=$gateway $policy"
