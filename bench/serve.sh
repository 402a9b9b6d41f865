#!/usr/bin/env bash
# Benchmark (not a test): latency of the partner page and its API under 50 concurrent clients.
# Starts `incentives serve --demo` (release build) on a new workspace, signs in, and runs wrk
# (installed from Debian's packages when missing) for DURATION seconds per route; prints wrk's
# latency distribution (50/75/90/99th percentiles).
#
#   bash bench/serve.sh
#   CLIENTS=50 DURATION=15 bash bench/serve.sh
#   BIN=/path/to/incentives bash bench/serve.sh      # time this binary, do not build
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-50}
DURATION=${DURATION:-10}
PORT=${PORT:-8089}

if ! command -v wrk > /dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk
fi
# A release build, unless BIN names a binary (to compare two builds).
if [ -z "${BIN:-}" ]; then
    swift build -c release --product incentives >&2
    BIN=.build/release/incentives
fi
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$BIN" serve --demo --workspace "$DIR/demo.sqlite" --port "$PORT" > "$DIR/log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.1; done
PASSWORD=$(grep -o 'password [0-9a-f]*' "$DIR/log" | cut -d' ' -f2)
TOKEN=$(grep -o 'inc_[0-9a-f]*' "$DIR/log" | head -1)
curl -s -c "$DIR/jar" "http://127.0.0.1:$PORT/login" -o "$DIR/login.html"
CSRF=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$DIR/login.html" | cut -d'"' -f4)
curl -s -b "$DIR/jar" -c "$DIR/jar" -d "csrf=$CSRF&name=admin&password=$PASSWORD" "http://127.0.0.1:$PORT/login" -o /dev/null
SESSION=$(awk '$6 == "incentives_session" {print $7}' "$DIR/jar")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $CLIENTS clients, ${DURATION}s per route"
echo "== partner page /partners/NL1001"
wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -H "Cookie: incentives_session=$SESSION" "http://127.0.0.1:$PORT/partners/NL1001" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "== API /api/v1/runs/1/partners/NL1001"
wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/runs/1/partners/NL1001" | sed -n '/Latency Distribution/,/Requests\/sec/p'
