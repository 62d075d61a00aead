"""FailuresFile: every failed fetch or extraction as one JSON line in ``<job folder>/failures.jsonl``.

Sources, each recorded once:
- ``newsbot.signals.fetch_failed``: the spider's errback and extraction failures, and
  :mod:`newsbot.downloadermiddlewares.failures` for requests the spider never sees;
- ``spider_error``: an exception in a spider callback (stage ``extract``; the spider never saw it);
- ``item_error``: an exception in an item pipeline (stage ``store``): the item was extracted but is
  not in items.jsonl;
- ``request_dropped`` of a redirect back to a URL already in its redirect chain: Scrapy's
  duplicate filter drops such loops silently.
Lines are flushed one by one, so a killed crawl keeps every failure recorded before the kill.
Stats: ``newsbot/failures/written`` and ``newsbot/failures/<stage>/reason/<reason key>``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot import signals as newsbot_signals
from newsbot.downloadermiddlewares.failures import failure_for, now, record
from newsbot.failures import FetchFailure
from newsbot.job import Job

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure

FILE_NAME = "failures.jsonl"
_CUT = re.compile(r":|\s\(|\s<|\shttps?://")


def reason_key(reason: str) -> str:
    """A short, URL-free family name for a reason, for stats keys: ``HTTP 503``, ``ConnectionLost``."""
    text = reason.strip()
    for prefix in ("IgnoreRequest: ", "Failure: "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    key = _CUT.split(text, maxsplit=1)[0].strip()
    return key[:60] or "unknown"


class FailuresFile:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSBOT_FAILURES_FILE_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_FAILURES_FILE_ENABLED is off
        self.crawler = crawler
        self._file: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailuresFile:
        ext = cls(crawler)
        crawler.signals.connect(ext.open, signal=signals.spider_opened)
        crawler.signals.connect(ext.fetch_failed, signal=newsbot_signals.fetch_failed)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.close, signal=signals.spider_closed)
        return ext

    @property
    def path(self) -> os.PathLike[str]:
        return Job.of(self.crawler).path(FILE_NAME)

    def open(self) -> None:
        # 0o644 whatever the umask: archive files are never world-writable. Append: a resumed job continues.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    def fetch_failed(self, failure: FetchFailure) -> None:
        key = reason_key(failure.reason)
        self.crawler.stats.inc_value(f"newsbot/failures/{failure.stage}/reason/{key}")
        if self._file is None:  # a failure before spider_opened (cannot happen in a normal crawl)
            self.open()
        self._file.write(json.dumps(asdict(failure), ensure_ascii=False) + "\n")
        self._file.flush()
        self.crawler.stats.inc_value("newsbot/failures/written")

    def spider_error(self, failure: Failure, response: Response) -> None:
        exc = failure.value
        reason = f"{type(exc).__name__} in {_callback_name(response.request)}: {exc}"
        request = response.request
        if request is None:
            record(self.crawler, FetchFailure(url=response.url, stage="extract", reason=reason,
                                              status=response.status, time=now()))
            return
        rec = failure_for(request, "extract", reason, response.status)
        rec.url = response.url
        record(self.crawler, rec)

    def item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        exc = failure.value
        url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
        reason = f"{type(exc).__name__} in an item pipeline: {exc}"
        request = response.request if response is not None else None
        if request is None:
            rec = FetchFailure(url=str(url or (response.url if response is not None else "")), stage="store",
                               reason=reason, status=response.status if response is not None else None, time=now())
        else:
            rec = failure_for(request, "store", reason, response.status)  # type: ignore[union-attr]
            rec.url = str(url or rec.url)
        record(self.crawler, rec)

    def request_dropped(self, request: Request) -> None:
        chain = request.meta.get("redirect_urls") or []
        if request.url not in chain:
            return  # an ordinary duplicate: already fetched, nothing lost
        self.crawler.stats.inc_value("newsbot/redirect_loops")
        hops = " -> ".join([*chain[chain.index(request.url):], request.url])
        rec = failure_for(request, "fetch", f"redirect loop: {hops}")
        rec.url = chain[0]
        record(self.crawler, rec)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _callback_name(request: Request | None) -> str:
    callback = getattr(request, "callback", None)
    return getattr(callback, "__name__", "parse")
