"""newsbot.warc.index: the compact replay index -- FastWARC and tolerant scans agree, memory stays small.

Expected values come from warcio reading the files independently, never from the index itself.
"""

from __future__ import annotations

import gc
import shutil
import tracemalloc
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder

from newsbot.warc import index as index_module
from newsbot.warc import records
from newsbot.warc.index import ArchiveIndex, url_key
from newsbot.warc.reader import Source
from newsbot.warc.writer import RotatingWarcWriter

FIXTURES = Path(__file__).parent / "fixtures" / "warc"
INPUTS = sorted(p for p in FIXTURES.rglob("*") if p.name.endswith((".warc", ".warc.gz")))
COLUMNS = ("_src", "_off", "_len", "_ts", "_type", "_status", "_rid", "_dig")


def write_pages(job_dir: Path, n: int) -> Path:
    """A job file of n article pages (+ robots.txt), written the way a crawl writes them."""
    builder = RecordBuilder(warc_version="WARC/1.1")
    writer = RotatingWarcWriter(job_dir, "newsbot", "idx", 1 << 30, 6,
                                lambda name: records.warcinfo_record(builder, name, [("software", "t")]))
    for k in range(n):
        url = f"https://arabic.rt.com/world/{1000 + k}-%D8%B9%D9%84%D8%A7%D9%82%D8%A7%D8%AA-{k}/"
        body = f"<html><title>{k}</title><p>نص {k}</p></html>".encode()
        date = f"2026-01-05T10:{k // 60 % 60:02d}:{k % 60:02d}.000001Z"
        resp = records.response_record(builder, HtmlResponse(url, body=body), None, date)
        req = records.request_record(builder, Request(url), None, url, date)
        writer.write([resp, req])
    writer.close()
    return job_dir / writer.files[0]


def build(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> ArchiveIndex:
    monkeypatch.setattr(index_module, "FAST_SCAN", fast)
    return ArchiveIndex.build(str(path))


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fastwarc_scan_equals_the_tolerant_scan(path: Path, monkeypatch: pytest.MonkeyPatch):
    fast, tolerant = build(path, True, monkeypatch), build(path, False, monkeypatch)
    assert [getattr(fast, c) for c in COLUMNS] == [getattr(tolerant, c) for c in COLUMNS]
    assert fast.url_map() == tolerant.url_map() and fast.records == tolerant.records
    assert [(e.offset, e.message) for e in fast.errors] == [(e.offset, e.message) for e in tolerant.errors]


def test_fastwarc_scan_on_a_crawl_file_and_a_cut_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = write_pages(tmp_path, 30)
    fast, tolerant = build(path, True, monkeypatch), build(path, False, monkeypatch)
    assert fast.captures == 30 and [getattr(fast, c) for c in COLUMNS] == [getattr(tolerant, c) for c in COLUMNS]
    cut = tmp_path / "cut" / path.name
    cut.parent.mkdir()
    cut.write_bytes(path.read_bytes()[:-40])  # the last record torn: FastWARC alone would not notice
    fast, tolerant = build(cut, True, monkeypatch), build(cut, False, monkeypatch)
    assert fast.errors and [(e.offset, e.message) for e in fast.errors] == [(e.offset, e.message) for e in tolerant.errors]
    assert [getattr(fast, c) for c in COLUMNS] == [getattr(tolerant, c) for c in COLUMNS]


def test_captures_point_at_their_records_and_read_their_head_lazily(tmp_path: Path):
    path = write_pages(tmp_path, 5)
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        want = {}
        for rec in it:
            if rec.rec_type == "response":
                h = rec.rec_headers
                want[h.get_header("WARC-Target-URI")] = (it.get_record_offset(), h.get_header("WARC-Record-ID"), h.get_header("WARC-Date"))
    index = ArchiveIndex.build(str(path))
    for url, (offset, record_id, date) in want.items():
        [capture] = index.lookup(url.replace("%D8%B9", "ع") + "?utm_source=x#top")  # canonical key: same capture
        assert capture.offset == offset and capture.status == 200 and capture.record_type == "response"
        assert not capture.has_head
        assert (capture.url, capture.record_id, capture.warc_date) == (url, record_id, date)
        assert capture.matches(url_key(url)) and not capture.matches(url_key(url + "other/"))
        assert capture.date.isoformat().startswith(date[:19])
    index.close()


def test_newest_capture_first_and_nearest_to_a_time(tmp_path: Path):
    from datetime import datetime, timezone

    index = ArchiveIndex.build(str(FIXTURES / "browsertrix-style.warc.gz"))
    url = "https://example.org/btrix/%D8%AE%D8%A8%D8%B1/"
    newest = index.lookup(url)
    assert [c.date.year for c in newest] == sorted((c.date.year for c in newest), reverse=True)
    near = index.lookup(url, datetime(2021, 4, 1, tzinfo=timezone.utc))
    assert near[0].date.year == 2021


def test_index_memory_is_about_a_hundred_bytes_a_capture(tmp_path: Path):
    path = write_pages(tmp_path, 2000)
    gc.collect()
    tracemalloc.start()
    try:
        index = ArchiveIndex.build(str(path))
        gc.collect()
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert index.captures == 2000
    assert held / index.captures < 300  # was ~1.4 KB a capture (strings, datetimes, dataclass objects)


def test_folder_sources_and_revisit_resolution(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in (FIXTURES / "pywb-style.warc.gz", FIXTURES / "warcprox-style.warc.gz"):
        shutil.copy(p, folder)
    index = ArchiveIndex.build(str(folder))
    assert [s.name for s in index.sources] == ["pywb-style.warc.gz", "warcprox-style.warc.gz"]
    assert index.captures == 3 + 5
    [capture] = index.lookup("https://example.org/warcprox/copy/")
    assert capture.source.name == "warcprox-style.warc.gz" and capture.record_type == "revisit"
    original = index.original_of(capture)
    assert original is not None and original.record_type == "response"
    assert original.payload_digest == capture.payload_digest


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_read_block_equals_warcio_for_every_capture(path: Path):
    from newsbot.warc.reader import read_block, read_record

    index = ArchiveIndex.build(str(path))
    with open(path, "rb") as fh:
        for capture in index.iter_captures():
            get, block = read_block(fh, capture.offset, capture.length)
            record = read_record(fh, capture.offset, capture.length)
            assert type(block) is bytes and block == record.raw_stream.read()
            for name in ("WARC-Record-ID", "WARC-Date", "WARC-Payload-Digest", "warc-refers-to", "Content-Type"):
                assert get(name) == record.rec_headers.get_header(name), name
            # wget writes <uri> (WARC 1.0 draft); warcio drops the brackets when parsing, FastWARC keeps them
            assert get("WARC-Target-URI").strip("<>") == record.rec_headers.get_header("WARC-Target-URI")
            capture.use_head(get)
            assert capture.url == record.rec_headers.get_header("WARC-Target-URI")


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_parse_record_reads_plain_records_as_warcio_does(path: Path):
    from newsbot.warc.reader import parse_record, read_record

    index = ArchiveIndex.build(str(path))
    parsed = 0
    with open(path, "rb") as fh:
        for capture in index.iter_captures():
            fh.seek(capture.offset)
            result = parse_record(fh.read(capture.length))
            if result is None:
                continue
            parsed += 1
            get, block = result
            record = read_record(fh, capture.offset, capture.length)
            assert type(block) is bytes and block == record.raw_stream.read()
            for name in ("WARC-Record-ID", "WARC-Date", "WARC-Payload-Digest", "warc-refers-to", "Content-Type", "WARC-IP-Address"):
                assert get(name) == record.rec_headers.get_header(name), name
    if "broken" not in path.parts:
        assert parsed == index.captures  # every capture of a well-formed file takes the fast path


def _record(head: bytes, block: bytes = b"HTTP/1.1 200 OK\r\n\r\nhi") -> bytes:
    return b"WARC/1.1\r\n" + head + b"Content-Length: %d\r\n\r\n" % len(block) + block + b"\r\n\r\n"


def test_parse_record_takes_plain_and_gzipped_records():
    import gzip

    from newsbot.warc.reader import parse_record

    data = _record(b"WARC-Type: response\r\nWARC-Target-URI: https://arabic.rt.com/\r\n")
    for raw in (data, gzip.compress(data)):
        result = parse_record(raw)
        assert result is not None
        get, block = result
        assert type(block) is bytes and block == b"HTTP/1.1 200 OK\r\n\r\nhi"
        assert get("warc-type") == "response" and get("WARC-TARGET-URI") == "https://arabic.rt.com/"
        assert get("WARC-Date") is None
    assert parse_record(gzip.compress(data)[:-12]) is None  # a cut gzip member


@pytest.mark.parametrize("raw", [
    _record(b"WARC-Type: response\r\nWARC-Target-URI: https://a/\r\n  folded\r\n"),  # folded header line
    _record(b"WARC-Type: response\r\n").replace(b"\r\n", b"\n", 3),  # LF-only head
    _record(b"WARC-Type: response\r\n")[:-10],  # block shorter than Content-Length
    _record(b"WARC-Type: response\r\n").replace(b"Content-Length: ", b"Content-Length: x"),
    b"HTTP/1.1 200 OK\r\n\r\n",  # not a WARC record
])
def test_parse_record_leaves_what_is_not_plain_to_the_other_readers(raw: bytes):
    import gzip

    from newsbot.warc.reader import parse_record

    assert parse_record(raw) is None
    assert parse_record(gzip.compress(raw)) is None
    assert parse_record(gzip.compress(raw)[:-12]) is None  # a cut gzip member


def test_compacted_url_map_answers_as_the_dict_did_and_takes_later_sources(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_pages(tmp_path / "a", 40)
    again = write_pages(tmp_path / "b", 40)  # the same 40 URLs, captured again
    index = ArchiveIndex(sources=[Source(first, "a.warc.gz")])
    index.add_source(index.sources[0])
    before = {key: list(numbers) for key, numbers in index.url_map().items()}
    assert index.by_url and not index._keys
    index.compact()
    assert not index.by_url and len(index._keys) == index.urls == 40
    assert index.url_map() == before
    index.add_source(Source(again, "b.warc.gz"))  # as resume adds files during a crawl
    for key, numbers in before.items():
        assert index.url_map()[key] == numbers + [n + index.captures // 2 for n in numbers]
    url = "https://arabic.rt.com/world/1007-%D8%B9%D9%84%D8%A7%D9%82%D8%A7%D8%AA-7/"
    assert [c.source.name for c in index.lookup(url)] == ["b.warc.gz", "a.warc.gz"]  # newest first
    index.compact()
    assert not index.by_url and index.urls == 40
    assert [c.source.name for c in index.lookup(url)] == ["b.warc.gz", "a.warc.gz"]
    assert index.lookup("https://arabic.rt.com/world/999999-x/") == []
