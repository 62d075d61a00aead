"""ReplayAddon: what replay switches off (nothing a live crawl decides with) and a replay that still obeys
the archived robots.txt and records every failure, each once."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newsbot.warc.addon import ReplayAddon
from tests.crawl_helpers import run_crawl
from tests.test_replay_crawl import ClosedProxy

PAGES = Path(__file__).parent / "fixtures" / "pages" / "replica"
SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
#: on in replay as in a live crawl: they decide what is fetched and what a page becomes, or record it
KEPT = {
    "RobotsTxtMiddleware", "OffsiteMiddleware", "AllowedHostsMiddleware", "RedirectMiddleware", "MetaRefreshMiddleware",
    "ZlibNgHttpCompressionMiddleware", "BodyCheckMiddleware", "CharsetMiddleware", "UnhandledFailuresMiddleware",
    "DownloaderStats",
}
OFFLINE = {
    "UserAgentMiddleware", "DefaultHeadersMiddleware", "DownloadTimeoutMiddleware", "HttpAuthMiddleware",
    "CookiesMiddleware", "RetryMiddleware", "RetryBackoffMiddleware", "HttpProxyMiddleware",
}


def _middlewares(tmp_path: Path, **settings: Any) -> set[str]:
    """Names of the downloader middlewares a crawl with the project settings (+ ``settings``) enables."""
    project = get_project_settings()
    project.setdict({"ARCHIVE_DIR": str(tmp_path), **settings}, priority="cmdline")
    ReplayAddon().update_settings(project)  # what the crawler's add-on manager does
    chosen = {name: project[name] for name in project if (project.getpriority(name) or 0) > 0}  # not Scrapy defaults
    crawler = get_crawler(Spider, chosen)
    enabled = set()
    for path in build_component_list(crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES")):
        cls = load_object(path)
        try:
            build_from_crawler(cls, crawler)
        except NotConfigured:
            continue
        enabled.add(cls.__name__)
    return enabled


def test_replay_switches_off_only_what_has_no_work_offline(tmp_path: Path) -> None:
    live = _middlewares(tmp_path)
    assert KEPT | OFFLINE <= live
    replay = _middlewares(tmp_path, NEWSBOT_REPLAY=str(Path(__file__).parent / "fixtures" / "warc" / "wget-seed.warc.gz"))
    assert KEPT <= replay
    assert not OFFLINE & replay
    assert "ResumeFromArchiveMiddleware" not in replay and "WarcArchiveMiddleware" not in replay


def _page(n: int) -> tuple[str, bytes]:
    folder = sorted(p for p in PAGES.iterdir() if p.is_dir())[n]
    url = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["url"]
    return url, (folder / "page.html").read_bytes()


def _archive(path: Path, answers: list[tuple[str, int, bytes]]) -> None:
    """A .warc.gz of one response record per answer, one gzip member each (as crawlers write them)."""
    with open(path, "wb") as fh:
        for n, (url, status, body) in enumerate(answers):
            ctype = "text/plain" if url.endswith("robots.txt") else "text/html; charset=utf-8"
            block = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
            head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
                    f"WARC-Date: 2026-01-05T10:00:0{n}Z\r\nWARC-Target-URI: {url}\r\n"
                    f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n")
            fh.write(gzip.compress(head.encode() + block + b"\r\n\r\n"))


def test_replay_obeys_archived_robots_and_records_each_failure_once(tmp_path: Path) -> None:
    (ok_url, ok_body), (forbidden_url, forbidden_body), (failing_url, _) = _page(0), _page(1), _page(2)
    forbidden_path = forbidden_url.removeprefix("https://arabic.rt.com")
    robots = f"User-agent: *\nDisallow: {forbidden_path}\n".encode()
    archive = tmp_path / "in.warc.gz"
    _archive(archive, [
        ("https://arabic.rt.com/robots.txt", 200, robots),
        (ok_url, 200, ok_body),
        (forbidden_url, 200, forbidden_body),
        (failing_url, 503, b"<html><body>busy</body></html>"),
    ])
    result = run_crawl(server=ClosedProxy(), archive_dir=tmp_path / "out", replay=archive, depth=0,
                       url=f"{ok_url},{forbidden_url},{failing_url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert [item["url"] for item in result.items] == [ok_url]
    failures = [json.loads(line) for line in (result.job_dir / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    by_url = {f["url"]: f for f in failures}
    assert len(failures) == 2 and set(by_url) == {forbidden_url, failing_url}
    assert "robots.txt" in by_url[forbidden_url]["reason"]
    assert by_url[failing_url]["reason"] == "HTTP 503" and by_url[failing_url]["status"] == 503
    report = json.loads((result.job_dir / "replay.json").read_text(encoding="utf-8"))
    assert report["counts"]["hit"] == 3  # robots.txt, the page, the 503 once (not retried); the forbidden page never
    assert "retry/count" not in result.stderr


def test_a_replay_does_not_import_the_archive_writing_stack(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.crawl_helpers import REPO_ROOT

    archive = Path(__file__).parent / "fixtures" / "warc" / "wget-seed.warc.gz"
    script = f"""
import sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
settings.setdict({{"ARCHIVE_DIR": {str(tmp_path)!r}, "LOG_LEVEL": "ERROR"}}, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl("rt_ar", url={SEED!r}, replay={str(archive)!r})
process.start()
print(sorted(m for m in sys.modules if m.startswith(("newsbot.warc.", "cdxj_indexer", "scrapy.core.downloader.handlers.http11"))))
"""
    env = {k: v for k, v in __import__("os").environ.items() if "proxy" not in k.lower()}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = done.stdout.strip().splitlines()[-1]
    assert "newsbot.warc.replay" in loaded  # the crawl did replay
    for module in ("newsbot.warc.middleware", "newsbot.warc.transport", "newsbot.warc.store", "newsbot.warc.finalize",
                   "newsbot.warc.cdxj", "cdxj_indexer", "scrapy.core.downloader.handlers.http11"):
        assert f"'{module}'" not in loaded, module
    assert list(tmp_path.glob("*/items.jsonl"))
