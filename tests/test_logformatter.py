"""LevelLogFormatter: no log record built below LOG_LEVEL; Scrapy's own messages at and above it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.logformatter import LogFormatter
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsbot.logformatter import LevelLogFormatter, log_level
from tests.crawl_helpers import REPO_ROOT, run_crawl
from tests.test_replay_crawl import SEED, ClosedProxy


def _actions() -> dict[str, tuple]:
    crawler = get_crawler(Spider, {"LOG_LEVEL": "INFO"})
    spider = crawler._create_spider("s")
    response = Response("https://arabic.rt.com/a/", request=Request("https://arabic.rt.com/a/"))
    try:
        raise ValueError("boom")
    except ValueError:
        failure = Failure()
    return {
        "crawled": (response.request, response, spider),
        "scraped": ({"a": 1}, response, spider),
        "dropped": ({"a": 1}, DropItem("dup"), response, spider),
        "item_error": ({"a": 1}, ValueError("x"), response, spider),
        "spider_error": (failure, response.request, response, spider),
        "download_error": (failure, response.request, spider),
    }


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL])
def test_messages_below_the_level_are_not_built_and_the_others_are_scrapys(level: int) -> None:
    ours, scrapys = LevelLogFormatter(level), LogFormatter()
    for name, args in _actions().items():
        want = getattr(scrapys, name)(*args)
        got = getattr(ours, name)(*args)
        if want["level"] >= level:
            assert got == want, name
        else:
            assert got is None, name


def test_the_default_level_leaves_out_the_per_page_and_per_item_lines() -> None:
    actions = _actions()
    ours = LevelLogFormatter(log_level("INFO"))
    assert ours.crawled(*actions["crawled"]) is None
    assert ours.scraped(*actions["scraped"]) is None
    assert ours.download_error(*actions["download_error"]) is not None


@pytest.mark.parametrize(("value", "level"), [("INFO", 20), ("debug", 10), (30, 30), ("WARNING", 30), ("no-such-level", 10)])
def test_log_level_reads_names_and_numbers(value: object, level: int) -> None:
    assert log_level(value) == level


def test_the_project_uses_it_and_a_debug_crawl_still_logs_every_page_and_item(tmp_path: Path) -> None:
    from scrapy.utils.project import get_project_settings

    assert get_project_settings().get("LOG_FORMATTER") == "newsbot.logformatter.LevelLogFormatter"
    archive = REPO_ROOT / "archive" / "fixtures" / "replica-t1"
    result = run_crawl("-L", "DEBUG", server=ClosedProxy(), archive_dir=tmp_path, url=SEED, replay=archive, depth=0)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "DEBUG: Crawled (200)" in result.stderr
    assert "DEBUG: Scraped from <200" in result.stderr
    quiet = run_crawl("-L", "INFO", server=ClosedProxy(), archive_dir=tmp_path, url=SEED, replay=archive, depth=0)
    assert quiet.returncode == 0 and len(quiet.items) == len(result.items) == 1
    assert "Crawled (200)" not in quiet.stderr
