#!/usr/bin/env bash
# Benchmark (not a test): the advisor's recommendation for 50 subtracks and 30 credentials, on
# SEEDS random cases (bench/advise.py); prints the wall time of `incentives advise --catalogue` each.
#
#   bash bench/advise.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-"1 2 3 4 5 6 7"}
swift build -c release --product incentives >&2
for seed in $SEEDS; do
    out="bench/data/advise-$seed"
    python3 bench/advise.py "$out" "$seed"
    /usr/bin/time -f "%e" -o /tmp/incentives-advise-time .build/release/incentives advise --data "$out/data" --programs "$out/programs" \
        --partner P1 --as-of 2015-03-01 --catalogue "$out/catalogue.yaml" > "$out/advice.txt"
    echo "seed $seed: $(cat /tmp/incentives-advise-time) s; $(grep '^Recommendation' "$out/advice.txt")"
done
