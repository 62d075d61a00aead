"""Resume with JOBDIR: a crawl killed with SIGKILL and resumed archives every page once and writes every item once.

End to end: ``scrapy crawl rt_ar`` over snapshot t1 (seed at depth 1: 7 articles) through a slowed test
server, killed after two items, resumed with the same JOBDIR and ARCHIVE_DIR. The second test also
makes the kill land in the middle of writes (the last WARC pair and the last items line torn) and
in a seen-file that had been flushed, as on a longer crawl. Then the parts, without a crawl:
cutting a torn WARC tail, reading items.jsonl, the JOBDIR guard, answering from the archive.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot.downloadermiddlewares.resume import RESUMED_FLAG, ResumeFromArchiveMiddleware, cut_torn_tail
from newsbot.extensions.jobdir_guard import MARKER, JobdirGuard
from newsbot.pipelines.resume import DropEmittedItemsPipeline, read_emitted
from tests.crawl_helpers import REPO_ROOT, crawl_env, load_gold, norm_url

SITE = "https://arabic.rt.com"
GOLD = load_gold("t1")
SEED = GOLD.seed
#: what the seed at depth 1 must yield: itself, its related articles and its story's members
EXPECTED_IDS = sorted(GOLD.articles[u]["article_id"] for u in GOLD.expected_urls(SEED, 1))


# --- helpers -----------------------------------------------------------------------------------------


def crawl_command(archive: Path, jobdir: Path) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "rt_ar", "-a", f"url={SEED}", "-a", "depth=1"]
    settings = {"ARCHIVE_DIR": archive, "JOBDIR": jobdir, "AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0,
                "TELNETCONSOLE_ENABLED": 0, "LOG_LEVEL": "INFO", "NEWSBOT_COVERAGE_ENABLED": 0}
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def item_lines(job_dir: Path) -> list[bytes]:
    path = job_dir / "items.jsonl"
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def crawl_and_kill(server: Any, archive: Path, jobdir: Path) -> Path:
    """Start the crawl, SIGKILL it once two items are written; return its job folder."""
    proc = subprocess.Popen(crawl_command(archive, jobdir), cwd=REPO_ROOT, env=crawl_env(server),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if sum(len(item_lines(d)) for d in archive.glob("*/")) >= 2:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, "the crawl ended before it was killed"
    [job_dir] = [d for d in archive.iterdir() if d.is_dir()]
    assert 2 <= len(item_lines(job_dir)) < len(EXPECTED_IDS), "the crawl was not killed half-way"
    return job_dir


def resume(server: Any, archive: Path, jobdir: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(crawl_command(archive, jobdir), cwd=REPO_ROOT, env=crawl_env(server),
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider closed (finished)" in result.stderr
    return result


def stat(log: str, name: str) -> Any:
    m = re.search(rf"'{re.escape(name)}': (\w+)", log)
    return None if m is None else int(m.group(1)) if m.group(1).isdigit() else m.group(1)


def read_records(path: Path) -> list[dict[str, Any]]:
    """The whole records of a WARC file, read with warcio; stops quietly at a torn end."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        try:
            for rec in it:
                h = rec.rec_headers
                rec.raw_stream.read()
                if getattr(rec.raw_stream, "limit", 0):
                    break  # the last record is cut short
                out.append({"type": rec.rec_type, "id": h.get_header("WARC-Record-ID"),
                            "uri": h.get_header("WARC-Target-URI"), "to": h.get_header("WARC-Concurrent-To"),
                            "offset": it.get_record_offset(), "length": it.get_record_length()})
        except Exception:  # noqa: BLE001 -- a torn gzip member or head ends the readable part
            pass
    return out


def archived_pairs(job_dir: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(response, request) pairs both written in full, in file order."""
    pairs = []
    for path in sorted(job_dir.glob("*.warc.gz")):
        recs = read_records(path)
        for resp, req in zip(recs, recs[1:]):
            if resp["type"] == "response" and req["type"] == "request" and req["to"] == resp["id"]:
                pairs.append((resp, req))
    return pairs


def page(uri: str) -> str:
    return norm_url(uri) or ""


def fetched_pages(server: Any, since: int = 0) -> Counter[str]:
    return Counter(page(f"{SITE}{r['path']}" + (f"?{r['query']}" if r["query"] else ""))
                   for r in server.requests(since) if r["method"] == "GET" and r["host"] == "arabic.rt.com")


def check_resumed_job(job_dir: Path, server: Any) -> None:
    """Every item once, each pointing at its response record; every fetched page archived once; valid WARCs."""
    lines = item_lines(job_dir)
    assert all(line.endswith(b"\n") for line in lines)
    items = [json.loads(line) for line in lines]
    assert sorted(i["article_id"] for i in items) == EXPECTED_IDS  # each expected article, exactly once
    files = sorted(job_dir.glob("*.warc.gz"))
    assert len(files) >= 2  # the resumed run writes a file of its own
    for path in files:
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, f"{path.name}: {check.stdout}{check.stderr}"
    records = [r for path in files for r in read_records(path)]
    responses = Counter(page(r["uri"]) for r in records if r["type"] == "response")
    assert not [r for r in records if r["type"] == "revisit"]
    assert {p: n for p, n in responses.items() if n != 1} == {}
    assert set(responses) == set(fetched_pages(server))  # nothing fetched went unarchived
    by_id = {r["id"]: r for r in records}
    for item in items:
        record = by_id.get(item["warc_record_id"])
        assert record is not None and record["type"] == "response", item["url"]
        assert page(record["uri"]) == page(item["url"])
        assert item["warc_file"] in {p.name for p in files}


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "archive", tmp_path / "jobdir"


# --- end to end ----------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_sigkill_then_resume_archives_each_page_once_and_writes_each_item_once(start_site_server, places):
    archive, jobdir = places
    server = start_site_server("t1", "--delay-ms", "300")
    job_dir = crawl_and_kill(server, archive, jobdir)
    emitted_before = len(item_lines(job_dir))
    archived_before = {page(resp["uri"]) for resp, _ in archived_pairs(job_dir)}
    assert page(SEED) in archived_before
    mark = server.mark()

    result = resume(server, archive, jobdir)

    refetched = set(fetched_pages(server, mark)) & archived_before
    assert refetched == set(), "pages archived before the kill were fetched again"
    check_resumed_job(job_dir, server)
    log = result.stderr
    assert stat(log, "newsbot/resume/served") >= len(archived_before)
    assert stat(log, "newsbot/resume/duplicate_item") == emitted_before  # the restart meets each one again
    summary = json.loads((job_dir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["counts"]["items"], summary["counts"]["items_dropped"]) == (
        len(EXPECTED_IDS) - emitted_before, emitted_before)
    assert not (jobdir / MARKER).exists()  # a clean stop this time


@pytest.mark.e2e
def test_resume_after_torn_writes_and_a_flushed_seen_file(start_site_server, places):
    """The kill lands in the middle of writes: the newest WARC ends inside a request record, items.jsonl
    inside a line; and Scrapy's seen-file had flushed the seed's fingerprint (a longer crawl does)."""
    archive, jobdir = places
    server = start_site_server("t1", "--delay-ms", "300")
    job_dir = crawl_and_kill(server, archive, jobdir)
    pairs = archived_pairs(job_dir)
    assert len(pairs) >= 3
    torn_resp, torn_req = pairs[-1]
    [newest] = sorted(job_dir.glob("*.warc.gz"))[-1:]
    cut_ids = {r["id"] for r in read_records(newest) if r["offset"] >= torn_resp["offset"]}
    os.truncate(newest, torn_req["offset"] + torn_req["length"] // 2)
    # Items are written after their response is archived: killed at that point, none of the cut
    # records' items was written yet, and the last one being written is torn.
    lines = [line for line in item_lines(job_dir) if json.loads(line)["warc_record_id"] not in cut_ids]
    assert lines
    torn_item = json.loads(lines[-1])["article_id"]
    (job_dir / "items.jsonl").write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    seen = RFPDupeFilter(path=str(jobdir))  # Scrapy's own writer of requests.seen
    assert not seen.request_seen(Request(SEED))
    seen.close("shutdown")
    seed_fp = RequestFingerprinter().fingerprint(Request(SEED))
    archived_before = {page(resp["uri"]) for resp, _ in pairs[:-1]}
    mark = server.mark()

    result = resume(server, archive, jobdir)

    fetched_again = fetched_pages(server, mark)
    assert set(fetched_again) & archived_before == set()
    assert fetched_again[page(torn_resp["uri"])] == 1  # the torn pair is cut off and fetched once more
    check_resumed_job(job_dir, server)
    assert torn_item in [json.loads(line)["article_id"] for line in item_lines(job_dir)[len(lines) - 1 :]]
    assert stat(result.stderr, "newsbot/resume/warc_cut_bytes") > torn_req["length"] // 2
    assert stat(result.stderr, "newsbot/resume/items_file_cut_bytes") == len(lines[-1]) // 2
    assert seed_fp in (jobdir / "requests.seen.unclean").read_bytes()  # set aside, not obeyed
