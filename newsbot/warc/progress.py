"""ReplayProgress: how far a long replay is -- a live line on a terminal, a periodic log line otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ReplayProgress:
    def __init__(self, crawler: Crawler, stream: TextIO | None = None) -> None:
        if not crawler.settings.get("NEWSBOT_REPLAY"):
            raise NotConfigured  # quietly off: not a replay
        self.interval = crawler.settings.getfloat("NEWSBOT_REPLAY_PROGRESS_INTERVAL", 10.0)
        if self.interval <= 0:
            raise NotConfigured  # quietly off: NEWSBOT_REPLAY_PROGRESS_INTERVAL is 0
        self.stats = crawler.stats
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._task: Any = None
        self._last = (0, 0.0)
        self._start = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayProgress:
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        self._start = time.monotonic()
        self._last = (0, self._start)
        self._task = create_looping_call(self.report)
        self._task.start(self.interval, now=False)

    def line(self) -> str:
        done = self.stats.get_value("newsbot/replay/hit", 0)
        misses = self.stats.get_value("newsbot/replay/miss", 0)
        total = self.stats.get_value("newsbot/replay/index/captures", 0)
        items = self.stats.get_value("item_scraped_count", 0)
        now = time.monotonic()
        prev_done, prev_time = self._last
        rate = (done - prev_done) / max(now - prev_time, 1e-9)
        self._last = (done, now)
        return f"replay: {done} records done ({total} captures indexed), {misses} misses, {items} items, {rate:.0f} pages/s"

    def report(self) -> None:
        line = self.line()
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
            self.stream.flush()
        else:
            logger.info(line)

    def closed(self) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        done = self.stats.get_value("newsbot/replay/hit", 0)
        elapsed = time.monotonic() - self._start
        rate = done / elapsed if elapsed > 0 else 0.0
        self.stats.set_value("newsbot/replay/pages_per_second", round(rate, 1))
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
        logger.info("replay: %d records replayed in %.1fs (%.0f pages/s)", done, elapsed, rate)
