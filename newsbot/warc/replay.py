"""WarcReplayHandler: the http/https download handler of replay mode -- answers from WARC, never the network.

Enabled by :class:`newsbot.warc.addon.ReplayAddon` when ``NEWSBOT_REPLAY`` is set. At start it
indexes the archive (one pass, see :mod:`newsbot.warc.index`); each request is answered with
the stored status, headers and body (still compressed when the server compressed it, so
Scrapy's own middlewares decode it as in a live crawl). A request the archive cannot answer
raises ``IgnoreRequest``, is counted (``newsbot/replay/miss``) and listed in
``replay_misses.jsonl`` of the job folder; ``replay.json`` says what was replayed.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections import OrderedDict
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from newsbot.job import Job
from newsbot.warc.index import ArchiveIndex, Capture, parse_time, url_key
from newsbot.warc.reader import HttpMessage, NotAnArchive, dechunk, parse_http_response, read_record

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from newsbot.warc.reader import Source

logger = logging.getLogger(__name__)

_MAX_OPEN_FILES = 32
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
            raise NotConfigured("NEWSBOT_REPLAY is not set")
        at = settings.get("NEWSBOT_REPLAY_AT")
        check_replay_arguments(self.path, at)
        self.at: datetime | None = parse_time(at) if at else None
        self.stats = crawler.stats
        started = datetime.now(timezone.utc)
        self.index = ArchiveIndex.build(self.path)
        self.index_seconds = (datetime.now(timezone.utc) - started).total_seconds()
        self._files: OrderedDict[Source, IO[bytes]] = OrderedDict()
        self._misses: IO[str] | None = None
        self.stats.set_value("newsbot/replay/index/records", self.index.records)
        self.stats.set_value("newsbot/replay/index/captures", self.index.captures)
        self.stats.set_value("newsbot/replay/index/bad_records", len(self.index.errors))
        logger.info(
            "replay: indexed %(records)d records (%(captures)d captures of %(urls)d URLs) from %(files)d WARC files in %(secs).2fs",
            {"records": self.index.records, "captures": self.index.captures, "urls": len(self.index.by_url),
             "files": len(self.index.sources), "secs": self.index_seconds},
        )
        self._write_report(finished=False)

    # --- answering -------------------------------------------------------------

    async def download_request(self, request: Request) -> Response:
        for capture in self.index.lookup(request.url, self.at):
            response = self._respond(request, capture)
            if response is not None:
                self.stats.inc_value("newsbot/replay/hit")
                return response
        if url_key(request.url).endswith("/robots.txt"):
            # No robots.txt in the archive: answer 404 (= no rules), as the site would, and go on.
            self.stats.inc_value("newsbot/replay/robots_missing")
            return responsetypes.from_args(url=request.url, body=_NO_ROBOTS)(
                url=request.url, status=404, body=b"", request=request, flags=["replay"]
            )
        self._miss(request)
        raise IgnoreRequest(f"not in the replayed archive: {request.url}")

    def _respond(self, request: Request, capture: Capture) -> Response | None:
        payload_from = capture
        if capture.record_type == "revisit":
            original = self.index.original_of(capture)
            if original is None:
                logger.warning("replay: revisit %s of %s: original not in the archive", capture.record_id, capture.url)
                self.stats.inc_value("newsbot/replay/revisit_unresolved")
                return None
            payload_from = original
            self.stats.inc_value("newsbot/replay/revisit")
        try:
            message = _as_served(self._message(capture, payload_from), self.stats)
        except (OSError, ValueError, StopIteration) as exc:
            logger.error("replay: %s: byte %d: cannot read %s: %s", capture.source.name, capture.offset, capture.url, exc)
            self.stats.inc_value("newsbot/replay/read_error")
            return None
        request.meta["newsbot_warc"] = {
            "warc_file": capture.source.name,
            "warc_record_id": capture.record_id,
            "warc_offset": capture.offset,
        }
        request.meta["newsbot_fetched_at"] = capture.date.isoformat(timespec="seconds")
        headers = Headers(message.headers)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=message.body)
        return respcls(
            url=request.url,
            status=message.status,
            headers=headers,
            body=message.body,
            request=request,
            flags=["replay"],
            protocol=message.protocol,
            ip_address=self._ip(capture),
        )

    def _message(self, capture: Capture, payload_from: Capture) -> HttpMessage:
        own = self._read(capture)
        if payload_from is capture:
            return own
        original = self._read(payload_from)
        # A revisit keeps its own status and headers (they describe the original payload);
        # a 304 revisit or one without HTTP headers takes the original's.
        if own.status == 0 or own.status == 304:
            return original
        own.body = original.body
        if b"transfer-encoding" not in {n.lower() for n, _ in original.headers}:
            # the original's body was stored de-chunked: the revisit's copy of the header must go too
            own.headers = [(n, v) for n, v in own.headers if n.lower() != b"transfer-encoding"]
        return own

    def _read(self, capture: Capture) -> HttpMessage:
        record = read_record(self._file(capture.source), capture.offset, capture.length)
        block = record.raw_stream.read()
        if capture.record_type == "resource" or not capture.url.startswith(("http:", "https:")):
            ctype = (record.rec_headers.get_header("Content-Type") or "application/octet-stream").encode("latin-1")
            return HttpMessage("HTTP/1.1", 200, b"OK", [(b"Content-Type", ctype)], block)
        if not block:
            return HttpMessage("HTTP/1.1", 0, b"", [], b"")  # revisit without HTTP headers
        return parse_http_response(block)

    def _file(self, source: Source) -> IO[bytes]:
        fh = self._files.get(source)
        if fh is None:
            fh = self._files[source] = source.open()
            if len(self._files) > _MAX_OPEN_FILES:
                self._files.popitem(last=False)[1].close()
        else:
            self._files.move_to_end(source)
        return fh

    @staticmethod
    def _ip(capture: Capture) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(capture.ip) if capture.ip else None
        except ValueError:
            return None

    # --- misses and the job folder ---------------------------------------------

    def _miss(self, request: Request) -> None:
        self.stats.inc_value("newsbot/replay/miss")
        logger.warning("replay: not in the archive, not fetched: %s", request.url)
        if self._misses is None:
            self._misses = open(Job.of(self.crawler).path("replay_misses.jsonl"), "a", encoding="utf-8")
        referer = request.headers.get("Referer")
        line = {"url": request.url, "key": url_key(request.url), "method": request.method,
                "referer": referer.decode("latin-1") if referer else None}
        self._misses.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._misses.flush()

    def _write_report(self, finished: bool) -> None:
        stats = self.stats.get_stats()
        report = {
            "replay": self.path,
            "replay_at": self.crawler.settings.get("NEWSBOT_REPLAY_AT"),
            "replay_at_utc": self.at.isoformat() if self.at else None,
            "warc_files": [s.name for s in self.index.sources],
            "index": {"records": self.index.records, "captures": self.index.captures,
                      "urls": len(self.index.by_url), "seconds": round(self.index_seconds, 3)},
            "bad_records": [{"warc_file": e.source.name, "offset": e.offset, "error": e.message} for e in self.index.errors],
            "finished": finished,
            "counts": {k.rsplit("/", 1)[-1]: v for k, v in stats.items()
                       if k.startswith("newsbot/replay/") and not k.startswith("newsbot/replay/index/")},
        }
        path = Job.of(self.crawler).path("replay.json")
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    async def close(self) -> None:
        self._write_report(finished=True)
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        if self._misses is not None:
            self._misses.close()
            self._misses = None


def _as_served(message: HttpMessage, stats: Any) -> HttpMessage:
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
