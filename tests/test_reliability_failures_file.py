"""FailuresFile: one flushed JSON line per failure, from every source, each recorded once."""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING, Any

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsbot.extensions.failures_file import FailuresFile, reason_key
from newsbot.failures import FetchFailure
from newsbot.job import Job

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(("reason", "key"), [
    ("HTTP 503", "HTTP 503"),
    ("ConnectionLost: Connection to the other side was lost", "ConnectionLost"),
    ("not an HTML page (application/pdf)", "not an HTML page"),
    ("not an article: no title", "not an article"),
    ("IgnoreRequest: max redirections reached", "max redirections reached"),
    ("IgnoreRequest: Ignored response <200 https://arabic.rt.com/x> because", "Ignored response"),
    ("HostNotAllowed: example.com is not in NEWSBOT_ALLOWED_HOSTS: https://example.com/", "HostNotAllowed"),
    ("redirect loop: https://a/ -> https://b/", "redirect loop"),
    ("robots.txt answered HTTP 503; crawling as if there were none", "robots.txt answered HTTP 503; crawling as if there were none"),
    ("   ", "unknown"),
])
def test_reason_key(reason: str, key: str) -> None:
    assert reason_key(reason) == key


_OPEN: list[FailuresFile] = []


@pytest.fixture(autouse=True)
def _close_files() -> Any:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _ext(tmp_path: Path) -> FailuresFile:
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path), "NEWSBOT_JOB_ID": "job1"})
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.stats.open_spider()
    ext = build_from_crawler(FailuresFile, crawler)
    ext.open()
    _OPEN.append(ext)
    return ext


def _lines(tmp_path: Path) -> list[dict[str, Any]]:
    text = (tmp_path / "job1" / "failures.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_fetch_failed_line_is_complete_and_flushed(tmp_path: Path) -> None:
    ext = _ext(tmp_path)
    url = "https://arabic.rt.com/world/801234-علاقات/"
    ext.fetch_failed(FetchFailure(url=url, stage="fetch", reason="HTTP 503", status=503, attempts=7, depth=1,
                                  parent="https://arabic.rt.com/p/", root="https://arabic.rt.com/r/",
                                  time="2026-01-01T00:00:00+00:00"))
    # read before close: each line is flushed as written
    assert _lines(tmp_path) == [{"url": url, "stage": "fetch", "reason": "HTTP 503", "status": 503, "attempts": 7,
                                 "depth": 1, "parent": "https://arabic.rt.com/p/", "root": "https://arabic.rt.com/r/",
                                 "time": "2026-01-01T00:00:00+00:00"}]
    assert "علاقات" in (tmp_path / "job1" / "failures.jsonl").read_text(encoding="utf-8")  # not \u-escaped
    stats = ext.crawler.stats
    assert stats.get_value("newsbot/failures/written") == 1
    assert stats.get_value("newsbot/failures/fetch/reason/HTTP 503") == 1
    ext.close()


def test_file_mode_ignores_the_umask(tmp_path: Path) -> None:
    import os  # noqa: PLC0415

    old = os.umask(0)
    try:
        ext = _ext(tmp_path)
        ext.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "job1" / "failures.jsonl").stat().st_mode) == 0o644


def test_resumed_job_appends(tmp_path: Path) -> None:
    for n in range(2):
        ext = _ext(tmp_path)
        ext.fetch_failed(FetchFailure(url=f"https://arabic.rt.com/{n}/", stage="fetch", reason="HTTP 404", status=404))
        ext.close()
    assert [line["url"] for line in _lines(tmp_path)] == ["https://arabic.rt.com/0/", "https://arabic.rt.com/1/"]


def test_spider_error_is_an_extract_failure(tmp_path: Path) -> None:
    ext = _ext(tmp_path)

    def parse_article(response: Any) -> None: ...

    request = Request("https://arabic.rt.com/a/", callback=parse_article,
                      meta={"newsbot_depth": 2, "newsbot_parent": "https://arabic.rt.com/p/", "retry_times": 1})
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    try:
        raise KeyError("headline")
    except KeyError:
        failure = Failure()
    # spider_error -> record() -> fetch_failed signal -> this extension (connected by from_crawler) writes it
    ext.spider_error(failure, response)
    [line] = _lines(tmp_path)
    assert line["stage"] == "extract"
    assert line["reason"] == "KeyError in parse_article: 'headline'"
    assert (line["status"], line["attempts"], line["depth"], line["parent"]) == (200, 2, 2, "https://arabic.rt.com/p/")
    assert ext.crawler.stats.get_value("newsbot/failures/extract") == 1


def test_redirect_loop_is_recorded_but_an_ordinary_duplicate_is_not(tmp_path: Path) -> None:
    ext = _ext(tmp_path)
    a, b = "https://arabic.rt.com/a/", "https://arabic.rt.com/b/"
    ext.request_dropped(Request(a))  # a link to a page already fetched
    ext.request_dropped(Request(a, meta={"redirect_urls": ["https://arabic.rt.com/news/1/"]}))  # short URL -> seen page
    ext.request_dropped(Request(a, meta={"redirect_urls": [a, b]}))
    [line] = _lines(tmp_path)
    assert line["url"] == a
    assert line["reason"] == f"redirect loop: {a} -> {b} -> {a}"
    assert ext.crawler.stats.get_value("newsbot/redirect_loops") == 1


def test_job_path_refuses_names_from_urls(tmp_path: Path) -> None:
    job = Job.of(get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path)}))
    for bad in ("../x", "a/b", "..", "", "..\\x"):
        with pytest.raises(ValueError, match="not a plain file name"):
            job.path(bad)


def test_item_pipeline_error_is_a_store_failure(tmp_path: Path) -> None:
    ext = _ext(tmp_path)
    request = Request("https://arabic.rt.com/world/801234-x/", meta={"newsbot_depth": 1, "retry_times": 0})
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    try:
        raise OSError("disk full")
    except OSError:
        failure = Failure()
    ext.item_error({"url": "https://arabic.rt.com/world/801234-x/", "title": "t"}, response, failure)
    ext.item_error({"title": "no url"}, None, failure)
    first, second = _lines(tmp_path)
    assert (first["stage"], first["url"], first["status"], first["depth"]) == ("store", request.url, 200, 1)
    assert first["reason"] == "OSError in an item pipeline: disk full"
    assert (second["stage"], second["url"], second["status"]) == ("store", "", None)
    assert ext.crawler.stats.get_value("newsbot/failures/store") == 2
