"""``scrapy crawl`` with two additions for unattended use.

- Spider arguments are checked before the crawler starts: a bad one is a single line on
  stderr and exit status 2 (Scrapy would otherwise raise inside the spider's constructor,
  mid-start, and print a traceback).
- With ``-s NEWSBOT_STRICT=1`` a failed crawl health check makes the exit status non-zero.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader

from newsbot.extensions import health
from newsbot.spiders.arguments import SpiderArgumentError

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler

BAD_ARGUMENT_EXIT_CODE = 2


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            return  # Scrapy's own run() reports an unknown spider
        validate = getattr(spidercls, "validate_arguments", None)
        if validate is None:
            return
        try:
            validate(**opts.spargs)
        except SpiderArgumentError as exc:
            print(f"scrapy crawl {args[0]}: error: {exc}", file=sys.stderr)
            raise SystemExit(BAD_ARGUMENT_EXIT_CODE) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self._crawlers: list[Crawler] = []
        super().run(args, opts)
        for crawler in self._crawlers:
            self.exitcode = self.exitcode or health.exit_code(crawler)

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        self._crawlers.append(crawler)
        return crawler
