"""``scrapy crawl`` with argument checks first: a bad spider argument is one line on stderr and exit 2.

Scrapy would otherwise raise inside the spider's constructor, mid-start, and print a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsbot.spiders.arguments import SpiderArgumentError

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spidercls = None
            validate = getattr(spidercls, "validate_arguments", None)
            if validate is not None:
                try:
                    validate(**opts.spargs)
                except SpiderArgumentError as exc:
                    print(f"scrapy crawl {args[0]}: error: {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
        super().run(args, opts)
