#!/usr/bin/env bash
# Install pywb in its own virtualenv (its pins must not touch the project's), for tests/test_warc_pywb.py.
#   bash benchmarks/pywb_setup.sh            # -> /tmp/pywb-venv (or $NEWSBOT_PYWB_VENV)
#   NEWSBOT_PYWB_VENV=/tmp/pywb-venv python3 -m pytest tests/test_warc_pywb.py
set -euo pipefail
VENV="${NEWSBOT_PYWB_VENV:-/tmp/pywb-venv}"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet pywb==2.10.0
"$VENV/bin/wb-manager" --help > /dev/null
echo "pywb installed in $VENV"
