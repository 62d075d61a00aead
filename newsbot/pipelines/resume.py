"""DropEmittedItemsPipeline: a resumed job (JOBDIR) writes each article to its items.jsonl once.

The durable record of what a job has emitted is its own ``items.jsonl``: ItemsFile writes and
flushes it line by line (:mod:`newsbot.extensions.items_file`). Scrapy's seen-file is buffered and
loses its tail on SIGKILL, so a resumed crawl meets articles it has already emitted. At open
(before ItemsFile opens the file for appending), the article ids -- URLs for items without one --
already in the file are read; a torn last line, left by a kill in the middle of a write, is cut off
so the file stays valid JSON lines, and that item is emitted again. An item already emitted is
dropped with a reason (logged at DEBUG: a restarted crawl meets them all) and counted in ``newsbot/resume/duplicate_item``.
"""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from newsbot.job import Job

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ITEMS_FILE = "items.jsonl"
Key = tuple[str, Any]


def item_key(item: Any) -> Key | None:
    """What makes two items the same article: its id, else its URL (None: cannot tell)."""
    adapter = ItemAdapter(item)
    if adapter.get("article_id") is not None:
        return ("article_id", int(adapter["article_id"]))
    return ("url", adapter["url"]) if adapter.get("url") else None


def read_emitted(path: Path) -> tuple[set[Key], int]:
    """The keys of the items in a JSON-lines file, and how many bytes of a torn last line were cut off it.

    Every line is written with its newline in one flushed write, so only a last line without
    its newline can be torn.
    """
    if not path.exists():
        return set(), 0
    data = path.read_bytes()
    cut = 0
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        os.truncate(path, keep)
        cut, data = len(data) - keep, data[:keep]
    keys: set[Key] = set()
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            logger.warning("%s: line %d is not JSON; ignored", path, number)
            continue
        if isinstance(item, dict) and (key := item_key(item)) is not None:
            keys.add(key)
    return keys, cut


class DropEmittedItemsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_RESUME_ENABLED", True) or not settings.get("JOBDIR"):
            raise NotConfigured  # quietly off: not a resumable crawl (JOBDIR unset or NEWSBOT_RESUME_ENABLED off)
        self.crawler = crawler
        self.emitted: set[Key] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DropEmittedItemsPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        return pipeline

    def open_spider(self) -> None:
        path = Job.of(self.crawler).path(ITEMS_FILE)
        self.emitted, cut = read_emitted(path)
        stats = self.crawler.stats
        stats.set_value("newsbot/resume/items_before", len(self.emitted))
        if cut:
            stats.set_value("newsbot/resume/items_file_cut_bytes", cut)
            logger.warning("resume: cut a torn last line (%(n)d bytes) off %(path)s", {"n": cut, "path": path})
        if self.emitted:
            logger.info("resume: %(n)d item(s) already in %(path)s will not be written again",
                        {"n": len(self.emitted), "path": path})

    def process_item(self, item: Any) -> Any:
        key = item_key(item)
        if key is not None and key in self.emitted:
            self.crawler.stats.inc_value("newsbot/resume/duplicate_item")
            # DEBUG: a restarted crawl meets every item it wrote before; the count is in the stats and the summary
            raise DropItem(f"already in this job's {ITEMS_FILE} ({key[0]} {key[1]})", log_level="DEBUG")
        return item

    def item_scraped(self, item: Any) -> None:
        key = item_key(item)
        if key is not None:
            self.emitted.add(key)
