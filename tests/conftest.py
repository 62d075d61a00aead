"""Shared fixtures: the project's test server (tests/server.py) and a real ``scrapy crawl`` through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests import server as test_server
from tests.crawl_helpers import SITE_DIR, CrawlResult, run_crawl as _run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[test_server.RunningServer]:
    """Snapshot t1 served once per session, as a site and as an HTTP(S) proxy for arabic.rt.com.

    Its log is shared by the session: take ``site_server.mark()`` before a crawl and pass it as
    ``since`` to ``requests()``/``fetched_paths()`` to see only that crawl's requests.
    """
    log = tmp_path_factory.mktemp("site_server") / "requests.jsonl"
    with test_server.start(SITE_DIR / "t1", log) as server:
        yield server


@pytest.fixture
def start_site_server(tmp_path: Path) -> Iterator[Callable[..., test_server.RunningServer]]:
    """Factory: ``start_site_server("t2", "--fault-rate", "0.15", "--seed", "3")`` -> a running server.

    Each server gets its own log file under tmp_path; all are stopped when the test ends.
    """
    started: list[test_server.RunningServer] = []

    def start(snapshot: str = "t1", *args: str) -> test_server.RunningServer:
        log = tmp_path / f"server-{len(started)}-{snapshot}.jsonl"
        server = test_server.start(SITE_DIR / snapshot, log, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def tmp_archive(tmp_path: Path) -> Path:
    """An empty ARCHIVE_DIR for one test."""
    path = tmp_path / "archive"
    path.mkdir()
    return path


@pytest.fixture
def run_crawl(site_server: test_server.RunningServer, tmp_archive: Path) -> Callable[..., CrawlResult]:
    """``run_crawl(url=..., depth=1)`` runs ``scrapy crawl rt_ar`` (subprocess, repo root) through a test server.

    Keyword arguments become ``-a name=value``; ``server=`` (default: site_server), ``archive_dir=``
    (default: this test's tmp_archive), ``settings={...}`` (``-s``) and extra positional CLI arguments
    may be given. Returns ``CrawlResult(returncode, stdout, stderr, job_dir, items)``.
    """

    def run(*cli_args: str, server: Any = site_server, archive_dir: Path = tmp_archive, **kwargs: Any) -> CrawlResult:
        return _run_crawl(*cli_args, server=server, archive_dir=archive_dir, **kwargs)

    return run
