"""Resume with JOBDIR: a crawl killed with SIGKILL and resumed archives every page once and writes every item once.

End to end: ``scrapy crawl rt_ar`` over snapshot t1 (seed at depth 1: 7 articles) through a slowed test
server, killed after two items, resumed with the same JOBDIR and ARCHIVE_DIR. The second test also
makes the kill land in the middle of writes (the last WARC pair and the last items line torn) and
in a seen-file that had been flushed, as on a longer crawl. Then the parts, without a crawl:
cutting a torn WARC tail, reading items.jsonl, the JOBDIR guard, answering from the archive.
"""

from __future__ import annotations

import itertools
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
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot.downloadermiddlewares.resume import (
    RESUMED_FLAG,
    ResumeFromArchiveMiddleware,
    cut_torn_tail,
)
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
                "TELNETCONSOLE_ENABLED": 0, "LOG_LEVEL": "INFO"}
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
                            capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
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
        except Exception:  # noqa: BLE001, S110 -- a torn gzip member or head ends the readable part
            pass
    return out


def archived_pairs(job_dir: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(response, request) pairs both written in full, in file order."""
    pairs = []
    for path in sorted(job_dir.glob("*.warc.gz")):
        recs = read_records(path)
        for resp, req in itertools.pairwise(recs):
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
    # Metadata records: none twice, one for every item the resumed run wrote.
    records = [r for path in sorted(job_dir.glob("*.warc.gz")) for r in read_records(path)]
    metadata = Counter(page(r["uri"]) for r in records if r["type"] == "metadata")
    assert max(metadata.values()) == 1
    assert {page(json.loads(line)["url"]) for line in item_lines(job_dir)[emitted_before:]} <= set(metadata)
    # The coverage store: one run for the job, finished, its articles recorded once each.
    with sqlite3.connect(archive / "newsbot.sqlite") as conn:
        assert conn.execute("SELECT job_id, finish_reason FROM runs").fetchall() == [(job_dir.name, "finished")]
        covered = {r[0] for r in conn.execute("SELECT article_id FROM articles WHERE job_id = ?", (job_dir.name,))}
    assert {json.loads(line)["article_id"] for line in item_lines(job_dir)[emitted_before:]} <= covered
    assert covered <= set(EXPECTED_IDS)


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


# --- the parts ------------------------------------------------------------------------------------------

URL_A = f"{SITE}/world/900001-a/"
URL_B = f"{SITE}/world/900002-b/"
BODY = "<html><body><p>نص المقالة</p></body></html>".encode()
DATE = "2026-01-05T10:11:12Z"


def _write_warc(path: Path, exchanges: list[tuple[str, int, bytes]], revisit_of: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A per-record-gzip WARC (warcio's writer): warcinfo, then a response + request pair per exchange,
    then (optionally) a revisit + request pair; returns where each record is."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, status, body in exchanges:
            http = StatusAndHeaders(f"{status} X", [("Content-Type", "text/html; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            resp = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body), http_headers=http,
                                             warc_headers_dict={"WARC-Date": DATE})
            writer.write_request_response_pair(_request(writer, url), resp)
        if revisit_of is not None:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rev = writer.create_revisit_record(revisit_of["url"], revisit_of["digest"], revisit_of["refers_to_uri"],
                                               DATE, http_headers=http)
            rev.rec_headers.add_header("WARC-Refers-To", revisit_of["refers_to"])
            writer.write_request_response_pair(_request(writer, revisit_of["url"]), rev)
    return read_records(path)


def _request(writer: WARCWriter, url: str) -> Any:
    http = StatusAndHeaders(f"GET {url.split('rt.com', 1)[1]} HTTP/1.1", [("Host", "arabic.rt.com")], is_http_request=True)
    return writer.create_warc_record(url, "request", payload=BytesIO(b""), length=0, http_headers=http)


def _check(path: Path) -> int:
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, check=False).returncode


def test_cut_torn_tail_cuts_back_to_the_last_whole_pair(tmp_path):
    path = tmp_path / "x.warc.gz"
    recs = _write_warc(path, [(URL_A, 200, BODY), (URL_B, 200, BODY * 3)])
    assert [r["type"] for r in recs] == ["warcinfo", "response", "request", "response", "request"]
    first_pair_end = recs[2]["offset"] + recs[2]["length"]
    whole = path.read_bytes()
    for torn_at in (recs[4]["offset"] + 7, recs[3]["offset"] + recs[3]["length"] // 2, recs[3]["offset"] + 3):
        path.write_bytes(whole[:torn_at])
        cut = cut_torn_tail(path)
        assert cut is not None and cut.bytes == torn_at - first_pair_end
        assert path.stat().st_size == first_pair_end and _check(path) == 0
        assert cut.kept == {r["id"] for r in recs[:3]}
    path.write_bytes(whole)
    assert cut_torn_tail(path) is None and path.read_bytes() == whole  # a whole file is left alone


def test_cut_torn_tail_leaves_damage_in_the_middle_alone_and_removes_an_all_torn_file(tmp_path):
    path = tmp_path / "x.warc.gz"
    recs = _write_warc(path, [(URL_A, 200, BODY), (URL_B, 200, BODY)])
    data = bytearray(path.read_bytes())
    at = recs[1]["offset"] + recs[1]["length"] // 2
    data[at : at + 8] = b"\x00" * 8  # a bad spot with good records after it: not a torn tail
    path.write_bytes(bytes(data))
    assert cut_torn_tail(path) is None and path.read_bytes() == bytes(data)
    path.write_bytes(bytes(data[: recs[0]["length"] // 2]))  # even the warcinfo is torn
    cut = cut_torn_tail(path)
    assert cut is not None and cut.kept == frozenset() and not path.exists()


def test_read_emitted_reads_ids_and_urls_and_cuts_a_torn_last_line(tmp_path):
    path = tmp_path / "items.jsonl"
    assert read_emitted(path) == (set(), 0)
    lines = [json.dumps({"url": URL_A, "article_id": 900001}, ensure_ascii=False),
             "not json",
             json.dumps({"url": URL_B, "article_id": None, "title": "عنوان"}, ensure_ascii=False)]
    whole = ("\n".join(lines) + "\n").encode()
    torn = '{"url": "https://arabic.rt.com/world/900003-c/", "title": "عن'.encode()
    path.write_bytes(whole + torn)
    keys, cut = read_emitted(path)
    assert keys == {("article_id", 900001), ("url", URL_B)}
    assert cut == len(torn) and path.read_bytes() == whole
    assert read_emitted(path) == (keys, 0)


def _crawler(tmp_path: Path, **settings: Any) -> Any:
    from scrapy import Spider

    return get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path / "archive"), "JOBDIR": str(tmp_path / "jobdir"),
                                "NEWSBOT_JOB_ID": "job2", **settings})


def test_pipeline_drops_items_already_written_and_those_of_this_run(tmp_path):
    from newsbot.items import Article

    crawler = _crawler(tmp_path)
    job_dir = tmp_path / "archive" / "job2"
    job_dir.mkdir(parents=True)
    (job_dir / "items.jsonl").write_text(json.dumps({"url": URL_A, "article_id": 900001}) + "\n", encoding="utf-8")
    pipeline = DropEmittedItemsPipeline.from_crawler(crawler)
    pipeline.open_spider()
    from scrapy.exceptions import DropItem

    with pytest.raises(DropItem, match="already in this job's items.jsonl"):
        pipeline.process_item(Article(url=URL_A, article_id=900001))
    b = Article(url=URL_B, article_id=900002)
    assert pipeline.process_item(b) is b
    pipeline.item_scraped(b)
    with pytest.raises(DropItem):
        pipeline.process_item(Article(url=URL_B, article_id=900002))
    assert crawler.stats.get_value("newsbot/resume/duplicate_item") == 2
    assert crawler.stats.get_value("newsbot/resume/items_before") == 1


@pytest.mark.parametrize("component", [DropEmittedItemsPipeline, ResumeFromArchiveMiddleware, JobdirGuard])
def test_off_without_jobdir_or_when_disabled(tmp_path, component):
    from scrapy.exceptions import NotConfigured

    for settings in ({"JOBDIR": None}, {"NEWSBOT_RESUME_ENABLED": False}):
        with pytest.raises(NotConfigured):
            component(_crawler(tmp_path, **settings))


def test_guard_sets_scrapy_state_aside_only_after_an_unclean_stop(tmp_path):
    jobdir = tmp_path / "jobdir"
    (jobdir / "requests.queue").mkdir(parents=True)
    (jobdir / "requests.queue" / "active.json").write_text("{}")
    (jobdir / "requests.seen").write_bytes(b"\x00\x02ab")
    guard = JobdirGuard(_crawler(tmp_path))  # no marker: the last run stopped cleanly
    assert (jobdir / "requests.seen").exists() and (jobdir / MARKER).exists()
    # Killed now: the marker stays. The next start sets the state aside, before Scrapy's scheduler reads it.
    crawler = _crawler(tmp_path)
    JobdirGuard(crawler)
    assert not (jobdir / "requests.seen").exists() and not (jobdir / "requests.queue").exists()
    assert (jobdir / "requests.seen.unclean").read_bytes() == b"\x00\x02ab"
    assert (jobdir / "requests.queue.unclean" / "active.json").exists()
    assert crawler.stats.get_value("newsbot/resume/unclean_stop") is True
    guard.spider_closed()
    assert not (jobdir / MARKER).exists()


def test_middleware_answers_archived_pages_from_the_job_and_revisits_from_the_earlier_job(tmp_path):
    from newsbot.warc.digests import DigestIndex
    from newsbot.warc.records import Original, payload_digest

    archive = tmp_path / "archive"
    (archive / "job1").mkdir(parents=True)
    (archive / "job2").mkdir()
    old = _write_warc(archive / "job1" / "newsbot-job1-00001.warc.gz", [(URL_B, 200, BODY)])
    digests = DigestIndex(archive / "digests.sqlite", archive)
    digests.add(payload_digest(BODY), Original(URL_B, DATE, old[1]["id"]), "job1/newsbot-job1-00001.warc.gz")
    digests.close()
    url_c = f"{SITE}/world/900003-c/"
    recs = _write_warc(archive / "job2" / "newsbot-job2-00001.warc.gz", [(URL_A, 200, BODY * 2), (url_c, 503, b"busy")],
                       revisit_of={"url": URL_B, "digest": payload_digest(BODY), "refers_to_uri": URL_B,
                                   "refers_to": old[1]["id"]})
    crawler = _crawler(tmp_path)
    mw = ResumeFromArchiveMiddleware.from_crawler(crawler)

    request = Request(URL_A)
    response = mw.process_request(request)
    assert response is not None and response.status == 200 and response.body == BODY * 2
    assert RESUMED_FLAG in response.flags
    assert request.meta["newsbot_warc"] == {"warc_file": "newsbot-job2-00001.warc.gz",
                                           "warc_record_id": recs[1]["id"], "warc_offset": recs[1]["offset"]}
    assert request.meta["newsbot_fetched_at"] == DATE
    revisited = Request(URL_B)
    response = mw.process_request(revisited)
    assert response is not None and response.body == BODY  # the payload of job1's record
    assert revisited.meta["newsbot_warc"]["warc_record_id"] == recs[5]["id"]  # this job's own (revisit) record
    # fetched as usual: a stored 503 (retried), a retry, another method, a page not archived
    assert mw.process_request(Request(url_c)) is None
    assert mw.process_request(Request(URL_A, meta={"retry_times": 1})) is None
    assert mw.process_request(Request(URL_A, method="POST")) is None
    assert mw.process_request(Request(f"{SITE}/world/900004-d/")) is None
    assert crawler.stats.get_value("newsbot/resume/served") == 2
    mw.close()


def test_middleware_is_off_for_a_job_without_warc_files(tmp_path):
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):  # the first run of a job: nothing to resume from
        ResumeFromArchiveMiddleware(_crawler(tmp_path))


def test_middleware_cuts_the_torn_tail_and_forgets_its_digests(tmp_path):
    from newsbot.warc.digests import DigestIndex
    from newsbot.warc.records import Original, payload_digest

    job_dir = tmp_path / "archive" / "job2"
    job_dir.mkdir(parents=True)
    path = job_dir / "newsbot-job2-00001.warc.gz"
    recs = _write_warc(path, [(URL_A, 200, BODY), (URL_B, 200, BODY * 2)])
    digests = DigestIndex(tmp_path / "archive" / "digests.sqlite", tmp_path / "archive")
    for rec, body in ((recs[1], BODY), (recs[3], BODY * 2)):
        digests.add(payload_digest(body), Original(rec["uri"], DATE, rec["id"]), f"job2/{path.name}")
    digests.close()
    os.truncate(path, recs[4]["offset"] + 5)  # killed while writing B's pair
    crawler = _crawler(tmp_path)
    mw = ResumeFromArchiveMiddleware(crawler)
    assert _check(path) == 0
    assert mw.process_request(Request(URL_A)) is not None
    assert mw.process_request(Request(URL_B)) is None  # fetched again
    with sqlite3.connect(tmp_path / "archive" / "digests.sqlite") as conn:
        assert [r[0] for r in conn.execute("SELECT record_id FROM payloads")] == [recs[1]["id"]]
    assert crawler.stats.get_value("newsbot/resume/digests_forgotten") == 1
    mw.close()
