"""WarcArchiveMiddleware: every HTTP exchange the crawler makes goes into the WARC, as sent.

Priority 950 puts it on the raw side of the downloader: its ``process_response`` runs first,
before redirects, retries, robots.txt handling and HttpCompressionMiddleware (590), so it
sees every response -- 3xx, 404/410, 5xx that will be retried, robots.txt, feeds -- with the
body still as the server sent it. After writing, it leaves the provenance for the spider:
``request.meta["newsbot_warc"]`` (``warc_file``, ``warc_record_id``, ``warc_offset`` of the
response record) and ``request.meta["newsbot_fetched_at"]`` (its WARC-Date).
A fetch that got no response (timeout, refused, DNS) is noted in a ``metadata`` record.

Off with ``NEWSBOT_WARC_ENABLED = False`` and in replay mode (``NEWSBOT_REPLAY`` set).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from newsbot.warc.store import FETCHED_AT_META, PROVENANCE_META, WarcStore
from newsbot.warc.transport import WIRE_META

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def archiving_enabled(settings: object) -> bool:
    """WARC writing is on unless switched off or the crawl replays an archive."""
    return bool(settings.getbool("NEWSBOT_WARC_ENABLED", True) and not settings.get("NEWSBOT_REPLAY"))  # type: ignore[attr-defined]


class WarcArchiveMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not archiving_enabled(crawler.settings):
            raise NotConfigured  # quietly off: WARC archiving is off (NEWSBOT_WARC_ENABLED unset or replay mode)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        wire = request.meta.pop(WIRE_META, None)
        if "cached" in (response.flags or ()):
            # from HTTPCACHE: not fetched now, so not a capture of this crawl
            self.crawler.stats.inc_value("newsbot/warc/skipped/cached")
            return response
        if "newsbot-resumed" in (response.flags or ()):
            # answered from this job's own WARC on resume (newsbot.downloadermiddlewares.resume): archived already
            self.crawler.stats.inc_value("newsbot/warc/skipped/resumed")
            return response
        try:
            provenance, date = WarcStore.of(self.crawler).write_exchange(request, response, wire)
        except Exception:
            # The archive is the product: say it loudly, count it, keep crawling (S4).
            logger.error("could not archive %(url)s", {"url": response.url}, exc_info=True)
            self.crawler.stats.inc_value("newsbot/warc/errors")
            return response
        request.meta[PROVENANCE_META] = provenance
        request.meta[FETCHED_AT_META] = date
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        request.meta.pop(WIRE_META, None)
        name = type(exception).__name__
        self.crawler.stats.inc_value(f"newsbot/warc/fetch_errors/{name}")
        try:
            WarcStore.of(self.crawler).write_metadata(
                request.url,
                [("fetch-error", f"{name}: {exception}"), ("method", request.method)],
                about=None,
            )
        except Exception:
            logger.error("could not archive the failure of %(url)s", {"url": request.url}, exc_info=True)
            self.crawler.stats.inc_value("newsbot/warc/errors")
