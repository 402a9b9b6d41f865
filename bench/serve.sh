#!/usr/bin/env bash
# Benchmark (not a test): latency of the partner page and its API under 50 concurrent clients.
# Starts `incentives serve --demo` (release build) on a new workspace, signs in, and runs wrk
# (installed from Debian's packages when missing) for DURATION seconds per route; prints wrk's
# latency distribution (50/75/90/99th percentiles).
#
#   bash bench/serve.sh
#   CLIENTS=50 DURATION=15 bash bench/serve.sh
#   BIN=/path/to/incentives bash bench/serve.sh      # time this binary, do not build
#   PARTNERS=100000 LINES=1000000 bash bench/serve.sh  # at scale (below)
#
# With PARTNERS, the server serves a generated workspace instead of the demo: `generate --partners
# PARTNERS --lines LINES --seed 9`, imported and run twice (a second run for the runs diff), built once
# under bench/data/ and reused. wrk then drives, for DURATION seconds each: partner pages of random
# partners, the overview, a program page (and a page of its partner list sorted by paid, a search), a
# run page's list, the runs diff (and a page of its changed partners), the partner API of random
# partners and one partner's results CSV (bench/serve-scale.lua picks the partners); wrk's timeout is
# TIMEOUT seconds. Between the two runs every 100th booking line is corrected, so the diff has
# partners to list. Afterwards the server's resident memory (VmRSS, and its peak VmHWM) is printed.
# Before measuring, the workspace file is read once (into the system's page cache) and random partner pages are
# asked for WARMUP seconds (default 5), not counted: the figures are those of a server that has been up a while.
# ROUTES picks some of them: partner overview program list run search diff diffpage api csv (default: all). A server still busy with answers wrk
# gave up on is killed when the script ends.
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

if [ -n "${PARTNERS:-}" ]; then
    LINES=${LINES:-1000000}
    TIMEOUT=${TIMEOUT:-10}
    ROUTES=${ROUTES:-partner overview program list run search diff diffpage api csv}
    trap 'kill $SERVER 2>/dev/null; sleep 2; kill -9 $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
    DATA="bench/data/serve-p${PARTNERS}-l${LINES}-s9-corrected"
    WS="$DATA/workspace.sqlite"
    if [ ! -f "$DATA/ready" ]; then
        rm -rf "$DATA"
        "$BIN" generate --partners "$PARTNERS" --lines "$LINES" --seed 9 --out "$DATA/files" > /dev/null
        "$BIN" init --workspace "$WS" > /dev/null
        for file in "$DATA"/files/programs/*.yaml; do "$BIN" programs add "$file" --workspace "$WS" > /dev/null; done
        "$BIN" import --dir "$DATA/files/data" --workspace "$WS" > /dev/null
        "$BIN" run --workspace "$WS" > /dev/null
        # A corrected extract between the runs: every 100th booking line's amount is half again as
        # large, so that the runs diff has thousands of changed partners to list.
        awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 100 == 0 { $8 = sprintf("%.2f", $8 * 1.5) } { print }' \
            "$DATA/files/data/bookings.csv" > "$DATA/bookings-corrected.csv"
        "$BIN" import bookings "$DATA/bookings-corrected.csv" --workspace "$WS" > /dev/null
        "$BIN" run --workspace "$WS" > /dev/null
        printf 'bench-admin-password\n' | "$BIN" users add --name bench --role admin --workspace "$WS" > /dev/null
        touch "$DATA/ready"
    fi
    tail -n +2 "$DATA/files/data/partners.csv" | cut -d, -f1 > "$DIR/ids"
    PROGRAM=$(basename "$(ls "$DATA"/files/programs/*.yaml | head -1)" .yaml)
    PROGRAM=$(grep -m1 '^id:' "$DATA/files/programs/$PROGRAM.yaml" | awk '{print $2}' | tr -d '"')
    FIRST=$(head -1 "$DIR/ids")
    TOKEN=$("$BIN" tokens create --user bench --expires-in 1d --workspace "$WS" 2> /dev/null)
    "$BIN" serve --workspace "$WS" --port "$PORT" > "$DIR/log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.1; done
    # Measured in its steady state: after the lists the server prepares as it starts (a few seconds).
    for _ in $(seq 1 600); do grep -q "lists are prepared" "$DIR/log" && break; sleep 0.1; done
    curl -s -c "$DIR/jar" "http://127.0.0.1:$PORT/login" -o "$DIR/login.html"
    CSRF=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$DIR/login.html" | cut -d'"' -f4)
    curl -s -b "$DIR/jar" -c "$DIR/jar" -d "csrf=$CSRF&name=bench&password=bench-admin-password" "http://127.0.0.1:$PORT/login" -o /dev/null
    SESSION=$(awk '$6 == "incentives_session" {print $7}' "$DIR/jar")
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $CLIENTS clients, ${DURATION}s per route"
    echo "workspace: $PARTNERS partners, $LINES booking lines, 2 runs ($WS)"
    # A server that has been up a while: the workspace file in the system's page cache (a build or a copy of
    # another large file may have pushed it out), and WARMUP seconds of random partner pages, not counted.
    cat "$WS" > /dev/null
    IDS="$DIR/ids" PATTERN="/partners/%s" wrk -t2 -c"$CLIENTS" -d"${WARMUP:-5}s" --timeout "${TIMEOUT}s" -s bench/serve-scale.lua \
        -H "Cookie: incentives_session=$SESSION" "http://127.0.0.1:$PORT" > /dev/null
    cookie="Cookie: incentives_session=$SESSION"
    bearer="Authorization: Bearer $TOKEN"
    measure() { # route name, title, header, path (or a pattern with %s for a random partner)
        [[ " $ROUTES " == *" $1 "* ]] || return 0
        shift
        echo "== $1 ($3)"
        if [[ "$3" == *%s* ]]; then
            IDS="$DIR/ids" PATTERN="$3" wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout "${TIMEOUT}s" --latency -s bench/serve-scale.lua \
                -H "$2" "http://127.0.0.1:$PORT" | sed -n '/Latency Distribution/,/Requests\/sec/p'
        else
            wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout "${TIMEOUT}s" --latency -H "$2" "http://127.0.0.1:$PORT$3" \
                | sed -n '/Latency Distribution/,/Requests\/sec/p'
        fi
        echo "   size: $(curl -s --max-time "$TIMEOUT" -H "$2" "http://127.0.0.1:$PORT${3//%s/$FIRST}" | wc -c) bytes"
    }
    measure partner "partner pages, random partners" "$cookie" "/partners/%s"
    measure overview "overview" "$cookie" "/"
    measure program "program page" "$cookie" "/programs/$PROGRAM"
    measure list "program page, partners by paid, page 100" "$cookie" "/programs/$PROGRAM?sort=paid&page=100"
    measure run "run page, partners by missed, page 20" "$cookie" "/runs/2?program=$PROGRAM&sort=missed&page=20"
    measure search "program page, partners whose id or name starts with P0012" "$cookie" "/programs/$PROGRAM?q=P0012"
    measure diff "runs diff" "$cookie" "/runs?a=1&b=2"
    measure diffpage "runs diff, changes by paid, page 10" "$cookie" "/runs?a=1&b=2&sort=paid&page=10"
    measure api "partner API, random partners" "$bearer" "/api/v1/runs/2/partners/%s"
    measure csv "one partner's results CSV" "$bearer" "/api/v1/runs/2/results?partner=$FIRST&format=csv"
    grep -E 'VmRSS|VmHWM' "/proc/$SERVER/status"
    exit 0
fi
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
