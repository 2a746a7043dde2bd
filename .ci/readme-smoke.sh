#!/usr/bin/env bash
# Runs the README's commands the way a new user runs them, against a fresh build, and checks what the README says they
# answer: the balancer (`dotnet run`), the curl lines, the analysis with `all`, pack, then the Docker system up, a
# request, and down. `dotnet test` is not run a second time: .ci/run runs it, and this checks that .ci/run's line is that
# command. `dotnet add package` needs a package registry and is only listed.
# Every command of the README's bash blocks must be one this script knows how to run: a new one fails the run until it
# is covered here.
# Ends with "readme-smoke: N passed, N failed, N skipped" (.ci/run adds it to its summary); exit code 0 when none failed.
# --coverage-only: only checks that every README command is covered (seconds; nothing is started).
# Environment: RINGWAY_REQUIRE_DOCKER=1 fails the Docker steps when no engine answers instead of skipping them;
# RINGWAY_SMOKE_SKIP_DOCKER=1 skips them (when the one engine is busy with other work).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d /tmp/ringway-readme-smoke.XXXXXX)
marker="readme-smoke-$$-$RANDOM"
passed=0 failed=0 skipped=0
balancer_pid=""

pass() { passed=$((passed + 1)); echo "readme-smoke: PASS $*"; }
fail() { failed=$((failed + 1)); echo "readme-smoke: FAIL $*"; }
skip() { skipped=$((skipped + 1)); echo "readme-smoke: SKIP $*"; }

# Processes this script started carry the marker in their environment; whatever is left at the end is killed by id.
kill_marked() {
  local signal=$1 file pid
  for file in $(grep -lszx "RINGWAY_README_SMOKE=$marker" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${file#/proc/}; pid=${pid%/environ}
    kill "-$signal" "$pid" 2>/dev/null || true
  done
}

stop_balancer() {
  [ -n "$balancer_pid" ] || return 0
  kill -TERM -- "-$balancer_pid" 2>/dev/null || true   # its own process group (setsid below): dotnet run and the host
  for _ in $(seq 1 40); do kill -0 "$balancer_pid" 2>/dev/null || break; sleep 0.5; done
  kill_marked KILL
  balancer_pid=""
}

cleanup() { stop_balancer; kill_marked KILL; rm -rf "$work"; }
trap cleanup EXIT

# ---- the README's commands --------------------------------------------------------------------------------------------
# Each line of a ```bash block, without its trailing "# comment", is a command; the comment is kept (documented answers).
mapfile -t lines < <(awk '/^```bash$/ {inside=1; next} /^```$/ {inside=0} inside && NF' README.md)
commands=() comments=()
for line in "${lines[@]}"; do
  command=$(sed -E 's/[[:space:]]+#[[:space:]].*$//; s/[[:space:]]+$//' <<<"$line")
  comment=$(sed -nE 's/^.*[[:space:]]#[[:space:]](.*)$/\1/p' <<<"$line")
  commands+=("$command"); comments+=("$comment")
done
# The local pack command sits in the README's text, not in a block; a new user runs it too.
pack_command=$(grep -oE '`dotnet pack [^`]*`' README.md | head -n 1 | tr -d '`')

kind_of() {
  case "$1" in
    "dotnet run --project samples/LoadBalancer") echo balancer ;;
    "dotnet test") echo test ;;
    "curl "*":5100/"*) echo gateway-curl ;;
    "curl "*) echo curl ;;
    "dotnet build samples/Server && dotnet build samples/YarpGateway") echo gateway-build ;;
    "for i in 1 2 3; do SERVER_ID="*"dotnet samples/Server/bin/"*) echo gateway-servers ;;
    "dotnet run --no-build --project samples/YarpGateway") echo gateway ;;
    "dotnet add package "*) echo registry ;;
    "samples/docker/up.sh --offline") echo docker-up ;;
    "samples/docker/down.sh") echo docker-down ;;
    "dotnet run --project samples/Analysis -- all --out "*) echo analysis ;;
    *) echo unknown ;;
  esac
}

uncovered=0
for i in "${!commands[@]}"; do
  if [ "$(kind_of "${commands[$i]}")" = unknown ]; then
    fail "README command not covered by .ci/readme-smoke.sh: ${commands[$i]}"
    uncovered=$((uncovered + 1))
  fi
done
if [ ${#commands[@]} -eq 0 ]; then
  fail "no bash blocks found in README.md"
elif [ "$uncovered" -eq 0 ]; then
  pass "README has ${#commands[@]} commands in bash blocks, each covered"
fi
if [ "${1:-}" = --coverage-only ]; then
  echo "readme-smoke: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]; exit
fi

find_command() { # the first README command of a kind
  local i
  for i in "${!commands[@]}"; do [ "$(kind_of "${commands[$i]}")" = "$1" ] && { echo "$i"; return 0; }; done
  return 1
}

# JSON the same after every "Server <n>" becomes "Server #" (which replica answers a random key varies).
same_json() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
norm = lambda t: json.loads(re.sub(r'Server \d+', 'Server #', t))
sys.exit(0 if norm(sys.argv[1]) == norm(sys.argv[2]) else 1)
PY
}
successful() { python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin).get("status") == "successful" else 1)' <<<"$1" 2>/dev/null; }

# ---- 1. the balancer with three local replicas ------------------------------------------------------------------------
if i=$(find_command balancer); then
  if curl -s -o /dev/null --max-time 2 http://127.0.0.1:5000/; then
    fail "port 5000 is already in use: '${commands[$i]}' cannot listen there"
  else
    RINGWAY_README_SMOKE=$marker setsid bash -c "${commands[$i]}" > "$work/balancer.log" 2>&1 < /dev/null &
    balancer_pid=$!
    for _ in $(seq 1 600); do   # the first run builds the solution's samples: minutes on a busy machine
      grep -q "Ringway load balancer on http://0.0.0.0:5000" "$work/balancer.log" && break
      kill -0 "$balancer_pid" 2>/dev/null || break
      sleep 1
    done
    # The first answers of a freshly started host can be slow on a busy machine: /rep gets 30 tries of up to 10 s.
    rep_ok=false
    if grep -q "Ringway load balancer on http://0.0.0.0:5000" "$work/balancer.log"; then
      for _ in $(seq 1 30); do
        curl -fsS --max-time 10 http://127.0.0.1:5000/rep 2>/dev/null | grep -q '"N":3' && { rep_ok=true; break; }
        sleep 1
      done
    fi
    if $rep_ok; then
      pass "${commands[$i]} (listening on :5000 with 3 replicas)"
    else
      fail "${commands[$i]}: no banner or /rep without 3 replicas; last lines:"; tail -n 20 "$work/balancer.log"
    fi
  fi
fi

# ---- 2. dotnet test: what .ci/run runs ---------------------------------------------------------------------------------
if i=$(find_command test); then
  # .ci/run's test line must run the same thing: the whole solution (no project or folder named), options added.
  ci_line=$(grep -m 1 -E '^dotnet test( |$)' .ci/run)
  read -r -a words <<<"${ci_line:-x x x}"
  if [ -n "$ci_line" ] && { [ ${#words[@]} -eq 2 ] || [[ ${words[2]} == -* ]]; }; then
    pass "${commands[$i]} (run by .ci/run: $ci_line)"
  else
    fail "${commands[$i]}: .ci/run does not run it over the whole solution"
  fi
fi

# ---- 3. the curl lines, with their documented answers ------------------------------------------------------------------
for i in "${!commands[@]}"; do
  [ "$(kind_of "${commands[$i]}")" = curl ] || continue
  command=${commands[$i]} comment=${comments[$i]}
  if [ -z "$balancer_pid" ]; then skip "$command (the balancer is not running)"; continue; fi
  answer=$(bash -c "$command" 2>"$work/curl.err"); status=$?   # curl's progress meter goes to standard error
  if [ $status -ne 0 ] || ! successful "$answer"; then
    fail "$command: exit $status, answer $answer $(tail -n 1 "$work/curl.err")"
  elif [[ "$comment" == "{"* ]]; then
    same_json "$comment" "$answer" && pass "$command (answers as documented)" || fail "$command: answered $answer, documented $comment"
  elif [[ "$command" != *" -X "* ]]; then
    # A GET without a documented answer: the README's claim is that the same key always reaches the same replica.
    again=$(bash -c "$command" 2>"$work/curl.err")
    [ "$again" = "$answer" ] && pass "$command (the same replica twice: $answer)" || fail "$command: $answer, then $again"
  else
    pass "$command ($answer)"
  fi
done

# ---- 4. the analysis, with the system running --------------------------------------------------------------------------
if i=$(find_command analysis); then
  if [ -z "$balancer_pid" ]; then
    skip "${commands[$i]} (the balancer is not running)"
  else
    # The README writes into docs/analysis (the checked-in report); here the same run writes into a scratch folder.
    command="${commands[$i]% --out *} --out $work/analysis"
    if RINGWAY_README_SMOKE=$marker bash -c "$command" > "$work/analysis.log" 2>&1 \
       && [ -s "$work/analysis/report.md" ] \
       && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["a1"] and r["a2"] and r["a3"] and len(r["a4Live"]) == 5 and r["a5"] else 1)' "$work/analysis/results.json"; then
      pass "${commands[$i]} (as: $command; A-1 to A-4 with the 5 live balancers, A-5)"
    else
      fail "${commands[$i]} (as: $command); last lines:"; tail -n 30 "$work/analysis.log"
    fi
  fi
fi
stop_balancer

# ---- 4b. Already on YARP?: three sample servers, the sample gateway, its curl lines ---------------------------------------
gateway_started=false
if b=$(find_command gateway-build) && v=$(find_command gateway-servers) && g=$(find_command gateway); then
  if ! bash -c "${commands[$b]}" > "$work/gateway-build.log" 2>&1; then
    fail "${commands[$b]}; last lines:"; tail -n 20 "$work/gateway-build.log"
  else
    pass "${commands[$b]}"
    # Both start servers in the background; they carry the marker, so the cleanup finds them.
    RINGWAY_README_SMOKE=$marker setsid bash -c "${commands[$v]}" > "$work/gateway-servers.log" 2>&1 < /dev/null
    RINGWAY_README_SMOKE=$marker setsid bash -c "${commands[$g]}" > "$work/gateway.log" 2>&1 < /dev/null &
    for _ in $(seq 1 120); do
      curl -fsS --max-time 5 'http://127.0.0.1:5100/home?key=readme-smoke' 2>/dev/null | grep -q '"successful"' && { gateway_started=true; break; }
      sleep 1
    done
    if $gateway_started; then
      pass "${commands[$v]} and ${commands[$g]} (the gateway answers on :5100)"
    else
      fail "${commands[$g]}: no answer on :5100; last lines:"; tail -n 20 "$work/gateway.log"; tail -n 5 "$work/gateway-servers.log"
    fi
  fi
fi
for i in "${!commands[@]}"; do
  [ "$(kind_of "${commands[$i]}")" = gateway-curl ] || continue
  command=${commands[$i]} comment=${comments[$i]}
  if ! $gateway_started; then skip "$command (the gateway is not running)"; continue; fi
  answer=$(bash -c "$command" 2>"$work/curl.err"); status=$?
  again=$(bash -c "$command" 2>"$work/curl.err")
  named=$(grep -oE 'Server [0-9]+' <<<"$comment" | head -n 1)   # the server the README says answers, if it names one
  if [ $status -ne 0 ] || ! successful "$answer"; then
    fail "$command: exit $status, answer $answer $(tail -n 1 "$work/curl.err")"
  elif [ "$again" != "$answer" ]; then
    fail "$command: $answer, then $again"
  elif [ -n "$named" ] && ! grep -q "Server: $named\"" <<<"$answer"; then
    fail "$command: answered $answer, the README says $named"
  else
    pass "$command (the same server twice${named:+, $named as documented}: $answer)"
  fi
done
kill_marked TERM; sleep 1; kill_marked KILL

# ---- 5. pack -----------------------------------------------------------------------------------------------------------
if [ -n "$pack_command" ]; then
  out=$(grep -oE -- '-o [^ ]+' <<<"$pack_command" | cut -c4-)
  if bash -c "$pack_command" > "$work/pack.log" 2>&1 \
     && ls "$out"/Ringway.ConsistentHashing.*.nupkg "$out"/Ringway.LoadBalancing.AspNetCore.*.nupkg "$out"/Ringway.Replicas.Docker.*.nupkg \
           "$out"/Ringway.Replicas.Processes.*.nupkg "$out"/Ringway.Yarp.*.nupkg >/dev/null 2>&1; then
    pass "$pack_command (the five packages in $out)"
  else
    fail "$pack_command; last lines:"; tail -n 20 "$work/pack.log"
  fi
else
  fail "README no longer shows the dotnet pack command"
fi

# ---- 6. the Docker system: up, a request, down --------------------------------------------------------------------------
up=$(find_command docker-up) down=$(find_command docker-down)
if [ -z "$up" ] || [ -z "$down" ]; then
  fail "README lost its Docker up or down command"
elif [ "${RINGWAY_SMOKE_SKIP_DOCKER:-}" = 1 ]; then
  skip "${commands[$up]}, a request, ${commands[$down]} (RINGWAY_SMOKE_SKIP_DOCKER=1)"
elif ! timeout 10 docker info > /dev/null 2>&1; then
  if [ "${RINGWAY_REQUIRE_DOCKER:-}" = 1 ]; then fail "${commands[$up]}: no Docker engine answers"; else skip "${commands[$up]}, a request, ${commands[$down]} (no Docker engine)"; fi
else
  if bash -c "${commands[$up]}" > "$work/up.log" 2>&1; then
    pass "${commands[$up]}"
    answer=$(curl -sS --max-time 10 http://127.0.0.1:5000/home 2>&1)
    successful "$answer" && grep -q "Hello from Server" <<<"$answer" && pass "curl http://127.0.0.1:5000/home on the Docker system ($answer)" \
      || fail "curl http://127.0.0.1:5000/home on the Docker system: $answer"
  else
    fail "${commands[$up]}; last lines:"; tail -n 30 "$work/up.log"
  fi
  if bash -c "${commands[$down]}" > "$work/down.log" 2>&1 \
     && [ -z "$(docker ps -aq --filter label=io.ringway.instance=compose)" ]; then
    pass "${commands[$down]} (no container of the system left)"
  else
    fail "${commands[$down]}; last lines:"; tail -n 20 "$work/down.log"
  fi
fi

echo "readme-smoke: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
