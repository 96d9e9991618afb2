#!/usr/bin/env bash
# Installs whatever tiktune needs on this machine, and nothing that is already there,
# so `make run` / `make test` are fast the second time.
# Debian 12 (as root, or with sudo): apt packages; any OS: a .venv with the package.
set -euo pipefail
cd "$(dirname "$0")/.."

want_chromium="${TIKTUNE_WANT_CHROMIUM:-1}"
# One package a line, so that a new need is a one-line change.
apt_pkgs=(
  python3-venv    # `python3 -m venv` on Debian
  ffmpeg          # export, and the media tests
  espeak-ng       # speech for the ducking tests (tests/media/test_export_mix.py)
  libvlc5         # playback
  vlc-plugin-base
  dbus            # MPRIS media keys on a desktop, and the private session bus of its test
  postgresql      # the team store, and the throwaway server of `make test` (scripts/postgres.sh)
)
[ "$want_chromium" = 1 ] && apt_pkgs+=(chromium)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} with your package manager" >&2
  fi
fi

py="${PYTHON:-python3}"
lock=requirements/test.lock
stamp=".venv/.tiktune-installed"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$py" -m venv .venv
fi
# Install again only when the lock or pyproject.toml changed since the last install: the stamp holds
# their fingerprint (content, not mtime, which a fresh clone does not keep).
want="$(cat "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing tiktune into .venv from $lock" >&2
  # pip's chatter (index warnings, build notes) goes to a log shown only on failure.
  log=.venv/install.log
  pip=(.venv/bin/python -m pip)
  # Exact versions of everything from the lock; then the package itself, whose own ranges the lock satisfies.
  if ! { "${pip[@]}" install -q --upgrade pip \
         && "${pip[@]}" install -q -r "$lock" \
         && "${pip[@]}" install -q --no-deps -e .; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: installing tiktune failed (log above, also in $log)" >&2
    exit 1
  fi
  # A dependency added to pyproject.toml but not to the lock shows here, not as an ImportError in a test.
  if ! .venv/bin/python -m pip check >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: the lock does not satisfy pyproject.toml; run 'make lock' and commit $lock" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
fi
