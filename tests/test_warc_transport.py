"""The capturing download handler captures only when something will archive the capture."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawl_helpers import REPO_ROOT, crawl_env

SEED = "https://arabic.rt.com/middle_east/1771377-سوريا-اتفاق-لوقف-إطلاق-النار-وإجلاء-مقاتلي-قسد/"


@pytest.mark.parametrize("archiving", [True, False])
def test_wire_is_captured_only_when_archiving(site_server, tmp_path, archiving):
    out = tmp_path / "seen.json"
    cmd = [sys.executable, "-m", "tests.wire_probe", str(out), site_server.proxy, SEED,
           "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}", "-s", f"NEWSBOT_WARC_ENABLED={int(archiving)}",
           "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=0"]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=crawl_env(site_server), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(out.read_text(encoding="utf-8"))
    assert [s["status"] for s in seen] == [200], seen
    assert [s["captured"] for s in seen] == [archiving] * len(seen)
