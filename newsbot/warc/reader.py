"""Reading WARC files written by any tool: sources, tolerant one-pass scanning, records at offsets.

A damaged file (truncated, a bad gzip member, garbage between records) must not hide its
good records, so :func:`scan` reports each bad spot as a :class:`ScanError` with its byte
offset and resynchronises on the next record start (the next gzip member for ``.warc.gz``,
the next ``WARC/1.`` line for plain WARC). Bodies are never decoded here: what the server
sent is what the caller gets, only HTTP chunked framing is undone.
"""

from __future__ import annotations

import contextlib
import io
import re
import zlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

import deflate
import fastwarc.warc as fastwarc
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from warcio.recordloader import ArcWarcRecord

T = TypeVar("T")

WARC_SUFFIXES = (".warc", ".warc.gz")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
#: errors a damaged or foreign file raises inside warcio
_READ_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, zlib.error, OSError, ValueError, IndexError)


class NotAnArchive(ValueError):
    """The path given for replay or verify holds no WARC/WACZ input; the message names it."""


@dataclass(frozen=True)
class Source:
    """One WARC file: a file on disk, or a member of a WACZ package (``member`` set)."""

    path: Path
    name: str  # short stable name: relative to the replayed PATH ("a.wacz#archive/x.warc.gz" for WACZ members)
    member: str | None = None

    def open(self) -> IO[bytes]:
        if self.member is None:
            return open(self.path, "rb")
        zf = zipfile.ZipFile(self.path)
        info = zf.getinfo(self.member)
        if info.compress_type == zipfile.ZIP_STORED:  # the WACZ spec's case: seek straight into the zip
            fh = open(self.path, "rb")
            fh.seek(info.header_offset)
            local = fh.read(30)
            start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
            zf.close()
            return _Window(fh, start, info.file_size)  # type: ignore[return-value]
        member = zf.open(info)  # deflated: seekable, but seeking re-inflates from the start
        zf.close()
        return member


class _Window(io.RawIOBase):
    """A read-only, seekable view of ``size`` bytes of ``fh`` starting at ``start``."""

    def __init__(self, fh: IO[bytes], start: int, size: int) -> None:
        self._fh, self._start, self._size, self._pos = fh, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, min(self._size, base + pos))
        return self._pos

    def readinto(self, buf: Any) -> int:
        n = min(len(buf), self._size - self._pos)
        if n <= 0:
            return 0
        self._fh.seek(self._start + self._pos)
        data = self._fh.read(n)
        buf[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


def find_sources(path: str | Path) -> list[Source]:
    """The WARC files of ``path``: a WARC file, a WACZ, or a folder of them (recursively), in name order."""
    root = Path(path)
    if not root.exists():
        raise NotAnArchive(f"{path}: no such file or folder")
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    sources: list[Source] = []
    for file in files:
        rel = file.name if file == root else file.relative_to(root).as_posix()
        if file.name.endswith(WARC_SUFFIXES) or (file == root and not file.name.endswith(".wacz")):
            sources.append(Source(file, rel))
        elif file.name.endswith(".wacz"):
            sources.extend(_wacz_sources(file, rel))
    if not sources:
        raise NotAnArchive(f"{path}: no .warc, .warc.gz or .wacz file in it")
    return sources


def _wacz_sources(path: Path, rel: str) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if n.endswith(WARC_SUFFIXES))
    except zipfile.BadZipFile as exc:
        raise NotAnArchive(f"{path}: not a WACZ (zip) file: {exc}") from None
    return [Source(path, f"{rel}#{name}", member=name) for name in names]


@dataclass
class Scanned(Generic[T]):
    offset: int
    length: int
    value: T
    problems: list[str]  # digest problems (only with check_digests)


@dataclass
class ScanError:
    offset: int
    message: str


def scan(
    fileobj: IO[bytes],
    on_record: Callable[[ArcWarcRecord], T],
    *,
    check_digests: bool = False,
    parse_http: bool = False,
) -> Iterator[Scanned[T] | ScanError]:
    """Each record of a WARC stream, in order, passed to ``on_record`` while it can still be read.

    Bad spots are yielded as :class:`ScanError` and skipped; every readable record is still yielded.
    """
    fileobj.seek(0)
    gzipped = fileobj.read(2) == _GZIP_MAGIC[:2]
    size = fileobj.seek(0, io.SEEK_END)
    pos: int | None = 0
    while pos is not None:
        fileobj.seek(pos)
        it = ArchiveIterator(fileobj, no_record_parse=not parse_http, check_digests=check_digests)
        records = iter(it)
        warnings = io.StringIO()  # warcio writes small defects to stderr; report them with their offset
        end = pos
        try:
            while True:
                with contextlib.redirect_stderr(warnings):
                    record = next(records, None)
                if record is None:
                    break
                if record.format != "warc":
                    raise ArchiveLoadFailed("not a WARC record")
                value = on_record(record)
                with contextlib.redirect_stderr(warnings):
                    it.read_to_end()
                offset, length = it.get_record_offset(), it.get_record_length()
                end = offset + length
                missing = getattr(record.raw_stream, "limit", 0)
                if missing > 0:
                    yield ScanError(offset, f"truncated record ({missing} bytes missing)")
                    continue
                decompressor = it.reader.decompressor if it.reader else None
                if decompressor is not None and not getattr(decompressor, "eof", True):
                    yield ScanError(offset, "truncated gzip member (record complete, gzip end missing)")
                    continue
                problems = list(record.digest_checker.problems) if check_digests else []
                yield Scanned(offset, length, value, problems)
                yield from _warnings(warnings)
            yield from _warnings(warnings)
            pos = None
            if size - end > 4 and _junk(fileobj, end, gzipped):
                yield ScanError(end, f"truncated record: the last {size - end} bytes are an incomplete record")
                pos = _next_record_start(fileobj, end + 1, gzipped)
        except _READ_ERRORS as exc:
            bad = it.offset
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "\x1f\x8b" in message[:120] or isinstance(exc, zlib.error):
                message = "corrupt gzip member"
            elif isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc):
                message = "gzip member holds more than one record (not a per-record .warc.gz; try `warcio recompress`)"
            message = "".join(c if c.isprintable() else "?" for c in message[:120])
            yield ScanError(bad, f"unreadable record: {message}")
            pos = _next_record_start(fileobj, bad + 1, gzipped)


def _warnings(buffer: io.StringIO) -> Iterator[ScanError]:
    text = buffer.getvalue()
    if text:
        buffer.seek(0)
        buffer.truncate()
        for m in re.finditer(r"Offset: (\d+)", text):
            yield ScanError(int(m.group(1)), "data between records (a wrong Content-Length?)")


def _junk(fileobj: IO[bytes], end: int, gzipped: bool) -> bool:
    fileobj.seek(end)
    tail = fileobj.read(1 << 16)
    return bool(tail) if gzipped else bool(tail.strip())


def _next_record_start(fileobj: IO[bytes], start: int, gzipped: bool) -> int | None:
    magic = _GZIP_MAGIC if gzipped else _WARC_MAGIC
    fileobj.seek(start)
    carry = b""
    base = start
    while True:
        chunk = fileobj.read(1 << 20)
        if not chunk:
            return None
        data = carry + chunk
        at = data.find(magic)
        if at >= 0:
            return base - len(carry) + at
        carry = data[-(len(magic) - 1) :]
        base += len(chunk)


def read_block(fileobj: IO[bytes], offset: int, length: int) -> tuple[Callable[[str], str | None], bytes]:
    """The WARC header lookup (``get(name)``, any case) and the whole block of the record at ``offset``.

    A plain record (the usual case) is read by :func:`parse_record`; FastWARC (a fraction of
    warcio's CPU per record: replay reads one per page) reads what that leaves, and warcio what
    FastWARC refuses, so every record :func:`scan` accepts is read.
    """
    fileobj.seek(offset)
    data = fileobj.read(length) if length > 0 else fileobj.read()
    plain = parse_record(data)
    if plain is not None:
        return plain
    try:
        for record in fastwarc.ArchiveIterator(io.BytesIO(data), parse_http=False, record_types=fastwarc.WarcRecordType.any_type):
            return record.headers.get, record.reader.read()
    except Exception:  # noqa: BLE001, S110 (warcio below reads it or says why not)
        pass
    record = next(iter(ArchiveIterator(io.BytesIO(data), no_record_parse=True)))
    return record.rec_headers.get_header, record.raw_stream.read()


def parse_record(data: bytes) -> tuple[Callable[[str], str | None], bytes] | None:
    """:func:`read_block` of one whole record (a gzip member or plain bytes), or None when it is not plain.

    Plain: one gzip member (inflated by libdeflate, about 3x faster than zlib for a 55 KB page) or
    uncompressed bytes, a ``WARC/1.x`` head of ``Name: value`` lines (no folded lines), and a
    block of Content-Length bytes. Anything else -- a damaged member, folding, a short block --
    is left to the readers that report why.
    """
    if data[:3] == _GZIP_MAGIC:
        try:
            raw = deflate.gzip_decompress(data)
        except (deflate.DeflateError, ValueError):
            return None
    elif data.startswith(_WARC_MAGIC):
        raw = data
    else:
        return None
    end = raw.find(b"\r\n\r\n")
    lines = raw[:end].split(b"\r\n")
    if end < 0 or not raw.startswith(_WARC_MAGIC) or b"\n" in lines[0]:
        return None
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or line[:1] in (b" ", b"\t") or b"\n" in line:
            return None
        try:
            text = value.strip().decode("utf-8")
        except UnicodeDecodeError:
            text = value.strip().decode("latin-1")
        fields.setdefault(name.strip().decode("latin-1").lower(), text)
    size = fields.get("content-length", "")
    if not size.isdigit() or end + 4 + int(size) > len(raw):
        return None
    block = bytes(memoryview(raw)[end + 4 : end + 4 + int(size)])  # libdeflate gives a bytearray
    return (lambda name: fields.get(name.lower())), block


def read_record(fileobj: IO[bytes], offset: int, length: int) -> ArcWarcRecord:
    """The record at ``offset`` (HTTP headers unparsed: ``raw_stream`` holds the whole block)."""
    fileobj.seek(offset)
    data = fileobj.read(length) if length > 0 else fileobj.read()
    return next(iter(ArchiveIterator(io.BytesIO(data), no_record_parse=True)))


@dataclass
class HttpMessage:
    protocol: str
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


def parse_http_response(block: bytes) -> HttpMessage:
    """Status line, headers (every value, bytes as stored) and body of a stored HTTP response."""
    end, sep = block.find(b"\r\n\r\n"), 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    head, body = (block, b"") if end < 0 else (block[:end], block[end + sep :])
    lines = head.split(b"\n")
    parts = lines[0].strip().split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP status line: {lines[0][:60]!r}")
    headers: list[tuple[bytes, bytes]] = []
    for raw in lines[1:]:
        line = raw.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and headers:  # obsolete folding
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
        elif b":" in line:
            name, _, value = line.partition(b":")
            headers.append((name.strip(), value.strip()))
    return HttpMessage(parts[0].decode("ascii"), int(parts[1]), parts[2] if len(parts) > 2 else b"", headers, body)


def dechunk(body: bytes) -> bytes:
    """Undo HTTP chunked framing; a body that is not actually chunked comes back unchanged."""
    return ChunkedDataReader(io.BytesIO(body)).read()
