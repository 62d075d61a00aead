#!/usr/bin/env bash
# Install pywb in its own virtualenv (its pins must not touch the project's), for tests/test_warc_pywb.py.
#   bash tests/setup_pywb.sh            # -> .venvs/pywb in the checkout (or $NEWSBOT_PYWB_VENV)
# install.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${NEWSBOT_PYWB_VENV:-.venvs/pywb}"
if [ -x "$VENV/bin/wb-manager" ]; then exit 0; fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet pywb==2.10.0
"$VENV/bin/wb-manager" --help > /dev/null
echo "pywb installed in $VENV"
