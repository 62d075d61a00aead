"""Build ``archive/fixtures/coverage-t1-t2/newsbot.sqlite``: the coverage store of two real crawls, for the offline demo.

    python -m tests.coverage_fixture

The seed is crawled at depth 1 from snapshot tests/site/t1, then again from t2 ("days later": two new
follow-ups, one edited, one removed with 410), by real ``scrapy crawl rt_ar`` runs through tests/server.py
as HTTPS proxy, into a temporary ARCHIVE_DIR. Only the coverage database is kept (the WARC files of the
same snapshots are in replica-t1/replica-t2), and only when the report shows exactly the changes the
snapshots were made with; it is stored in rollback-journal mode, so reading it creates no -wal/-shm files
in the checkout.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from newsbot.coverage.report import build_report
from newsbot.coverage.store import CoverageStore
from newsbot.urls import article_id
from tests import server_process as test_server
from tests.crawl_helpers import REPO_ROOT, SITE_DIR, run_crawl

TARGET = REPO_ROOT / "archive" / "fixtures" / "coverage-t1-t2" / "newsbot.sqlite"
SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
#: article ids of the t1 -> t2 changes (tests/site/make_t2.py)
EXPECTED = {"new": [826034, 826577], "updated": [812450], "removed": [822107], "failed": []}


def ids_by_kind(root: dict[str, Any]) -> dict[str, list[int]]:
    """A report root's new/updated/removed/failed follow-ups as sorted article ids."""
    return {kind: sorted(article_id(e["url"]) for e in root[kind]) for kind in EXPECTED}  # type: ignore[type-var]


def changes(archive_dir: Path) -> dict[str, list[int]]:
    with CoverageStore(archive_dir / "newsbot.sqlite", create=False) as store:
        (root,) = build_report(store)["roots"]
    return ids_by_kind(root)


def build() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        for snapshot in ("t1", "t2"):
            with test_server.start(SITE_DIR / snapshot, Path(tmp) / f"{snapshot}.jsonl") as server:
                result = run_crawl(server=server, archive_dir=archive, url=SEED, depth=1,
                                   settings={"NEWSBOT_RETRY_BACKOFF_ENABLED": 0})
            if result.returncode != 0:
                raise SystemExit(f"crawl of {snapshot} failed:\n{result.stderr[-2000:]}")
        got = changes(archive)
        if got != EXPECTED:
            raise SystemExit(f"coverage report differs from the snapshots' changes, nothing written: {got}")
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        staging = TARGET.with_suffix(".tmp")
        staging.unlink(missing_ok=True)
        with sqlite3.connect(archive / "newsbot.sqlite") as source, sqlite3.connect(staging) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        with sqlite3.connect(staging) as copy:
            copy.execute("VACUUM")
        staging.replace(TARGET)
    return TARGET


if __name__ == "__main__":
    print(build().relative_to(REPO_ROOT))
    sys.exit(0)
