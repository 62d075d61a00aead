"""Record fetch failures the spider never sees, and the shared helper every recorder uses.

The spider's errback records what reaches it (HTTP errors, network errors after retries,
requests dropped by a middleware). Requests without an errback never reach the spider:
robots.txt, requests made by other components. :class:`UnhandledFailuresMiddleware` records
those, so that every failure lands in ``failures.jsonl`` exactly once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsbot.failures import failure_for, now, record

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["UnhandledFailuresMiddleware", "failure_for", "now", "record", "record_unhandled"]


def record_unhandled(crawler: Crawler, request: Request, reason: str, status: int | None = None) -> bool:
    """Record a fetch failure unless the request's errback (the spider) will; True if recorded."""
    if request.errback is not None:
        return False
    record(crawler, failure_for(request, "fetch", reason, status))
    return True


def is_robots_txt(request: Request) -> bool:
    return urlsplit(request.url).path == "/robots.txt"


def robots_txt_problem(response: Response) -> str | None:
    """Why a 200 robots.txt body is not a robots file (HTML, binary, not UTF-8), or None."""
    body = response.body
    if not body.strip():
        return None  # an empty robots.txt allows everything, by the standard (RFC 9309)
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
    if b"\x00" in body:
        return f"binary data ({ctype or 'no Content-Type'}, {len(body)} bytes)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"not UTF-8 text ({ctype or 'no Content-Type'}, {len(body)} bytes)"
    if text.lstrip().startswith("<") or ctype in ("text/html", "application/xhtml+xml"):
        return f"an HTML page ({ctype or 'no Content-Type'}, {len(body)} bytes)"
    return None


class UnhandledFailuresMiddleware:
    """Downloader middleware, priority below RetryMiddleware (550): it sees only what retries gave up on."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnhandledFailuresMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.errback is not None:
            return response
        if is_robots_txt(request):
            self._check_robots(request, response)
        elif response.status >= 400:
            record_unhandled(self.crawler, request, f"HTTP {response.status}", response.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Any:
        reason = f"{type(exception).__name__}: {exception}"
        if is_robots_txt(request):
            reason = f"robots.txt could not be fetched ({reason}); crawling as if there were none"
        record_unhandled(self.crawler, request, reason)
        return None

    def _check_robots(self, request: Request, response: Response) -> None:
        # Scrapy parses whatever robots.txt returns and, when that fails, allows everything:
        # the crawl carries on, and the record says so.
        if response.status >= 500:
            self.crawler.stats.inc_value("newsbot/robotstxt/unusable")
            record_unhandled(
                self.crawler, request,
                f"robots.txt answered HTTP {response.status}; crawling as if there were none", response.status,
            )
        elif response.status == 200 and (problem := robots_txt_problem(response)):
            self.crawler.stats.inc_value("newsbot/robotstxt/unusable")
            record_unhandled(
                self.crawler, request, f"robots.txt is {problem}; crawling as if there were none", response.status,
            )
