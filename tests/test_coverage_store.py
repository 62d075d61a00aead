"""The SQLite store: schema, one transaction per write, unfinished runs, concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time

import pytest

from newsbot.coverage.store import CoverageStore, StoreError
from tests.coverage_data import A, B, C, D, E, R, build_history, failure, record


def test_history_rows(tmp_path):
    store = build_history(tmp_path / "newsbot.sqlite")
    runs = {r["job_id"]: r for r in store.runs()}
    assert list(runs) == ["run1", "run2", "run3", "run4"]
    assert runs["run3"]["finished"] is None  # the killed run is recognisable
    assert runs["run1"]["finish_reason"] == "finished"
    assert runs["run1"]["arguments"] == {"url": R, "depth": 1}
    assert runs["run2"]["counts"] == {"items": 5, "failures": 1}
    assert runs["run2"]["roots"] == [R]
    row = store.query("SELECT * FROM articles WHERE job_id = 'run1' AND url = ?", (C,))[0]
    assert (row["article_id"], row["section"], row["http_status"]) == (806104, "world", 200)
    assert row["content_hash"].startswith("sha256:")
    index = store.query("SELECT first_job, last_job FROM article_index WHERE url = ?", (A,))[0]
    assert tuple(index) == ("run1", "run4")
    f = store.query("SELECT status, attempts, root FROM failures WHERE job_id = 'run1' AND url = ?", (D,))[0]
    assert tuple(f) == (503, 3, R)
    assert store.known_followups(R) == sorted({A, B, C, D, E, "https://arabic.rt.com/world/822107-الناتو-يوقع-بروتوكول/"})


def test_wal_mode_and_busy_timeout(tmp_path):
    store = CoverageStore(tmp_path / "c.sqlite", busy_timeout=7)
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA busy_timeout")[0][0] == 7000


def test_edges_and_story_pages(tmp_path):
    store = CoverageStore(tmp_path / "c.sqlite")
    story = "https://arabic.rt.com/story/4521-روسيا-والناتو/"
    store.begin_run("j", "2026-01-01T00:00:00+00:00", {}, [(story, "story")])
    store.record_article("j", record(R), root=story, parent=story, depth=0, edges=[(A, "related"), (B, "read_more")])
    store.record_story_page(
        "j", url=story + "?page=2", story_url=story, root=story, title="روسيا والناتو", count=7,
        members=[{"url": C, "title": "ج"}, {"url": D, "title": "د"}], depth=0,
    )
    assert {tuple(r) for r in store.query("SELECT from_url, to_url, kind FROM edges")} == {
        (R, A, "related"), (R, B, "read_more"), (story, C, "story"), (story, D, "story"),
    }
    page = store.query("SELECT story_url, title, count FROM story_pages")[0]
    assert tuple(page) == (story, "روسيا والناتو", 7)
    assert [tuple(r) for r in store.query("SELECT position, url, title FROM story_members ORDER BY position")] == [(0, C, "ج"), (1, D, "د")]
    # the members a story page lists are reached from its root
    assert sorted(store.known_followups(story)) == sorted([R, C, D])


def test_success_later_in_the_run_replaces_a_failure(tmp_path):
    store = CoverageStore(tmp_path / "c.sqlite")
    store.begin_run("j", "t", {}, [(R, "article")])
    store.record_failure("j", failure(A, 503), is_article=True)
    store.record_article("j", record(A), root=R, parent=R, depth=1)
    assert store.count("failures") == 0


def test_story_page_failure_is_not_a_followup(tmp_path):
    store = CoverageStore(tmp_path / "c.sqlite")
    store.begin_run("j", "t", {}, [(R, "article")])
    store.record_failure("j", failure("https://arabic.rt.com/story/1-x/", 500), is_article=False)
    assert store.count("failures") == 1
    assert store.known_followups(R) == []


def test_missing_or_foreign_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no coverage database at"):
        CoverageStore(tmp_path / "nothing.sqlite", create=False)
    (tmp_path / "junk.sqlite").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a newsbot coverage database"):
        CoverageStore(tmp_path / "junk.sqlite", create=False)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(StoreError, match="not a newsbot coverage database"):
        CoverageStore(other, create=False)


def test_an_empty_database_is_told_from_a_foreign_one(tmp_path):
    """A file a crawl has just created holds no table until its schema commits: nothing recorded yet, not foreign."""
    (tmp_path / "empty.sqlite").write_bytes(b"")
    with pytest.raises(StoreError, match=r"empty\.sqlite: no coverage recorded yet"):
        CoverageStore(tmp_path / "empty.sqlite", create=False)
    being_created = tmp_path / "new.sqlite"
    creator = sqlite3.connect(being_created, isolation_level=None)
    creator.execute("PRAGMA journal_mode = WAL")
    creator.execute("BEGIN IMMEDIATE")
    creator.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")  # the schema, not committed yet
    with pytest.raises(StoreError, match="no coverage recorded yet"):
        CoverageStore(being_created, create=False, busy_timeout=1)
    creator.execute("ROLLBACK")
    creator.close()


def _writer(path: str, job: str, n: int) -> None:
    store = CoverageStore(path, busy_timeout=30)
    store.begin_run(job, "2026-01-01T00:00:00+00:00", {}, [(R, "article")])
    for i in range(n):
        rec = record(A)
        store.record_article(job, type(rec)(**{**rec.__dict__, "url": f"{A}?n={i}"}), root=R, parent=R, depth=1)
    store.finish_run(job, "2026-01-01T00:01:00+00:00", "finished", {"items": n})
    store.close()


def test_two_processes_writing_at_once_both_land(tmp_path):
    path = str(tmp_path / "c.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, job, 150)) for job in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    store = CoverageStore(path)
    assert [r[0] for r in store.query("SELECT job_id FROM articles GROUP BY job_id HAVING COUNT(*) = 150")] == ["p1", "p2"]
    assert all(r["finished"] for r in store.runs())


def test_opening_waits_for_a_crawl_that_is_creating_the_same_file(tmp_path):
    # SQLite fails "PRAGMA journal_mode = WAL" at once, without its busy handler, while another
    # connection holds the write lock of a new file: the store must wait as its busy timeout says.
    path = tmp_path / "c.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE early (x)")
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    try:
        store = CoverageStore(path, busy_timeout=10)
    finally:
        releaser.join()
        other.close()
    assert time.monotonic() - started >= 0.25
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    store.close()


def test_opening_still_gives_up_after_the_busy_timeout(tmp_path):
    path = tmp_path / "c.sqlite"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE early (x)")
    started = time.monotonic()
    with pytest.raises(StoreError, match="database is locked"):
        CoverageStore(path, busy_timeout=0.3)
    assert 0.1 <= time.monotonic() - started < 5
    other.close()
