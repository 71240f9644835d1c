#!/usr/bin/env bash
# Set up voiceback on a fresh Debian / Raspberry Pi OS bookworm machine, then start it or test it.
#   bash deploy/setup.sh start   # install, train the intent model, start the assistant
#   bash deploy/setup.sh test    # install with test tools, then lint, type-check and run all tests
#   bash deploy/setup.sh install # install only
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-start}

RUN_PKGS=(python3 python3-venv python3-pip espeak-ng libespeak-ng1 libportaudio2 alsa-utils)
TEST_PKGS=(pulseaudio pulseaudio-utils libasound2-plugins sox systemd shellcheck chromium chromium-driver)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

install_python() {
  local extras=$1
  # A virtualenv left broken (an install cut off half way) is made again.
  if [ -x .venv/bin/python ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    echo "setup: .venv is broken; making it again" >&2
    rm -rf .venv
  fi
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
}

train_if_needed() {
  local model=models/intent/config.cfg
  if [ ! -f "$model" ] || [ ! -d models/pocketsphinx ] \
     || [ -n "$(find intents -newer "$model" -name '*.yaml' | head -n 1)" ]; then
    .venv/bin/voiceback train
  fi
}

case "$mode" in
  start)
    install_apt "${RUN_PKGS[@]}"
    install_python ""
    train_if_needed
    exec .venv/bin/voiceback start
    ;;
  install)
    install_apt "${RUN_PKGS[@]}"
    install_python ""
    train_if_needed
    ;;
  test)
    install_apt "${RUN_PKGS[@]}" "${TEST_PKGS[@]}"
    install_python "[test]"
    train_if_needed
    .venv/bin/ruff check voiceback tests bench
    .venv/bin/ruff format --check voiceback tests bench
    .venv/bin/mypy
    exec .venv/bin/python -m pytest -q
    ;;
  *)
    echo "usage: bash deploy/setup.sh [start|test|install]" >&2
    exit 2
    ;;
esac
