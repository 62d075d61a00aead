"""CoverageExtension: record each crawl into the coverage store, and re-fetch known follow-ups.

It only observes (items, failures, story pages), so the items and the crawl are the same with
or without it, with one exception that is the point of the monitor: when the crawl has gone
idle, follow-ups known from earlier runs of the same roots that this run did not request are
fetched too (at the spider's maximum depth, so they add no new hops). That is how edits and
take-downs are seen even after the site stopped linking a page. Waiting for idle keeps the
normal crawl untouched: re-fetched requests never take an article id the crawl itself would
have requested at a shallower depth.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from newsbot import signals as newsbot_signals
from newsbot.coverage.diff import article_content, content_hash
from newsbot.coverage.store import ArticleRecord, CoverageStore
from newsbot.extract import extract_story
from newsbot.items import Article
from newsbot.job import Job
from newsbot.meta import MEMBERS_DEPTH, ROOT
from newsbot.urls import canonical_url, is_article_url, is_site_url, is_story_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

    from newsbot.failures import FetchFailure

logger = logging.getLogger(__name__)

#: Spider arguments recorded with each run.
RUN_ARGUMENTS = ("url", "urls_file", "depth", "replay", "replay_at")


def db_path(settings: Any) -> Path:
    """NEWSBOT_COVERAGE_DB, or ``<ARCHIVE_DIR>/newsbot.sqlite`` when it is empty."""
    configured = settings.get("NEWSBOT_COVERAGE_DB")
    return Path(configured) if configured else Path(settings.get("ARCHIVE_DIR") or "archive") / "newsbot.sqlite"


def root_kind(url: str) -> str:
    return "story" if is_story_url(url) else "article"


def _canonical(url: str | None) -> str | None:
    return canonical_url(url) if url and is_site_url(url) else url


class CoverageExtension:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_COVERAGE_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_COVERAGE_ENABLED is off
        if settings.get("NEWSBOT_REPLAY"):
            # A replay re-reads old captures: recording it as a new run would scramble "since last time".
            raise NotConfigured  # quietly off: coverage is not recorded in replay mode (NEWSBOT_REPLAY)
        self.crawler = crawler
        self.path = db_path(settings)
        self.busy_timeout = settings.getfloat("NEWSBOT_COVERAGE_BUSY_TIMEOUT", 30.0)
        self.refetch = settings.getbool("NEWSBOT_COVERAGE_REFETCH", True)
        self.store: CoverageStore | None = None
        self.job_id = ""
        self._roots: set[str] = set()
        self._refetched = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CoverageExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.fetch_failed, signal=newsbot_signals.fetch_failed)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    # --- signals -------------------------------------------------------------------

    def spider_opened(self) -> None:
        job = Job.of(self.crawler)
        self.job_id = job.id
        spider = self.crawler.spider
        self.store = CoverageStore(self.path, busy_timeout=self.busy_timeout)
        arguments = {k: getattr(spider, k) for k in RUN_ARGUMENTS if getattr(spider, k, None) is not None}
        if "depth" not in arguments and hasattr(spider, "max_depth"):
            arguments["depth"] = spider.max_depth
        starts = [_canonical(u) for u in getattr(spider, "start_urls", []) or []]
        self._roots = {u for u in starts if u}
        self.store.begin_run(self.job_id, job.started.isoformat(timespec="seconds"), arguments, [(r, root_kind(r)) for r in sorted(self._roots)])
        logger.info("Coverage store %s: run %s, %d root(s)", self.path, self.job_id, len(self._roots))

    def _root(self, meta: dict[str, Any]) -> str | None:
        root = _canonical(meta.get(ROOT))
        if root and root not in self._roots and self.store is not None:
            self._roots.add(root)
            self.store.add_root(self.job_id, root, root_kind(root))
        return root

    def item_scraped(self, item: Any, response: Response) -> None:
        if not isinstance(item, Article) or self.store is None:
            return
        content = article_content(item.title, item.lead, item.subheadings, item.body_paragraphs)
        record = ArticleRecord(
            url=item.url,
            article_id=item.article_id,
            title=item.title,
            section=item.section,
            published=item.published,
            modified=item.modified,
            content_hash=content_hash(content),
            content=content,
            http_status=item.http_status,
            fetched_at=item.fetched_at,
        )
        edges = [(link["url"], link.get("kind") or "related") for link in item.related if link.get("url")]
        self.store.record_article(
            self.job_id, record, root=self._root(response.meta), parent=item.parent, depth=item.depth, edges=edges
        )
        self.stats.inc_value("newsbot/coverage/articles")

    def fetch_failed(self, failure: FetchFailure) -> None:
        if self.store is None:
            return
        if failure.root:
            self._root({ROOT: failure.root})
            failure.root = _canonical(failure.root)
        self.store.record_failure(self.job_id, failure, is_article=is_article_url(failure.url))
        self.stats.inc_value("newsbot/coverage/failures")

    def response_received(self, response: Response, request: Request) -> None:
        if MEMBERS_DEPTH not in request.meta or response.status != 200 or self.store is None:
            return
        try:
            story = extract_story(response.url, response.text)  # type: ignore[attr-defined]  # a story page is HTML
        except Exception:
            # A boundary: the spider reports the page itself; here it only means no story record.
            logger.warning("Coverage: could not read story page %s", response.url, exc_info=True)
            self.stats.inc_value("newsbot/coverage/story_errors")
            return
        page_url = canonical_url(story.url or response.url)
        story_url = canonical_url(page_url.split("?", 1)[0])
        members = [{"url": canonical_url(m["url"]), "title": m.get("title")} for m in story.members if is_article_url(m["url"])]
        self.store.record_story_page(
            self.job_id,
            url=page_url,
            story_url=story_url,
            root=self._root(request.meta),
            title=story.title,
            count=story.count,
            members=members,
            depth=request.meta.get(MEMBERS_DEPTH),
        )
        self.stats.inc_value("newsbot/coverage/story_pages")

    def spider_idle(self) -> None:
        """Once the crawl itself is done, fetch the roots' follow-ups known from earlier runs."""
        if self._refetched or not self.refetch or self.store is None:
            return
        self._refetched = True
        spider = self.crawler.spider
        make = getattr(spider, "article_request", None)
        if make is None or self.crawler.engine is None:
            return
        scheduled = 0
        for root in sorted(self._roots):
            for url in self.store.known_followups(root, exclude_job=self.job_id):
                request = make(url, depth=spider.max_depth, parent=root, root=root)
                if request is not None:
                    self.crawler.engine.crawl(request)
                    scheduled += 1
        if scheduled:
            self.stats.inc_value("newsbot/coverage/refetched", scheduled)
            logger.info("Coverage: re-fetching %d follow-up(s) known from earlier runs", scheduled)
            raise DontCloseSpider

    def spider_closed(self, reason: str) -> None:
        if self.store is None:
            return
        stats = self.stats.get_stats()
        counts = {
            "items": stats.get("item_scraped_count", 0),
            "failures": stats.get("newsbot/coverage/failures", 0),
            "refetched": stats.get("newsbot/coverage/refetched", 0),
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
        }
        finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.store.finish_run(self.job_id, finished, reason, counts)
        self.store.close()
        self.store = None
