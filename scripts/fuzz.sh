#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs each for a bounded time (README.md, "Fuzzing and API property tests").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     targets: csv bookings programs (default: all three; 60 s each)
#
# Each target starts from its committed seeds (Fuzz/corpus/TARGET, read only) and a scratch corpus that
# grows from run to run (Fuzz/.build/fuzz-corpus/TARGET, git-ignored). An input that crashes, leaks, runs
# out of memory or time is written to Fuzz/findings/TARGET/ (git-ignored), with libFuzzer's log next to it.
# One line per target says what happened; the exit status is non-zero when any target found something.
#
# Environment:
#   FUZZ_KEEP_GOING=1      go on after a finding (libFuzzer's fork mode) to collect every distinct one in the time
#   FUZZ_SANITIZERS=...    -sanitize= value (default fuzzer,address; "fuzzer" alone is about twice as fast)
#   FUZZ_RSS_MB, FUZZ_TIMEOUT   memory (default 2048 MB) and per-input time (default 10 s) limits
#   FUZZ_LEAKS=0           do not report leaks (to look past a known one)
#   FUZZ_MESSAGE_LIMIT     longest message a reader may print, in bytes (default 4096; 0: not checked)
#   FUZZ_SKIP_BUILD=1      use the targets already built
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv bookings programs)
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}

case "$seconds" in '' | *[!0-9]*) echo "fuzz.sh: SECONDS_PER_TARGET must be a whole number, not '$seconds'" >&2; exit 2 ;; esac
for target in "${targets[@]}"; do
    [ -d "Fuzz/corpus/$target" ] || { echo "fuzz.sh: unknown target '$target' (known: csv bookings programs)" >&2; exit 2; }
done

clang_flags="-fsanitize=fuzzer-no-link"
case "$sanitizers" in *address*) clang_flags="$clang_flags,address" ;; esac
build=(swift build -c release --package-path Fuzz -Xswiftc "-sanitize=$sanitizers" -Xcc "$clang_flags")
mkdir -p Fuzz/.build
if [ "${FUZZ_SKIP_BUILD:-}" != 1 ]; then
    echo "fuzz.sh: building the fuzz targets (release, -sanitize=$sanitizers)..." >&2
    if ! "${build[@]}" >"Fuzz/.build/fuzz-build.log" 2>&1; then
        cat Fuzz/.build/fuzz-build.log >&2
        echo "fuzz.sh: the build failed" >&2
        exit 2
    fi
fi
bin=$("${build[@]}" --show-bin-path)

swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
export SWIFT_BACKTRACE=enable=no # Swift's own crash handler reads freed memory under ASan; libFuzzer's is enough
export ASAN_OPTIONS=${ASAN_OPTIONS:-handle_sigill=1:handle_abort=1:handle_sigtrap=1:detect_leaks=${FUZZ_LEAKS:-1}:symbolize=1}
[ -x "$swift_bin/llvm-symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$swift_bin/llvm-symbolizer"
export INCENTIVES_EXAMPLES="$root/examples"

status=0
for target in "${targets[@]}"; do
    scratch="Fuzz/.build/fuzz-corpus/$target"
    findings="Fuzz/findings/$target"
    mkdir -p "$scratch" "$findings"
    log="$findings/last-run.log"
    case "$target" in programs) max_len=8192 ;; *) max_len=16384 ;; esac
    options=(
        -max_total_time="$seconds" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -timeout="$timeout" -max_len="$max_len"
        -dict="Fuzz/dictionaries/$target.dict" -artifact_prefix="$findings/" -print_final_stats=1
        -detect_leaks="${FUZZ_LEAKS:-1}"
    )
    if [ "${FUZZ_KEEP_GOING:-}" = 1 ]; then
        options+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    before=$(find "$findings" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    started=$(date +%s)
    "$bin/fuzz-$target" "${options[@]}" "$scratch" "Fuzz/corpus/$target" >"$log" 2>&1
    code=$?
    elapsed=$(($(date +%s) - started))
    after=$(find "$findings" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -z "$runs" ] && runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
    [ -z "$runs" ] && runs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1) # fork mode
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    new=$((after - before))
    if [ "$code" -eq 0 ] && [ "$new" -eq 0 ]; then
        echo "fuzz-$target: ok, ${runs:-?} inputs in ${elapsed} s (${coverage:-cov: ?}), corpus $(find "$scratch" -type f | wc -l) files"
    else
        status=1
        kind=""
        for pattern in 'FUZZ CHECK FAILED: .\{0,120\}' 'Swift runtime failure: [a-zA-Z ]*' 'Fatal error: .\{0,120\}' \
            'ERROR: LeakSanitizer: [a-z ]*' 'ERROR: libFuzzer: [a-z-]*' 'ERROR: AddressSanitizer: [a-zA-Z-]*'; do
            kind=$(grep -a -o -m1 "$pattern" "$log" | head -1)
            [ -n "$kind" ] && break
        done
        kind=$(echo "$kind" | sed 's/ *$//')
        # Where a crash happened: the first frame in the product's sources.
        frame=$(grep -a -o -m1 " $root/Sources/[^ ]*\.swift:[0-9]*" "$log" | head -1 | sed "s| $root/||")
        case "$kind" in "FUZZ CHECK"*) ;; *) [ -n "$frame" ] && kind="$kind at $frame" ;; esac
        latest=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        [ -z "$latest" ] && latest=$(ls -t "$findings"/crash-* "$findings"/leak-* "$findings"/timeout-* "$findings"/oom-* 2>/dev/null | head -1)
        echo "fuzz-$target: FOUND ${kind:-a failure (exit $code)} after ${elapsed} s (${new} new file(s) in $findings/); input: ${latest:-none}; log: $log; replay: $bin/fuzz-$target ${latest:-INPUT}"
    fi
done
exit $status
