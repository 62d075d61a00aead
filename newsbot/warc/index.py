"""In-memory index of WARC inputs: canonical URL -> captures, built in one pass, payloads left on disk.

Replay answers a request by its canonical URL, so raw and percent-encoded slugs, ``utm_*``
parameters and fragments all find the same capture. Revisit records are resolved to their
original by ``WARC-Refers-To``, else by ``WARC-Refers-To-Target-URI`` + ``-Date``, else by
payload digest.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from newsbot.urls import canonical_url, is_site_url
from newsbot.warc.reader import ScanError, Source, find_sources, scan

if TYPE_CHECKING:
    from collections.abc import Iterable

    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

_INDEXED_TYPES = frozenset({"response", "revisit", "resource"})
_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})")


def url_key(url: str) -> str:
    """The lookup key of a URL: the site's canonical form for site URLs, else the URL without fragment."""
    url = url.strip().strip("<>")
    if is_site_url(url):
        try:
            return canonical_url(url)
        except UnicodeDecodeError:
            pass
    return url.split("#", 1)[0]


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


@dataclass(slots=True)
class Capture:
    """Where one response/revisit/resource record sits, and what replay needs to choose it."""

    source: Source
    offset: int
    length: int
    date: datetime
    warc_date: str
    record_type: str
    record_id: str
    url: str
    status: int | None
    payload_digest: str | None
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    ip: str | None = None
    seq: int = 0  # input order; breaks ties between equal dates (later wins)


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
    by_url: dict[str, list[Capture]] = field(default_factory=dict)
    by_id: dict[str, Capture] = field(default_factory=dict)
    by_digest: dict[str, list[Capture]] = field(default_factory=dict)
    errors: list[BadSpot] = field(default_factory=list)
    records: int = 0  # records read, of every type

    @classmethod
    def build(cls, path: str) -> ArchiveIndex:
        index = cls(sources=find_sources(path))
        for source in index.sources:
            index.add_source(source)
        return index

    def add_source(self, source: Source) -> None:
        try:
            fh = source.open()
        except OSError as exc:
            self._bad(BadSpot(source, 0, f"cannot open: {exc}"))
            return
        with fh:
            for item in scan(fh, _capture_fields):
                if isinstance(item, ScanError):
                    self._bad(BadSpot(source, item.offset, item.message))
                    continue
                self.records += 1
                if item.value is not None:
                    self._add(Capture(source, item.offset, item.length, seq=self.records, **item.value))

    def _bad(self, spot: BadSpot) -> None:
        logger.error("replay: bad archive input: %s", spot)
        self.errors.append(spot)

    def _add(self, capture: Capture) -> None:
        self.by_url.setdefault(url_key(capture.url), []).append(capture)
        if capture.record_type != "revisit":
            self.by_id[capture.record_id] = capture
            if capture.payload_digest:
                self.by_digest.setdefault(capture.payload_digest, []).append(capture)

    @property
    def captures(self) -> int:
        return sum(len(c) for c in self.by_url.values())

    def lookup(self, url: str, at: datetime | None = None) -> list[Capture]:
        """Captures of ``url``, best first: newest, or nearest to ``at``."""
        captures = self.by_url.get(url_key(url), [])
        if at is None:
            return sorted(captures, key=lambda c: (c.date, c.seq), reverse=True)
        return sorted(captures, key=lambda c: (abs((c.date - at).total_seconds()), -c.date.timestamp(), -c.seq))

    def original_of(self, revisit: Capture) -> Capture | None:
        """The record whose payload a revisit stands for, or None when it is not in these inputs."""
        if revisit.refers_to and revisit.refers_to in self.by_id:
            return self.by_id[revisit.refers_to]
        if revisit.refers_to_uri:
            want = _safe_time(revisit.refers_to_date)
            for c in self.by_url.get(url_key(revisit.refers_to_uri), []):
                if c.record_type != "revisit" and (want is None or c.date == want):
                    if not revisit.payload_digest or not c.payload_digest or c.payload_digest == revisit.payload_digest:
                        return c
        if revisit.payload_digest:
            same = self.by_digest.get(revisit.payload_digest, [])
            earlier = [c for c in same if c.date <= revisit.date] or same
            if earlier:
                # prefer the same URL, then the latest capture before the revisit
                return max(earlier, key=lambda c: (url_key(c.url) == url_key(revisit.url), c.date, c.seq))
        return None

    def iter_captures(self) -> Iterable[Capture]:
        for captures in self.by_url.values():
            yield from captures


def _safe_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def _capture_fields(record: ArcWarcRecord) -> dict[str, object] | None:
    """What the index keeps of one record (read while the record is live; the payload is skipped)."""
    rec_type = record.rec_type
    if rec_type not in _INDEXED_TYPES:
        return None
    h = record.rec_headers
    url = (h.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not url or url.startswith(("urn:", "dns:", "metadata:", "screenshot:", "text:")):
        return None
    status = None
    if url.startswith(("http:", "https:")) and rec_type != "resource":
        m = _STATUS.match(record.raw_stream.readline(64))
        status = int(m.group(1)) if m else None
        if rec_type == "response" and status is None:
            return None  # not an HTTP response (e.g. a response record of another protocol)
    warc_date = h.get_header("WARC-Date") or ""
    date = _safe_time(warc_date) or datetime.fromtimestamp(0, timezone.utc)
    return {
        "date": date,
        "warc_date": warc_date,
        "record_type": rec_type,
        "record_id": h.get_header("WARC-Record-ID") or "",
        "url": url,
        "status": status,
        "payload_digest": h.get_header("WARC-Payload-Digest"),
        "refers_to": h.get_header("WARC-Refers-To"),
        "refers_to_uri": (h.get_header("WARC-Refers-To-Target-URI") or "").strip("<>") or None,
        "refers_to_date": h.get_header("WARC-Refers-To-Date"),
        "ip": h.get_header("WARC-IP-Address"),
    }
