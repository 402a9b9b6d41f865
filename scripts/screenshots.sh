#!/usr/bin/env bash
# Screenshots of the main pages for README, taken with headless Chromium (installed from Debian's
# packages when missing) from `incentives serve --demo` on a new workspace.
#
#   bash scripts/screenshots.sh            # writes docs/screenshots/*.png
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8097}
OUT=docs/screenshots
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium
    CHROMIUM=$(command -v chromium)
fi
swift build --product incentives >&2
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
.build/debug/incentives serve --demo --workspace "$DIR/demo.sqlite" --port "$PORT" > "$DIR/log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.1; done
LINK=$(grep -o '/login/link?key=[0-9a-f]*' "$DIR/log")
mkdir -p "$OUT"
shot() {  # shot NAME PATH [LANG]
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$DIR/profile" \
        --lang="${3:-en}" --window-size=1280,1100 --screenshot="$OUT/$1.png" "http://127.0.0.1:$PORT$2" > /dev/null 2>&1
}
shot login /login
shot overview "$LINK&next=/"
shot partner /partners/NL1005
shot partner-vip /partners/NL1002
shot program /programs/VIP25-6M
shot overview-nl "/?lang=nl" nl
shot runs /runs
shot imports "/imports?lang=en"
ls -l "$OUT"
