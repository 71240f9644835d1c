#!/usr/bin/env bash
# Open the voiceback screen full screen in Chromium (kiosk mode), once voiceback serves it.
# Started at login by voiceback-screen.desktop (XDG autostart), or by a labwc / wayfire
# autostart line; see "The kiosk screen" in README.md.
#   deploy/kiosk/voiceback-screen.sh [PORT]    # PORT: [screen] port, default 8765
set -euo pipefail

port=${1:-${VOICEBACK_SCREEN_PORT:-8765}}
case "$port" in
  '' | *[!0-9]*) echo "voiceback-screen: the port must be a number, got '$port'" >&2; exit 2 ;;
esac
url="http://127.0.0.1:$port/"

browser=""
for name in chromium-browser chromium; do
  if command -v "$name" >/dev/null 2>&1; then
    browser=$name
    break
  fi
done
if [ -z "$browser" ]; then
  echo "voiceback-screen: no Chromium found (sudo apt-get install chromium)" >&2
  exit 1
fi

# voiceback may still be loading its models at boot: wait until it answers.
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  sleep 2
done

# A kiosk: no first-run pages, no translate bar, no pinch zoom or swipe-back, no
# "restore pages?" bubble after a power cut, no update nags; a profile of its own.
exec "$browser" \
  --kiosk --app="$url" \
  --user-data-dir="${XDG_CACHE_HOME:-$HOME/.cache}/voiceback-screen" \
  --no-first-run --no-default-browser-check \
  --noerrdialogs --disable-infobars --disable-session-crashed-bubble \
  --disable-translate --disable-features=Translate,TranslateUI \
  --disable-pinch --overscroll-history-navigation=0 \
  --check-for-update-interval=31536000 --password-store=basic \
  --ozone-platform-hint=auto
