"""A tiny spider for the reliability tests, and a helper running it with ``scrapy crawl`` in a subprocess.

``reltest`` fetches the index of :mod:`tests.reliability_server` and every page it links to,
with the same failure path as the real spider (``RtArSpider.on_error``/``record_failure``:
errback and extraction failures sent as ``newsbot.signals.fetch_failed``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import scrapy
from scrapy.http import TextResponse

from newsbot.items import Article
from newsbot.meta import DEPTH, PARENT, ROOT
from newsbot.spiders.rt_ar import RtArSpider

REPO_ROOT = Path(__file__).resolve().parent.parent


class RelTestSpider(scrapy.Spider):
    name = "reltest"

    def __init__(self, base: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base

    async def start(self) -> Any:
        yield scrapy.Request(f"{self.base}/", callback=self.parse_index, errback=self.on_error, meta={DEPTH: 0})

    def parse_index(self, response: scrapy.http.Response) -> Any:
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article, errback=self.on_error,
                                  meta={DEPTH: 1, PARENT: response.url, ROOT: response.url})

    def parse_article(self, response: scrapy.http.Response) -> Any:
        if not isinstance(response, TextResponse):
            ctype = response.headers.get("Content-Type", b"").decode("latin-1") or "no Content-Type"
            self.record_failure(response.request, "extract", f"not an HTML page ({ctype})", response.status)
            return
        if response.css("h1.boom"):
            raise ValueError("boom: cannot parse this page")
        title = response.css("article h1::text").get()
        if not title:
            reason = "not an article: empty body" if not response.body else "not an article: no title"
            self.record_failure(response.request, "extract", reason, response.status)
            return
        yield Article(
            url=response.url,
            title=title,
            body_paragraphs=response.css("article p::text").getall(),
            published=response.css("time::attr(datetime)").get(),
            extracted_by="fallback" if response.css("article.fallback") else "rules",
            http_status=response.status,
        )

    on_error = RtArSpider.on_error
    record_failure = RtArSpider.record_failure


class Crawl(NamedTuple):
    returncode: int
    stderr: str
    job_dir: Path
    items: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    summary: dict[str, Any] | None


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_reltest(base: str, archive_dir: Path, settings: dict[str, Any] | None = None, umask: int | None = None,
                timeout: float = 120) -> Crawl:
    """``scrapy crawl reltest -a base=...`` from the repo root, fast retry/timeout settings, proxies off."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    all_settings: dict[str, Any] = {
        "SPIDER_MODULES": "tests.reliability_spider",
        "ARCHIVE_DIR": archive_dir,
        "NEWSBOT_ALLOWED_HOSTS": "127.0.0.1",
        "AUTOTHROTTLE_ENABLED": 0,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "DOWNLOAD_TIMEOUT": 1,
        "NEWSBOT_RETRY_BACKOFF_BASE": 0.01,
        "NEWSBOT_RETRY_BACKOFF_MAX": 0.1,
        "NEWSBOT_RETRY_AFTER_MAX": 0.05,
        "NEWSBOT_COVERAGE_ENABLED": 0,
        "TELNETCONSOLE_ENABLED": 0,
        **(settings or {}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reltest", "-a", f"base={base}"]
    for name, value in all_settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    preexec = (lambda: os.umask(umask)) if umask is not None else None  # noqa: E731
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout, preexec_fn=preexec)
    jobs = [p for p in archive_dir.iterdir() if p.is_dir()]
    assert len(jobs) == 1, f"expected one job folder in {archive_dir}, found {jobs}\n{proc.stderr[-3000:]}"
    job = jobs[0]
    summary_path = job / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else None
    return Crawl(proc.returncode, proc.stderr, job, _jsonl(job / "items.jsonl"), _jsonl(job / "failures.jsonl"), summary)
