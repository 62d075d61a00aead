"""``python -m tests.wire_probe OUT PROXY URL``: crawl one URL through the test server at PROXY with the project's settings, and note for every
response whether the download handler left a wire capture for the WARC middleware.

The probe is a downloader middleware on the raw side of the WARC middleware (960 > 950), so it sees
``request.meta`` as the handler left it. Extra ``-s NAME=VALUE`` arguments are crawl settings.
"""

from __future__ import annotations

import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from newsbot.warc.transport import WIRE_META


class WireProbe:
    seen: list[dict[str, object]] = []

    def process_response(self, request: scrapy.Request, response: scrapy.http.Response) -> scrapy.http.Response:
        WireProbe.seen.append({"url": response.url, "status": response.status, "captured": WIRE_META in request.meta})
        return response


class OnePage(scrapy.Spider):
    name = "one_page"

    def __init__(self, url: str, proxy: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.proxy = proxy

    async def start(self):  # type: ignore[no-untyped-def]
        # the proxy given explicitly: importing the tests package blanks the proxy variables
        yield scrapy.Request(self.url, meta={"proxy": self.proxy})

    def parse(self, response: scrapy.http.Response) -> None:
        return None


def main(argv: list[str]) -> None:
    from tests.wire_probe import WireProbe as probe  # the class the crawl loads, not __main__'s copy

    out, proxy, url, *pairs = argv
    settings = get_project_settings()
    settings.set("DOWNLOADER_MIDDLEWARES", {**settings.getdict("DOWNLOADER_MIDDLEWARES"), "tests.wire_probe.WireProbe": 960})
    settings.set("ROBOTSTXT_OBEY", False)  # robots.txt would be fetched without the explicit proxy
    for pair in pairs:
        name, _, value = pair.removeprefix("-s").strip().partition("=")
        settings.set(name, value)
    process = CrawlerProcess(settings)
    process.crawl(OnePage, url=url, proxy=proxy)
    process.start()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(probe.seen, fh)


if __name__ == "__main__":
    main(sys.argv[1:])
