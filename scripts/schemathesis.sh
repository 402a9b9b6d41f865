#!/usr/bin/env bash
# Property-based run of the JSON API from its own OpenAPI document (README.md, "Fuzzing and API property tests").
#
#   scripts/schemathesis.sh                  the run
#   scripts/schemathesis.sh --install-only   only install schemathesis (.ci/run does this before `swift test`)
#
# Installs schemathesis (PyPI) into .schemathesis/venv (git-ignored; `pip install --user` when a venv cannot be
# made), builds `incentives` (debug) unless INCENTIVES_EXECUTABLE names one, starts `incentives serve --demo` on
# a free loopback port with a new workspace in a temporary folder and an admin token made with the CLI, runs
# schemathesis against /api/v1/openapi.yaml for a bounded time, stops the server and exits non-zero when a
# check failed or the server died. The report (schemathesis's output, JUnit and NDJSON files, the server's log)
# is left in .schemathesis/last-run/.
#
# Environment:
#   INCENTIVES_EXECUTABLE   the executable to test (default: build it with `swift build --product incentives`)
#   SCHEMATHESIS_MAX_TIME   seconds for the whole run (default 150)
#   SCHEMATHESIS_MAX_EXAMPLES   test cases per operation and phase (default 40)
#   SCHEMATHESIS_CHECKS     checks to run instead of those of scripts/schemathesis.toml; SCHEMATHESIS_SEED (default 1)
#   SCHEMATHESIS_ARGS       more arguments for `schemathesis run`
#   SCHEMATHESIS_SCHEMA     a document to use instead of the one the server serves (to look past a known failure)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version=4.32.5
max_time=${SCHEMATHESIS_MAX_TIME:-150}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-40}
seed=${SCHEMATHESIS_SEED:-1}
# The checks are in scripts/schemathesis.toml; SCHEMATHESIS_CHECKS (a list, or `all`) replaces them.
checks=()
[ -n "${SCHEMATHESIS_CHECKS:-}" ] && checks=(--checks "$SCHEMATHESIS_CHECKS")
report="$root/.schemathesis/last-run"

say() { echo "schemathesis.sh: $*" >&2; }

# 1. schemathesis (this version: another may check differently)
schemathesis=""
if [ "$(schemathesis --version 2>/dev/null)" = "schemathesis, version $version" ]; then
    schemathesis=$(command -v schemathesis)
elif [ -x .schemathesis/venv/bin/schemathesis ] && [ "$(.schemathesis/venv/bin/schemathesis --version 2>/dev/null)" = "schemathesis, version $version" ]; then
    schemathesis=.schemathesis/venv/bin/schemathesis
elif python3 -m venv .schemathesis/venv >/dev/null 2>&1 \
    && .schemathesis/venv/bin/python -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2; then
    schemathesis=.schemathesis/venv/bin/schemathesis
else
    say "no venv (python3-venv missing?): installing with pip install --user"
    python3 -m pip install --quiet --user --disable-pip-version-check "schemathesis==$version" >&2 || { say "cannot install schemathesis"; exit 2; }
    schemathesis="$(python3 -m site --user-base)/bin/schemathesis"
fi
[ -x "$schemathesis" ] || { say "schemathesis is not at $schemathesis"; exit 2; }
if [ "${1:-}" = --install-only ]; then
    say "$("$schemathesis" --version) at $schemathesis"
    exit 0
fi

# 2. the executable
executable=${INCENTIVES_EXECUTABLE:-}
if [ -z "$executable" ]; then
    say "building incentives (debug)..."
    swift build --product incentives >&2 || { say "the build failed"; exit 2; }
    executable="$(swift build --show-bin-path)/incentives"
fi
[ -x "$executable" ] || { say "no executable at $executable"; exit 2; }

# 3. a workspace with an admin and its token, then the demo data from `serve --demo`
scratch=$(mktemp -d "${TMPDIR:-/tmp}/incentives-schemathesis.XXXXXX")
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null
        wait "$server" 2>/dev/null
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT
rm -rf "$report"
mkdir -p "$report"
workspace="$scratch/workspace.sqlite"
"$executable" init --workspace "$workspace" >/dev/null || { say "init failed"; exit 2; }
# A password only this run knows; the account exists only in the temporary workspace.
password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf '%s\n' "$password" | "$executable" users add --name schemathesis --role admin --workspace "$workspace" >/dev/null \
    || { say "users add failed"; exit 2; }
token=$("$executable" tokens create --user schemathesis --workspace "$workspace") || { say "tokens create failed"; exit 2; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port/api/v1"
"$executable" serve --demo --workspace "$workspace" --port "$port" >"$report/server.log" 2>&1 &
server=$!
up=""
for _ in $(seq 1 600); do
    if curl -fs "$base/health" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
[ -n "$up" ] || { say "the server did not start:"; cat "$report/server.log" >&2; exit 2; }
curl -fs -H "Authorization: Bearer $token" "$base/openapi.yaml" -o "$report/openapi.yaml" || { say "cannot fetch the OpenAPI document"; exit 2; }
# SCHEMATHESIS_SCHEMA: test from another copy of the document (to look past a known failure).
schema=${SCHEMATHESIS_SCHEMA:-$report/openapi.yaml}

# 4. the run
say "running schemathesis $version against $base for at most ${max_time} s"
# shellcheck disable=SC2086
"$schemathesis" --config-file scripts/schemathesis.toml run "$schema" --url "$base" \
    --header "Authorization: Bearer $token" \
    "${checks[@]}" --max-time "$max_time" --max-examples "$max_examples" --seed "$seed" --workers 1 \
    --request-timeout 30 --no-color --output-truncate true \
    --report junit,ndjson --report-dir "$report" \
    ${SCHEMATHESIS_ARGS:-} >"$report/schemathesis.txt" 2>&1
code=$?
cat "$report/schemathesis.txt"

# 5. the server must still be alive and answer
alive=1
if ! kill -0 "$server" 2>/dev/null || ! curl -fs "$base/health" >/dev/null 2>&1; then
    alive=""
    say "THE SERVER DIED during the run; the end of its log:"
    tail -n 40 "$report/server.log" >&2
fi
kill -TERM "$server" 2>/dev/null
wait "$server" 2>/dev/null
server=""

if [ "$code" -eq 0 ] && [ -n "$alive" ]; then
    say "ok: no failure (report in .schemathesis/last-run/)"
    exit 0
fi
say "FAILED (schemathesis exit $code$([ -z "$alive" ] && echo ", server died")); report in .schemathesis/last-run/"
exit 1
