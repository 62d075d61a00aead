"""The coverage monitor end to end: real ``scrapy crawl rt_ar`` runs over snapshots t1 and t2, then the report.

t2 is t1 "days later" (tests/site/README.md): in story 4521, 826034 and 826577 are new, 812450 was edited
(one clause added to its 3rd paragraph, ``modified`` 2016-07-14T11:20) and 822107 answers 410 and is no
longer linked from anywhere -- it is only seen again because the monitor re-fetches known follow-ups.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

import newsbot.coverage
from newsbot.coverage.report import build_report
from newsbot.coverage.store import CoverageStore
from tests import server_process as test_server
from tests.crawl_helpers import REPO_ROOT, SITE_DIR, crawl_env

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.e2e

SITE = "https://arabic.rt.com"
SEED = f"{SITE}/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
STORY = f"{SITE}/story/4521-روسيا-والناتو/"
A801561 = f"{SITE}/russia/801561-موسكو-دعوة-الجبل-الأسود-إلى-الناتو-تقوض-الثقة/"
A802317 = f"{SITE}/world/802317-الجبل-الأسود-منقسم-بين-عضوية-الناتو-ومطالب-الاستفتاء/"
A806104 = f"{SITE}/world/806104-حكومة-الجبل-الأسود-تنجو-من-تصويت-على-حجب-الثقة/"
A812450 = f"{SITE}/world/812450-ميدفيديف-العلاقات-بين-روسيا-والناتو-تنزلق-إلى-حرب-باردة/"
A818932 = f"{SITE}/world/818932-مجلس-روسيا-الناتو-يجتمع-في-بروكسل-للمرة-الأولى-منذ-عامين/"
A822107 = f"{SITE}/world/822107-الناتو-يوقع-بروتوكول-انضمام-الجبل-الأسود/"
A826034 = f"{SITE}/world/826034-قمة-وارسو-الناتو-ينشر-أربع-كتائب-في-البلطيق-وبولندا/"
A826577 = f"{SITE}/world/826577-مجلس-روسيا-الناتو-يبحث-قرارات-قمة-وارسو/"
T1_FOLLOWUPS = sorted([A801561, A802317, A806104, A812450, A818932, A822107])
#: the clause make_t2.py adds to 812450's third paragraph
EDIT_ADDED = "والحوادث العسكرية غير المقصودة، داعيا إلى استئناف الاتصالات المنتظمة بين العسكريين من الجانبين."

SCHEMA = json.loads((Path(newsbot.coverage.__file__).parent / "report.schema.json").read_text(encoding="utf-8"))


def crawl_command(archive: Path, **spider_args: Any) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "rt_ar"]
    for name, value in spider_args.items():
        cmd += ["-a", f"{name}={value}"]
    for name, value in {"ARCHIVE_DIR": archive, "AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0, "TELNETCONSOLE_ENABLED": 0,
                        "RETRY_TIMES": 1, "LOG_LEVEL": "INFO"}.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def crawl(server: test_server.RunningServer, archive: Path, *extra: str, **spider_args: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*crawl_command(archive, **spider_args), *extra], cwd=REPO_ROOT, env=crawl_env(server),
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def validate(data: dict[str, Any]) -> dict[str, Any]:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def report(archive: Path) -> dict[str, Any]:
    """The report as ``newsbot coverage`` builds it (in-process; the command itself is run in the first test)."""
    with CoverageStore(archive / "newsbot.sqlite", create=False) as store:
        return validate(build_report(store))


def coverage_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsbot", "coverage", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def changes(root: dict[str, Any]) -> dict[str, list[str]]:
    return {k: [e["url"] for e in root[k]] for k in ("new", "updated", "removed", "failed")}


def only_root(data: dict[str, Any]) -> dict[str, Any]:
    (root,) = data["roots"]
    return root


@pytest.fixture
def server(start_site_server: Callable[..., test_server.RunningServer]) -> Callable[..., test_server.RunningServer]:
    return start_site_server


def snapshot_without(tmp_path: Path, snapshot: str, article_id: int) -> Path:
    """A copy of a snapshot (files symlinked) whose page file for one article is missing: the server drops
    the connection for it -- a network failure on every attempt, not an HTTP status."""
    copy = tmp_path / f"{snapshot}-without-{article_id}"
    shutil.copytree(SITE_DIR / snapshot, copy, copy_function=os.symlink)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    (route,) = [r for r in manifest["routes"] if r.get("article_id") == article_id and r["status"] == 200]
    (copy / route["file"]).unlink()
    return copy


def assert_t1_to_t2(root: dict[str, Any]) -> None:
    assert changes(root) == {"new": [A826034, A826577], "updated": [A812450], "removed": [A822107], "failed": []}
    (upd,) = root["updated"]
    assert upd["modified_after"].startswith("2016-07-14T11:20:00")
    assert upd["modified_before"] != upd["modified_after"]
    (change,) = upd["diff"]
    assert change["part"] == "paragraph"
    # EDIT_OLD "... بل يزيد من احتمالات سوء التقدير." -> "... سوء التقدير والحوادث ...": 5 words of context
    assert change["text"] == "… بل يزيد من احتمالات سوء [-التقدير.-] {+التقدير " + EDIT_ADDED + "+}"
    assert [op for op, _ in change["ops"]] == ["equal", "delete", "insert"]
    (removed,) = root["removed"]
    assert removed["status"] == 410
    followups = {f["url"]: f for f in root["followups"]}
    assert sorted(followups) == sorted([*T1_FOLLOWUPS, A826034, A826577])
    # a gone follow-up stays listed with its last known data and its status now
    gone = followups[A822107]
    assert (gone["status"], gone["http_status"]) == ("gone", 410)
    assert gone["title"] and gone["published"].startswith("2016-05-19")
    assert followups[A826034]["first_seen_job"] == root["current_job"]
    assert followups[A801561]["first_seen_job"] == root["runs"][0]


def test_article_root_over_two_snapshots_then_nothing_changed(server, tmp_path):
    archive = tmp_path / "archive"
    with server("t1") as t1:
        crawl(t1, archive, url=SEED, depth=1)
    first = only_root(report(archive))
    assert (first["url"], first["kind"], first["status"], first["previous_job"]) == (SEED, "article", "ok", None)
    assert first["title"].startswith("علاقات روسيا والناتو")
    assert first["published"].startswith("2015-12-02")
    assert changes(first) == {"new": T1_FOLLOWUPS, "updated": [], "removed": [], "failed": []}
    lags = {f["url"]: f["lag_hours"] for f in first["followups"]}
    assert all(lag is not None and lag > 0 for lag in lags.values())

    with server("t2") as t2:
        mark = t2.mark()
        crawl(t2, archive, url=SEED, depth=1)
        # 822107 is linked from nowhere in t2: only the re-fetch of known follow-ups asks for it
        assert "/world/822107-الناتو-يوقع-بروتوكول-انضمام-الجبل-الأسود/" in t2.fetched_paths(since=mark)
        second = only_root(report(archive))
        assert second["previous_job"] == first["current_job"]
        assert_t1_to_t2(second)
        runs = report(archive)["runs"]
        assert runs[-1]["counts"]["refetched"] == 1 and runs[0]["counts"]["refetched"] == 0

        crawl(t2, archive, url=SEED, depth=1)
    third = only_root(report(archive))
    assert changes(third) == {"new": [], "updated": [], "removed": [], "failed": []}
    assert len(third["runs"]) == 3
    assert {f["url"]: f["status"] for f in third["followups"]}[A822107] == "gone"

    # the command line: JSON (same as in-process), terminal summary, HTML
    as_json = coverage_cli(str(archive), "--root", SEED, "--json", "-")
    assert as_json.returncode == 0, as_json.stderr
    cli_root = only_root(validate(json.loads(as_json.stdout)))
    assert cli_root == third
    text = coverage_cli(str(archive))
    assert text.returncode == 0 and "new (0)" in text.stdout and first["title"] in text.stdout
    html = tmp_path / "report.html"
    assert coverage_cli(str(archive), "--html", str(html)).returncode == 0
    assert '<html lang="ar" dir="rtl">' in html.read_text(encoding="utf-8")
    bad = coverage_cli(str(archive), "--root", A826034)
    assert bad.returncode == 2 and bad.stderr.startswith("newsbot coverage: error: root not tracked")


def test_story_root_over_two_snapshots(server, tmp_path):
    archive = tmp_path / "archive"
    with server("t1") as t1:
        crawl(t1, archive, url=STORY, depth=0)
    first = only_root(report(archive))
    assert (first["url"], first["kind"], first["title"], first["count"]) == (STORY, "story", "روسيا والناتو", 7)
    # every listed article is a follow-up of a story root, the oldest included (lag 0: the story starts with it)
    assert changes(first)["new"] == sorted([SEED, *T1_FOLLOWUPS])
    assert first["published"].startswith("2015-12-02")
    assert {f["url"]: f["lag_hours"] for f in first["followups"]}[SEED] == 0.0
    with server("t2") as t2:
        crawl(t2, archive, url=STORY, depth=0)
    second = only_root(report(archive))
    assert second["count"] == 8
    # the seed is a follow-up of the story, not its root
    assert changes(second) == {"new": [A826034, A826577], "updated": [A812450], "removed": [A822107], "failed": []}
    assert len(second["followups"]) == 9


def test_root_whose_crawl_partly_failed(server, tmp_path):
    archive = tmp_path / "archive"
    with server("t1") as t1:
        crawl(t1, archive, url=SEED, depth=1)
    with test_server.start(snapshot_without(tmp_path, "t2", 806104), tmp_path / "broken.jsonl") as broken:
        # the server drops the connection, then the tunnel hangs: a network error, then a timeout
        crawl(broken, archive, "-s", "DOWNLOAD_TIMEOUT=2", url=SEED, depth=1)
    second = only_root(report(archive))
    assert changes(second) == {"new": [A826034, A826577], "updated": [A812450], "removed": [A822107], "failed": [A806104]}
    (failed,) = second["failed"]
    assert failed["status"] is None and failed["reason"]  # a dropped connection, named
    assert failed["title"].startswith("حكومة الجبل الأسود")  # last known data
    assert {f["url"]: f["status"] for f in second["followups"]}[A806104] == "failed"
    # the next good run: 806104 is back, unchanged since run 1 -- not updated, not new
    with server("t2") as t2:
        crawl(t2, archive, url=SEED, depth=1)
    third = only_root(report(archive))
    assert changes(third) == {"new": [], "updated": [], "removed": [], "failed": []}


def _articles_of(db: Path, job: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles WHERE job_id = ?", (job,)).fetchone()[0])
    except sqlite3.Error:
        return 0


def _running_job(db: Path, known: set[str]) -> str | None:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            jobs = {r[0] for r in conn.execute("SELECT job_id FROM runs")}
    except sqlite3.Error:
        return None
    new = jobs - known
    return new.pop() if new else None


def test_crawl_killed_half_way_then_next_run_is_right(server, tmp_path):
    archive = tmp_path / "archive"
    db = archive / "newsbot.sqlite"
    with server("t1") as t1:
        crawl(t1, archive, url=SEED, depth=1)
    first_job = only_root(report(archive))["current_job"]
    with server("t2", "--delay-ms", "600") as slow:  # slow enough to be killed half-way under load
        proc = subprocess.Popen(crawl_command(archive, url=SEED, depth=1), cwd=REPO_ROOT, env=crawl_env(slow),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            job = None
            while time.monotonic() < deadline:
                job = job or _running_job(db, {first_job})
                if job and _articles_of(db, job) >= 2:
                    break
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(30)
    assert job is not None and 2 <= _articles_of(db, job) < 8, "the crawl was not killed half-way"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    killed = report(archive)
    assert [(r["job_id"], r["complete"]) for r in killed["runs"]] == [(first_job, True), (job, False)]
    assert only_root(killed)["current_job"] == first_job  # the killed run does not count
    with server("t2") as t2:
        crawl(t2, archive, url=SEED, depth=1)
    after = only_root(report(archive))
    assert after["previous_job"] == first_job and len(after["runs"]) == 2
    assert_t1_to_t2(after)


def test_two_crawls_started_at_the_same_time_both_land(server, tmp_path):
    archive = tmp_path / "archive"
    with server("t1") as t1:
        procs = [
            subprocess.Popen(crawl_command(archive, url=url, depth=depth), cwd=REPO_ROOT, env=crawl_env(t1),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for url, depth in ((SEED, 1), (STORY, 0))
        ]
        errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(e[-2000:] for e in errors)
    data = report(archive)
    assert [r["complete"] for r in data["runs"]] == [True, True]
    assert sorted(r["url"] for r in data["roots"]) == sorted([SEED, STORY])
    by_root = {r["url"]: r for r in data["roots"]}
    assert changes(by_root[SEED])["new"] == T1_FOLLOWUPS
    assert changes(by_root[STORY])["new"] == sorted([SEED, *T1_FOLLOWUPS])
    with CoverageStore(archive / "newsbot.sqlite") as store:
        assert sorted(r[0] for r in store.query("SELECT COUNT(*) FROM articles GROUP BY job_id")) == [7, 7]
        assert build_report(store)["roots"] == data["roots"]
