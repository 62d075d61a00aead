"""Real crawls (CrawlerProcess in a subprocess) against a local server that logs its wire bytes.

Checks what the archive holds against what the server sent, byte for byte, and reads every
file with real readers: ``warcio check``, ``warcio index``, FastWARC with digests verified.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import fastwarc.warc as fw
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.warc_helpers import WireServer, run_crawl, standard_routes, start_crawl

pytestmark = pytest.mark.e2e

PATHS = ["/plain?x=1&y=%D8%B9", "/gzip", "/chunked", "/gzip-chunked", "/redirect", "/missing", "/gone", "/error",
         "/same-a", "/same-b", "/changing"]


def dechunk(data: bytes) -> bytes:
    out = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out, data = out + data[:size], data[size + 2 :]


def wire_message(raw: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    """Status line, header lines and entity body of a response as the server sent it."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = [tuple(line.split(b": ", 1)) for line in lines]
    chunked = (b"Transfer-Encoding", b"chunked") in headers
    length = dict(headers).get(b"Content-Length")
    return status, headers, dechunk(rest) if chunked else rest[: int(length or 0)]


def records_of(job_dir: Path) -> list[dict]:
    out = []
    for path in sorted(job_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests="raise")
            for rec in it:
                body = rec.raw_stream.read()  # before get_record_offset(), which reads to the record's end
                out.append({
                    "file": path.name, "offset": it.get_record_offset(), "type": rec.rec_type,
                    "warc": dict(rec.rec_headers.headers), "http": rec.http_headers, "body": body,
                })
    return out


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory):
    archive = tmp_path_factory.mktemp("archive")
    with WireServer() as server:
        result = run_crawl([server.url(p) for p in PATHS], archive, "job1", {"ARCHIVE_WACZ": True})
        assert result.returncode == 0, result.stderr[-3000:]
        yield server, archive, archive / "job1", result


def test_every_exchange_is_archived_as_request_and_response(first_crawl):
    server, _archive, job_dir, _ = first_crawl
    recs = records_of(job_dir)
    sent = Counter(e.path for e in server.log)
    archived = Counter(r["warc"]["WARC-Target-URI"].split(server.base, 1)[1] for r in recs if r["type"] in ("response", "revisit"))
    assert archived == sent
    assert sent["/robots.txt"] == 1 and sent["/error"] == 2 and sent["/chunked"] == 2  # robots, retry, redirect target
    by_id = {r["warc"]["WARC-Record-ID"]: r for r in recs}
    requests = [r for r in recs if r["type"] == "request"]
    assert len(requests) == sum(sent.values())
    for req in requests:
        target = by_id[req["warc"]["WARC-Concurrent-To"]]
        assert target["type"] in ("response", "revisit")
        assert target["warc"]["WARC-Target-URI"] == req["warc"]["WARC-Target-URI"]
        assert target["warc"]["WARC-Date"] == req["warc"]["WARC-Date"]


def test_stored_response_equals_the_wire_byte_for_byte(first_crawl):
    server, _archive, job_dir, _ = first_crawl
    wire = defaultdict(list)
    for exchange in server.log:
        wire[exchange.path].append(wire_message(exchange.response))
    stored = defaultdict(list)
    for r in records_of(job_dir):
        if r["type"] in ("response", "revisit"):
            stored[r["warc"]["WARC-Target-URI"].split(server.base, 1)[1]].append(r)
    checked = set()
    for path, records in stored.items():
        for rec, (status, headers, entity) in zip(records, wire[path], strict=True):
            assert f"{rec['http'].protocol} {rec['http'].statusline}".encode() == status
            want = [h for h in headers if h[0] != b"Transfer-Encoding"]
            if (b"Transfer-Encoding", b"chunked") in headers:
                want.append((b"Content-Length", str(len(entity)).encode()))
                assert rec["warc"]["WARC-Newsbot-Original-Transfer-Encoding"] == "chunked"
            got = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in rec["http"].headers]
            assert got == want, path
            assert rec["warc"]["WARC-IP-Address"] == "127.0.0.1"
            if rec["type"] == "response":
                assert rec["body"] == entity, path
                checked.add(path)
    assert {"/plain?x=1&y=%D8%B9", "/gzip", "/chunked", "/gzip-chunked", "/redirect", "/missing"} <= checked
    plain = stored["/plain?x=1&y=%D8%B9"][0]
    assert plain["http"].statusline == "200 Alright Then"
    assert [v for k, v in plain["http"].headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert stored["/gzip"][0]["body"][:2] == b"\x1f\x8b"  # still compressed


def test_request_records_hold_the_bytes_the_server_received(first_crawl):
    server, _archive, job_dir, _ = first_crawl
    received = defaultdict(list)
    for exchange in server.log:
        received[exchange.path].append(exchange.request + b"\r\n\r\n")
    for r in records_of(job_dir):
        if r["type"] == "request":
            path = r["warc"]["WARC-Target-URI"].split(server.base, 1)[1]
            head = r["http"].to_str().encode("latin-1") + b"\r\n"
            assert head in received[path], path
            received[path].remove(head)
            assert head.startswith(f"GET {path} HTTP/1.1\r\n".encode())
            assert f"Host: 127.0.0.1:{server.base.rsplit(':', 1)[1]}".encode() in head
            assert b"User-Agent: newsbot/" in head and b"Accept-Encoding: gzip" in head
    assert all(not left for left in received.values())
    redirected = [r for r in records_of(job_dir) if r["type"] == "request" and r["http"].get_header("Cookie")]
    assert redirected, "cookies set by /plain were sent again and archived"


def test_real_readers_accept_every_file(first_crawl):
    _server, _archive, job_dir, _ = first_crawl
    files = sorted(job_dir.glob("*.warc.gz"))
    assert files
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, files)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    for path in files:
        index = subprocess.run([sys.executable, "-m", "warcio.cli", "index", "-f", "warc-type,offset", str(path)],
                               capture_output=True, text=True, check=True)
        listed = [json.loads(line) for line in index.stdout.splitlines()]
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            mine = [(r.rec_type, str(it.get_record_offset())) for r in it]  # offsets only: bodies not needed
        assert [(e["warc-type"], e["offset"]) for e in listed] == mine
        verified = Counter()
        with open(path, "rb") as fh:
            for rec in fw.ArchiveIterator(fh, parse_http=False, record_types=fw.WarcRecordType.any_type):
                assert rec.verify_block_digest(consume=False), rec.record_id
                if rec.record_type in (fw.WarcRecordType.response, fw.WarcRecordType.request):
                    rec.parse_http()
                    assert rec.verify_payload_digest(consume=False), rec.record_id
                verified[str(rec.record_type)] += 1
        assert sum(verified.values()) == len(mine)


def test_warcinfo_describes_the_crawl(first_crawl):
    server, _archive, job_dir, _ = first_crawl
    info = records_of(job_dir)[0]
    assert info["type"] == "warcinfo" and info["warc"]["WARC-Filename"] == "newsbot-job1-00001.warc.gz"
    fields = info["body"].decode()
    for expected in ("software: newsbot/", "Scrapy/2.19.0", "spider: warc_test", "job-id: job1",
                     f"start-url: {server.url('/gzip')}", "robots: obey", "http-header-user-agent: newsbot/",
                     "setting-ROBOTSTXT_OBEY: True", "setting-NEWSBOT_WARC_GZIP_LEVEL: 6"):
        assert expected in fields


def test_items_point_at_their_response_record_and_get_a_metadata_record(first_crawl):
    _server, _archive, job_dir, _ = first_crawl
    items = [json.loads(line) for line in (job_dir / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) == 8  # the 200 HTML pages; 404/410/500 go to the errback
    recs = records_of(job_dir)
    metadata = {r["warc"]["WARC-Refers-To"]: r for r in recs if r["type"] == "metadata"}
    for item in items:
        with open(job_dir / item["warc_file"], "rb") as fh:
            fh.seek(item["warc_offset"])
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Record-ID") == item["warc_record_id"]
            assert rec.rec_type in ("response", "revisit")
            assert rec.rec_headers.get_header("WARC-Target-URI") == item["url"]
            assert rec.rec_headers.get_header("WARC-Date") == item["fetched_at"]
        meta = metadata[item["warc_record_id"]]
        assert meta["warc"]["WARC-Concurrent-To"] == item["warc_record_id"]
        body = meta["body"].decode()
        assert "extractor-version: test-1" in body and "related: " in body
        assert "outlink: http://127.0.0.1:" in body and "/plain?x=1&y=%D8%B9" in body


def test_cdxj_index_and_wacz_package(first_crawl):
    _server, _archive, job_dir, _ = first_crawl
    recs = records_of(job_dir)
    lines = (job_dir / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    indexed = {(e["filename"], int(e["offset"])) for e in entries}
    for r in recs:
        if r["type"] in ("response", "revisit"):
            assert (r["file"], r["offset"]) in indexed
    wacz = job_dir / "job1.wacz"
    with zipfile.ZipFile(wacz) as zf:
        names = set(zf.namelist())
        assert {"pages/pages.jsonl", "datapackage.json", "indexes/index.cdx.gz", "archive/newsbot-job1-00001.warc.gz"} <= names
        package = json.loads(zf.read("datapackage.json"))
        import hashlib

        for res in package["resources"]:
            data = zf.read(res["path"])
            assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert res["bytes"] == len(data)
        assert zf.read("archive/newsbot-job1-00001.warc.gz") == (job_dir / "newsbot-job1-00001.warc.gz").read_bytes()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        assert pages[0]["format"] == "json-pages-1.0"
        assert any(p.get("title") == "plain page" and p["url"].endswith("/plain?x=1&y=%D8%B9") for p in pages[1:])


def cdxj_indexer_lines(job_dir: Path) -> list[str]:
    """cdxj-indexer's own sorted index of the job's WARC files, read back from disk."""
    import io

    from cdxj_indexer.main import CDXJIndexer

    out = io.StringIO()
    files = [str(p) for p in sorted(job_dir.glob("*.warc.gz"))]
    CDXJIndexer(out, files, sort=True, post_append=True, dir_root=str(job_dir)).process_all()
    return out.getvalue().splitlines()


def test_cdxj_index_recorded_while_writing_equals_cdxj_indexer(first_crawl):
    _server, _archive, job_dir, _ = first_crawl
    lines = (job_dir / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == cdxj_indexer_lines(job_dir)
    assert any('"mime": "warc/revisit"' in line for line in lines)  # /same-b is a revisit of /same-a
    assert not list(job_dir.glob(".index.cdxj*"))  # the recorded lines and the temporary index are gone


def test_wacz_command_packages_an_existing_job(first_crawl, tmp_path):
    _server, _archive, job_dir, _ = first_crawl
    out = tmp_path / "again.wacz"
    done = subprocess.run([sys.executable, "-m", "newsbot", "wacz", str(job_dir), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    with zipfile.ZipFile(out) as zf:
        assert "pages/pages.jsonl" in zf.namelist()
    bad = subprocess.run([sys.executable, "-m", "newsbot", "wacz", str(tmp_path / "nope")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "not a job folder" in bad.stderr and "nope" in bad.stderr


def test_second_crawl_writes_revisits_for_unchanged_and_full_records_for_changed(first_crawl):
    _server, archive, _job_dir, _ = first_crawl
    first = {r["warc"]["WARC-Payload-Digest"]: r for r in records_of(archive / "job1") if r["type"] == "response"}
    with WireServer(standard_routes(version=2)) as server:
        paths = ["/plain?x=1&y=%D8%B9", "/gzip", "/chunked", "/changing"]
        result = run_crawl([server.url(p) for p in paths], archive, "job2")
        assert result.returncode == 0, result.stderr[-3000:]
    recs = {r["warc"]["WARC-Target-URI"].split(server.base, 1)[1]: r for r in records_of(archive / "job2")
            if r["type"] in ("response", "revisit")}
    for path in ("/plain?x=1&y=%D8%B9", "/gzip", "/chunked", "/robots.txt"):
        rec = recs[path]
        assert rec["type"] == "revisit", path
        original = first[rec["warc"]["WARC-Payload-Digest"]]
        assert rec["warc"]["WARC-Refers-To"] == original["warc"]["WARC-Record-ID"]
        assert rec["warc"]["WARC-Refers-To-Date"] == original["warc"]["WARC-Date"]
        assert rec["warc"]["WARC-Refers-To-Target-URI"].split("/", 3)[3] == path.lstrip("/")
        assert rec["body"] == b""
    assert recs["/changing"]["type"] == "response"
    assert b"version 2" in recs["/changing"]["body"]
    assert (archive / "job2" / "index.cdxj").read_text(encoding="utf-8").splitlines() == cdxj_indexer_lines(archive / "job2")


def test_sigkill_leaves_every_record_written_before_readable(tmp_path):
    with WireServer() as server:
        proc = start_crawl([server.url("/gzip"), server.url("/chunked"), server.url("/hang")], tmp_path, "killed",
                           {"CONCURRENT_REQUESTS": 1, "DOWNLOAD_TIMEOUT": 60})
        try:
            deadline = time.monotonic() + 30
            while not server.sent("/hang") and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.sent("/hang"), "the crawl never reached /hang"
            time.sleep(0.3)  # the crawler is now idle, waiting on /hang
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            proc.stdout.close()
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    [path] = list((tmp_path / "killed").glob("*.warc.gz"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    got = Counter((r["type"], r["warc"].get("WARC-Target-URI", "").split(server.base, 1)[-1]) for r in records_of(tmp_path / "killed"))
    completed = [e.path for e in server.log if e.response]
    assert set(completed) == {"/robots.txt", "/gzip", "/chunked"}
    want = Counter({("warcinfo", ""): 1, ("metadata", "/gzip"): 1, ("metadata", "/chunked"): 1})
    want.update({(t, p): 1 for p in completed for t in ("response", "request")})
    assert got == want
