"""FetchFailure: one fetch or extraction that ended without an article, and how it is recorded.

Every recorder (the spider's errback, middlewares, extensions) goes through :func:`record`, so
each failure is counted under the same stats keys and reaches every ``fetch_failed`` listener
(failures.jsonl, the coverage store) the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from newsbot import signals
from newsbot.meta import DEPTH, PARENT, ROOT
from newsbot.urls import canonical_url, is_site_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)



@dataclass
class FetchFailure:
    url: str
    #: ``fetch`` (HTTP status or network error), ``extract`` (the page could not be parsed) or ``store``
    #: (an item pipeline raised: the item is not in items.jsonl)
    stage: str
    reason: str
    status: int | None = None
    attempts: int = 1
    depth: int | None = None
    parent: str | None = None
    root: str | None = None
    time: str | None = None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def failure_for(request: Request, stage: str, reason: str, status: int | None = None) -> FetchFailure:
    """The failure of ``request``, with the crawl context the spider put in its meta."""
    meta = request.meta
    return FetchFailure(
        url=canonical_url(request.url) if is_site_url(request.url) else request.url,
        stage=stage,
        reason=reason,
        status=status,
        attempts=meta.get("retry_times", 0) + 1,
        depth=meta.get(DEPTH),
        parent=meta.get(PARENT),
        root=meta.get(ROOT),
        time=now(),
    )


def record(crawler: Crawler, failure: FetchFailure) -> None:
    """Count the failure in stats, log it, and hand it to the ``fetch_failed`` listeners."""
    crawler.stats.inc_value(f"newsbot/failures/{failure.stage}")
    if failure.status is not None:
        crawler.stats.inc_value(f"newsbot/failures/{failure.stage}/status/{failure.status}")
    logger.warning("%s failed (%s): %s", failure.url, failure.stage, failure.reason)
    crawler.signals.send_catch_log(signals.fetch_failed, failure=failure)
