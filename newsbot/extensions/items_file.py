"""ItemsFile: write every scraped item to ``<job folder>/items.jsonl``, whatever feeds the user adds.

A dedicated extension rather than a FEEDS entry, because ``-o``/``-O`` on the command line
replaces the FEEDS setting. Each line is flushed as it is written, so a killed crawl keeps
every item it emitted.
"""

from __future__ import annotations

import os
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter

from newsbot.job import Job

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ItemsFile:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSBOT_ITEMS_FILE_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_ITEMS_FILE_ENABLED is off
        self.crawler = crawler
        self._file: Any = None
        self._exporter: JsonLinesItemExporter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemsFile:
        ext = cls(crawler)
        crawler.signals.connect(ext.open, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.close, signal=signals.spider_closed)
        return ext

    @property
    def path(self):
        return Job.of(self.crawler).path("items.jsonl")

    def open(self) -> None:
        # append: a resumed job continues its file; 0o644 whatever the umask (archive files are never world-writable)
        self._file = os.fdopen(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), "ab")
        os.chmod(self.path, 0o644)
        self._exporter = JsonLinesItemExporter(self._file, encoding="utf-8", ensure_ascii=False)
        self._exporter.start_exporting()

    def item_scraped(self, item: Any) -> None:
        assert self._exporter is not None
        # dataclasses.asdict is several times cheaper than ItemAdapter for our Article items
        self._exporter.export_item(asdict(item) if is_dataclass(item) else ItemAdapter(item).asdict())
        self._file.flush()
        self.crawler.stats.inc_value("newsbot/items_file/written")

    def close(self) -> None:
        if self._exporter is not None:
            self._exporter.finish_exporting()
            self._file.close()
            self._exporter = None
