"""JobdirGuard: after a crawl with JOBDIR was killed, restart it from its start URLs, not from Scrapy's state.

Scrapy saves the request queue's state (``requests.queue/active.json``) only when a crawl stops
cleanly, and writes ``requests.seen`` through a buffer. After SIGKILL the queue is lost while the
seen-set may hold requests that were never answered: resumed as it is, the crawl would skip
those pages for good (and, once the start URLs' fingerprints were flushed, do nothing at all).

While a crawl runs, the marker ``JOBDIR/newsbot_running`` exists; it is removed when the spider
closes (after Scrapy has saved its state). Found at start, it means the last run did not stop
cleanly: ``requests.seen`` and ``requests.queue`` are moved aside (``*.unclean``) before the
scheduler reads them, and the crawl starts again from its start URLs. That costs no fetch and
no duplicate: :class:`~newsbot.downloadermiddlewares.resume.ResumeFromArchiveMiddleware` answers
what the job has archived, :class:`~newsbot.pipelines.resume.DropEmittedItemsPipeline` drops
what it has emitted. One JOBDIR serves one crawl at a time (as Scrapy requires).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MARKER = "newsbot_running"
#: what Scrapy keeps in JOBDIR for the scheduler (its dupefilter and disk queue)
SCHEDULER_STATE = ("requests.seen", "requests.queue")


def discard_scheduler_state(jobdir: Path) -> list[str]:
    """Move Scrapy's scheduler state in ``jobdir`` aside (``<name>.unclean``); return the names moved."""
    moved = []
    for name in SCHEDULER_STATE:
        path = jobdir / name
        if not path.exists():
            continue
        aside = jobdir / f"{name}.unclean"
        if aside.is_dir():
            shutil.rmtree(aside)
        elif aside.exists():
            aside.unlink()
        path.rename(aside)
        moved.append(name)
    return moved


class JobdirGuard:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        jobdir = settings.get("JOBDIR")
        if not settings.getbool("NEWSBOT_RESUME_ENABLED", True) or not jobdir:
            raise NotConfigured  # quietly off: not a resumable crawl (JOBDIR unset or NEWSBOT_RESUME_ENABLED off)
        self.crawler = crawler
        self.jobdir = Path(jobdir)
        self.marker = self.jobdir / MARKER
        # Runs when the extension is built, before the engine opens the scheduler that reads the state.
        if self.marker.exists():
            moved = discard_scheduler_state(self.jobdir)
            crawler.stats.set_value("newsbot/resume/unclean_stop", True)
            logger.warning(
                "resume: the last crawl with JOBDIR %(dir)s did not stop cleanly (started %(when)s); its request "
                "queue and seen-set are not reliable, so they were set aside (%(moved)s) and the crawl starts again "
                "from its start URLs: what the job archived is answered from its WARC files, items already "
                "written are not written again",
                {"dir": self.jobdir, "when": self.marker.read_text(encoding="utf-8").strip() or "?",
                 "moved": ", ".join(f"{m}.unclean" for m in moved) or "nothing to move"},
            )
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} pid {os.getpid()}\n", encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobdirGuard:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self) -> None:
        # spider_closed comes after the scheduler saved its queue: the state on disk is whole now.
        self.marker.unlink(missing_ok=True)
