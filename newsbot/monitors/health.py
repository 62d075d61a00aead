"""Crawl health checks, as spidermon monitors over the crawl's stats and newsbot settings.

Each check reads stats only (producers: Scrapy's core stats, the spider, newsbot's middlewares
and :class:`newsbot.extensions.health.HealthCheck`, which counts field coverage and fallback
extractions) and a threshold setting; every threshold has a default in newsbot/settings.py.
:func:`run_checks` runs the suite with spidermon's plain ``MonitorRunner``: spidermon's Scrapy
runner logs through ``Spider.log()``, deprecated in Scrapy 2.19, which fails under
warnings-as-errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.runners import MonitorRunner

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# stats written by HealthCheck
ITEMS_STAT = "newsbot/health/items"
FIELD_STAT = "newsbot/health/field/{}"  # items where the field is present and not empty
FALLBACK_STAT = "newsbot/extract/fallback"


def failures_total(stats: dict[str, Any]) -> int:
    return int(stats.get("newsbot/failures/fetch", 0)) + int(stats.get("newsbot/failures/extract", 0))


def pages_attempted(stats: dict[str, Any]) -> int:
    """Distinct requests sent: every request minus the retries of one."""
    return max(0, int(stats.get("downloader/request_count", 0)) - int(stats.get("retry/count", 0)))


class NewsbotMonitor(Monitor):
    longMessage = False

    @property
    def settings(self) -> Any:
        return self.data.crawler.settings

    @property
    def stats(self) -> Any:
        return self.data.stats


@monitors.name("items")
class ItemCountMonitor(NewsbotMonitor):
    @monitors.name("enough items")
    def test_min_items(self) -> None:
        minimum = self.settings.getint("NEWSBOT_HEALTH_MIN_ITEMS", 1)
        # a resumed run counts the items its job wrote before the interruption too
        count = int(self.stats.get("item_scraped_count", 0)) + int(self.stats.get("newsbot/resume/items_before", 0))
        self.assertGreaterEqual(count, minimum, msg=f"{count} items scraped, expected at least {minimum} (NEWSBOT_HEALTH_MIN_ITEMS)")


@monitors.name("field coverage")
class FieldCoverageMonitor(NewsbotMonitor):
    @monitors.name("fields present in enough items")
    def test_field_coverage(self) -> None:
        rules = self.settings.getdict("NEWSBOT_HEALTH_FIELD_COVERAGE")
        items = int(self.stats.get(ITEMS_STAT, 0))
        if not items or not rules:
            self.skipTest("no items to measure" if rules else "NEWSBOT_HEALTH_FIELD_COVERAGE is empty")
        low = []
        for field, minimum in sorted(rules.items()):
            coverage = int(self.stats.get(FIELD_STAT.format(field), 0)) / items
            if coverage < float(minimum):
                low.append(f"{field} {coverage:.1%} < {float(minimum):.1%}")
        self.assertFalse(low, msg=f"field coverage too low over {items} items: " + ", ".join(low))


@monitors.name("error rate")
class ErrorRateMonitor(NewsbotMonitor):
    @monitors.name("failed pages within limit")
    def test_error_rate(self) -> None:
        maximum = self.settings.getfloat("NEWSBOT_HEALTH_MAX_ERROR_RATE", 0.05)
        failed, attempted = failures_total(self.stats), pages_attempted(self.stats)
        rate = failed / attempted if attempted else 0.0
        self.assertLessEqual(
            rate, maximum,
            msg=f"{failed} of {attempted} pages failed ({rate:.1%} > {maximum:.1%}, NEWSBOT_HEALTH_MAX_ERROR_RATE)",
        )


@monitors.name("retry rate")
class RetryRateMonitor(NewsbotMonitor):
    @monitors.name("retries within limit")
    def test_retry_rate(self) -> None:
        maximum = self.settings.getfloat("NEWSBOT_HEALTH_MAX_RETRY_RATE", 0.5)
        retries, requests = int(self.stats.get("retry/count", 0)), int(self.stats.get("downloader/request_count", 0))
        rate = retries / requests if requests else 0.0
        self.assertLessEqual(
            rate, maximum,
            msg=f"{retries} of {requests} requests were retries ({rate:.1%} > {maximum:.1%}, NEWSBOT_HEALTH_MAX_RETRY_RATE)",
        )


@monitors.name("finish reason")
class FinishReasonMonitor(NewsbotMonitor):
    @monitors.name("crawl finished normally")
    def test_finish_reason(self) -> None:
        expected = self.settings.getlist("NEWSBOT_HEALTH_FINISH_REASONS", ["finished"])
        reason = self.stats.get("finish_reason")
        self.assertIn(reason, expected, msg=f"finish reason {reason!r}, expected one of {expected} (NEWSBOT_HEALTH_FINISH_REASONS)")


@monitors.name("fallback extractions")
class FallbackMonitor(NewsbotMonitor):
    @monitors.name("rule-based extraction worked")
    def test_fallback_count(self) -> None:
        maximum = self.settings.getint("NEWSBOT_HEALTH_MAX_FALLBACK", 0)
        count = int(self.stats.get(FALLBACK_STAT, 0))
        self.assertLessEqual(
            count, maximum,
            msg=f"{count} items extracted by the fallback (> {maximum}, NEWSBOT_HEALTH_MAX_FALLBACK): "
            "the site may have changed its templates",
        )


class HealthSuite(MonitorSuite):
    monitors = [ItemCountMonitor, FieldCoverageMonitor, ErrorRateMonitor, RetryRateMonitor,
                FinishReasonMonitor, FallbackMonitor]


@dataclass
class CheckResult:
    name: str
    status: str  # "passed", "failed", "skipped", "error"
    message: str | None = None


_STATUS = {"OK": "passed", "FAIL": "failed", "SKIPPED": "skipped", "ERROR": "error"}


def run_checks(crawler: Crawler, stats: dict[str, Any], suite_cls: type[MonitorSuite] = HealthSuite) -> list[CheckResult]:
    """Run the health suite over ``stats``; one result per check, in suite order."""
    result = MonitorRunner().run(suite_cls(crawler=crawler), stats=stats, crawler=crawler, spider=crawler.spider, job=None)
    checks = []
    for item in result.monitor_results:
        status = _STATUS.get(item.status, item.status.lower())
        message = item.reason
        if status == "error" and item.error:
            message = item.error.strip().splitlines()[-1]
        checks.append(CheckResult(name=item.item.name, status=status, message=message))
    return checks
