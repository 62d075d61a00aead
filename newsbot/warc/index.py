"""In-memory index of WARC inputs: canonical URL -> captures, built in one pass, payloads left on disk.

Replay answers a request by its canonical URL, so raw and percent-encoded slugs, ``utm_*``
parameters and fragments all find the same capture. Revisit records are resolved to their
original by ``WARC-Refers-To``, else by ``WARC-Refers-To-Target-URI`` + ``-Date``, else by
payload digest.

The index is compact, because replay keeps it for the whole crawl: per capture only what
choosing one needs, in flat arrays (file, offset, length, date as a float, type, HTTP status,
and 64-bit hashes of the record id and payload digest), keyed by a 64-bit hash of the
canonical URL -- about 100 bytes a capture instead of ~1.4 KB of strings and objects. What
answering needs besides (target URI, record id, WARC-Date, IP address, revisit headers) is read
from the record's head when a capture is used (:class:`Capture` loads it lazily). Two URL keys
sharing a hash (odds ~1e-11 at 20k URLs) would share a slot: the replay handler checks the
record's ``WARC-Target-URI`` (:meth:`Capture.matches`) when it reads it.
"""

from __future__ import annotations

import io
import logging
import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

import fastwarc.warc as fastwarc

from newsbot.urls import canonical_url, is_site_url
from newsbot.warc.reader import ScanError, Source, find_sources, read_block, read_record, scan

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

_TYPES = ("response", "revisit", "resource")
_TYPE_CODE = {name: code for code, name in enumerate(_TYPES)}
_REVISIT = _TYPE_CODE["revisit"]
_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})")
_EPOCH = datetime.fromtimestamp(0, timezone.utc)
_MAX_OPEN = 32
#: index per-record .warc.gz files with FastWARC first (tests switch it off to compare with the tolerant scan)
FAST_SCAN = True


def url_key(url: str) -> str:
    """The lookup key of a URL: the site's canonical form for site URLs, else the URL without fragment."""
    url = url.strip().strip("<>")
    if is_site_url(url):
        try:
            return canonical_url(url)
        except UnicodeDecodeError:
            pass
    return url.split("#", 1)[0]


def _h(text: str | None) -> int:
    """A 64-bit hash of a string (0 for none); stable within the process, which is all an in-memory index needs."""
    return hash(text) or 1 if text else 0


def parse_time(value: str) -> datetime:
    """A WARC/CDX timestamp (``20151202103000``, 4 to 14 digits) or ISO 8601 (``2015-12-02T10:30:00Z``), as UTC."""
    text = value.strip()
    if text.isdigit() and 4 <= len(text) <= 14 and len(text) % 2 == 0:
        text = (text + "0101000000"[len(text) - 4 :])[:14]  # pad month/day to 01, time to 0
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a timestamp (want 14 digits like 20151202103000 or ISO 8601): {value!r}") from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


T = TypeVar("T")


class _HeadField(Generic[T]):
    """A field of a capture's record head (:meth:`Capture.use_head`), the head read on first use."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, capture: Capture | None, owner: type | None = None) -> T:
        if capture is None:
            return self  # type: ignore[return-value]  # looked up on the class (help(), introspection)
        return capture._get(self.name)  # type: ignore[no-any-return]


class Capture:
    """One response/revisit/resource record: where it sits and what replay needs to choose it.

    Made on demand from the index's arrays. The fields read from the record's WARC head
    (``url``, ``record_id``, ``warc_date``, ``ip``, ``payload_digest``, ``refers_to*``) are
    loaded on first use -- or given by :meth:`use_head` when the caller has read the record anyway.
    """

    __slots__ = ("_head", "_index", "length", "n", "offset", "seq", "source", "status", "ts", "record_type")

    def __init__(self, index: ArchiveIndex, n: int) -> None:
        self._index = index
        self.n = n
        self.source: Source = index.sources[index._src[n]]
        self.offset: int = index._off[n]
        self.length: int = index._len[n]
        self.ts: float = index._ts[n]
        self.record_type: str = _TYPES[index._type[n]]
        status = index._status[n]
        self.status: int | None = status if status >= 0 else None
        self.seq = n + 1  # input order; breaks ties between equal dates (later wins)
        self._head: dict[str, str | None] | None = None

    def __repr__(self) -> str:
        return f"<Capture {self.record_type} {self.source.name}@{self.offset}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Capture) and other._index is self._index and other.n == self.n

    def __hash__(self) -> int:
        return hash((id(self._index), self.n))

    @property
    def date(self) -> datetime:
        return datetime.fromtimestamp(self.ts, timezone.utc)

    # --- from the record's head ----------------------------------------------------

    def use_head(self, get: Callable[[str], str | None]) -> None:
        """Take the head fields from ``get`` (WARC header lookup of this capture's record, just read)."""
        self._head = {
            "url": (get("WARC-Target-URI") or "").strip().strip("<>"),
            "record_id": get("WARC-Record-ID") or "",
            "warc_date": get("WARC-Date") or "",
            "ip": get("WARC-IP-Address"),
            "payload_digest": get("WARC-Payload-Digest"),
            "refers_to": get("WARC-Refers-To"),
            "refers_to_uri": (get("WARC-Refers-To-Target-URI") or "").strip("<>") or None,
            "refers_to_date": get("WARC-Refers-To-Date"),
            "content_type": get("Content-Type"),
        }

    def _get(self, name: str) -> Any:
        if self._head is None:
            with self.source.open() as fh:  # not one of the index's kept handles: nobody may close those
                self.use_head(read_record(fh, self.offset, self.length).rec_headers.get_header)
        return self._head[name]  # type: ignore[index]

    url: _HeadField[str] = _HeadField()
    record_id: _HeadField[str] = _HeadField()
    warc_date: _HeadField[str] = _HeadField()
    ip: _HeadField[str | None] = _HeadField()
    payload_digest: _HeadField[str | None] = _HeadField()
    refers_to: _HeadField[str | None] = _HeadField()
    refers_to_uri: _HeadField[str | None] = _HeadField()
    refers_to_date: _HeadField[str | None] = _HeadField()
    content_type: _HeadField[str | None] = _HeadField()  # the record's own (WARC) Content-Type

    @property
    def has_head(self) -> bool:
        return self._head is not None

    def matches(self, key: str) -> bool:
        """Whether this capture's target URI has lookup key ``key`` (only two URLs sharing a hash differ)."""
        return url_key(self.url) == key


@dataclass
class BadSpot:
    source: Source
    offset: int
    message: str

    def __str__(self) -> str:
        return f"{self.source.name}: byte {self.offset}: {self.message}"


@dataclass
class ArchiveIndex:
    sources: list[Source] = field(default_factory=list)
    errors: list[BadSpot] = field(default_factory=list)
    records: int = 0  # records read, of every type
    #: hash of the URL key -> capture number, or a list of them (in input order): captures added since the
    #: last :meth:`compact`, which moves them into sorted arrays (16 bytes a URL instead of ~120 in a dict)
    by_url: dict[int, int | list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._src = array("I")
        self._off = array("q")
        self._len = array("q")
        self._ts = array("d")
        self._type = bytearray()
        self._status = array("h")
        self._rid = array("q")  # hash of WARC-Record-ID (0 for revisits: never an original)
        self._dig = array("q")  # hash of WARC-Payload-Digest, 0 when none
        self._by_id: dict[int, int] | None = None
        self._by_digest: dict[int, list[int]] | None = None
        self._files: dict[Source, IO[bytes]] = {}
        self._source_no: dict[Source, int] = {}
        # compacted URL map: sorted key hashes; per key a capture number, or -1 - i for _multi[i] (several captures)
        self._keys = array("q")
        self._first = array("q")
        self._multi: list[list[int]] = []

    @classmethod
    def build(cls, path: str) -> ArchiveIndex:
        index = cls(sources=find_sources(path))
        for source in list(index.sources):
            index.add_source(source)
        index.compact()
        return index

    def add_source(self, source: Source) -> None:
        if source not in self._source_no:
            if source not in self.sources:
                self.sources.append(source)
            self._source_no[source] = self.sources.index(source)
        number = self._source_no[source]
        try:
            fh = source.open()
        except OSError as exc:
            self._bad(BadSpot(source, 0, f"cannot open: {exc}"))
            return
        with fh:
            fast = _fast_scan(fh) if FAST_SCAN and source.name.endswith(".warc.gz") and source.member is None else None
            if fast is not None:
                self.records += len(fast.starts)
                for offset, length, hashed in fast:
                    self._add(number, offset, length, *hashed)
                return
            for item in scan(fh, _capture_fields):
                if isinstance(item, ScanError):
                    self._bad(BadSpot(source, item.offset, item.message))
                    continue
                self.records += 1
                if item.value is not None:
                    self._add(number, item.offset, item.length, *_hashed(*item.value))

    def _bad(self, spot: BadSpot) -> None:
        logger.error("replay: bad archive input: %s", spot)
        self.errors.append(spot)

    def _add(self, source: int, offset: int, length: int, key: int, ts: float, code: int, status: int,
             rid: int, digest: int) -> None:
        n = len(self._off)
        self._src.append(source)
        self._off.append(offset)
        self._len.append(length)
        self._ts.append(ts)
        self._type.append(code)
        self._status.append(status)
        self._rid.append(rid)
        self._dig.append(digest)
        self._by_id = self._by_digest = None  # rebuilt on the next revisit that needs them
        found = self.by_url.get(key)
        if found is None:
            self.by_url[key] = n
        elif isinstance(found, int):
            self.by_url[key] = [found, n]
        else:
            found.append(n)

    @property
    def captures(self) -> int:
        return len(self._off)

    @property
    def urls(self) -> int:
        """Distinct URL keys."""
        return len(self._keys) + sum(1 for key in self.by_url if self._compacted(key) is None)

    def url_map(self) -> dict[int, list[int]]:
        """Every URL key hash -> its capture numbers in input order (for checks; the index keeps it compact)."""
        result: dict[int, list[int]] = {}
        for key in [*self._keys, *self.by_url]:
            result[key] = self._numbers_of(key)
        return result

    def compact(self) -> None:
        """Move :attr:`by_url` into the sorted arrays (build calls this; lookups work either way)."""
        if not self.by_url:
            return
        merged = self.url_map()
        self._keys, self._first, self._multi = array("q"), array("q"), []
        for key in sorted(merged):
            numbers = merged[key]
            self._keys.append(key)
            if len(numbers) == 1:
                self._first.append(numbers[0])
            else:
                self._first.append(-1 - len(self._multi))
                self._multi.append(numbers)
        self.by_url = {}

    def _compacted(self, key: int) -> list[int] | None:
        i = bisect_left(self._keys, key)
        if i == len(self._keys) or self._keys[i] != key:
            return None
        first = self._first[i]
        return [first] if first >= 0 else self._multi[-1 - first]

    def _numbers_of(self, key: int) -> list[int]:
        numbers = list(self._compacted(key) or ())  # compacted captures came first in input order
        found = self.by_url.get(key)
        if found is not None:
            numbers += [found] if isinstance(found, int) else found
        return numbers

    def _numbers(self, key: str) -> list[int]:
        return self._numbers_of(_h(key))

    def lookup(self, url: str, at: datetime | None = None) -> list[Capture]:
        """Captures of ``url``, best first: newest, or nearest to ``at``."""
        return self.lookup_key(url_key(url), at)

    def lookup_key(self, key: str, at: datetime | None = None) -> list[Capture]:
        """:meth:`lookup` by the URL's :func:`url_key`, for a caller that has it already."""
        numbers = self._numbers(key)
        ts = self._ts
        if at is None:
            numbers.sort(key=lambda n: (ts[n], n), reverse=True)
        else:
            want = at.timestamp()
            numbers.sort(key=lambda n: (abs(ts[n] - want), -ts[n], -n))
        return [Capture(self, n) for n in numbers]

    def original_of(self, revisit: Capture) -> Capture | None:
        """The record whose payload a revisit stands for, or None when it is not in these inputs."""
        if self._by_id is None:
            self._build_maps()
        assert self._by_id is not None and self._by_digest is not None
        if revisit.refers_to:
            n = self._by_id.get(_h(revisit.refers_to))
            if n is not None:
                return Capture(self, n)
        digest = _h(revisit.payload_digest)
        if revisit.refers_to_uri:
            want = _safe_time(revisit.refers_to_date)
            for n in self._numbers(url_key(revisit.refers_to_uri)):
                if self._type[n] != _REVISIT and (want is None or self._ts[n] == want.timestamp()):
                    if not digest or not self._dig[n] or self._dig[n] == digest:
                        return Capture(self, n)
        if digest:
            same = self._by_digest.get(digest, [])
            earlier = [n for n in same if self._ts[n] <= revisit.ts] or same
            if earlier:
                # prefer the same URL, then the latest capture before the revisit
                mine = set(self._numbers(url_key(revisit.url)))
                return Capture(self, max(earlier, key=lambda n: (n in mine, self._ts[n], n)))
        return None

    def _build_maps(self) -> None:
        """record id -> capture and payload digest -> captures, of the non-revisit captures (only once a revisit asks)."""
        by_id: dict[int, int] = {}
        by_digest: dict[int, list[int]] = {}
        for n, code in enumerate(self._type):
            if code == _REVISIT:
                continue
            by_id[self._rid[n]] = n
            if self._dig[n]:
                by_digest.setdefault(self._dig[n], []).append(n)
        self._by_id, self._by_digest = by_id, by_digest

    def iter_captures(self) -> Iterable[Capture]:
        return (Capture(self, n) for n in range(self.captures))

    # --- reading records ---------------------------------------------------------

    def file(self, source: Source) -> IO[bytes]:
        """An open handle on ``source`` (a few kept open, least recently used closed first)."""
        fh = self._files.pop(source, None)
        if fh is None:
            fh = source.open()
            if len(self._files) >= _MAX_OPEN:
                self._files.pop(next(iter(self._files))).close()
        self._files[source] = fh  # most recently used last
        return fh

    def read(self, capture: Capture) -> bytes:
        """The capture's block (HTTP head and payload, as stored); the capture gets its WARC head fields."""
        get, block = read_block(self.file(capture.source), capture.offset, capture.length)
        capture.use_head(get)
        return block

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()


def _safe_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


class _Staged:
    """What :func:`_fast_scan` found, in flat arrays (hashes, not strings: a 20k-page file stages in ~2 MB)."""

    def __init__(self) -> None:
        self.starts = array("q")  # every record's offset
        self.size = 0
        self.numbers = array("q")  # which records are captures, and their fields:
        self.columns = (array("q"), array("d"), array("b"), array("h"), array("q"), array("q"))

    def add(self, number: int, fields: _Fields) -> None:
        self.numbers.append(number)
        for column, value in zip(self.columns, _hashed(*fields)):
            column.append(value)

    def __iter__(self) -> Iterator[tuple[int, int, tuple[int, float, int, int, int, int]]]:
        starts, size = self.starts, self.size
        for k, n in enumerate(self.numbers):
            end = starts[n + 1] if n + 1 < len(starts) else size
            yield starts[n], end - starts[n], tuple(column[k] for column in self.columns)  # type: ignore[misc]


def _fast_scan(fh: IO[bytes]) -> _Staged | None:
    """Every record of a per-record ``.warc.gz`` read with FastWARC (~5x faster than warcio), or None.

    FastWARC gives each record's start; a record ends where the next one starts. It raises on a
    bad gzip member or bytes between members; a file cut in its last record it does not notice, so
    the last record is scanned again with warcio's tolerant :func:`scan`, which must find exactly
    one whole record ending at the end of the file. Anything else (None) sends the file to the
    tolerant scan, which reports every bad spot.
    """
    staged = _Staged()
    starts = staged.starts
    last_fields: _Fields | None = None
    try:
        fh.seek(0)
        for record in fastwarc.ArchiveIterator(fh, parse_http=False, record_types=fastwarc.WarcRecordType.any_type):
            start = record.stream_pos
            if starts and start <= starts[-1]:
                return None
            if last_fields is not None:
                staged.add(len(starts) - 1, last_fields)
            starts.append(start)
            last_fields = _fast_fields(record)
    except Exception:  # noqa: BLE001 (any trouble: the tolerant scan says what it is)
        return None
    if not starts or starts[0] != 0:
        return None
    staged.size = size = fh.seek(0, io.SEEK_END)
    fh.seek(starts[-1])
    tail = fh.read(size - starts[-1])
    last = list(scan(io.BytesIO(tail), _capture_fields))
    if len(last) != 1 or isinstance(last[0], ScanError) or (last[0].offset, last[0].length) != (0, len(tail)):
        return None
    if last[0].value is not None:
        staged.add(len(starts) - 1, last[0].value)
    return staged


_FAST_TYPES = {int(getattr(fastwarc.WarcRecordType, name)): name for name in _TYPES}


def _fast_fields(record: fastwarc.WarcRecord) -> _Fields | None:
    """:func:`_capture_fields` of a FastWARC record."""
    rec_type = _FAST_TYPES.get(int(record.record_type))
    if rec_type is None:
        return None
    h = record.headers
    url = (h.get("WARC-Target-URI") or "").strip().strip("<>")
    if not url or url.startswith(("urn:", "dns:", "metadata:", "screenshot:", "text:")):
        return None
    status = -1
    if url.startswith(("http:", "https:")) and rec_type != "resource":
        m = _STATUS.match(record.reader.read(64).split(b"\n", 1)[0])
        status = int(m.group(1)) if m else -1
        if rec_type == "response" and status < 0:
            return None
    date = _safe_time(h.get("WARC-Date")) or _EPOCH
    return url_key(url), date.timestamp(), _TYPE_CODE[rec_type], status, h.get("WARC-Record-ID") or "", h.get("WARC-Payload-Digest")


_Fields = tuple[str, float, int, int, str, "str | None"]


def _hashed(key: str, ts: float, code: int, status: int, record_id: str, digest: str | None) -> tuple[int, float, int, int, int, int]:
    """The index's form of a capture's fields: strings as 64-bit hashes (no record id for a revisit: never an original)."""
    return _h(key), ts, code, status, 0 if code == _REVISIT else _h(record_id), _h(digest)


def _capture_fields(record: ArcWarcRecord) -> _Fields | None:
    """What the index keeps of one record (read while the record is live; the payload is skipped)."""
    rec_type = record.rec_type
    code = _TYPE_CODE.get(rec_type)
    if code is None:
        return None
    h = record.rec_headers
    url = (h.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not url or url.startswith(("urn:", "dns:", "metadata:", "screenshot:", "text:")):
        return None
    status = -1
    if url.startswith(("http:", "https:")) and rec_type != "resource":
        m = _STATUS.match(record.raw_stream.readline(64))
        status = int(m.group(1)) if m else -1
        if rec_type == "response" and status < 0:
            return None  # not an HTTP response (e.g. a response record of another protocol)
    date = _safe_time(h.get_header("WARC-Date")) or _EPOCH
    return url_key(url), date.timestamp(), code, status, h.get_header("WARC-Record-ID") or "", h.get_header("WARC-Payload-Digest")

