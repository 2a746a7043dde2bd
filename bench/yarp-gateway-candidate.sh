#!/usr/bin/env bash
# Candidate command for bench/run-yarp-policies.sh (run-warm.sh and peers.sh style): the published samples/YarpGateway
# on $LB_PORT with its cluster's destinations replaced by the benchmark backends ($BACKENDS, comma-separated) and its
# load-balancing policy set.
#   yarp-gateway-candidate.sh GATEWAY_DLL POLICY [more configuration arguments for the gateway]
set -euo pipefail
dll=$1 policy=$2
shift 2
args=(--urls "http://127.0.0.1:$LB_PORT" --Logging:LogLevel:Default=Warning
      "--ReverseProxy:Clusters:servers:LoadBalancingPolicy=$policy")
IFS=, read -ra backends <<<"$BACKENDS"
# The sample names three destinations; peers.sh starts three backends.
for i in "${!backends[@]}"; do
  args+=("--ReverseProxy:Clusters:servers:Destinations:Server $((i + 1)):Address=${backends[$i]}")
done
# The content root is the working directory: the published appsettings.json is next to the dll.
cd "$(dirname "$dll")"
exec dotnet "$dll" "${args[@]}" "$@"
