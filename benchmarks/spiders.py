"""Baseline spiders and the in-memory download handler they use. Not part of the project's spiders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import HtmlResponse

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator


class MemoryPagesHandler(BaseDownloadHandler):
    """Answer every request from ``spider.pages`` (URL -> body), loaded before the crawl started."""

    async def download_request(self, request: scrapy.Request) -> HtmlResponse:
        pages: dict[str, bytes] = self.crawler.spider.pages  # type: ignore[union-attr]
        return HtmlResponse(
            url=request.url,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=pages[request.url],
            request=request,
        )


class NoopSpider(scrapy.Spider):
    """Requests every page of ``pages`` and does nothing with the responses."""

    name = "bench_noop"

    def __init__(self, pages: dict[str, bytes] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pages = pages or {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.pages:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> None:
        return None


class TitleSpider(scrapy.Spider):
    """Fetches the URLs of ``urls_file`` and reads only ``<title>``."""

    name = "bench_title"

    def __init__(self, urls_file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = [u.strip() for u in Path(urls_file).read_text(encoding="utf-8").splitlines() if u.strip()]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: scrapy.http.Response) -> Iterator[dict[str, Any]]:
        yield {"title": response.css("title::text").get()}
