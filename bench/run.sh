#!/usr/bin/env bash
# Load benchmark of the portal's main pages on loopback, with the demo data.
# Measures throughput and latency with wrk (Debian package), 2 threads,
# 20 connections, DURATION seconds per page (default 10). Bounded in time,
# talks only to 127.0.0.1. Usage: bench/run.sh [DURATION]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION="${1:-10}"
command -v wrk >/dev/null || { echo "wrk fehlt: apt-get install -y wrk" >&2; exit 2; }
make build >/dev/null
DATA=$(mktemp -d)
PORT=3390
export KOG_DATA_DIR="$DATA" KOG_ADDR="127.0.0.1:$PORT" KOG_BASE_URL="http://127.0.0.1:$PORT" KOG_LOG_LEVEL=error
# Started outside the repository, so the embedded templates are parsed once
# as in production instead of re-read from views/ on every request.
(cd "$DATA" && exec "$OLDPWD/bin/kog") >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
# Sign in as the demo member through the real OIDC flow for the member pages.
JAR="$DATA/jar"
curl -s -c "$JAR" -b "$JAR" -L -o /dev/null "http://127.0.0.1:$PORT/auth/login?login_hint=mitglied@kog.example"
COOKIE=$(awk '$6=="kog_session"{print "kog_session="$7}' "$JAR")
echo "Seite | Anfragen/s | Latenz Mittel | Latenz p99"
run() {
  local path=$1 header=${2:-}
  local out
  if [[ -n "$header" ]]; then
    out=$(wrk -t2 -c20 -d"${DURATION}s" --latency -H "Cookie: $header" "http://127.0.0.1:$PORT$path")
  else
    out=$(wrk -t2 -c20 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path")
  fi
  local rps mean p99
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  mean=$(awk '/Latency/ && !/Distribution/{print $2; exit}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  echo "$path${header:+ (angemeldet)} | $rps | $mean | $p99"
}
run /
run /gremium
run /sitzungen
run /beschluesse
run / "$COOKIE"
run /themen "$COOKIE"
