#!/usr/bin/env bash
# Benchmark (not a test): a workspace with a generated dataset, release build.
# Times `import --dir` of the whole dataset (1,000,000 booking lines by default) into a new
# workspace, a second identical import (every row unchanged), and `run`; prints wall time and
# peak memory (max RSS) of each.
#
#   bash bench/workspace.sh
#   LINES=200000 PARTNERS=2000 bash bench/workspace.sh
#   BIN=/tmp/incentives-before bash bench/workspace.sh
#
# Generated data and the workspace go to bench/data/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
PARTNERS=${PARTNERS:-10000}
SEED=${SEED:-42}

# BIN=path uses that binary (e.g. an older build, for a before/after figure) instead of building.
if [ -z "${BIN:-}" ]; then
    swift build -c release --product incentives >&2
    BIN=.build/release/incentives
fi
OUT="bench/data/p${PARTNERS}-l${LINES}-s${SEED}"
if [ ! -f "$OUT/data/bookings.csv" ]; then
    "$BIN" generate --partners "$PARTNERS" --lines "$LINES" --seed "$SEED" --out "$OUT"
fi
WS="$OUT/workspace.sqlite"
rm -f "$WS" "$WS-wal" "$WS-shm"
echo "dataset: $LINES booking lines ($(du -m "$OUT/data/bookings.csv" | cut -f1) MB), $PARTNERS partners, seed $SEED"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
"$BIN" init --workspace "$WS" > /dev/null
"$BIN" programs add "$OUT"/programs/*.yaml --workspace "$WS" > /dev/null

measure() {
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o /tmp/incentives-bench-time "$@" > /tmp/incentives-bench-out 2>&1
    read -r wall rss < /tmp/incentives-bench-time
    echo "$label: $wall s wall, $((rss / 1024)) MB peak RSS"
}
measure "import --dir (new workspace)" "$BIN" import --dir "$OUT/data" --workspace "$WS"
measure "import --dir again (all unchanged)" "$BIN" import --dir "$OUT/data" --workspace "$WS"
measure "run" "$BIN" run --workspace "$WS"
measure "runs show 1 --format csv" "$BIN" runs show 1 --format csv --workspace "$WS"
echo "workspace file: $(du -m "$WS" | cut -f1) MB"
