#!/usr/bin/env bash
# Benchmark (not a test): two builds of `incentives` timed alternately on the same generated dataset,
# `compute --format csv` as in bench/compute.sh, with the results compared byte for byte each round.
#
#   bash bench/compare.sh BEFORE_BINARY AFTER_BINARY            # 1,000,000 lines, 10,000 partners, 5 rounds
#   LINES=10000000 PARTNERS=100000 bash bench/compare.sh A B
#
# Prints wall, user and system time, peak RSS and the load average (1 min) before each run; exits 1
# when the two results differ. Generated data goes to bench/data/ (ignored by git), made by AFTER_BINARY.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?usage: bench/compare.sh BEFORE_BINARY AFTER_BINARY}
AFTER=${2:?usage: bench/compare.sh BEFORE_BINARY AFTER_BINARY}
LINES=${LINES:-1000000}
PARTNERS=${PARTNERS:-10000}
ROUNDS=${ROUNDS:-5}
SEED=${SEED:-42}

OUT="bench/data/p${PARTNERS}-l${LINES}-s${SEED}"
if [ ! -f "$OUT/data/bookings.csv" ]; then
    "$AFTER" generate --partners "$PARTNERS" --lines "$LINES" --seed "$SEED" --out "$OUT"
fi
echo "dataset: $LINES booking lines, $PARTNERS partners, seed $SEED"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for round in $(seq 1 "$ROUNDS"); do
    for which in before after; do
        bin=$BEFORE
        [ "$which" = after ] && bin=$AFTER
        load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$bin" compute --data "$OUT/data" --programs "$OUT/programs" --format csv > "$TMP/$which.csv"
        read -r wall user sys rss < "$TMP/time"
        echo "round $round, $which: ${wall} s wall, ${user} s user, ${sys} s system, $((rss / 1024)) MB peak RSS, load $load"
    done
    if ! cmp -s "$TMP/before.csv" "$TMP/after.csv"; then
        echo "round $round: the results differ" >&2
        exit 1
    fi
done
echo "results identical in every round ($(($(wc -l < "$TMP/after.csv") - 1)) rows)"
