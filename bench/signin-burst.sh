#!/usr/bin/env bash
# Benchmark (not a test): an authenticated API call timed while 160 wrong sign-ins arrive at once
# (issue 11: such a burst used to delay it from 1.5 ms to 6 s). Starts `incentives serve --demo`
# (release build) on a new workspace; prints the call's times alone and during the burst, and how
# the sign-ins were answered (401 wrong password, 429 throttled, 503 bcrypt pool full).
#
#   bash bench/signin-burst.sh
#   ATTEMPTS=400 bash bench/signin-burst.sh
set -uo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8097}
ATTEMPTS=${ATTEMPTS:-160}
swift build -c release --product incentives >&2
BIN=.build/release/incentives
DIR=$(mktemp -d)
"$BIN" serve --demo --workspace "$DIR/w.sqlite" --port "$PORT" > "$DIR/log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.1; done
TOKEN=$(grep -o 'inc_[0-9a-f]*' "$DIR/log" | head -1)
call() { curl -s -o /dev/null -w '%{time_total} ' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/runs/1/partners/NL1001"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "API call alone (s): $(call)$(call)$(call)"
curl -s -c "$DIR/jar" "http://127.0.0.1:$PORT/login" -o "$DIR/login.html"
CSRF=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$DIR/login.html" | cut -d'"' -f4)
pids=()
for i in $(seq 1 "$ATTEMPTS"); do
    curl -s -o /dev/null -w '%{http_code}\n' -b "$DIR/jar" -d "csrf=$CSRF&name=user$((i % 7))&password=wrong-password-$i" \
        "http://127.0.0.1:$PORT/login" >> "$DIR/codes" &
    pids+=($!)
done
sleep 0.2
echo "API call during the burst (s): $(call)$(call)$(call)$(call)$(call)"
wait "${pids[@]}"
echo "sign-ins answered:"
sort "$DIR/codes" | uniq -c
