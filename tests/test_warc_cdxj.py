"""newsbot.warc.cdxj: index.cdxj built from lines recorded at write time equals cdxj-indexer's index of the files.

The expected index is made by cdxj-indexer itself (``CDXJIndexer(..., sort=True, post_append=True)``
reading the WARC files back), never by the code under test.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from warcio.recordbuilder import RecordBuilder

from newsbot.warc import cdxj, records
from newsbot.warc.transport import WireCapture
from newsbot.warc.writer import RotatingWarcWriter

DATES = ["2026-01-05T10:11:12.000001Z", "2026-01-05T10:11:13.500000Z", "2027-02-06T00:00:00.000000Z"]


def reference_index(job_dir: Path) -> list[str]:
    out = io.StringIO()
    CDXJIndexer(out, [str(p) for p in cdxj.job_warcs(job_dir)], sort=True, post_append=True, dir_root=str(job_dir)).process_all()
    return out.getvalue().splitlines()


def wire(status_line: bytes, headers: list[tuple[bytes, bytes]]) -> WireCapture:
    from datetime import datetime, timezone

    return WireCapture(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", datetime(2026, 1, 5, tzinfo=timezone.utc), status_line, headers)


def exchanges():
    """(response, wire capture or None, revisit-of or None): every kind of head the store writes."""
    arabic = "https://arabic.rt.com/world/801234-%D8%B9%D9%84%D8%A7%D9%82%D8%A7%D8%AA/?utm_source=x&page=2"
    body = "<html><title>عنوان</title><p>نص</p></html>".encode()
    same = b"<html>same payload</html>"
    return [
        (HtmlResponse(arabic, body=body), wire(b"HTTP/1.1 200 Alright Then", [(b"content-type", b"text/html; charset=utf-8")]), None),
        (Response("https://example.test/robots.txt", body=b"User-agent: *\n", headers={"Content-Type": "text/plain"}), None, None),
        (Response("https://example.test/moved", status=301, headers={"Location": "/x"}), None, None),
        (Response("https://example.test/missing", status=404, body=b"nope"), None, None),  # no Content-Type
        (Response("https://example.test/empty-type", body=b"x", headers={"Content-Type": ""}), None, None),
        (HtmlResponse("https://example.test/a", body=same), wire(b"HTTP/1.0 200 OK", [(b"Content-Type", b"text/html;charset=UTF-8 ")]), None),
        (HtmlResponse("https://example.test/b", body=same), None, records.Original("https://example.test/a", DATES[0], "<urn:uuid:a>")),
        (Response("https://example.test/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"}), None, None),
    ]


def write_job(job_dir: Path, max_bytes: int, recorder: cdxj.CdxjRecorder | None, job: str = "job1") -> RotatingWarcWriter:
    builder = RecordBuilder(warc_version="WARC/1.1")
    writer = RotatingWarcWriter(job_dir, "newsbot", job, max_bytes, 6,
                                lambda name: records.warcinfo_record(builder, name, [("software", "t")]))
    for n, (response, capture, original) in enumerate(exchanges() * 3):
        date = DATES[n % len(DATES)]
        resp = records.response_record(builder, response, capture, date, original)
        req = records.request_record(builder, Request(response.url), None, response.url, date)
        req.rec_headers.add_header("WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID"))
        placed = writer.write([resp, req])
        meta = records.metadata_record(builder, response.url, [("outlink", "https://example.test/z")],
                                       resp.rec_headers.get_header("WARC-Record-ID"), date)
        writer.write([meta])
        if recorder is not None:
            recorder.add(resp, placed[0].file, placed[0].offset, placed[0].length)
            recorder.add(req, placed[1].file, placed[1].offset, placed[1].length)  # not indexed: a request
    writer.close()
    return writer


def test_recorded_index_equals_cdxj_indexer_over_rotated_files(tmp_path: Path):
    recorder = cdxj.CdxjRecorder(tmp_path)
    writer = write_job(tmp_path, max_bytes=6_000, recorder=recorder)
    assert len(writer.files) >= 3  # rotation: lines from several files
    path = cdxj.write_cdxj(tmp_path, recorded=recorder, recorded_files=writer.files)
    got = path.read_text(encoding="utf-8").splitlines()
    want = reference_index(tmp_path)
    assert len(want) == 3 * 8  # every response and revisit, no request or warc-fields metadata
    assert got == want
    assert not recorder.part.exists() and not list(tmp_path.glob(".*.tmp"))
    fields = [json.loads(line.split(" ", 2)[2]) for line in got]
    assert {f.get("mime") for f in fields} == {"text/html", "text/plain", "warc/revisit", "application/rss+xml", "", None}
    assert any("mime" not in f for f in fields)  # the 404 without Content-Type
    assert {f["status"] for f in fields} == {"200", "301", "404"}


def test_files_not_written_by_this_run_are_indexed_from_disk(tmp_path: Path):
    write_job(tmp_path, max_bytes=1_000_000, recorder=None)  # an earlier run of a resumed job: nothing recorded
    recorder = cdxj.CdxjRecorder(tmp_path)
    writer = write_job(tmp_path, max_bytes=1_000_000, recorder=recorder)
    assert writer.files == ["newsbot-job1-00002.warc.gz"]
    got = cdxj.write_cdxj(tmp_path, recorded=recorder, recorded_files=writer.files).read_text(encoding="utf-8").splitlines()
    assert got == reference_index(tmp_path)
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in got} == {"newsbot-job1-00001.warc.gz", "newsbot-job1-00002.warc.gz"}


def test_without_recorded_lines_every_file_is_read(tmp_path: Path):
    write_job(tmp_path, max_bytes=6_000, recorder=None)
    assert cdxj.write_cdxj(tmp_path).read_text(encoding="utf-8").splitlines() == reference_index(tmp_path)


def test_big_index_is_merged_from_sorted_runs(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(cdxj, "SORT_BUFFER_BYTES", 2_000)  # a few lines per run: the external merge path
    recorder = cdxj.CdxjRecorder(tmp_path)
    writer = write_job(tmp_path, max_bytes=1_000_000, recorder=recorder)
    got = cdxj.write_cdxj(tmp_path, recorded=recorder, recorded_files=writer.files).read_text(encoding="utf-8").splitlines()
    assert got == reference_index(tmp_path)


def test_an_index_that_fits_the_sort_buffer_is_sorted_without_loading_cdxj_indexer(tmp_path: Path, monkeypatch):
    """Importing cdxj-indexer costs ~0.18 s of CPU at every crawl's close; a crawl's own small index needs none of it."""
    import sys

    recorder = cdxj.CdxjRecorder(tmp_path)
    writer = write_job(tmp_path, max_bytes=6_000, recorder=recorder)
    for module in [m for m in sys.modules if m.split(".")[0] == "cdxj_indexer"]:
        monkeypatch.delitem(sys.modules, module)
    path = cdxj.write_cdxj(tmp_path, recorded=recorder, recorded_files=writer.files)
    assert "cdxj_indexer.main" not in sys.modules
    assert path.read_text(encoding="utf-8").splitlines() == reference_index(tmp_path)


def test_url_keys_are_surts_keys():
    """The plain-URL fast path gives the surt library's key; every other URL goes to surt itself."""
    import random
    from urllib.parse import quote

    import surt

    rng = random.Random(11)
    words = ["world", "news", "X_Y", "a.b", "~u", "-", ".", "..", "", "index.html", "Article", "7", "a..b", ".well-known"]
    arabic = ["علاقات", "روسيا", "١٢٣", "عَرَبِيّ", "ـ", "é", "中文", "%", "?", "#", ";", "(s(x))", " ", "/"]

    def segment() -> str:
        pick = rng.random()
        if pick < 0.5:
            return rng.choice(words)
        text = quote(rng.choice(arabic) + rng.choice(words), safe="")
        return text.lower() if rng.random() < 0.3 else text

    hosts = ["arabic.rt.com", "rt.com", "www.rt.com", "www2.example.org", "1.2.3.4", "a-b.c-d.net", "RT.com",
             "xn--mgbaam7a8h.ae", "0x7f.1", "example.123", "localhost", "ex--ample.com", "a.b.c.d.e.f", "01.02.03.04"]
    fast = 0
    for _ in range(20_000):
        path = "/" + "/".join(segment() for _ in range(rng.randint(0, 4))) + ("/" if rng.random() < 0.5 else "")
        extra = rng.choice(["", "", "", "?b=2&a=1", "#top", ":8080", ""])
        host = rng.choice(hosts)
        url = f"{rng.choice(['https', 'http', 'HTTPS'])}://{host}{extra if extra.startswith(':') else ''}{path}"
        url += extra if not extra.startswith(":") else ""
        fast += cdxj._PLAIN_URL.fullmatch(url) is not None
        assert cdxj.url_key(url) == surt.surt(url), url
    assert fast > 2_000, f"only {fast} URLs took the fast path"


def test_timestamps_are_warcios():
    import random
    from datetime import datetime, timedelta, timezone

    from warcio.timeutils import iso_date_to_timestamp

    rnd = random.Random(7)
    start = datetime(1996, 1, 1, tzinfo=timezone.utc)
    dates = []
    for _ in range(5_000):
        moment = start + timedelta(seconds=rnd.randrange(60 * 365 * 86400), microseconds=rnd.randrange(1_000_000))
        fraction = "" if rnd.random() < 0.2 else "." + f"{moment.microsecond:06d}{rnd.randrange(10)}"[: rnd.randint(1, 7)]
        dates.append(moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z")
    dates += [records.warc_date(datetime.now(timezone.utc)), "2026-01-05T10:11:12", "2026-01-05T10:11:12.5"]
    for date in dates:
        assert cdxj.timestamp14(date) == iso_date_to_timestamp(date), date
    # not the usual form (Arabic-Indic digits, which int() reads): left to warcio
    odd = "٢٠٢٦-01-05T10:11:12Z"
    assert cdxj.timestamp14(odd) == iso_date_to_timestamp(odd) == "20260105101112"
