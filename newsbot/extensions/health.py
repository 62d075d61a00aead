"""HealthCheck: count what the health checks need while items flow, run the checks at close.

While crawling: field coverage of every scraped item (``newsbot/health/field/<name>``: the
field is present and not empty) and items extracted by the fallback extractor
(``newsbot/extract/fallback``, with one warning per crawl: the site may have changed its
templates). At ``spider_closed``: runs :class:`newsbot.monitors.health.HealthSuite`, logs one
line per check, puts ``newsbot/health/{passed,failed}`` in the stats and keeps the results on
the crawler for the job summary. With ``NEWSBOT_STRICT`` a failed check makes :func:`exit_code`
non-zero; the ``crawl`` command turns that into the process exit status.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot.monitors.health import FALLBACK_STAT, FIELD_STAT, ITEMS_STAT, CheckResult, run_checks

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_RESULTS = "_newsbot_health"  # crawler attribute: list[CheckResult] once the checks ran
#: exit status of ``scrapy crawl`` when NEWSBOT_STRICT is on and a health check failed
STRICT_EXIT_CODE = 3


def results_of(crawler: Crawler) -> list[CheckResult] | None:
    """The health-check results of a finished crawl, or None if they did not run."""
    return getattr(crawler, _RESULTS, None)


def exit_code(crawler: Crawler) -> int:
    """STRICT_EXIT_CODE when NEWSBOT_STRICT is on and a check failed (or could not run); else 0."""
    if not crawler.settings.getbool("NEWSBOT_STRICT"):
        return 0
    results = results_of(crawler)
    if results is None:
        return STRICT_EXIT_CODE if crawler.settings.getbool("NEWSBOT_HEALTH_ENABLED", True) else 0
    return STRICT_EXIT_CODE if any(r.status in ("failed", "error") for r in results) else 0


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


class HealthCheck:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSBOT_HEALTH_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_HEALTH_ENABLED is off
        self.crawler = crawler
        self.fields = list(crawler.settings.getdict("NEWSBOT_HEALTH_FIELD_COVERAGE"))
        self._warned_fallback = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthCheck:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        stats.inc_value(ITEMS_STAT)
        for field in self.fields:
            if _present(adapter.get(field)):
                stats.inc_value(FIELD_STAT.format(field))
        if adapter.get("extracted_by") == "fallback":
            stats.inc_value(FALLBACK_STAT)
            if not self._warned_fallback:
                self._warned_fallback = True
                logger.warning(
                    "%s was extracted by the fallback extractor, not the site rules: the site may have "
                    "changed its templates (count in stats %s)", adapter.get("url"), FALLBACK_STAT,
                )

    def spider_closed(self, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        results = run_checks(self.crawler, stats)
        setattr(self.crawler, _RESULTS, results)
        failed = [r for r in results if r.status in ("failed", "error")]
        self.crawler.stats.set_value("newsbot/health/passed", sum(r.status == "passed" for r in results))
        self.crawler.stats.set_value("newsbot/health/failed", len(failed))
        for r in results:
            level = logging.WARNING if r in failed else logging.INFO
            logger.log(level, "Health check %s: %s%s", r.name, r.status, f" ({r.message})" if r.message else "")
        if failed and self.crawler.settings.getbool("NEWSBOT_STRICT"):
            logger.error("NEWSBOT_STRICT: %d health check(s) failed; the crawl will exit with status %d",
                         len(failed), STRICT_EXIT_CODE)
