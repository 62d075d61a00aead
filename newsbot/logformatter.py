"""LevelLogFormatter: Scrapy's log messages, none of them built below the crawl's LOG_LEVEL.

Scrapy filters log messages by level at its handler, after the engine and the scraper have built a
log record for every page ("Crawled (200) ...") and every item ("Scraped from ..."): at the default
INFO level both are DEBUG and thrown away, ~0.04 CPU ms a page (replay profile in benchmarks/). A log
formatter may return None to leave an action unlogged (Scrapy's documented hook); this one does so for
messages below LOG_LEVEL, and gives every other message exactly as Scrapy's formatter words it.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Callable

from scrapy.logformatter import LogFormatter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def log_level(value: Any) -> int:
    """LOG_LEVEL as a number (a name or a number, as Scrapy's handler takes it); DEBUG when unknown."""
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper())
    return level if isinstance(level, int) else logging.DEBUG


def _from_level(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def at_level(self: LevelLogFormatter, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        return result if result is None or result["level"] >= self.level else None

    return at_level


class LevelLogFormatter(LogFormatter):
    def __init__(self, level: int = logging.DEBUG) -> None:
        self.level = level

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LevelLogFormatter:
        return cls(log_level(crawler.settings.get("LOG_LEVEL", "DEBUG")))

    crawled = _from_level(LogFormatter.crawled)
    scraped = _from_level(LogFormatter.scraped)
    dropped = _from_level(LogFormatter.dropped)
    item_error = _from_level(LogFormatter.item_error)
    spider_error = _from_level(LogFormatter.spider_error)
    download_error = _from_level(LogFormatter.download_error)
