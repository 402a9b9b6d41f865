#!/usr/bin/env bash
# Benchmark (not a test): a partner's statement (issue 17, "Speed": a statement page p99 at most 20 ms under 50
# concurrent clients with 1,000,000 ledger entries in the workspace). Builds (once, under bench/data/, reused) a
# workspace of PARTNERS partners whose ledger holds at least ENTRIES entries, made as users make them, through
# the command line; starts `incentives serve` on it (release build), signs in, and runs wrk for DURATION seconds
# per route; prints wrk's latency distribution (50/75/90/99th percentiles), requests/s, the server's CPU time a
# request (from /proc: steadier than latency on a shared machine), the answer's size and the server's resident
# memory.
#
#   bash bench/statement.sh
#   CLIENTS=50 DURATION=15 bash bench/statement.sh
#   BIN=/path/to/incentives bash bench/statement.sh     # time this binary, do not build
#   ROUTES="page api" bash bench/statement.sh            # some of: page api entitled (default: all)
#   PREPARE=only nice -n 19 bash bench/statement.sh      # only build the workspace (not measured: nice is fine)
#
# The workspace (bench/data/statement-p${PARTNERS}-l${LINES}-s9/, each step marked done in steps/, so that an
# interrupted build resumes where it stopped): `generate --partners PARTNERS --lines LINES --seed 9`, programs
# added, imported, run 1, `approve 1 --interim --on 2015-08-15` (VIP entitlements and MDF allocations); a
# corrected extract (every 100th booking line half again as large), run 2, `approve 2 --final --on 2015-10-01`;
# then payment rounds: each a generated payments.csv with one payment per partner and cash program (every
# partner of partners.csv, amounts 1.00-999.99 from the line number, paid on the first of a month from 2015-11),
# recorded with `payments import`, until the ledger holds ENTRIES entries; then every program reopened with a
# reason, a second correction (every 100th line halved), run 3 and `approve 3 --final --on 2016-06-01`. The
# entries are counted with sqlite3 and printed.
#
# wrk drives, for DURATION seconds each, with bench/serve-scale.lua picking random partners: the statement
# page of random partners (`/partners/ID/statement`, admin session), the statement API of random partners
# (`/api/v1/partners/ID/statement`, admin token), and the statement page of random partners among those with
# an approved entitlement (their statements list approvals per item as well as payments).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-50}
DURATION=${DURATION:-10}
PORT=${PORT:-8089}
TIMEOUT=${TIMEOUT:-10}
PARTNERS=${PARTNERS:-100000}
LINES=${LINES:-1000000}
ENTRIES=${ENTRIES:-1000000}
ROUTES=${ROUTES:-page api entitled}

if ! command -v wrk > /dev/null || ! command -v sqlite3 > /dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk sqlite3
fi
# A release build, unless BIN names a binary (to compare two builds).
if [ -z "${BIN:-}" ]; then
    swift build -c release --product incentives >&2
    BIN=.build/release/incentives
fi
DIR=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && { kill $SERVER 2>/dev/null; sleep 2; kill -9 $SERVER 2>/dev/null; }; rm -rf "$DIR"' EXIT

DATA=${DATA:-bench/data/statement-p${PARTNERS}-l${LINES}-s9}
WS="$DATA/workspace.sqlite"
STEPS="$DATA/steps"
mkdir -p "$STEPS"
# step NAME COMMAND...: runs the command unless the step is marked done; marks it done when it succeeds.
step() {
    local name=$1; shift
    [ -f "$STEPS/$name" ] && return 0
    echo "workspace: $name" >&2
    "$@"
    touch "$STEPS/$name"
}
entries() { sqlite3 "$WS" "SELECT count(*) FROM ledger_entries"; }
latest_run() { sqlite3 "$WS" "SELECT max(id) FROM runs"; }
ws() { "$BIN" "$@" --workspace "$WS" > /dev/null; }

generate() {
    rm -rf "$DATA/files" "$WS" "$WS-wal" "$WS-shm"
    "$BIN" generate --partners "$PARTNERS" --lines "$LINES" --seed 9 --out "$DATA/files" > /dev/null
}
first_run() {
    rm -f "$WS" "$WS-wal" "$WS-shm"
    "$BIN" init --workspace "$WS" > /dev/null
    for file in "$DATA"/files/programs/*.yaml; do ws programs add "$file"; done
    ws import --dir "$DATA/files/data"
    ws run
}
# correct FACTOR OUT: every 100th booking line's amount times FACTOR (the import's warnings about the changed
# amounts, thousands of lines, go to import-N.log).
correct() {
    awk -F, -v factor="$1" 'BEGIN { OFS = "," } NR > 1 && NR % 100 == 0 { $8 = sprintf("%.2f", $8 * factor) } { print }' \
        "$DATA/files/data/bookings.csv" > "$2"
}
second_run() {
    correct 1.5 "$DATA/bookings-corrected.csv"
    ws import bookings "$DATA/bookings-corrected.csv" 2> "$DATA/import-2.log" || { tail "$DATA/import-2.log" >&2; exit 1; }
    ws run
}
# payments ROUND: one payment per partner and cash program, paid on the first of month 2015-11 + ROUND - 1.
payments() {
    local round=$1
    local month=$(( 10 + round ))
    local paid_on
    paid_on=$(printf '%04d-%02d-01' $(( 2015 + (month - 1) / 12 )) $(( (month - 1) % 12 + 1 )))
    tail -n +2 "$DATA/files/data/partners.csv" | cut -d, -f1 | awk -v round="$round" -v paid_on="$paid_on" -v programs="$CASH" '
        BEGIN { print "partner_id,program_id,amount,currency,reference,paid_on"; n = split(programs, p, " ") }
        { for (i = 1; i <= n; i++) {
              cents = (NR * 7919 + i * 104729 + round * 1299709) % 99900 + 100
              printf "%s,%s,%d.%02d,USD,PAY-%d-%s-%s,%s\n", $1, p[i], cents / 100, cents % 100, round, p[i], $1, paid_on
          } }' > "$DATA/payments-$round.csv"
    ws payments import "$DATA/payments-$round.csv"
}
reopen_all() {
    for program in $PROGRAMS; do ws reopen "$program" --reason "a second correction of the extract arrived after the final approval"; done
}
third_run() {
    correct 0.5 "$DATA/bookings-corrected-2.csv"
    ws import bookings "$DATA/bookings-corrected-2.csv" 2> "$DATA/import-3.log" || { tail "$DATA/import-3.log" >&2; exit 1; }
    ws run
}

step generated generate
PROGRAMS=$(grep -h -m1 '^id:' "$DATA"/files/programs/*.yaml | awk '{print $2}' | tr -d '"' | sort | xargs)
CASH=$(grep -l '^kind: vip' "$DATA"/files/programs/*.yaml | xargs grep -h -m1 '^id:' | awk '{print $2}' | tr -d '"' | sort | xargs)
step run-1 first_run
step approve-1-interim ws approve "$(latest_run)" --interim --on 2015-08-15
step run-2 second_run
step approve-2-final ws approve "$(latest_run)" --final --on 2015-10-01
round=1
while [ "$(entries)" -lt "$ENTRIES" ]; do
    step "payments-$round" payments "$round"
    round=$(( round + 1 ))
done
step reopen reopen_all
step run-3 third_run
step approve-3-final ws approve "$(latest_run)" --final --on 2016-06-01
step admin sh -c "printf 'bench-admin-password\n' | '$BIN' users add --name bench --role admin --workspace '$WS' > /dev/null"

[ "${PREPARE:-}" = only ] && { echo "workspace: $(entries) ledger entries ($WS)"; exit 0; }
COUNTS=$(sqlite3 -separator ' ' "$WS" "SELECT kind, count(*) FROM ledger_entries GROUP BY kind ORDER BY kind" | xargs)
TOTAL=$(entries)
tail -n +2 "$DATA/files/data/partners.csv" | cut -d, -f1 > "$DIR/ids"
sqlite3 "$WS" "SELECT DISTINCT partner_id FROM ledger_entries WHERE kind = 'entitlement' ORDER BY partner_id" > "$DIR/entitled"
FIRST=$(head -1 "$DIR/entitled")
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
echo "workspace: $PARTNERS partners, $LINES booking lines, 3 runs; $TOTAL ledger entries ($COUNTS), $(wc -l < "$DIR/entitled") partners with an entitlement ($WS)"
cookie="Cookie: incentives_session=$SESSION"
bearer="Authorization: Bearer $TOKEN"
server_cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; } # user + system, in clock ticks (1/100 s)
measure() { # route name, title, header, ids file, path pattern (%s for a random partner of the file)
    [[ " $ROUTES " == *" $1 "* ]] || return 0
    echo "== $2 ($5)"
    local before after requests
    before=$(server_cpu)
    IDS="$4" PATTERN="$5" wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout "${TIMEOUT}s" --latency -s bench/serve-scale.lua \
        -H "$3" "http://127.0.0.1:$PORT" > "$DIR/wrk"
    after=$(server_cpu)
    sed -n '/Latency Distribution/,/Requests\/sec/p' "$DIR/wrk"
    requests=$(awk '/ requests in / {print $1}' "$DIR/wrk")
    echo "   server CPU: $(( (after - before) * 10000 / (requests > 0 ? requests : 1) )) µs a request"
    echo "   size: $(curl -s --max-time "$TIMEOUT" -H "$3" "http://127.0.0.1:$PORT${5//%s/$FIRST}" | wc -c) bytes ($FIRST)"
}
measure page "statement pages, random partners" "$cookie" "$DIR/ids" "/partners/%s/statement"
measure api "statement API, random partners" "$bearer" "$DIR/ids" "/api/v1/partners/%s/statement"
measure entitled "statement pages, random partners with an entitlement" "$cookie" "$DIR/entitled" "/partners/%s/statement"
grep -E 'VmRSS|VmHWM' "/proc/$SERVER/status"
echo "server nice: $(ps -o ni= -p "$SERVER" | xargs)"
