"""rt_ar: an RT Arabic article (or story) and its related stories, as clean article items.

The spider only decides what to fetch; :mod:`newsbot.extract` turns pages into items.
Depth counts hops of related stories: links in the related block and inline read-more
blocks of an article at depth d sit at d+1, and so do the articles listed on the story
page(s) the article belongs to (story pages themselves are not a hop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import TextResponse

from newsbot import failures
from newsbot.extract import NotAnArticle, extract_article, extract_feed, extract_story
from newsbot.job import Job
from newsbot.meta import DEPTH, FETCHED_AT, MEMBERS_DEPTH, PARENT, PROVENANCE, ROOT
from newsbot.spiders import arguments
from newsbot.spiders.ids import IdSet
from newsbot.urls import SITE_ORIGIN, article_id, canonical_url, is_article_url, is_site_url, is_story_url
from newsbot.warc.replay import ReplayConfigError, check_replay_arguments

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

FEED_URL = f"{SITE_ORIGIN}/rss/"


class RtArSpider(scrapy.Spider):
    name = "rt_ar"
    allowed_domains = ["arabic.rt.com"]

    def __init__(
        self,
        url: str | None = None,
        urls_file: str | None = None,
        depth: str | None = None,
        replay: str | None = None,
        replay_at: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.validate_arguments(url=url, urls_file=urls_file, depth=depth)
        # iterable, not a list: a big urls_file is not held
        self.start_urls = arguments.StartUrls(url, urls_file)  # type: ignore[assignment]
        self._depth_arg = depth
        self.max_depth = arguments.depth(depth, default=1 if self.start_urls else 0)
        self.replay = replay
        self.replay_at = replay_at
        self._requested_ids = IdSet()

    @classmethod
    def validate_arguments(cls, **spargs: Any) -> None:
        """Raise :class:`SpiderArgumentError` for bad arguments (the crawl command calls this first)."""
        arguments.start_urls(spargs.get("url"), spargs.get("urls_file"))
        arguments.depth(spargs.get("depth"), default=0)
        try:
            check_replay_arguments(spargs.get("replay"), spargs.get("replay_at"))
        except ReplayConfigError as exc:
            raise arguments.SpiderArgumentError(str(exc)) from None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RtArSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Started from the RSS feed (no url), the latest articles are fetched at depth 0.
        default = crawler.settings.getint("NEWSBOT_DEPTH", 1) if spider.start_urls else 0
        spider.max_depth = arguments.depth(spider._depth_arg, default=default)
        if spider.replay:
            # Settings are still open here (Scrapy >= 2.11); the replay add-on reads these.
            crawler.settings.set("NEWSBOT_REPLAY", spider.replay, priority="spider")
            if spider.replay_at:
                crawler.settings.set("NEWSBOT_REPLAY_AT", spider.replay_at, priority="spider")
        return spider

    # --- what to fetch -------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.start_urls:
            yield scrapy.Request(FEED_URL, callback=self.parse_feed, errback=self.on_error, meta={DEPTH: 0})
            return
        stories: set[str] = set()  # articles repeat-proof by id (article_request); story start URLs are few
        for url in self.start_urls.each():
            if is_story_url(url):
                if url not in stories:
                    stories.add(url)
                    yield self.story_request(url, members_depth=0, parent=None, root=url)
            else:
                request = self.article_request(url, depth=0, parent=None, root=url)
                if request is not None:
                    yield request

    def article_request(self, url: str, depth: int, parent: str | None, root: str | None) -> scrapy.Request | None:
        """A request for an article page, or None when that article id was already requested."""
        url = canonical_url(url)
        aid = article_id(url)
        if aid is not None:
            if aid in self._requested_ids:
                return None
            self._requested_ids.add(aid)
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={DEPTH: depth, PARENT: parent, ROOT: root},
        )

    def story_request(self, url: str, members_depth: int, parent: str | None, root: str | None) -> scrapy.Request:
        return scrapy.Request(
            canonical_url(url),
            callback=self.parse_story,
            errback=self.on_error,
            meta={MEMBERS_DEPTH: members_depth, DEPTH: members_depth, PARENT: parent, ROOT: root},
        )

    # --- callbacks -------------------------------------------------------------

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for url in extract_feed(response.body):
            if is_article_url(url):
                request = self.article_request(url, depth=0, parent=response.url, root=canonical_url(url))
                if request is not None:
                    yield request

    def parse_article(self, response: scrapy.http.Response) -> Iterator[Any]:
        meta = response.meta
        depth = meta.get(DEPTH, 0)
        if not isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1") or "no Content-Type"
            self.record_failure(response.request, "extract", f"not an HTML page ({content_type})", response.status)
            return
        try:
            article = extract_article(response.url, response.text)
        except NotAnArticle as exc:
            self.record_failure(response.request, "extract", f"not an article: {exc}", response.status)
            return
        article.fetched_at = meta.get(FETCHED_AT) or failures.now()
        article.http_status = response.status
        article.depth = depth
        article.parent = meta.get(PARENT)
        article.job_id = Job.of(self.crawler).id
        provenance = meta.get(PROVENANCE) or {}
        article.warc_file = provenance.get("warc_file")
        article.warc_record_id = provenance.get("warc_record_id")
        article.warc_offset = provenance.get("warc_offset")
        yield article
        if depth >= self.max_depth:
            return
        root = meta.get(ROOT)
        for link in article.related:
            if is_site_url(link["url"]) and is_article_url(link["url"]):
                request = self.article_request(link["url"], depth + 1, parent=article.url, root=root)
                if request is not None:
                    yield request
        if article.story and is_story_url(article.story):
            yield self.story_request(article.story, members_depth=depth + 1, parent=article.url, root=root)

    def parse_story(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        meta = response.meta
        members_depth = meta[MEMBERS_DEPTH]
        story = extract_story(response.url, response.text)
        for member in story.members:
            if is_article_url(member["url"]):
                request = self.article_request(member["url"], members_depth, parent=story.url, root=meta.get(ROOT))
                if request is not None:
                    yield request
        if story.next_page and is_story_url(story.next_page):
            yield self.story_request(story.next_page, members_depth, parent=meta.get(PARENT), root=meta.get(ROOT))

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        reason = f"HTTP {status}" if status is not None else f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self.record_failure(request, "fetch", reason, status)

    def record_failure(self, request: scrapy.Request, stage: str, reason: str, status: int | None) -> None:
        failures.record(self.crawler, failures.failure_for(request, stage, reason, status))
