"""newsbot.warc.records: Scrapy request/response (+ wire capture) -> warcio records, read back by warcio."""

from __future__ import annotations

import base64
import gzip
import hashlib
import ipaddress
from datetime import datetime, timezone
from io import BytesIO

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder

from newsbot.warc import records
from newsbot.warc.transport import WireCapture
from newsbot.warc.writer import _RecordSerializer

DATE = "2026-01-05T10:11:12.345678Z"
URL = "https://arabic.rt.com/world/801234-%D8%B9%D9%84%D8%A7%D9%82%D8%A7%D8%AA/?utm_source=x&page=2"


class FixedBuilder(RecordBuilder):
    """Deterministic record ids (warcio's FixedTestRecordMixin idea)."""

    def __init__(self) -> None:
        super().__init__(warc_version="WARC/1.1")
        self.n = 0

    def _make_warc_id(self) -> str:  # type: ignore[override]
        self.n += 1
        return f"<urn:uuid:00000000-0000-0000-0000-{self.n:012d}>"


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def read_back(*recs, gzip_level: int = 6) -> list:
    """Serialize with the writer's serializer, parse with warcio checking digests; return (type, warc, http, body)."""
    data = b"".join(_RecordSerializer(gzip_level).to_bytes(r) for r in recs)
    out = []
    it = ArchiveIterator(BytesIO(data), check_digests="raise")
    for rec in it:
        body = rec.raw_stream.read()
        out.append((rec.rec_type, rec.rec_headers, rec.http_headers, body))
    return out


def wire_capture() -> WireCapture:
    return WireCapture(
        request_bytes=b"GET /plain?x=1&y=%D8%B9 HTTP/1.1\r\nUser-Agent: ua\r\nAccept-Encoding: gzip\r\n"
        b"Cookie: a=1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        sent_at=datetime(2026, 1, 5, 10, 11, 12, 345678, tzinfo=timezone.utc),
        status_line=b"HTTP/1.1 200 Alright Then",
        headers=[
            (b"Content-Type", b"text/html"),
            (b"Set-Cookie", b"a=1"),
            (b"x-lower", b"kept"),
            (b"Set-Cookie", b"b=2"),
            (b"X-Latin1", "café".encode("latin-1")),
            (b"Transfer-Encoding", b"chunked"),
        ],
    )


def test_wire_head_is_kept_byte_for_byte_with_framing_fixed():
    body = "<p>نص مُشَكَّل ـــ ١٢٣</p>".encode()
    response = HtmlResponse(URL, status=200, body=body, ip_address=ipaddress.ip_address("10.1.2.3"), protocol="HTTP/1.1")
    rec = records.response_record(FixedBuilder(), response, wire_capture(), DATE)
    [(rtype, warc, http, stored)] = read_back(rec)
    assert rtype == "response"
    assert stored == body
    head = http.to_str().encode("latin-1")
    assert head == (
        b"HTTP/1.1 200 Alright Then\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\nx-lower: kept\r\n"
        b"Set-Cookie: b=2\r\nX-Latin1: caf\xe9\r\nContent-Length: " + str(len(body)).encode() + b"\r\n"
    )
    assert warc["WARC-Newsbot-Original-Transfer-Encoding"] == "chunked"
    assert warc["WARC-Target-URI"] == URL
    assert warc["WARC-Date"] == DATE
    assert warc["WARC-IP-Address"] == "10.1.2.3"
    assert warc["WARC-Payload-Digest"] == sha1_b32(body)
    assert warc.protocol == "WARC/1.1"


def test_rebuilt_head_without_capture_uses_real_protocol_phrase_and_every_header_value():
    response = Response(
        "http://example.test/a?b=1",
        status=404,
        protocol="HTTP/1.0",
        headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Length", "3")],
        body=b"abc",
    )
    head, extra = records.response_head(response, None)
    assert head.protocol == "HTTP/1.0"
    assert head.statusline == "404 Not Found"
    assert [v for k, v in head.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert [v for k, v in head.headers if k == "Content-Length"] == ["3"]
    assert extra[records.HEAD_SOURCE_HEADER] == "rebuilt"


def test_gzip_body_stays_compressed_and_decodes_through_its_own_headers():
    raw = "مرحبا".encode() * 50
    gz = gzip.compress(raw, mtime=0)
    response = Response(URL, status=200, body=gz, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
    rec = records.response_record(FixedBuilder(), response, None, DATE)
    data = _RecordSerializer(6).to_bytes(rec)
    # raw_stream is the stored payload; content_stream() decodes per the stored headers (read inside the loop: W3)
    assert [r.raw_stream.read() for r in ArchiveIterator(BytesIO(data), check_digests="raise")] == [gz]
    assert [r.content_stream().read() for r in ArchiveIterator(BytesIO(data), check_digests="raise")] == [raw]


def test_truncated_body_gets_its_real_length_and_warc_truncated():
    response = Response(URL, status=200, body=b"half", headers={"Content-Length": "8"}, flags=["partial"])
    head, extra = records.response_head(response, None)
    assert head.get_header("Content-Length") == "4"
    assert extra["WARC-Truncated"] == "disconnect"


def test_request_record_from_the_wire_has_the_exact_bytes_sent():
    wire = wire_capture()
    rec = records.request_record(FixedBuilder(), Request("http://127.0.0.1:8080/plain?x=1&y=%D8%B9"), wire,
                                 "http://127.0.0.1:8080/plain?x=1&y=%D8%B9", DATE)
    [(rtype, warc, http, body)] = read_back(rec)
    assert rtype == "request"
    assert http.to_str().encode("latin-1") + b"\r\n" == wire.request_bytes
    assert body == b""


def test_rebuilt_request_line_keeps_the_query_and_adds_host():
    request = Request("http://example.test:8080/p/q?x=1&y=2", headers={"Cookie": "a=1", "User-Agent": "ua"})
    head, body = records.request_head(request, None)
    assert head.to_str().splitlines()[0] == "GET /p/q?x=1&y=2 HTTP/1.1"
    assert head.get_header("Host") == "example.test:8080"
    assert head.get_header("Cookie") == "a=1"
    default_port, _ = records.request_head(Request("https://example.test/"), None)
    assert default_port.get_header("Host") == "example.test"


def test_revisit_refers_to_the_original_and_stores_no_payload():
    body = b"<html>same</html>"
    response = HtmlResponse(URL, status=200, body=body)
    original = records.Original("http://a.test/orig", "2025-12-01T00:00:00.000001Z", "<urn:uuid:original>")
    rec = records.response_record(FixedBuilder(), response, None, DATE, original)
    [(rtype, warc, http, stored)] = read_back(rec)
    assert rtype == "revisit"
    assert warc["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert warc["WARC-Refers-To-Target-URI"] == "http://a.test/orig"
    assert warc["WARC-Refers-To-Date"] == "2025-12-01T00:00:00.000001Z"
    assert warc["WARC-Refers-To"] == "<urn:uuid:original>"
    assert warc["WARC-Payload-Digest"] == sha1_b32(body)
    assert stored == b""
    assert http.statusline == "200 OK"


def test_metadata_record_lists_fields_and_points_at_the_response():
    rec = records.metadata_record(FixedBuilder(), URL, [("outlink", "http://a.test/x y"), ("related", "http://b.test/")],
                                  "<urn:uuid:resp>", DATE)
    [(rtype, warc, _http, body)] = read_back(rec)
    assert rtype == "metadata"
    assert warc["Content-Type"] == "application/warc-fields"
    assert warc["WARC-Refers-To"] == warc["WARC-Concurrent-To"] == "<urn:uuid:resp>"
    assert body == b"outlink: http://a.test/x y\r\nrelated: http://b.test/\r\n"


@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_any_gzip_level_reads_back(level):
    rec = records.response_record(FixedBuilder(), HtmlResponse(URL, body=b"x" * 1000), None, DATE)
    [(rtype, _w, _h, body)] = read_back(rec, gzip_level=level)
    assert (rtype, body) == ("response", b"x" * 1000)


def test_warc_fields_are_one_line_each_whatever_whitespace_a_value_holds():
    import sys

    from newsbot.warc.records import fields_payload

    # every character str.split() folds, as the value's only oddity
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    fields = [("outlink", "https://arabic.rt.com/world/1-عَرَبِيّ/?q=١٢٣")] + [("note", f" a{c}{c}b ") for c in spaces]
    lines = fields_payload(fields).decode("utf-8").split("\r\n")
    assert lines[0] == "outlink: https://arabic.rt.com/world/1-عَرَبِيّ/?q=١٢٣"
    assert lines[1:-1] == ["note: a b"] * len(spaces) and lines[-1] == ""


def test_warc_fields_fast_path_writes_what_folding_each_value_writes():
    import random
    import sys

    from newsbot.extract.text import normalize_ws
    from newsbot.warc.records import fields_payload

    def reference(fields):
        return "".join(f"{name}: {normalize_ws(str(value))}\r\n" for name, value in fields).encode("utf-8")

    rnd = random.Random(3)
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    odd = [*spaces, "\x00", "\x1f", "\u200f", "\u061c", "", " ", "ـ", "١", "é"]
    plain = ["https://arabic.rt.com/world/1-عَرَبِيّ/?q=١٢٣", "/x", "1", "newsbot", "%D8%B9"]
    cases = [[], [("a", "")], [("n", 3)], [("n", None)], [("outlink", u) for u in plain]]
    for _ in range(3_000):
        fields = []
        for _ in range(rnd.randint(0, 6)):
            value = rnd.choice(plain)
            if rnd.random() < 0.3:
                cut = rnd.randint(0, len(value))
                value = value[:cut] + rnd.choice(odd) + value[cut:]
            fields.append((rnd.choice(["outlink", "related", "item-url"]), value))
        cases.append(fields)
    for fields in cases:
        assert fields_payload(fields) == reference(fields), fields


def test_fast_digester_prints_what_warcios_digester_prints():
    import os

    from warcio.utils import Digester

    from newsbot.warc.records import FastDigester, payload_digest

    for size in (0, 1, 19, 20, 21, 4096, 65537):
        data = os.urandom(size)
        fast, slow = FastDigester("sha1"), Digester("sha1")
        fast.update(data)
        slow.update(data)
        assert str(fast) == str(slow) == payload_digest(data)
    md5 = FastDigester("md5")
    md5.update(b"x")
    assert str(md5).startswith("md5:")  # other kinds printed by warcio itself

