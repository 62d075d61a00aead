"""WarcReplayHandler: the http/https download handler of replay mode -- answers from WARC, never the network.

Enabled by :class:`newsbot.warc.addon.ReplayAddon` when ``NEWSBOT_REPLAY`` is set. At start it
indexes the archive (one pass, see :mod:`newsbot.warc.index`); each request is answered with
the stored status, headers and body (still compressed when the server compressed it, so
Scrapy's own middlewares decode it as in a live crawl). A request the archive cannot answer
raises ``IgnoreRequest``, is counted (``newsbot/replay/miss``) and listed in
``replay_misses.jsonl`` of the job folder; ``replay.json`` says what was replayed.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from newsbot.job import Job
from newsbot.meta import FETCHED_AT as FETCHED_AT_META
from newsbot.meta import PROVENANCE as PROVENANCE_META
from newsbot.warc.index import ArchiveIndex, Capture, parse_time, url_key
from newsbot.warc.reader import HttpMessage, NotAnArchive, dechunk, parse_http_response

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


logger = logging.getLogger(__name__)

_NO_ROBOTS = b"User-agent: *\nAllow: /\n"


class ReplayConfigError(ValueError):
    """``NEWSBOT_REPLAY`` / ``NEWSBOT_REPLAY_AT`` cannot be used; the message names the value."""


def check_replay_arguments(replay: str | None, replay_at: str | None) -> None:
    """Raise :class:`ReplayConfigError` for a replay path that holds no archive or a bad timestamp."""
    from newsbot.warc.reader import find_sources

    if replay_at and not replay:
        raise ReplayConfigError(f"replay_at: given without replay: {replay_at}")
    if replay_at:
        try:
            parse_time(replay_at)
        except ValueError as exc:
            raise ReplayConfigError(f"replay_at: {exc}") from None
    if replay:
        try:
            find_sources(replay)
        except NotAnArchive as exc:
            raise ReplayConfigError(f"replay: {exc}") from None


class WarcReplayHandler(BaseDownloadHandler):
    lazy = False  # index at start, so a bad archive shows before the first request

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.path: str | None = settings.get("NEWSBOT_REPLAY")
        if not self.path:
            raise NotConfigured  # quietly off: NEWSBOT_REPLAY is not set
        self.stats = crawler.stats
        shared = getattr(crawler, _SHARED, None)
        if shared is None:  # http and https get one handler each; they share one index
            shared = _Shared(crawler, self.path, settings.get("NEWSBOT_REPLAY_AT"))
            setattr(crawler, _SHARED, shared)
        shared.users += 1
        self._shared = shared
        self.index = shared.index
        self.at = shared.at

    # --- answering -------------------------------------------------------------

    async def download_request(self, request: Request) -> Response:
        key = url_key(request.url)
        for capture in self.index.lookup_key(key, self.at):
            response = self._respond(request, capture, key)
            if response is not None:
                self.stats.inc_value("newsbot/replay/hit")
                return response
        if key.endswith("/robots.txt"):
            # No robots.txt in the archive: answer 404 (= no rules), as the site would, and go on.
            self.stats.inc_value("newsbot/replay/robots_missing")
            return responsetypes.from_args(url=request.url, body=_NO_ROBOTS)(
                url=request.url, status=404, body=b"", request=request, flags=["replay"]
            )
        self._miss(request, key)
        raise IgnoreRequest(f"not in the replayed archive: {request.url}")

    def _respond(self, request: Request, capture: Capture, key: str) -> Response | None:
        try:
            message = self._read(capture)  # also gives the capture its WARC head (id, date, IP, revisit fields)
        except (OSError, ValueError, StopIteration) as exc:
            return self._read_error(capture, exc)
        if capture.url != request.url and not capture.matches(key):
            return None  # another URL whose key shares the index's 64-bit hash
        if capture.record_type == "revisit":
            original = self.index.original_of(capture)
            if original is None:
                logger.warning("replay: revisit %s of %s: original not in the archive", capture.record_id, capture.url)
                self.stats.inc_value("newsbot/replay/revisit_unresolved")
                return None
            self.stats.inc_value("newsbot/replay/revisit")
            try:
                message = revisited(message, self._read(original))
            except (OSError, ValueError, StopIteration) as exc:
                return self._read_error(original, exc)
        message = as_served(message, self.stats)
        fetched_at = capture.date.isoformat(timespec="seconds")
        return stored_response(request, capture, message, fetched_at, flag="replay", ip_address=self._ip(capture))

    def _read_error(self, capture: Capture, exc: Exception) -> None:
        logger.error("replay: %s: byte %d: cannot read %s: %s", capture.source.name, capture.offset,
                     capture.url if capture.has_head else "the record", exc)
        self.stats.inc_value("newsbot/replay/read_error")

    def _read(self, capture: Capture) -> HttpMessage:
        block = self.index.read(capture)
        if capture.record_type == "resource" or not capture.url.startswith(("http:", "https:")):
            ctype = (capture.content_type or "application/octet-stream").encode("latin-1")
            return HttpMessage("HTTP/1.1", 200, b"OK", [(b"Content-Type", ctype)], block)
        if not block:
            return HttpMessage("HTTP/1.1", 0, b"", [], b"")  # revisit without HTTP headers
        return parse_http_response(block)

    @staticmethod
    def _ip(capture: Capture) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        return _ip_address(capture.ip) if capture.ip else None

    # --- misses and the job folder ---------------------------------------------

    def _miss(self, request: Request, key: str) -> None:
        self.stats.inc_value("newsbot/replay/miss")
        logger.warning("replay: not in the archive, not fetched: %s", request.url)
        referer = request.headers.get("Referer")
        self._shared.write_miss({"url": request.url, "key": key, "method": request.method,
                                 "referer": referer.decode("latin-1") if referer else None})

    async def close(self) -> None:
        self._shared.users -= 1
        if self._shared.users == 0:
            self._shared.close()


_SHARED = "_newsbot_replay"


class _Shared:
    """What the http and https handler instances of one crawl share: the index, open files, the job-folder files."""

    def __init__(self, crawler: Crawler, path: str, at: str | None) -> None:
        check_replay_arguments(path, at)
        self.crawler, self.path, self.at_text = crawler, path, at
        self.at: datetime | None = parse_time(at) if at else None
        self.users = 0
        started = time.monotonic()
        self.index = ArchiveIndex.build(path)
        self.index_seconds = time.monotonic() - started
        self._misses: IO[str] | None = None
        stats = crawler.stats
        stats.set_value("newsbot/replay/index/records", self.index.records)
        stats.set_value("newsbot/replay/index/captures", self.index.captures)
        stats.set_value("newsbot/replay/index/bad_records", len(self.index.errors))
        logger.info(
            "replay: indexed %(records)d records (%(captures)d captures of %(urls)d URLs) from %(files)d WARC files in %(secs).2fs",
            {"records": self.index.records, "captures": self.index.captures, "urls": self.index.urls,
             "files": len(self.index.sources), "secs": self.index_seconds},
        )
        self.write_report(finished=False)

    def write_miss(self, line: dict[str, Any]) -> None:
        if self._misses is None:
            self._misses = open(Job.of(self.crawler).path("replay_misses.jsonl"), "a", encoding="utf-8")
        self._misses.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._misses.flush()

    def write_report(self, finished: bool) -> None:
        stats = self.crawler.stats.get_stats()
        report = {
            "replay": self.path,
            "replay_path": str(Path(self.path).resolve()),
            "replay_at": self.at_text,
            "replay_at_utc": self.at.isoformat() if self.at else None,
            "warc_files": [s.name for s in self.index.sources],
            "index": {"records": self.index.records, "captures": self.index.captures,
                      "urls": self.index.urls, "seconds": round(self.index_seconds, 3)},
            "bad_records": [{"warc_file": e.source.name, "offset": e.offset, "error": e.message} for e in self.index.errors],
            "finished": finished,
            "counts": {k.removeprefix("newsbot/replay/"): v for k, v in stats.items()
                       if k.startswith("newsbot/replay/") and not k.startswith("newsbot/replay/index/")},
        }
        path = Job.of(self.crawler).path("replay.json")
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def close(self) -> None:
        self.write_report(finished=True)
        self.index.close()
        if self._misses is not None:
            self._misses.close()
            self._misses = None


@functools.lru_cache(maxsize=256)
def _ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The parsed WARC-IP-Address (an archive holds a few distinct ones), None when it is not an address."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def revisited(own: HttpMessage, original: HttpMessage) -> HttpMessage:
    """The message a revisit record stands for: its own status and headers over the original's payload.

    A 304 revisit, or one without HTTP headers (status 0), takes the original's message whole.
    """
    if own.status == 0 or own.status == 304:
        return original
    own.body = original.body
    if b"transfer-encoding" not in {n.lower() for n, _ in original.headers}:
        # the original's body was stored de-chunked: the revisit's copy of the header must go too
        own.headers = [(n, v) for n, v in own.headers if n.lower() != b"transfer-encoding"]
    return own


def stored_response(request: Request, capture: Capture, message: HttpMessage, fetched_at: str | None, *,
                    flag: str, ip_address: Any = None) -> Response:
    """A Scrapy response for ``request`` from an archived message; the item will trace to ``capture``."""
    request.meta[PROVENANCE_META] = {
        "warc_file": capture.source.name,
        "warc_record_id": capture.record_id,
        "warc_offset": capture.offset,
    }
    request.meta[FETCHED_AT_META] = fetched_at
    headers = Headers(message.headers)
    respcls = responsetypes.from_args(headers=headers, url=request.url, body=message.body)
    return respcls(url=request.url, status=message.status, headers=headers, body=message.body, request=request,
                   flags=[flag], protocol=message.protocol, ip_address=ip_address)


def as_served(message: HttpMessage, stats: Any) -> HttpMessage:
    """Make the stored headers describe the body Scrapy gets: no chunked framing left, honest encoding."""
    names = {name.lower() for name, _ in message.headers}
    if b"transfer-encoding" in names:
        te = b",".join(v for n, v in message.headers if n.lower() == b"transfer-encoding").lower()
        if b"chunked" in te:
            message.body = dechunk(message.body)
            message.headers = [(n, v) for n, v in message.headers if n.lower() not in (b"transfer-encoding", b"content-length")]
            message.headers.append((b"Content-Length", str(len(message.body)).encode()))
    encoding = b",".join(v for n, v in message.headers if n.lower() == b"content-encoding").strip().lower()
    if encoding in (b"gzip", b"x-gzip") and message.body and not message.body.startswith(b"\x1f\x8b"):
        # Some tools store the decoded body under the original header; decoding again would fail.
        stats.inc_value("newsbot/replay/encoding_mismatch")
        message.headers = [(n, v) for n, v in message.headers if n.lower() != b"content-encoding"]
    return message
