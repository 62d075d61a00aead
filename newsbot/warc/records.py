"""Pure converters: a Scrapy request/response (plus the wire capture, when there is one) -> warcio records.

The response record holds the body exactly as Scrapy got it from the transport (taken before
HttpCompressionMiddleware, so a gzip body stays gzip), under the real status line and every
header line. Headers are made consistent with the stored bytes: Twisted has undone chunked
framing, so ``Transfer-Encoding: chunked`` is dropped (its value kept in the WARC header
:data:`ORIGINAL_TE_HEADER`) and a ``Content-Length`` of the stored body is added when the
server sent none; a truncated body gets ``WARC-Truncated``. Header bytes are written as
received (latin-1 round trip), never percent-encoded.
"""

from __future__ import annotations

import hashlib
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING, NamedTuple

from scrapy.utils.httpobj import urlparse_cached
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester

from newsbot.extract.text import normalize_ws

if TYPE_CHECKING:
    from datetime import datetime

    from scrapy import Request
    from scrapy.http import Response
    from warcio.recordloader import ArcWarcRecord

    from newsbot.warc.transport import WireCapture

#: WARC header naming the Transfer-Encoding the server sent and that the stored record no longer has
ORIGINAL_TE_HEADER = "WARC-Newsbot-Original-Transfer-Encoding"
#: how the HTTP head of a record was obtained: "wire" (the transport's capture) or "rebuilt"
HEAD_SOURCE_HEADER = "WARC-Newsbot-HTTP-Head"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class RawHead(StatusAndHeaders):
    """An HTTP head written back byte for byte (warcio would percent-encode non-ASCII values)."""

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        self.headers_buff = self.to_str(None).encode("latin-1") + b"\r\n"


class WireHead(StatusAndHeaders):
    """A request head kept as the bytes written to the socket: stored as they are, never parsed and re-joined.

    Only the request line is parsed (for ``statusline``/``protocol``); readers parse the stored
    bytes like any other record's.
    """

    def __init__(self, head: bytes) -> None:
        super().__init__(_latin1(head.partition(b"\r\n")[0]), [], is_http_request=True)
        self._wire = head + b"\r\n\r\n"
        self.headers_buff = self._wire

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        self.headers_buff = self._wire


class Original(NamedTuple):
    """The full response record a revisit refers to."""

    uri: str
    date: str
    record_id: str


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, e.g. ``2026-01-05T10:11:12.345678Z``."""
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SHIFTS = range(155, -1, -5)


def sha1_label(digest: bytes) -> str:
    """``sha1:<base32>`` of a 20-byte SHA-1, as warcio writes it and readers check it.

    RFC 4648 base32 (160 bits = 32 digits, no padding), done on an int: the stdlib's pure-Python
    ``base64.b32encode`` costs ~25 us a call, several times this.
    """
    n = int.from_bytes(digest, "big")
    return "sha1:" + "".join([_BASE32[(n >> shift) & 31] for shift in _SHIFTS])


def payload_digest(body: bytes) -> str:
    """The WARC payload digest warcio writes and readers check: ``sha1:<base32>``."""
    return sha1_label(hashlib.sha1(body).digest())  # noqa: S324 (WARC convention)


class FastDigester(Digester):
    """warcio's digester, printed by :func:`sha1_label` (warcio prints it with ``base64.b32encode``)."""

    def __str__(self) -> str:
        if self.type_ != "sha1":
            return super().__str__()
        return sha1_label(self.digester.digest())


class FastDigests:
    """Mixin for warcio's RecordBuilder and writers: the digests they compute themselves use :class:`FastDigester`."""

    @staticmethod
    def _create_digester() -> FastDigester:
        return FastDigester("sha1")


class FastRecordBuilder(FastDigests, RecordBuilder):
    """warcio's RecordBuilder with :class:`FastDigests`."""


def _warc_headers(builder: RecordBuilder, rec_type: str, uri: str, date: str | None) -> dict[str, str]:
    """The usual leading WARC headers, in the usual order (warcio would append them after ours)."""
    headers = {"WARC-Type": rec_type, "WARC-Record-ID": builder._make_warc_id()}
    if uri:
        headers["WARC-Target-URI"] = uri
    if date:
        headers["WARC-Date"] = date
    return headers


def _latin1(value: bytes) -> str:
    return value.decode("latin-1")


def _is_truncated(response: Response) -> bool:
    return bool({"partial", "dataloss"} & set(response.flags or ()))


def response_head(response: Response, wire: WireCapture | None) -> tuple[RawHead, dict[str, str]]:
    """The response's status line and headers, consistent with ``response.body``; plus extra WARC headers."""
    extra: dict[str, str] = {}
    if wire is not None and wire.status_line:
        protocol, _, status = _latin1(wire.status_line).partition(" ")
        headers = [(_latin1(name), _latin1(value)) for name, value in wire.headers]
        extra[HEAD_SOURCE_HEADER] = "wire"
    else:
        protocol = response.protocol or "HTTP/1.1"
        try:
            status = f"{response.status} {HTTPStatus(response.status).phrase}"
        except ValueError:
            status = str(response.status)
        headers = [(_latin1(name), _latin1(value)) for name, values in response.headers.items() for value in values]
        extra[HEAD_SOURCE_HEADER] = "rebuilt"
    removed = [value for name, value in headers if name.lower() == "transfer-encoding"]
    if removed:
        extra[ORIGINAL_TE_HEADER] = ", ".join(removed)
        headers = [(name, value) for name, value in headers if name.lower() != "transfer-encoding"]
    body_length = str(len(response.body))
    has_length = any(name.lower() == "content-length" for name, _ in headers)
    if _is_truncated(response):
        headers = [(name, body_length if name.lower() == "content-length" else value) for name, value in headers]
        extra["WARC-Truncated"] = "disconnect"
    if not has_length:
        headers.append(("Content-Length", body_length))
    return RawHead(status, headers, protocol=protocol), extra


def request_head(request: Request, wire: WireCapture | None) -> tuple[StatusAndHeaders, bytes]:
    """The request line and headers as sent, and the request body."""
    if wire is not None and b"\r\n\r\n" in wire.request_bytes:
        head, _, body = wire.request_bytes.partition(b"\r\n\r\n")
        return WireHead(head), body
    parsed = urlparse_cached(request)
    target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    host = parsed.hostname or ""
    if parsed.port and parsed.port != _DEFAULT_PORTS.get(parsed.scheme):
        host = f"{host}:{parsed.port}"
    headers = [("Host", host)]
    headers += [(_latin1(name), _latin1(value)) for name, values in request.headers.items() for value in values]
    if request.body:
        headers.append(("Content-Length", str(len(request.body))))
    return RawHead(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True), request.body


def response_record(
    builder: RecordBuilder,
    response: Response,
    wire: WireCapture | None,
    date: str,
    original: Original | None = None,
    digest: str | None = None,
) -> ArcWarcRecord:
    """A ``response`` record, or a ``revisit`` of ``original`` when the payload is already archived.

    ``digest``: the body's :func:`payload_digest` when the caller has it already (warcio would hash the body again).
    """
    head, extra = response_head(response, wire)
    warc_headers = {**_warc_headers(builder, "revisit" if original else "response", response.url, date), **extra}
    if response.ip_address is not None:
        warc_headers["WARC-IP-Address"] = str(response.ip_address)
    digest = digest or payload_digest(response.body)
    if original is not None:
        record = builder.create_revisit_record(
            response.url,
            digest,
            original.uri,
            original.date,
            http_headers=head,
            warc_headers_dict=warc_headers,
        )
        record.rec_headers.add_header("WARC-Refers-To", original.record_id)
        return record
    warc_headers["WARC-Payload-Digest"] = digest  # where warcio would add it, after the headers above
    return builder.create_warc_record(
        response.url,
        "response",
        payload=BytesIO(response.body),
        length=len(response.body),
        http_headers=head,
        warc_headers_dict=warc_headers,
    )


def request_record(builder: RecordBuilder, request: Request, wire: WireCapture | None, uri: str, date: str) -> ArcWarcRecord:
    head, body = request_head(request, wire)
    warc_headers = _warc_headers(builder, "request", uri, date)
    if wire is not None:
        warc_headers[HEAD_SOURCE_HEADER] = "wire"
    return builder.create_warc_record(
        uri, "request", payload=BytesIO(body), length=len(body), http_headers=head, warc_headers_dict=warc_headers
    )


def fields_payload(fields: list[tuple[str, str]]) -> bytes:
    """``application/warc-fields`` text: one ``name: value`` line per field (names may repeat).

    Values have their whitespace folded (:func:`normalize_ws`). A metadata record holds ~100
    outlinks, which hold none: when all the values together are printable and space-free, every
    value is its own fold, and the lines are joined in one go (32 instead of 43 us a record).
    """
    try:
        text = "\r\n".join(map(": ".join, fields))  # TypeError unless every name and value is a str
    except TypeError:
        text = None
    if text is not None:
        values = "".join([value for _, value in fields])
        if values.isprintable() and " " not in values:
            return (text + "\r\n").encode("utf-8") if fields else b""
    return "".join([f"{name}: {normalize_ws(str(value))}\r\n" for name, value in fields]).encode("utf-8")


def metadata_record(
    builder: RecordBuilder, uri: str, fields: list[tuple[str, str]], about: str | None, date: str
) -> ArcWarcRecord:
    """A ``metadata`` record, about the record ``about`` (same capture event) when given."""
    payload = fields_payload(fields)
    warc_headers = _warc_headers(builder, "metadata", uri, date)
    if about:
        warc_headers.update({"WARC-Refers-To": about, "WARC-Concurrent-To": about})
    # no HTTP head: block and payload are the same bytes, hashed once (warcio would hash them twice)
    warc_headers["WARC-Payload-Digest"] = warc_headers["WARC-Block-Digest"] = payload_digest(payload)
    return builder.create_warc_record(
        uri,
        "metadata",
        payload=BytesIO(payload),
        length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers_dict=warc_headers,
    )


def warcinfo_record(builder: RecordBuilder, filename: str, fields: list[tuple[str, str]]) -> ArcWarcRecord:
    payload = fields_payload(fields)
    return builder.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(payload),
        length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers_dict={**_warc_headers(builder, "warcinfo", "", builder.curr_warc_date()), "WARC-Filename": filename},
    )
