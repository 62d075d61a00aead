"""JobSummary: summary.json built from the stats, written atomically with mode 0644."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newsbot.extensions.summary import JobSummary, build_summary
from newsbot.monitors.health import CheckResult

if TYPE_CHECKING:
    from pathlib import Path

STATS = {
    "item_scraped_count": 7, "newsbot/extract/fallback": 2,
    "downloader/request_count": 30, "downloader/response_count": 27,
    "downloader/response_status_count/200": 20, "downloader/response_status_count/503": 6,
    "downloader/response_status_count/404": 1,
    "downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError": 3,
    "retry/count": 9, "retry/max_reached": 1, "retry/reason_count/503 Service Unavailable": 6,
    "retry/reason_count/scrapy.exceptions.DownloadTimeoutError": 3,
    "newsbot/failures/fetch": 2, "newsbot/failures/extract": 1, "newsbot/failures/fetch/status/404": 1,
    "newsbot/failures/fetch/reason/HTTP 404": 1, "newsbot/failures/fetch/reason/HostNotAllowed": 1,
    "newsbot/failures/extract/reason/not an article": 1, "newsbot/allowed_hosts/blocked": 1,
}


def test_build_summary() -> None:
    started = datetime(2026, 1, 1, 10, 0, 0, tzinfo=timezone.utc)
    finished = datetime(2026, 1, 1, 10, 1, 30, tzinfo=timezone.utc)
    health = [CheckResult("items/enough items", "passed"), CheckResult("error rate/x", "failed", "3 of 21 pages failed")]
    s = build_summary(STATS, job_id="J", spider="rt_ar", reason="finished", started=started, finished=finished,
                      elapsed=90.0, health=health, strict=True, exit_status=3)
    assert s["job_id"] == "J" and s["spider"] == "rt_ar" and s["finish_reason"] == "finished"
    assert (s["started"], s["finished"]) == ("2026-01-01T10:00:00+00:00", "2026-01-01T10:01:30+00:00")
    assert s["durations"] == {"crawl_seconds": 90.0}
    assert s["counts"] == {
        "items": 7, "items_before_resume": 0, "items_dropped": 0, "fallback_extractions": 2, "requests": 30, "responses": 27,
        "responses_by_status": {200: 20, 404: 1, 503: 6},
        "download_exceptions": {"scrapy.exceptions.DownloadTimeoutError": 3},
        "retries": 9, "retries_by_reason": {"503 Service Unavailable": 6, "scrapy.exceptions.DownloadTimeoutError": 3},
        "retries_given_up": 1, "blocked_hosts": 1,
    }
    assert s["failures"] == {
        "total": 3, "by_stage": {"fetch": 2, "extract": 1},
        "by_reason": {"extract": {"not an article": 1}, "fetch": {"HTTP 404": 1, "HostNotAllowed": 1}},
        "file": "failures.jsonl",
    }
    assert s["health"] == {
        "ran": True, "passed": False, "strict": True, "exit_status": 3,
        "checks": [{"name": "items/enough items", "status": "passed", "message": None},
                   {"name": "error rate/x", "status": "failed", "message": "3 of 21 pages failed"}],
    }


def test_summary_when_health_checks_did_not_run() -> None:
    now = datetime.now(timezone.utc)
    s = build_summary({}, job_id="J", spider="s", reason="shutdown", started=now, finished=now, elapsed=0.0,
                      health=None, strict=False, exit_status=0)
    assert s["health"]["ran"] is False and s["health"]["passed"] is False and s["health"]["checks"] == []
    assert s["counts"]["items"] == 0 and s["failures"]["total"] == 0


def test_extension_writes_summary_json(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path), "NEWSBOT_JOB_ID": "job1"})
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.stats.open_spider()
    for name, value in STATS.items():
        crawler.stats.set_value(name, value)
    ext = build_from_crawler(JobSummary, crawler)
    ext.spider_opened()
    old = os.umask(0)
    try:
        ext.spider_closed("finished")
    finally:
        os.umask(old)
    path = tmp_path / "job1" / "summary.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert data["job_id"] == "job1" and data["spider"] == "t" and data["finish_reason"] == "finished"
    assert data["counts"]["responses_by_status"] == {"200": 20, "404": 1, "503": 6}
    assert data["health"]["ran"] is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "job1").iterdir()) == ["summary.json"]  # no temporary file left
