"""Health checks (spidermon monitors over stats), the HealthCheck extension and strict mode."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newsbot.extensions.health import STRICT_EXIT_CODE, HealthCheck, exit_code, results_of
from newsbot.items import Article
from newsbot.monitors.health import run_checks

SETTINGS = {
    "NEWSBOT_HEALTH_MIN_ITEMS": 1,
    "NEWSBOT_HEALTH_FIELD_COVERAGE": {"title": 0.99, "body_paragraphs": 0.99, "published": 0.99},
    "NEWSBOT_HEALTH_MAX_ERROR_RATE": 0.05,
    "NEWSBOT_HEALTH_MAX_RETRY_RATE": 0.5,
    "NEWSBOT_HEALTH_FINISH_REASONS": ["finished"],
    "NEWSBOT_HEALTH_MAX_FALLBACK": 0,
}
HEALTHY = {
    "item_scraped_count": 100, "newsbot/health/items": 100, "newsbot/health/field/title": 100,
    "newsbot/health/field/body_paragraphs": 100, "newsbot/health/field/published": 100,
    "downloader/request_count": 120, "retry/count": 20, "finish_reason": "finished",
}


def _crawler(**settings: Any) -> Any:
    crawler = get_crawler(Spider, {**SETTINGS, **settings})
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.stats.open_spider()
    return crawler


def _status(stats: dict[str, Any], **settings: Any) -> dict[str, tuple[str, str | None]]:
    return {r.name.split("/")[0]: (r.status, r.message) for r in run_checks(_crawler(**settings), stats)}


def test_healthy_crawl_passes_every_check() -> None:
    result = _status(HEALTHY)
    assert set(result) == {"items", "field coverage", "error rate", "retry rate", "finish reason", "fallback extractions"}
    assert {s for s, _ in result.values()} == {"passed"}


@pytest.mark.parametrize(("present", "status"), [(99, "passed"), (98, "failed"), (100, "passed")])
def test_field_coverage_threshold(present: int, status: str) -> None:
    result = _status({**HEALTHY, "newsbot/health/field/published": present})
    assert result["field coverage"][0] == status
    if status == "failed":
        assert result["field coverage"][1] == "field coverage too low over 100 items: published 98.0% < 99.0%"


def test_field_coverage_is_skipped_without_items_but_item_count_fails() -> None:
    result = _status({"finish_reason": "finished"})
    assert result["field coverage"] == ("skipped", "no items to measure")
    assert result["items"] == ("failed", "0 items scraped, expected at least 1 (NEWSBOT_HEALTH_MIN_ITEMS)")


@pytest.mark.parametrize(("failed", "status"), [(5, "passed"), (6, "failed")])
def test_error_rate_threshold(failed: int, status: str) -> None:
    # 120 requests - 20 retries = 100 distinct pages
    result = _status({**HEALTHY, "newsbot/failures/fetch": failed - 1, "newsbot/failures/extract": 1})
    assert result["error rate"][0] == status
    if status == "failed":
        assert result["error rate"][1] == "6 of 100 pages failed (6.0% > 5.0%, NEWSBOT_HEALTH_MAX_ERROR_RATE)"


@pytest.mark.parametrize(("retries", "status"), [(60, "passed"), (61, "failed")])
def test_retry_rate_threshold(retries: int, status: str) -> None:
    result = _status({**HEALTHY, "downloader/request_count": 120, "retry/count": retries})
    assert result["retry rate"][0] == status


@pytest.mark.parametrize(("reason", "status"), [("finished", "passed"), ("shutdown", "failed"),
                                                ("closespider_timeout", "failed")])
def test_finish_reason(reason: str, status: str) -> None:
    result = _status({**HEALTHY, "finish_reason": reason})
    assert result["finish reason"][0] == status
    if status == "failed":
        assert result["finish reason"][1] == f"finish reason {reason!r}, expected one of ['finished'] (NEWSBOT_HEALTH_FINISH_REASONS)"


@pytest.mark.parametrize(("fallback", "maximum", "status"), [(0, 0, "passed"), (1, 0, "failed"), (3, 3, "passed")])
def test_fallback_count(fallback: int, maximum: int, status: str) -> None:
    result = _status({**HEALTHY, "newsbot/extract/fallback": fallback}, NEWSBOT_HEALTH_MAX_FALLBACK=maximum)
    assert result["fallback extractions"][0] == status


def test_thresholds_come_from_settings() -> None:
    assert _status({**HEALTHY, "item_scraped_count": 100}, NEWSBOT_HEALTH_MIN_ITEMS=101)["items"][0] == "failed"
    assert _status({**HEALTHY, "finish_reason": "shutdown"},
                   NEWSBOT_HEALTH_FINISH_REASONS=["finished", "shutdown"])["finish reason"][0] == "passed"


# --- the extension -----------------------------------------------------------------------------------


def _ext(**settings: Any) -> HealthCheck:
    return build_from_crawler(HealthCheck, _crawler(**settings))


def test_item_scraped_counts_fields_and_fallbacks_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    ext = _ext()
    ext.item_scraped(Article(url="u1", title="t", body_paragraphs=["p"], published="2015-12-02"))
    ext.item_scraped(Article(url="u2", title="", body_paragraphs=[], published=None, extracted_by="fallback"))
    with caplog.at_level(logging.WARNING):
        ext.item_scraped(Article(url="u3", title="t", body_paragraphs=["p"], extracted_by="fallback"))
    stats = ext.crawler.stats
    assert stats.get_value("newsbot/health/items") == 3
    assert stats.get_value("newsbot/health/field/title") == 2
    assert stats.get_value("newsbot/health/field/body_paragraphs") == 2
    assert stats.get_value("newsbot/health/field/published") == 1
    assert stats.get_value("newsbot/extract/fallback") == 2
    assert "u3" not in caplog.text  # the one warning came with the first fallback item (u2)


def test_fallback_warning_text(caplog: pytest.LogCaptureFixture) -> None:
    ext = _ext()
    with caplog.at_level(logging.WARNING):
        for n in range(3):
            ext.item_scraped({"url": f"https://arabic.rt.com/{n}/", "extracted_by": "fallback"})
    messages = [r.getMessage() for r in caplog.records if "fallback" in r.getMessage()]
    assert messages == ["https://arabic.rt.com/0/ was extracted by the fallback extractor, not the site rules: the site "
                        "may have changed its templates (count in stats newsbot/extract/fallback)"]


@pytest.mark.parametrize(("strict", "min_items", "expected"), [
    (True, 1, 0), (True, 5, STRICT_EXIT_CODE), (False, 5, 0),
])
def test_spider_closed_runs_the_checks_and_sets_the_exit_code(strict: bool, min_items: int, expected: int) -> None:
    ext = _ext(NEWSBOT_STRICT=strict, NEWSBOT_HEALTH_MIN_ITEMS=min_items)
    for name, value in HEALTHY.items():
        ext.crawler.stats.set_value(name, value)
    ext.crawler.stats.set_value("item_scraped_count", 3)
    assert results_of(ext.crawler) is None
    ext.spider_closed("finished")
    results = results_of(ext.crawler)
    assert results is not None and len(results) == 6
    assert exit_code(ext.crawler) == expected
    assert ext.crawler.stats.get_value("newsbot/health/failed") == (1 if min_items == 5 else 0)


def test_strict_crawl_whose_checks_never_ran_is_a_failure() -> None:
    assert exit_code(_crawler(NEWSBOT_STRICT=True)) == STRICT_EXIT_CODE
    assert exit_code(_crawler(NEWSBOT_STRICT=True, NEWSBOT_HEALTH_ENABLED=False)) == 0
    assert exit_code(_crawler(NEWSBOT_STRICT=False)) == 0
