#!/usr/bin/env bash
# Install everything newsbot and its tests need, on a fresh Debian machine with Python 3.11.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --quiet -e '.[test]'
# Headless Chromium and Arabic fonts (Debian packages) for the HTML report test.
bash tests/setup_browser.sh
# pywb in its own virtualenv (.venvs/pywb; its pins must not touch ours), for the pywb replay test.
bash tests/setup_pywb.sh
