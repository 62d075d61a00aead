#!/usr/bin/env bash
# Headless Chromium (Debian package) and Arabic-capable fonts for the HTML report tests
# (tests/test_coverage_html.py runs this itself when /usr/bin/chromium is missing).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic\|Noto Sans Arabic"; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-core >/dev/null
