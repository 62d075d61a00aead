"""BodyCheckMiddleware: retry a response whose gzip body is cut short, or whose body is empty.

Scrapy's ``gunzip`` returns "as much data as possible" from a truncated or corrupt gzip body,
so a connection cut inside the gzip stream (with a Content-Length matching what was sent)
would become a silently shortened article. This middleware (priority 595: after the raw
response is archived at ~950, before HttpCompressionMiddleware at 590 decodes it) checks that
every gzip body decodes to its end; otherwise it asks RetryMiddleware's helper for a retry and,
when retries are exhausted, drops the response with :class:`IncompleteBody` (the spider's
errback records it). A body that is one whole gzip member is inflated once, by
:func:`~newsbot.downloadermiddlewares.compression.inflate_member`, whose answer the decoding
reuses; anything else is checked member by member, keeping nothing. A 200 response with an
empty body is retried too (servers under load send them); when retries are exhausted it is
passed on, and the spider records why it could not use it. robots.txt may legitimately be
empty and is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from zlib_ng import zlib_ng as zlib  # same API as the stdlib's; inflates a 55 KB page in half the time

from newsbot.downloadermiddlewares.compression import inflate_member
from newsbot.downloadermiddlewares.failures import is_robots_txt, record_unhandled

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

_CHUNK = 1 << 16


class IncompleteBody(IgnoreRequest):
    """Raised by :class:`BodyCheckMiddleware` when a body stayed truncated or corrupt after all retries."""


def gzip_problem(body: bytes) -> str | None:
    """Why ``body`` is not one or more complete gzip members, or None. Decodes in chunks, keeps nothing."""
    data = body
    while data:
        decoder = zlib.decompressobj(wbits=31)
        try:
            decoder.decompress(data, _CHUNK)
            while decoder.unconsumed_tail and not decoder.eof:
                decoder.decompress(decoder.unconsumed_tail, _CHUNK)
        except zlib.error as exc:
            return f"corrupt gzip data ({exc})"
        if not decoder.eof:
            return f"gzip stream ends early ({len(body)} bytes received)"
        data = decoder.unused_data.lstrip(b"\x00")
    return None


def is_empty(body: bytes, gzipped: bool) -> bool:
    """An empty body, or a (complete) gzip body that decodes to nothing."""
    if not body:
        return True
    return gzipped and zlib.decompressobj(wbits=31).decompress(body, 1) == b""


class BodyCheckMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_BODY_CHECK_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_BODY_CHECK_ENABLED is off
        self.retry_empty = settings.getbool("NEWSBOT_RETRY_EMPTY_BODY", True)
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE")  # as the decoding middleware reads it
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BodyCheckMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.method == "HEAD" or request.meta.get("dont_retry"):
            return response
        encodings = b",".join(response.headers.getlist(b"Content-Encoding")).lower()
        gzipped = b"gzip" in encodings
        if response.body and gzipped:
            whole = inflate_member(response.body, request.meta.get("download_maxsize", self.max_size))
            problem = None if whole is not None else gzip_problem(response.body)
            if problem:
                self.crawler.stats.inc_value("newsbot/body_check/bad_gzip")
                retry = self._retry(request, "truncated or corrupt gzip body")
                if retry is not None:
                    return retry
                message = f"{problem} after {request.meta.get('retry_times', 0) + 1} attempts: {response.url}"
                record_unhandled(self.crawler, request, f"IncompleteBody: {message}", response.status)
                raise IncompleteBody(message)
        if self.retry_empty and response.status == 200 and is_empty(response.body, gzipped) and not is_robots_txt(request):
            self.crawler.stats.inc_value("newsbot/body_check/empty")
            retry = self._retry(request, "empty body")
            if retry is not None:
                return retry
        return response

    def _retry(self, request: Request, reason: str) -> Request | None:
        spider = self.crawler.spider
        assert spider is not None
        return get_retry_request(request, spider=spider, reason=reason)
