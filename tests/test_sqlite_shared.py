"""newsbot.sqlite_shared: WAL mode on files that several crawls open at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from newsbot.sqlite_shared import retry_while_busy, use_wal
from newsbot.warc.digests import DigestIndex


def _locked_new_file(path):
    """A connection in the middle of creating ``path``: SQLite then fails a switch to WAL at once."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE early (x)")
    return other


def test_switching_to_wal_waits_for_the_crawl_creating_the_file(tmp_path):
    path = tmp_path / "shared.sqlite"
    other = _locked_new_file(path)
    # what the wait is for: SQLite's own busy timeout does not cover this case
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        db.execute("PRAGMA journal_mode = WAL")
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    try:
        use_wal(db, timeout=10)
    finally:
        releaser.join()
        other.close()
    assert time.monotonic() - started >= 0.25
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    db.close()


def test_gives_up_after_the_timeout(tmp_path):
    path = tmp_path / "shared.sqlite"
    other = _locked_new_file(path)
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        use_wal(db, timeout=0.3)
    assert 0.1 <= time.monotonic() - started < 5
    db.close()
    other.close()


def test_other_errors_are_not_retried():
    calls = []

    def step():
        calls.append(1)
        raise sqlite3.OperationalError("no such table: x")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        retry_while_busy(step, timeout=10)
    assert calls == [1]


def test_the_digest_index_waits_for_the_crawl_creating_its_file(tmp_path):
    path = tmp_path / "digests.sqlite"
    other = _locked_new_file(path)
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        index = DigestIndex(path, tmp_path)
    finally:
        releaser.join()
        other.close()
    assert index._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    index.close()


def _open_digests(path: str, barrier) -> None:
    barrier.wait()
    DigestIndex(Path(path), Path(path).parent).close()


def test_crawls_starting_together_all_open_the_digest_index(tmp_path):
    # four processes open one new digests.sqlite at the same moment, several times over
    # (before the wait, about one open in twenty failed with "database is locked")
    ctx = multiprocessing.get_context("forkserver")  # forks from a clean process, not from pytest's threads
    ctx.set_forkserver_preload(["newsbot.warc.digests"])
    failed = []
    for round_ in range(10):
        path = str(tmp_path / f"digests-{round_}.sqlite")
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_open_digests, args=(path, barrier)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        failed += [p.exitcode for p in procs if p.exitcode != 0]
    assert failed == []
