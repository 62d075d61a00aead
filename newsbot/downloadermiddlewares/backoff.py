"""RetryBackoffMiddleware: wait before each retry, longer each time, and as long as Retry-After asks.

Scrapy's RetryMiddleware (2.19) re-schedules a failed request at once; a server that is
overloaded for a few seconds then fails every attempt in a row. This middleware sits on both
sides of it (priority 560 > 550): on the way back it notes the ``Retry-After`` of a response
RetryMiddleware is about to retry; on the way out it delays a request whose ``retry_times`` is
set, by ``base * 2**(n-1)`` seconds with +-50% jitter (capped at NEWSBOT_RETRY_BACKOFF_MAX), or
by Retry-After (capped at NEWSBOT_RETRY_AFTER_MAX) when that is longer. The wait is an async
sleep: the reactor, and every other request, carry on meanwhile.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

RETRY_AFTER = "newsbot_retry_after"  # request.meta: seconds the last response asked us to wait
WAITED = "newsbot_backoff_done"  # request.meta: the retry_times already waited for (redirects copy meta)


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryBackoffMiddleware:
    def __init__(self, crawler: Crawler, rng: random.Random | None = None) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_RETRY_BACKOFF_ENABLED", True) or not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured  # quietly off: NEWSBOT_RETRY_BACKOFF_ENABLED or RETRY_ENABLED is off
        self.base = settings.getfloat("NEWSBOT_RETRY_BACKOFF_BASE", 1.0)
        self.max_delay = settings.getfloat("NEWSBOT_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("NEWSBOT_RETRY_AFTER_MAX", 120.0)
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.crawler = crawler
        self.rng = rng or random.Random()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        return cls(crawler)

    def delay(self, retry_times: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt ``retry_times + 1``."""
        backoff = min(self.max_delay, self.base * 2 ** max(0, retry_times - 1)) * self.rng.uniform(0.5, 1.5)
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.retry_after_max))
        return backoff

    async def process_request(self, request: Request) -> None:
        retry_times = request.meta.get("retry_times", 0)
        if not retry_times or request.meta.get(WAITED) == retry_times:
            return
        request.meta[WAITED] = retry_times
        seconds = self.delay(retry_times, request.meta.pop(RETRY_AFTER, None))
        if seconds > 0:
            self.crawler.stats.inc_value("newsbot/retry/backoff_count")
            self.crawler.stats.inc_value("newsbot/retry/backoff_seconds", round(seconds, 3))
            await sleep(seconds)

    def process_response(self, request: Request, response: Response) -> Response:
        # RetryMiddleware copies request.meta into the retry request: leave the hint there.
        request.meta.pop(RETRY_AFTER, None)
        if response.status in self.retry_codes:
            seconds = parse_retry_after(response.headers.get(b"Retry-After"))
            if seconds is not None:
                request.meta[RETRY_AFTER] = seconds
                self.crawler.stats.inc_value("newsbot/retry/retry_after")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        request.meta.pop(RETRY_AFTER, None)
