#!/usr/bin/env bash
# Install voiceback as a kiosk service on Raspberry Pi OS bookworm (arm64); also works on
# Debian 12 amd64. Run from the source folder, as root:
#   sudo bash deploy/install-pi.sh             # install (again): safe to repeat
#   sudo bash deploy/install-pi.sh --dry-run   # print what it would do, change nothing
# Options: --prefix DIR (default /opt/voiceback), --config-dir DIR (default /etc/voiceback),
#          --no-vosk (skip the Vosk model download), --no-start (install, enable, don't start).
#
# What it does: apt packages (deploy/setup.sh's RUN_PKGS); a system user `voiceback` in
# group audio; the code in PREFIX with its own virtualenv; `voiceback train`; the Vosk
# English model (offline: the embedded pocketsphinx recognizer is used instead);
# CONFIG_DIR/config.toml from deploy/config.toml unless one is there (yours is kept);
# the systemd unit, enabled at boot; `voiceback doctor` as the service user; then start.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/opt/voiceback
CONFIG_DIR=/etc/voiceback
DATA_DIR=/var/lib/voiceback
UNIT_DIR=/etc/systemd/system
SERVICE_USER=voiceback
PYTHON=/usr/bin/python3 # Debian's (python3-venv), not one from a user's home the service can't read
DRY_RUN=0
VOSK=1
START=1

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --prefix) PREFIX=${2:?--prefix needs a folder}; shift ;;
    --config-dir) CONFIG_DIR=${2:?--config-dir needs a folder}; shift ;;
    --no-vosk) VOSK=0 ;;
    --no-start) START=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-pi: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$PREFIX" in /*) ;; *) echo "install-pi: --prefix must be an absolute path" >&2; exit 2 ;; esac
CONFIG="$CONFIG_DIR/config.toml"
VOICEBACK="$PREFIX/.venv/bin/voiceback"

say() { echo "install-pi: $*"; }
# Run a command, or in a dry run print it (shell-quoted) instead.
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}
run_quiet() {
  if [ "$DRY_RUN" = 1 ]; then run "$@"; else "$@" >/dev/null; fi
}
# Write stdin to a file (mode $2), or in a dry run say so and show its key lines.
write_file() {
  local dest=$1 mode=$2 content
  content=$(cat)
  if [ "$DRY_RUN" = 1 ]; then
    echo "+ write $dest (mode $mode):"
    grep -E '^(ExecStart|User|data|intents|models) *=' <<<"$content" | sed 's/^/    /' || true
  else
    install -d -m 0755 "$(dirname "$dest")"
    printf '%s\n' "$content" >"$dest.new"
    chmod "$mode" "$dest.new"
    mv "$dest.new" "$dest"
  fi
}

check_system() {
  local arch codename=unknown
  arch=$(dpkg --print-architecture)
  # shellcheck disable=SC1091
  [ -r /etc/os-release ] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
  say "system: $codename $arch; installing into $PREFIX, config $CONFIG"
  case "$arch" in
    arm64 | amd64) ;;
    armhf) echo "install-pi: 32-bit Raspberry Pi OS has no spaCy wheels: use the 64-bit image" >&2
      exit 1 ;;
    *) say "warning: $arch is untested (arm64 and amd64 are)" ;;
  esac
  [ "$codename" = bookworm ] || say "warning: made for bookworm, this is $codename"
  if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
    echo "install-pi: run as root (sudo bash deploy/install-pi.sh), or add --dry-run" >&2
    exit 1
  fi
}

install_packages() {
  local RUN_PKGS=() missing=()
  eval "$(grep -E '^RUN_PKGS=\(' "$SRC/deploy/setup.sh")" # one package list, kept in setup.sh
  for pkg in "${RUN_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "apt packages already installed: ${RUN_PKGS[*]}"
    return
  fi
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

create_user() {
  if getent passwd "$SERVICE_USER" >/dev/null; then
    say "user $SERVICE_USER exists"
    id -nG "$SERVICE_USER" | grep -qw audio || run usermod -a -G audio "$SERVICE_USER"
  else
    run useradd --system --user-group --groups audio --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "voiceback kiosk service" "$SERVICE_USER"
  fi
  run install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0700 "$DATA_DIR"
}

install_code() {
  # The code (not the checkout's venv, models or caches); PREFIX keeps its own venv and
  # models across re-installs.
  run install -d -m 0755 "$PREFIX"
  if [ "$SRC" = "$PREFIX" ]; then
    say "installing from $PREFIX itself: no copy"
  elif [ "$DRY_RUN" = 1 ]; then
    echo "+ copy $SRC -> $PREFIX (without .venv, models, .git, caches)"
  else
    tar -C "$SRC" --exclude=./.venv --exclude=./models --exclude=./.git \
      --exclude='*.egg-info' --exclude=__pycache__ --exclude=.pytest_cache \
      --exclude=.mypy_cache --exclude=.ruff_cache --exclude=./tests/.audio-cache -cf - . \
      | tar -C "$PREFIX" --no-same-owner -xf -
  fi
  run install -d -m 0755 "$PREFIX/models"
  [ -x "$PREFIX/.venv/bin/python" ] || run "$PYTHON" -m venv "$PREFIX/.venv"
  run "$PREFIX/.venv/bin/python" -m pip install -q --upgrade pip
  run "$PREFIX/.venv/bin/python" -m pip install -q -e "$PREFIX"
  run chmod -R a+rX,go-w "$PREFIX"
}

install_config() {
  if [ -f "$CONFIG" ]; then
    say "keeping your $CONFIG (deploy/config.toml shows every key and its default)"
    return
  fi
  local rendered
  rendered=$(sed -e "s|^data = .*|data = \"$DATA_DIR\"|" \
    -e "s|^# intents = .*|intents = \"$PREFIX/intents\"|" \
    -e "s|^# models = .*|models = \"$PREFIX/models\"|" "$SRC/deploy/config.toml")
  for key in data intents models; do
    grep -qE "^$key = \"/" <<<"$rendered" || {
      echo "install-pi: deploy/config.toml has no [paths] $key line to set" >&2
      exit 1
    }
  done
  write_file "$CONFIG" 0644 <<<"$rendered"
  run_quiet "$VOICEBACK" --config "$CONFIG" config # fails, naming the key, if it is bad
}

train_models() {
  local model="$PREFIX/models/intent/config.cfg"
  if [ -f "$model" ] && [ -d "$PREFIX/models/pocketsphinx" ] \
    && [ -z "$(find "$PREFIX/intents" -newer "$model" -name '*.yaml' | head -n 1)" ]; then
    say "the intent model is up to date"
  else
    run "$VOICEBACK" --config "$CONFIG" train
  fi
  [ "$VOSK" = 1 ] || { say "skipping the Vosk model (--no-vosk): pocketsphinx is used"; return; }
  if [ "$DRY_RUN" = 1 ]; then
    run "$VOICEBACK" --config "$CONFIG" models download
  elif ! "$VOICEBACK" --config "$CONFIG" models download; then
    say "could not download the Vosk model (offline?): voiceback will use the embedded"
    say "pocketsphinx recognizer. Later, online: sudo $VOICEBACK --config $CONFIG models download"
  fi
}

install_unit() {
  local rendered
  rendered=$(sed -e "s|/opt/voiceback|$PREFIX|g" -e "s|/etc/voiceback/config.toml|$CONFIG|g" \
    -e "s|/var/lib/voiceback|$DATA_DIR|g" "$SRC/deploy/voiceback.service")
  if [ -f "$UNIT_DIR/voiceback.service" ] && [ "$(cat "$UNIT_DIR/voiceback.service")" = "$rendered" ]; then
    say "the systemd unit is up to date"
  else
    write_file "$UNIT_DIR/voiceback.service" 0644 <<<"$rendered"
  fi
  if [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
  fi
  run systemctl enable voiceback.service
}

check_and_start() {
  # The doctor first, while nothing holds the microphone; as the service user.
  if [ "$DRY_RUN" = 1 ] || [ -d /run/systemd/system ]; then
    run systemctl stop voiceback.service
  fi
  if ! run runuser -u "$SERVICE_USER" -- "$VOICEBACK" --config "$CONFIG" doctor; then
    say "voiceback doctor found problems (above); fix them, then: sudo systemctl restart voiceback"
  fi
  if [ "$START" = 0 ]; then
    say "installed and enabled; it starts at the next boot (--no-start)"
  elif [ "$DRY_RUN" = 1 ] || [ -d /run/systemd/system ]; then
    run systemctl start voiceback.service
    say "started; follow it with: journalctl -u voiceback -f"
  else
    say "systemd is not running here: enabled for the next boot, not started"
  fi
}

check_system
install_packages
create_user
install_code
install_config
train_models
install_unit
check_and_start
say "done"
