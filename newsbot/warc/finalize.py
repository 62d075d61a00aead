"""ArchiveFinalizer: at the end of a crawl, close the WARC files, index them, and package on request.

On ``spider_closed`` (also reached on the first Ctrl-C, which closes the spider gracefully):
the store's files are closed, ``index.cdxj`` is written (``NEWSBOT_WARC_CDXJ``) from the lines
recorded as the records were written (:mod:`newsbot.warc.cdxj`), and with
``-s ARCHIVE_WACZ=1`` the job is packaged as ``<job id>.wacz``. A failure here is logged and
counted; the WARC files themselves are complete either way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot.warc.cdxj import write_cdxj
from newsbot.warc.middleware import archiving_enabled
from newsbot.warc.store import WarcStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ArchiveFinalizer:
    def __init__(self, crawler: Crawler) -> None:
        if not archiving_enabled(crawler.settings):
            raise NotConfigured  # quietly off: WARC archiving is off
        self.crawler = crawler
        self.cdxj = crawler.settings.getbool("NEWSBOT_WARC_CDXJ", True)
        self.wacz = crawler.settings.getbool("ARCHIVE_WACZ", False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveFinalizer:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self) -> None:
        store = WarcStore.existing(self.crawler)
        if store is None:
            return
        store.close()
        if not store.writer.files:
            if store.cdxj is not None:
                store.cdxj.discard()
            return
        job_dir = store.job.dir
        stats = self.crawler.stats
        try:
            if self.cdxj or self.wacz:
                write_cdxj(job_dir, recorded=store.cdxj, recorded_files=store.writer.files)
                stats.set_value("newsbot/warc/cdxj", True)
            if self.wacz:
                from newsbot.warc.wacz import package_job  # py-wacz imports frictionless: ~0.2 s, only when asked

                path = package_job(job_dir)
                stats.set_value("newsbot/warc/wacz_bytes", path.stat().st_size)
                logger.info("WACZ package written: %(path)s", {"path": path})
        except Exception:
            logger.error("could not index or package the WARC files in %(dir)s", {"dir": job_dir}, exc_info=True)
            stats.inc_value("newsbot/warc/errors")
