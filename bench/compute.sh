#!/usr/bin/env bash
# Benchmark (not a test): times `incentives compute --format csv` in a release build on a
# generated dataset and prints wall time and peak memory (max RSS), best of RUNS runs.
#
#   bash bench/compute.sh                 # 1,000,000 lines, 10,000 partners
#   LINES=200000 PARTNERS=2000 bash bench/compute.sh
#   BIN=/path/to/incentives bash bench/compute.sh   # that binary instead of `swift build -c release`
#   RULES=v2 bash bench/compute.sh        # programs with every rules-v2 key (generate --rules v2)
#
# Generated data goes to bench/data/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
PARTNERS=${PARTNERS:-10000}
RUNS=${RUNS:-3}
SEED=${SEED:-42}
RULES=${RULES:-v1}

if [ -z "${BIN:-}" ]; then
    swift build -c release --product incentives >&2
    BIN=.build/release/incentives
fi
OUT="bench/data/p${PARTNERS}-l${LINES}-s${SEED}"
RULES_ARGS=()  # (none for v1, so that a binary from before --rules still generates)
if [ "$RULES" != v1 ]; then OUT="$OUT-$RULES"; RULES_ARGS=(--rules "$RULES"); fi
if [ ! -f "$OUT/data/bookings.csv" ]; then
    "$BIN" generate --partners "$PARTNERS" --lines "$LINES" --seed "$SEED" "${RULES_ARGS[@]}" --out "$OUT"
fi
SIZE=$(du -m "$OUT/data/bookings.csv" | cut -f1)
echo "dataset: $LINES booking lines ($SIZE MB), $PARTNERS partners, seed $SEED, rules $RULES"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"

best_wall=""
best_rss=""
for run in $(seq 1 "$RUNS"); do
    /usr/bin/time -f "%e %M" -o /tmp/incentives-bench-time "$BIN" compute --data "$OUT/data" --programs "$OUT/programs" --format csv > /tmp/incentives-bench-out.csv
    read -r wall rss < /tmp/incentives-bench-time
    echo "run $run: ${wall} s wall, $((rss / 1024)) MB peak RSS, $(($(wc -l < /tmp/incentives-bench-out.csv) - 1)) result rows"
    if [ -z "$best_wall" ] || awk "BEGIN {exit !($wall < $best_wall)}"; then best_wall=$wall; best_rss=$rss; fi
done
echo "best: ${best_wall} s wall, $((best_rss / 1024)) MB peak RSS"
