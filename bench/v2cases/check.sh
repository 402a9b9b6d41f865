#!/usr/bin/env bash
# Hand-made rules-v2 cases (formats.md section 5): each folder bench/v2cases/NAME/ holds data/,
# programs/ and expected.csv, the results computed by hand (the arithmetic is in bench/README.md,
# "Rules v2"). Runs both Python implementations, bench/reference.py and bench/duckdb_compute.py
# (and, with BIN, the engine), on every case and compares their output with expected.csv byte for
# byte. Exits 1 on any difference.
#
#   bash bench/v2cases/check.sh              # every case
#   bash bench/v2cases/check.sh fiscal       # the named cases
#   PY=/path/to/python bash bench/v2cases/check.sh   # a Python with duckdb and PyYAML
#   BIN=.build/debug/incentives bash bench/v2cases/check.sh   # the engine too (`compute --format csv`)
#
# Without PY it uses bench/.venv (created with pinned duckdb and PyYAML, as bench/duckdb.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUCKDB_VERSION=2.0.0
PYYAML_VERSION=6.0.3
if [ -z "${PY:-}" ]; then
    VENV=bench/.venv
    PY=$VENV/bin/python
    if ! "$PY" -c "import duckdb, yaml, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION' or yaml.__version__ != '$PYYAML_VERSION')" 2>/dev/null; then
        echo "installing duckdb==$DUCKDB_VERSION and PyYAML==$PYYAML_VERSION into $VENV" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION" "PyYAML==$PYYAML_VERSION" >&2
    fi
fi

if [ $# -gt 0 ]; then cases=("$@"); else cases=(); for dir in bench/v2cases/*/; do cases+=("$(basename "$dir")"); done; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for name in "${cases[@]}"; do
    dir=bench/v2cases/$name
    for side in reference duckdb ${BIN:+engine}; do
        case $side in
        reference) "$PY" bench/reference.py --data "$dir/data" --programs "$dir/programs" > "$out/$name-$side.csv" || true ;;
        duckdb) "$PY" bench/duckdb_compute.py --data "$dir/data" --programs "$dir/programs" > "$out/$name-$side.csv" || true ;;
        engine) "$BIN" compute --data "$dir/data" --programs "$dir/programs" --format csv > "$out/$name-$side.csv" || true ;;
        esac
        if cmp -s "$dir/expected.csv" "$out/$name-$side.csv"; then
            echo "ok        $name ($side, $(($(wc -l < "$dir/expected.csv") - 1)) rows)"
        else
            echo "DIFFERENT $name ($side): expected.csv vs output"
            diff "$dir/expected.csv" "$out/$name-$side.csv" | head -20 || true
            status=1
        fi
    done
done
exit $status
