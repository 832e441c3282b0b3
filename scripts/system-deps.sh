#!/usr/bin/env bash
# Installs the Debian packages Nightshift's tests and local sandboxes use, when they are missing.
set -euo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
# The Modal app's and the sandbox image's tests (PyPI is not needed: Debian packages pytest).
python3 -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
if [ "${NIGHTSHIFT_SKIP_BROWSER:-}" != "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${need[*]}; install them with your package manager (e.g. sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "==> installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
