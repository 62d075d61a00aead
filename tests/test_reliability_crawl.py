"""Crawl-level reliability tests: real ``scrapy crawl`` runs against the fault-injecting server.

Expected items come from the server's page source (tests.reliability_server.article_text), never
from the code under test.
"""

from __future__ import annotations

import stat
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from tests.reliability_server import FAULTS, HUGE_SIZE, Config, FaultServer, article_text
from tests.reliability_spider import Crawl, run_reltest

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e


def _by_url(items: list[dict[str, Any]], base: str) -> dict[str, dict[str, Any]]:
    return {item["url"][len(base):]: item for item in items}


def _assert_article(item: dict[str, Any], n: int) -> None:
    expected = article_text(n)
    assert item["title"] == expected["title"]
    assert item["body_paragraphs"] == expected["body_paragraphs"]
    assert item["published"] == expected["published"]


# --- 15% transient faults ----------------------------------------------------------------------

ARTICLES = 40
SEED = 158  # with 40 articles this seed injects every fault kind, ~25% of requests (checked below)


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, FaultServer]:
    with FaultServer(Config(articles=ARTICLES, fault_rate=0.15, seed=SEED, stall=1.5)) as server:
        crawl = run_reltest(server.url, tmp_path_factory.mktemp("faults") / "archive")
    return crawl, server


def test_fifteen_percent_faults_lose_no_page(faulty_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, server = faulty_crawl
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    faults = Counter(e["fault"] for e in server.log if e["fault"])
    assert set(faults) == set(FAULTS), f"the seed no longer injects every fault kind: {faults}"
    assert sum(faults.values()) / len(server.log) >= 0.12
    items = _by_url(crawl.items, server.url)
    assert sorted(items) == sorted(f"/a/{n}/" for n in range(ARTICLES))
    for n in range(ARTICLES):
        _assert_article(items[f"/a/{n}/"], n)
    assert crawl.failures == []
    assert server.errors == []


def test_every_fault_was_retried_once(faulty_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, server = faulty_crawl
    counts = crawl.summary["counts"]
    # an empty robots.txt is a valid one (allow all): the only fault that is not retried
    n_faults = sum(1 for e in server.log if e["fault"] and (e["path"], e["fault"]) != ("/robots.txt", "empty"))
    assert counts["retries"] == n_faults
    assert counts["retries_given_up"] == 0
    reasons = counts["retries_by_reason"]
    assert reasons["truncated or corrupt gzip body"] == sum(1 for e in server.log if e["fault"] == "gzip_cut")
    assert reasons["empty body"] == sum(1 for e in server.log if e["fault"] == "empty")
    # a reset connection shows up as a failed or a timed-out download, depending on timing
    assert reasons.get("scrapy.exceptions.DownloadTimeoutError", 0) + reasons.get(
        "scrapy.exceptions.DownloadFailedError", 0) == sum(1 for e in server.log if e["fault"] in ("stall", "reset"))
    assert reasons["scrapy.exceptions.ResponseDataLossError"] == sum(1 for e in server.log if e["fault"] == "short_body")


def test_summary_of_a_faulty_but_complete_crawl(faulty_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, server = faulty_crawl
    s = crawl.summary
    assert s is not None
    assert s["spider"] == "reltest"
    assert s["job_id"] == crawl.job_dir.name
    assert s["finish_reason"] == "finished"
    assert s["counts"]["items"] == ARTICLES
    assert s["counts"]["requests"] == len(server.log)
    assert s["failures"] == {"total": 0, "by_stage": {"fetch": 0, "extract": 0}, "by_reason": {}, "file": "failures.jsonl"}
    assert s["durations"]["crawl_seconds"] > 0
    assert s["started"] <= s["finished"]
    assert s["health"]["passed"] is True
    assert {c["status"] for c in s["health"]["checks"]} == {"passed"}
    assert len(s["health"]["checks"]) == 6


# --- odd pages -----------------------------------------------------------------------------------

GOOD = 4


@pytest.fixture(scope="module")
def odd_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, FaultServer]:
    config = Config(articles=GOOD, robots="503", odd=True)
    with FaultServer(config) as server:
        port = server.server_address[1]
        config.extra_links = [f"http://localhost:{port}/a/2/", f"http://evil.example:{port}/a/3/"]
        crawl = run_reltest(server.url, tmp_path_factory.mktemp("odd") / "archive",
                            {"DOWNLOAD_MAXSIZE": HUGE_SIZE // 3}, umask=0)
    return crawl, server


def _failure(crawl: Crawl, url_end: str) -> dict[str, Any]:
    found = [f for f in crawl.failures if f["url"].endswith(url_end)]
    assert len(found) == 1, f"{url_end}: {found}"
    return found[0]


def test_odd_pages_keep_the_good_ones(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, server = odd_crawl
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    items = _by_url(crawl.items, server.url)
    for n in range(GOOD):
        _assert_article(items[f"/a/{n}/"], n)
    # windows-1256 bytes under a wrong (utf-8) or missing charset: decoded right, Arabic intact
    _assert_article(items["/odd/wrong-charset/"], 101)
    _assert_article(items["/odd/no-charset/"], 102)
    assert "\ufffd" not in str(crawl.items)
    assert sorted(items) == sorted([f"/a/{n}/" for n in range(GOOD)] + [
        "/odd/wrong-charset/", "/odd/no-charset/", "/odd/fallback-1/", "/odd/fallback-2/"])
    assert server.errors == []


@pytest.mark.parametrize(("url_end", "stage", "message"), [
    ("/robots.txt", "fetch", "robots.txt answered HTTP 503; crawling as if there were none"),
    ("/odd/pdf/", "extract", "not an HTML page (application/pdf)"),
    ("/odd/huge/", "fetch", f"DownloadCancelledError: Expected to receive {HUGE_SIZE + 26} bytes which is larger than download max size ({HUGE_SIZE // 3})"),
    ("/odd/bomb/", "fetch", f"exceeded DOWNLOAD_MAXSIZE ({HUGE_SIZE // 3} B) during decompression"),
    ("/odd/loop-a/", "fetch", "redirect loop: {base}/odd/loop-a/ -> {base}/odd/loop-b/ -> {base}/odd/loop-a/"),
    ("/odd/empty/", "extract", "not an article: empty body"),
    ("/odd/not-article/", "extract", "not an article: no title"),
    ("/odd/boom/", "extract", "ValueError in parse_article: boom: cannot parse this page"),
    ("/odd/gzip-broken/", "fetch", "IncompleteBody: gzip stream ends early"),
    ("/odd/missing/", "fetch", "HTTP 404"),
    ("localhost:{port}/a/1/", "fetch", "HostNotAllowed: localhost is not in NEWSBOT_ALLOWED_HOSTS: http://localhost:{port}/a/1/ (redirected from {base}/odd/redirect-out/)"),
    ("localhost:{port}/a/2/", "fetch", "HostNotAllowed: localhost is not in NEWSBOT_ALLOWED_HOSTS"),
    ("evil.example:{port}/a/3/", "fetch", "HostNotAllowed: evil.example is not in NEWSBOT_ALLOWED_HOSTS"),
])
def test_each_odd_page_is_recorded_once(odd_crawl: tuple[Crawl, FaultServer], url_end: str, stage: str,
                                        message: str) -> None:
    crawl, server = odd_crawl
    port = server.server_address[1]
    record = _failure(crawl, url_end.format(port=port))
    assert record["stage"] == stage
    assert message.format(base=server.url, port=port) in record["reason"]
    assert record["time"] and record["attempts"] >= 1


def test_odd_failure_records_carry_crawl_context(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, server = odd_crawl
    empty = _failure(crawl, "/odd/empty/")
    assert empty["attempts"] == 7  # retried: empty bodies are often transient
    assert empty["status"] == 200
    assert empty["depth"] == 1
    assert empty["parent"] == empty["root"] == f"{server.url}/"
    assert _failure(crawl, "/robots.txt")["attempts"] == 7
    assert _failure(crawl, "/odd/missing/")["status"] == 404
    assert len(crawl.failures) == 13


def test_other_hosts_are_never_contacted(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, server = odd_crawl
    port = server.server_address[1]
    assert {e["host"] for e in server.log} == {f"127.0.0.1:{port}"}
    assert crawl.summary["counts"]["blocked_hosts"] == 3


def test_odd_crawl_summary_and_health(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, _ = odd_crawl
    s = crawl.summary
    assert s["finish_reason"] == "finished"
    assert s["counts"]["fallback_extractions"] == 2
    assert s["failures"]["total"] == len(crawl.failures) == 13
    assert s["failures"]["by_stage"] == {"fetch": 9, "extract": 4}
    assert s["failures"]["by_reason"]["fetch"]["HostNotAllowed"] == 3
    assert s["failures"]["by_reason"]["extract"]["not an article"] == 2
    checks = {c["name"].split("/")[0]: c for c in s["health"]["checks"]}
    assert checks["fallback extractions"]["status"] == "failed"
    assert "2 items extracted by the fallback" in checks["fallback extractions"]["message"]
    assert checks["error rate"]["status"] == "failed"
    assert checks["finish reason"]["status"] == "passed"
    assert s["health"]["passed"] is False
    assert s["health"]["exit_status"] == 0  # not strict


def test_fallback_warning_is_logged_once(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, _ = odd_crawl
    assert crawl.stderr.count("was extracted by the fallback extractor") == 1


def test_job_files_are_not_world_writable_even_with_umask_0(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, _ = odd_crawl
    names = {p.name for p in crawl.job_dir.iterdir()}
    assert {"failures.jsonl", "summary.json"} <= names
    for name in ("failures.jsonl", "summary.json"):
        mode = stat.S_IMODE((crawl.job_dir / name).stat().st_mode)
        assert not mode & stat.S_IWOTH, f"{name} is world-writable: {oct(mode)}"
    assert not stat.S_IMODE(crawl.job_dir.stat().st_mode) & stat.S_IWOTH


def test_no_file_name_comes_from_a_url(odd_crawl: tuple[Crawl, FaultServer]) -> None:
    crawl, _ = odd_crawl
    archive = crawl.job_dir.parent
    assert [p.name for p in archive.iterdir() if p.is_dir()] == [crawl.job_dir.name]
    for path in crawl.job_dir.rglob("*"):
        assert "odd" not in path.name and "127.0.0.1" not in path.name and "localhost" not in path.name


def test_garbage_robots_txt_is_recorded_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with FaultServer(Config(articles=3, robots="garbage")) as server:
        crawl = run_reltest(server.url, tmp_path / "archive")
    assert crawl.returncode == 0
    assert sorted(_by_url(crawl.items, server.url)) == ["/a/0/", "/a/1/", "/a/2/"]
    [record] = crawl.failures
    assert record["url"] == f"{server.url}/robots.txt"
    assert record["reason"] == "robots.txt is binary data (application/octet-stream, 1024 bytes); crawling as if there were none"


# --- strict mode -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("strict", "expected"), [(1, 3), (0, 0)])
def test_strict_mode_turns_a_failed_check_into_an_exit_code(tmp_path: Path, strict: int, expected: int) -> None:
    with FaultServer(Config(articles=2)) as server:
        crawl = run_reltest(server.url, tmp_path / "archive", {"NEWSBOT_STRICT": strict, "NEWSBOT_HEALTH_MIN_ITEMS": 5})
    assert crawl.returncode == expected, crawl.stderr[-2000:]
    assert crawl.summary["health"]["passed"] is False
    assert crawl.summary["health"]["exit_status"] == expected
    assert len(crawl.items) == 2


def test_strict_mode_passes_a_healthy_crawl(tmp_path: Path) -> None:
    with FaultServer(Config(articles=2)) as server:
        crawl = run_reltest(server.url, tmp_path / "archive", {"NEWSBOT_STRICT": 1})
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert crawl.summary["health"]["passed"] is True
