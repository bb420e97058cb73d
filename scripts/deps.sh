#!/usr/bin/env bash
# Install what sgxra needs to build, test and run on Debian 12.  Idempotent
# and non-interactive: packages already present are not touched.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
      libssl-dev libcmocka-dev libjansson-dev libmicrohttpd-dev
      libcurl4-openssl-dev curl openssl python3 python3-cryptography
      libsqlite3-dev libpq-dev postgresql sqlite3
      jq)  # jq: the CLI tests read JSON with it (a python3 per check is slower)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "sgxra: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
      echo "sgxra: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
