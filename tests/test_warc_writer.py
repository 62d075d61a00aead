"""newsbot.warc.writer: one file open at a time, warcinfo first, size rotation, offsets, file mode, resume."""

from __future__ import annotations

import stat
from io import BytesIO

import pytest
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder

from newsbot.warc import records
from newsbot.warc.writer import RotatingWarcWriter

DATE = "2026-01-05T10:11:12.000001Z"


def make_writer(tmp_path, max_bytes=1_000_000, level=6, job="job1"):
    builder = RecordBuilder(warc_version="WARC/1.1")
    return builder, RotatingWarcWriter(
        tmp_path, "pre", job, max_bytes, level, lambda name: records.warcinfo_record(builder, name, [("software", "t")])
    )


def pair(builder, n, size=2000):
    from scrapy import Request

    url = f"http://example.test/{n}"
    body = bytes(range(256)) * (size // 256)  # barely compressible
    resp = records.response_record(builder, HtmlResponse(url, body=body), None, DATE)
    req = records.request_record(builder, Request(url), None, url, DATE)
    return [resp, req]


def read_all(path):
    with open(path, "rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.rec_headers.get_header("WARC-Warcinfo-ID"))
                for r in ArchiveIterator(fh, check_digests="raise")]


def test_files_are_named_start_with_warcinfo_and_link_every_record_to_it(tmp_path):
    builder, writer = make_writer(tmp_path)
    for n in range(3):
        writer.write(pair(builder, n))
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["pre-job1-00001.warc.gz"]
    recs = read_all(tmp_path / "pre-job1-00001.warc.gz")
    assert [t for t, _, _ in recs] == ["warcinfo"] + ["response", "request"] * 3
    warcinfo_id = recs[0][1]
    assert all(info == warcinfo_id for _, _, info in recs[1:])
    assert recs[0][2] is None


def test_rotates_before_a_file_would_pass_max_bytes(tmp_path):
    builder, writer = make_writer(tmp_path, max_bytes=12_000)
    for n in range(10):
        writer.write(pair(builder, n))
    writer.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) > 2
    assert names == [f"pre-job1-{i:05d}.warc.gz" for i in range(1, len(names) + 1)]
    total = []
    for name in names:
        assert (tmp_path / name).stat().st_size <= 12_000
        recs = read_all(tmp_path / name)
        assert recs[0][0] == "warcinfo"
        assert {info for _, _, info in recs[1:]} == {recs[0][1]}
        total += [t for t, _, _ in recs[1:]]
    assert total == ["response", "request"] * 10


def test_offsets_point_at_each_record_and_file_is_not_world_writable(tmp_path):
    builder, writer = make_writer(tmp_path)
    placed = writer.write(pair(builder, 1)) + writer.write(pair(builder, 2))
    writer.close()
    path = tmp_path / placed[0].file
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & stat.S_IWOTH == 0 and mode & stat.S_IWGRP == 0
    data = path.read_bytes()
    for where in placed:
        member = data[where.offset : where.offset + where.length]
        [rec_type] = [r.rec_type for r in ArchiveIterator(BytesIO(member), check_digests="raise")]
        assert rec_type in ("response", "request")


def test_a_resumed_job_continues_the_serial_and_never_overwrites(tmp_path):
    builder, writer = make_writer(tmp_path)
    writer.write(pair(builder, 1))
    writer.close()
    first = (tmp_path / "pre-job1-00001.warc.gz").read_bytes()
    builder, writer = make_writer(tmp_path)
    writer.write(pair(builder, 2))
    writer.close()
    assert (tmp_path / "pre-job1-00001.warc.gz").read_bytes() == first
    assert (tmp_path / "pre-job1-00002.warc.gz").exists()


def test_uncompressed_files_when_level_is_zero(tmp_path):
    builder, writer = make_writer(tmp_path, level=0)
    writer.write(pair(builder, 1))
    writer.close()
    path = tmp_path / "pre-job1-00001.warc"
    assert path.read_bytes().startswith(b"WARC/1.1\r\n")
    assert [t for t, _, _ in read_all(path)] == ["warcinfo", "response", "request"]


@pytest.mark.parametrize(("max_bytes", "level"), [(0, 6), (1000, 10), (1000, -1)])
def test_bad_settings_are_refused_with_the_value(tmp_path, max_bytes, level):
    with pytest.raises(ValueError, match=str(max_bytes if max_bytes <= 0 else level)):
        make_writer(tmp_path, max_bytes=max_bytes, level=level)


def test_each_record_is_one_standard_gzip_member(tmp_path):
    import gzip
    import zlib

    builder, writer = make_writer(tmp_path)
    placed = writer.write(pair(builder, 1, size=50_000))
    writer.close()
    data = (tmp_path / placed[0].file).read_bytes()
    for where in placed:
        member = data[where.offset : where.offset + where.length]
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)  # the stdlib's zlib, whatever deflated it
        block = inflater.decompress(member)
        assert inflater.eof and not inflater.unused_data
        assert block == gzip.decompress(member) and block.startswith(b"WARC/1.1\r\n") and block.endswith(b"\r\n\r\n")


def _gzip_response(builder, url, headers, body):
    return records.response_record(builder, HtmlResponse(url, body=body, headers=headers), None, DATE)


@pytest.mark.parametrize(
    ("headers", "stored"),
    [
        ({"Content-Encoding": "gzip", "Content-Type": "text/html"}, True),
        ({"Content-Encoding": "br"}, True),
        ({"Content-Type": "image/jpeg"}, True),
        ({"Content-Encoding": "identity", "Content-Type": "text/html; charset=utf-8"}, False),
        ({"Content-Type": "text/html; charset=utf-8"}, False),
    ],
)
def test_a_compressed_payload_goes_into_a_stored_gzip_member(tmp_path, headers, stored):
    """Deflating gzip bytes again only costs CPU: such records are stored (level 0), still one gzip member."""
    import gzip
    import zlib

    builder, writer = make_writer(tmp_path)
    text = ("<p>" + "نص عربي يتكرر " * 400 + "</p>").encode()
    body = gzip.compress(text) if headers.get("Content-Encoding") in ("gzip", "br") else text
    placed = writer.write([_gzip_response(builder, "http://example.test/a", headers, body)])
    writer.close()
    member = (tmp_path / placed[0].file).read_bytes()[placed[0].offset : placed[0].offset + placed[0].length]
    inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
    block = inflater.decompress(member)
    assert inflater.eof and not inflater.unused_data and block.endswith(body + b"\r\n\r\n")
    if stored:
        # a stored deflate stream holds the record's bytes as they are, plus a few bytes of framing
        assert body in member and len(member) < len(block) + 64
    else:
        assert len(member) < len(block) / 3
    with open(tmp_path / placed[0].file, "rb") as fh:
        assert [r.rec_type for r in ArchiveIterator(fh, check_digests="raise")] == ["warcinfo", "response"]
