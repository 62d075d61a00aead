"""RotatingWarcWriter: one open ``.warc.gz`` at a time per crawl, warcinfo first, rotated by size.

Files are ``<prefix>-<job id>-<serial:05d>.warc.gz`` in the job folder; a resumed job continues
after the highest serial already there and never overwrites a file. Every record is its own
gzip member (so any record can be read from its offset) at a configurable level (warcio's own
writer is fixed at 9; 6 measured 6-13% cheaper for +0.1% bytes: benchmarks/warc_gzip_levels.py),
deflated by zlib-ng (the same gzip format, 2.5x less CPU than zlib at level 6 for +1.5% bytes on
the synthetic article pages: 0.19 vs 0.47 ms a page; stdlib zlib when it is missing). A response
whose payload is compressed already (``Content-Encoding: gzip`` and the like, JPEG, video...) goes
into a *stored* gzip member (level 0): deflating gzip again gains nothing, and on 55 KB gzip-sent
article pages level 0 costs 0.02 ms a record for +0.3% bytes against 0.20 ms at level 6
(``python -m benchmarks.warc_gzip_levels``). A batch
of records (a request/response pair) is written with one ``write`` and flushed, so a crawl
killed with SIGKILL leaves every earlier record complete and readable.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from warcio.warcwriter import WARCWriter

from newsbot.warc.records import FastDigests

try:
    from zlib_ng import zlib_ng as deflate
except ImportError:  # pragma: no cover (zlib-ng is a pinned dependency)
    deflate = zlib

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord

#: bytes a record's WARC and HTTP heads add at most, on top of its payload (rotation estimate)
_HEAD_ALLOWANCE = 4096
FILE_MODE = 0o644


class _GzipMember:
    """One gzip member per record (warcio's own wrapper is fixed at level 9)."""

    def __init__(self, out: BytesIO, level: int) -> None:
        self._out = out
        self._compressor = deflate.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self._out.write(self._compressor.compress(data))

    def flush(self) -> None:
        self._out.write(self._compressor.flush())


#: media types whose bytes are compressed already (as prefixes of Content-Type)
_COMPRESSED_TYPES = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif",
    "video/", "audio/", "font/woff", "application/zip", "application/gzip", "application/x-gzip",
)


def payload_is_compressed(record: ArcWarcRecord) -> bool:
    """Whether the record's HTTP payload is compressed already, so deflating it again is wasted CPU."""
    http = record.http_headers
    if http is None or record.rec_type != "response":
        return False
    coding = (http.get_header("Content-Encoding") or "").strip().lower()
    if coding and coding != "identity":
        return True
    return (http.get_header("Content-Type") or "").strip().lower().startswith(_COMPRESSED_TYPES)


class _RecordSerializer(FastDigests, WARCWriter):
    """warcio's record writing (digests, Content-Length, layout), into bytes."""

    def __init__(self, gzip_level: int) -> None:
        super().__init__(None, gzip=False, warc_version="WARC/1.1")
        self.gzip_level = gzip_level

    def to_bytes(self, record: ArcWarcRecord) -> bytes:
        buf = BytesIO()
        out: Any = buf
        if self.gzip_level:
            out = _GzipMember(buf, 0 if payload_is_compressed(record) else self.gzip_level)
        self._write_warc_record(out, record)
        return buf.getvalue()


@dataclass(frozen=True)
class Written:
    """Where a record landed."""

    file: str
    offset: int
    length: int


class RotatingWarcWriter:
    def __init__(
        self,
        directory: Path,
        prefix: str,
        job_id: str,
        max_bytes: int,
        gzip_level: int,
        make_warcinfo: Callable[[str], ArcWarcRecord],
    ) -> None:
        if not 0 <= gzip_level <= 9:
            raise ValueError(f"gzip level must be 0-9, got {gzip_level!r}")
        if max_bytes <= 0:
            raise ValueError(f"max bytes must be positive, got {max_bytes!r}")
        self.directory = directory
        self.prefix = prefix
        self.job_id = job_id
        self.max_bytes = max_bytes
        self.suffix = ".warc.gz" if gzip_level else ".warc"
        self._serializer = _RecordSerializer(gzip_level)
        self._make_warcinfo = make_warcinfo
        self._file: Any = None
        self._name = ""
        self._size = 0
        self._records_in_file = 0
        self._warcinfo_id = ""
        self._serial = self._last_serial()
        self.files: list[str] = []

    def _last_serial(self) -> int:
        pattern = re.compile(re.escape(f"{self.prefix}-{self.job_id}-") + r"(\d{5})" + re.escape(self.suffix) + "$")
        serials = [int(m.group(1)) for p in self.directory.glob("*") if (m := pattern.match(p.name))]
        return max(serials, default=0)

    @property
    def current_file(self) -> str:
        return self._name

    def write(self, records: list[ArcWarcRecord]) -> list[Written]:
        """Write ``records`` together (one file, one write, flushed); return where each one is."""
        estimate = sum((r.length or 0) + _HEAD_ALLOWANCE for r in records)
        if self._file is None or (self._records_in_file and self._size + estimate > self.max_bytes):
            self._rotate()
        return self._write_now(records)

    def _write_now(self, records: list[ArcWarcRecord]) -> list[Written]:
        chunks, placed = [], []
        offset = self._size
        for record in records:
            if record.rec_type != "warcinfo":
                record.rec_headers.replace_header("WARC-Warcinfo-ID", self._warcinfo_id)
            data = self._serializer.to_bytes(record)
            chunks.append(data)
            placed.append(Written(self._name, offset, len(data)))
            offset += len(data)
        self._file.write(b"".join(chunks))
        self._file.flush()
        self._size = offset
        self._records_in_file += len(records)
        return placed

    def _rotate(self) -> None:
        self.close()
        self._serial += 1
        self._name = f"{self.prefix}-{self.job_id}-{self._serial:05d}{self.suffix}"
        path = self.directory / self._name
        self._file = open(path, "xb")  # noqa: SIM115 (kept open for the crawl)
        os.chmod(path, FILE_MODE)
        self._size = 0
        self._records_in_file = 0
        self.files.append(self._name)
        warcinfo = self._make_warcinfo(self._name)
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._write_now([warcinfo])
        self._records_in_file = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
