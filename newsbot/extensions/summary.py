"""JobSummary: ``<job folder>/summary.json`` at the end of every crawl.

What a cron user reads first: counts (items, requests, responses by status, retries,
failures by stage and reason, fallback extractions, blocked hosts), the finish reason,
start and end times and durations, and the health-check results. Written after the health
checks (this extension is connected after :class:`~newsbot.extensions.health.HealthCheck`),
atomically (temporary file, then rename), mode 0644.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot import __version__
from newsbot.extensions.health import exit_code, results_of
from newsbot.job import Job
from newsbot.monitors.health import FALLBACK_STAT, failures_total

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

FILE_NAME = "summary.json"


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix) and "/" not in k[len(prefix):]}


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


def build_summary(stats: dict[str, Any], *, job_id: str, spider: str, reason: str, started: datetime,
                  finished: datetime, elapsed: float, health: list[Any] | None, strict: bool,
                  exit_status: int) -> dict[str, Any]:
    by_reason: dict[str, dict[str, int]] = {}
    for key, value in sorted(stats.items()):
        parts = key.split("/", 4)
        if len(parts) == 5 and parts[:2] == ["newsbot", "failures"] and parts[3] == "reason":
            by_reason.setdefault(parts[2], {})[parts[4]] = value
    return {
        "job_id": job_id,
        "spider": spider,
        "newsbot_version": __version__,
        "finish_reason": reason,
        "started": _iso(started),
        "finished": _iso(finished),
        "durations": {"crawl_seconds": round(elapsed, 3)},
        "counts": {
            "items": stats.get("item_scraped_count", 0),
            "items_before_resume": stats.get("newsbot/resume/items_before", 0),
            "items_dropped": stats.get("item_dropped_count", 0),
            "fallback_extractions": stats.get(FALLBACK_STAT, 0),
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "responses_by_status": {int(k): v for k, v in _prefixed(stats, "downloader/response_status_count/").items()},
            "download_exceptions": _prefixed(stats, "downloader/exception_type_count/"),
            "retries": stats.get("retry/count", 0),
            "retries_by_reason": _prefixed(stats, "retry/reason_count/"),
            "retries_given_up": stats.get("retry/max_reached", 0),
            "blocked_hosts": stats.get("newsbot/allowed_hosts/blocked", 0),
        },
        "failures": {
            "total": failures_total(stats),
            "by_stage": {s: stats.get(f"newsbot/failures/{s}", 0) for s in ("fetch", "extract")},
            "by_reason": by_reason,
            "file": "failures.jsonl",
        },
        "health": {
            "ran": health is not None,
            "passed": health is not None and not any(r.status in ("failed", "error") for r in health),
            "strict": strict,
            "exit_status": exit_status,
            "checks": [{"name": r.name, "status": r.status, "message": r.message} for r in health or []],
        },
    }


class JobSummary:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSBOT_SUMMARY_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_SUMMARY_ENABLED is off
        self.crawler = crawler
        self._started = datetime.now(timezone.utc)
        self._t0 = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self._started = datetime.now(timezone.utc)
        self._t0 = time.monotonic()

    def spider_closed(self, reason: str) -> None:
        crawler = self.crawler
        job = Job.of(crawler)
        summary = build_summary(
            dict(crawler.stats.get_stats()),
            job_id=job.id,
            spider=crawler.spider.name if crawler.spider else "",
            reason=reason,
            started=self._started,
            finished=datetime.now(timezone.utc),
            elapsed=time.monotonic() - self._t0,
            health=results_of(crawler),
            strict=crawler.settings.getbool("NEWSBOT_STRICT"),
            exit_status=exit_code(crawler),
        )
        path = job.path(FILE_NAME)
        tmp = job.path(FILE_NAME + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=2, default=str)
            f.write("\n")
        os.replace(tmp, path)
        logger.info("Job summary written to %s", path)
