#!/usr/bin/env bash
# Benchmark (not a test): `incentives compute --format csv` (release build) against an independent
# DuckDB implementation of formats.md (bench/duckdb_compute.py) on the same generated datasets.
# Both must print byte-identical results; prints wall time, CPU time and peak memory (max RSS) of
# each, best of RUNS runs, and the ratio DuckDB time / incentives time. Exits 1 if any results differ.
#
#   bash bench/duckdb.sh                               # 1,000,000 and 10,000,000 lines
#   LINES=200000 PARTNERS=2000 bash bench/duckdb.sh    # one size
#   LINES="1000000 5000000" RUNS=1 bash bench/duckdb.sh
#   BIN=/path/to/incentives bash bench/duckdb.sh       # use this binary, do not build
#   RULES=v2 bash bench/duckdb.sh                      # programs with every rules-v2 key (generate --rules v2)
#
# LINES and PARTNERS are lists taken in pairs; without PARTNERS a dataset has LINES/100 partners
# (10,000 for 1M lines, 100,000 for 10M). Generated data goes to bench/data/ (ignored by git),
# with the last results of both sides (results-incentives.csv, results-duckdb.csv).
# DuckDB and PyYAML are installed from PyPI into bench/.venv (ignored by git) on first use.
# DUCKDB_ARGS passes options to bench/duckdb_compute.py (e.g. --stream, --threads 1).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-"1000000 10000000"}
PARTNERS=${PARTNERS:-}
RUNS=${RUNS:-3}
SEED=${SEED:-42}
RULES=${RULES:-v1}
DUCKDB_VERSION=2.0.0
PYYAML_VERSION=6.0.3
DUCKDB_ARGS=${DUCKDB_ARGS:-}

# The engine: a release build, as bench/compute.sh does, unless BIN names a binary.
if [ -z "${BIN:-}" ]; then
    swift build -c release --product incentives >&2
    BIN=.build/release/incentives
fi

# The DuckDB side: a virtual environment with pinned versions.
VENV=bench/.venv
PY=$VENV/bin/python
if ! "$PY" -c "import duckdb, yaml, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION' or yaml.__version__ != '$PYYAML_VERSION')" 2>/dev/null; then
    echo "installing duckdb==$DUCKDB_VERSION and PyYAML==$PYYAML_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION" "PyYAML==$PYYAML_VERSION" >&2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "incentives: $BIN (version $("$BIN" --version), built $(date -r "$BIN" '+%Y-%m-%d %H:%M'), HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "duckdb: $("$PY" -c 'import duckdb; print(duckdb.__version__)') (Python $("$PY" -c 'import platform; print(platform.python_version())'), ${DUCKDB_ARGS:-default options})"

# Sanity check first: the DuckDB side must reproduce the worked example byte for byte.
"$PY" bench/duckdb_compute.py $DUCKDB_ARGS --data examples/data --programs examples/programs > /tmp/incentives-duckdb-example.csv
if cmp -s /tmp/incentives-duckdb-example.csv examples/expected/results.csv; then
    echo "examples: DuckDB results identical to examples/expected/results.csv"
else
    echo "examples: DuckDB results DIFFER from examples/expected/results.csv:"
    diff examples/expected/results.csv /tmp/incentives-duckdb-example.csv | head -20
    exit 1
fi
# With rules v2, the hand-made cases of formats.md section 5 too (both Python implementations and the engine).
if [ "$RULES" = v2 ]; then
    PY="$PY" BIN="$BIN" bash bench/v2cases/check.sh
fi

# best_of LABEL OUTFILE COMMAND...: runs COMMAND RUNS times with stdout to OUTFILE; sets
# best_wall / best_rss / best_cpu to the run with the lowest wall time.
best_of() {
    local label=$1 outfile=$2
    shift 2
    best_wall="" best_rss="" best_cpu=""
    for run in $(seq 1 "$RUNS"); do
        /usr/bin/time -f "%e %M %U %S" -o /tmp/incentives-duckdb-time "$@" > "$outfile"
        read -r wall rss user sys < /tmp/incentives-duckdb-time
        cpu=$(awk "BEGIN {printf \"%.2f\", $user + $sys}")
        echo "  $label run $run: ${wall} s wall, ${cpu} s CPU, $((rss / 1024)) MB peak RSS"
        if [ -z "$best_wall" ] || awk "BEGIN {exit !($wall < $best_wall)}"; then
            best_wall=$wall best_rss=$rss best_cpu=$cpu
        fi
    done
}

status=0
summary=()
read -r -a line_counts <<< "$LINES"
read -r -a partner_counts <<< "$PARTNERS"
for i in "${!line_counts[@]}"; do
    lines=${line_counts[$i]}
    partners=${partner_counts[$i]:-$((lines / 100))}
    OUT="bench/data/p${partners}-l${lines}-s${SEED}"
    RULES_ARGS=()  # (none for v1, so that a binary from before --rules still generates)
    if [ "$RULES" != v1 ]; then OUT="$OUT-$RULES"; RULES_ARGS=(--rules "$RULES"); fi
    if [ ! -f "$OUT/data/bookings.csv" ]; then
        "$BIN" generate --partners "$partners" --lines "$lines" --seed "$SEED" "${RULES_ARGS[@]}" --out "$OUT"
    fi
    SIZE=$(du -m "$OUT/data/bookings.csv" | cut -f1)
    echo "dataset: $lines booking lines ($SIZE MB), $partners partners, seed $SEED, rules $RULES; load average $(cut -d' ' -f1-3 /proc/loadavg)"

    best_of incentives "$OUT/results-incentives.csv" \
        "$BIN" compute --data "$OUT/data" --programs "$OUT/programs" --format csv
    i_wall=$best_wall i_rss=$best_rss i_cpu=$best_cpu
    best_of duckdb "$OUT/results-duckdb.csv" \
        "$PY" bench/duckdb_compute.py $DUCKDB_ARGS --data "$OUT/data" --programs "$OUT/programs"
    d_wall=$best_wall d_rss=$best_rss d_cpu=$best_cpu

    rows=$(($(wc -l < "$OUT/results-incentives.csv") - 1))
    if cmp -s "$OUT/results-incentives.csv" "$OUT/results-duckdb.csv"; then
        same="identical ($rows result rows)"
    else
        same="DIFFERENT"
        status=1
        diff "$OUT/results-incentives.csv" "$OUT/results-duckdb.csv" | head -20 || true
    fi
    ratio=$(awk "BEGIN {printf \"%.2f\", $d_wall / $i_wall}")
    line="$lines lines: incentives ${i_wall} s (${i_cpu} s CPU, $((i_rss / 1024)) MB), duckdb ${d_wall} s (${d_cpu} s CPU, $((d_rss / 1024)) MB), duckdb/incentives ${ratio}x; results $same"
    echo "$line"
    summary+=("$line")
done

echo "summary (best of $RUNS, wall time; peak RSS of that run):"
for line in "${summary[@]}"; do echo "  $line"; done
exit $status
