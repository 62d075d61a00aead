"""pywb replays the seed article from our WARC -- and from our WACZ -- with the body the replica served.

Needs pywb in its own virtualenv: ``bash tests/setup_pywb.sh`` (default .venvs/pywb, or
``$NEWSBOT_PYWB_VENV``). Skipped with that instruction when it is not installed. The crawl goes
through the project's site server as a proxy for https://arabic.rt.com; pywb is set up with
``wb-manager init`` / ``wb-manager add`` and served by its own WSGI app on 127.0.0.1, port 0.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.server import start
from tests.warc_helpers import REPO_ROOT, run_crawl


VENV = Path(os.environ.get("NEWSBOT_PYWB_VENV") or Path(__file__).resolve().parent.parent / ".venvs" / "pywb")
SITE = REPO_ROOT / "tests" / "site" / "t1"
#: pywb's WSGI app on 127.0.0.1:0, printing its URL (``wayback -p 0`` would not say which port it got)
SERVE = """
from gevent.monkey import patch_all; patch_all()
import os, sys
os.chdir(sys.argv[1])
from gevent.pywsgi import WSGIServer
from pywb.apps.frontendapp import FrontEndApp
server = WSGIServer(("127.0.0.1", 0), FrontEndApp(), log=None)
server.start()
print(f"http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
"""

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not (VENV / "bin" / "wb-manager").exists(),
    reason=f"pywb not installed in {VENV}: run `bash tests/setup_pywb.sh` (or set NEWSBOT_PYWB_VENV)",
)]


def wb_manager(root: Path, *args: str) -> None:
    done = subprocess.run([str(VENV / "bin" / "wb-manager"), *args], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=30) as resp:
        body = resp.read()
        headers = dict(resp.headers.items())
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return resp.status, headers, body


@pytest.fixture(scope="module")
def seed_crawl(tmp_path_factory):
    archive = tmp_path_factory.mktemp("archive")
    seed = json.loads((SITE / "gold" / "index.json").read_text(encoding="utf-8"))["seeds"][0]
    with start(SITE, archive / "server.log") as server:
        result = run_crawl([seed], archive, "seedjob", {"ARCHIVE_WACZ": True}, proxy=server.proxy)
    assert result.returncode == 0, result.stderr[-3000:]
    job = archive / "seedjob"
    [item] = [json.loads(line) for line in (job / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    return job, item


def replay(root: Path, collection: str, item: dict) -> bytes:
    process = subprocess.Popen([str(VENV / "bin" / "python"), "-c", SERVE, str(root)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        while not (lines and lines[-1].startswith("http://127.0.0.1:")) and len(lines) < 20:
            lines.append(process.stdout.readline().strip())  # pywb may first say it found no config.yaml
        base = lines[-1]
        assert base.startswith("http://127.0.0.1:"), lines
        ts = "".join(c for c in item["fetched_at"] if c.isdigit())[:14]
        status, headers, body = fetch(f"{base}/{collection}/{ts}id_/{item['url']}")
        assert status == 200
        assert headers.get("Memento-Datetime")
        return body
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def replica_body() -> bytes:
    manifest = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
    [route] = [r for r in manifest["routes"] if r["path"].startswith("/world/801234-")]
    return (SITE / route["file"]).read_bytes()


def test_pywb_replays_the_seed_page_from_the_warc(seed_crawl, tmp_path):
    job, item = seed_crawl
    wb_manager(tmp_path, "init", "crawl")
    for warc in sorted(job.glob("*.warc.gz")):
        wb_manager(tmp_path, "add", "crawl", str(warc))
    assert replay(tmp_path, "crawl", item) == replica_body()


def test_pywb_replays_from_the_jobs_own_index_cdxj(seed_crawl, tmp_path):
    """pywb looks the page up in our index.cdxj (recorded while writing), not in an index of its own."""
    import shutil

    job, item = seed_crawl
    wb_manager(tmp_path, "init", "ours")
    coll = tmp_path / "collections" / "ours"
    for warc in sorted(job.glob("*.warc.gz")):
        shutil.copy(warc, coll / "archive")
    shutil.copy(job / "index.cdxj", coll / "indexes" / "index.cdxj")
    assert sorted(p.name for p in (coll / "indexes").iterdir()) == ["index.cdxj"]
    assert replay(tmp_path, "ours", item) == replica_body()


def test_pywb_opens_the_wacz(seed_crawl, tmp_path):
    job, item = seed_crawl
    wb_manager(tmp_path, "init", "package")
    wb_manager(tmp_path, "add", "--unpack-wacz", "package", str(job / "seedjob.wacz"))
    assert replay(tmp_path, "package", item) == replica_body()
