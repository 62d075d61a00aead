"""CoverageStore: the SQLite history of crawls, the articles they saw and the roots they covered.

Written by :class:`newsbot.coverage.extension.CoverageExtension` while a crawl runs, read by
``newsbot coverage``. Every write is one short ``BEGIN IMMEDIATE`` transaction in WAL mode with
a busy timeout, so two crawls into the same ``ARCHIVE_DIR`` both land, and a crawl killed
half-way leaves only whole rows behind: its run row simply never gets ``finished``.

Tables (one row per run unless said otherwise):

- ``runs``: job id, start, end (NULL while running or after a kill), finish reason,
  spider arguments and counts (JSON).
- ``run_roots``: the roots (start article or story page URLs) a run covered, with their kind.
- ``articles``: every article seen in a run: id, canonical URL, title, section, published,
  modified, content hash and the extracted text parts (for diffs), HTTP status.
- ``article_index``: one row per URL ever seen: first and last run that saw it.
- ``reached``: which root led to which article URL in a run (articles and failed article fetches).
- ``edges``: related-story links seen on article pages (from, to, kind) and story membership.
- ``story_pages`` / ``story_members``: story pages with their count and listed articles.
- ``failures``: fetches that ended without an article (status, reason, attempts).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbot.sqlite_shared import use_wal

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    job_id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    finish_reason TEXT,
    arguments TEXT NOT NULL DEFAULT '{}',
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS run_roots (
    job_id TEXT NOT NULL,
    root TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (job_id, root)
);
CREATE TABLE IF NOT EXISTS articles (
    job_id TEXT NOT NULL,
    url TEXT NOT NULL,
    article_id INTEGER,
    title TEXT,
    section TEXT,
    published TEXT,
    modified TEXT,
    content_hash TEXT NOT NULL,
    content TEXT NOT NULL,
    http_status INTEGER,
    fetched_at TEXT,
    PRIMARY KEY (job_id, url)
);
CREATE TABLE IF NOT EXISTS article_index (
    url TEXT PRIMARY KEY,
    article_id INTEGER,
    first_job TEXT NOT NULL,
    last_job TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reached (
    job_id TEXT NOT NULL,
    root TEXT NOT NULL,
    url TEXT NOT NULL,
    parent TEXT,
    depth INTEGER,
    PRIMARY KEY (job_id, root, url)
);
CREATE INDEX IF NOT EXISTS reached_root ON reached (root);
CREATE TABLE IF NOT EXISTS edges (
    job_id TEXT NOT NULL,
    from_url TEXT NOT NULL,
    to_url TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (job_id, from_url, to_url, kind)
);
CREATE TABLE IF NOT EXISTS story_pages (
    job_id TEXT NOT NULL,
    url TEXT NOT NULL,
    story_url TEXT NOT NULL,
    root TEXT,
    title TEXT,
    count INTEGER,
    PRIMARY KEY (job_id, url)
);
CREATE TABLE IF NOT EXISTS story_members (
    job_id TEXT NOT NULL,
    page_url TEXT NOT NULL,
    position INTEGER NOT NULL,
    story_url TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    PRIMARY KEY (job_id, page_url, position)
);
CREATE TABLE IF NOT EXISTS failures (
    job_id TEXT NOT NULL,
    url TEXT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER,
    attempts INTEGER,
    depth INTEGER,
    parent TEXT,
    root TEXT,
    time TEXT,
    PRIMARY KEY (job_id, url)
);
"""


class StoreError(RuntimeError):
    """The coverage database cannot be used (missing, not SQLite, or from a newer newsbot)."""


@dataclass(frozen=True)
class ArticleRecord:
    """What the store keeps of one article seen in one run."""

    url: str
    article_id: int | None
    title: str | None
    section: str | None
    published: str | None
    modified: str | None
    content_hash: str
    content: dict[str, Any]
    http_status: int | None
    fetched_at: str | None = None


class CoverageStore:
    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"no coverage database at {self.path}")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open every transaction ourselves (BEGIN IMMEDIATE), so a
        # writer takes the lock up front and waits for busy_timeout instead of failing on upgrade.
        self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if create:
                use_wal(self._db, busy_timeout)
                self._create_schema()
            self._check_version()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a newsbot coverage database ({exc})") from exc

    def _create_schema(self) -> None:
        with self.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _check_version(self) -> None:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as exc:
            if self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                # no table at all: an empty file, or one a crawl has just created (its schema comes in one transaction)
                raise StoreError(f"{self.path}: no coverage recorded yet (an empty database; a crawl may be starting)") from exc
            raise StoreError(f"{self.path}: not a newsbot coverage database ({exc})") from exc
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: coverage schema {row and row[0]} is not supported (expected {SCHEMA_VERSION})")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CoverageStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- writes (crawl side) ----------------------------------------------------

    def begin_run(self, job_id: str, started: str, arguments: dict[str, Any], roots: Iterable[tuple[str, str]]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs (job_id, started, arguments) VALUES (?, ?, ?)",
                (job_id, started, json.dumps(arguments, ensure_ascii=False, sort_keys=True)),
            )
            # A resumed job (JOBDIR) opens the same run again: it is running, not finished.
            db.execute("UPDATE runs SET finished = NULL, finish_reason = NULL WHERE job_id = ?", (job_id,))
            db.executemany("INSERT OR IGNORE INTO run_roots VALUES (?, ?, ?)", [(job_id, r, k) for r, k in roots])

    def add_root(self, job_id: str, root: str, kind: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO run_roots VALUES (?, ?, ?)", (job_id, root, kind))

    def record_article(
        self,
        job_id: str,
        article: ArticleRecord,
        *,
        root: str | None,
        parent: str | None,
        depth: int | None,
        edges: Iterable[tuple[str, str]] = (),
    ) -> None:
        """One article seen in this run, with the root that led to it and its related links."""
        a = article
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id, a.url, a.article_id, a.title, a.section, a.published, a.modified, a.content_hash,
                    json.dumps(a.content, ensure_ascii=False), a.http_status, a.fetched_at,
                ),
            )
            # A success later in the same run (a retry) replaces an earlier failure.
            db.execute("DELETE FROM failures WHERE job_id = ? AND url = ?", (job_id, a.url))
            db.execute(
                "INSERT INTO article_index VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET last_job = excluded.last_job, article_id = excluded.article_id",
                (a.url, a.article_id, job_id, job_id),
            )
            if root:
                db.execute("INSERT OR IGNORE INTO reached VALUES (?, ?, ?, ?, ?)", (job_id, root, a.url, parent, depth))
            db.executemany(
                "INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?)", [(job_id, a.url, to, kind) for to, kind in edges]
            )

    def record_failure(self, job_id: str, failure: Any, *, is_article: bool) -> None:
        """A fetch that ended without an article (a :class:`newsbot.failures.FetchFailure`)."""
        f = failure
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, f.url, f.stage, f.reason, f.status, f.attempts, f.depth, f.parent, f.root, f.time),
            )
            if is_article and f.root:
                db.execute("INSERT OR IGNORE INTO reached VALUES (?, ?, ?, ?, ?)", (job_id, f.root, f.url, f.parent, f.depth))

    def record_story_page(
        self,
        job_id: str,
        *,
        url: str,
        story_url: str,
        root: str | None,
        title: str | None,
        count: int | None,
        members: list[dict[str, str]],
        depth: int | None,
    ) -> None:
        """A story page and the articles it lists; they count as reached from the page's root."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO story_pages VALUES (?, ?, ?, ?, ?, ?)", (job_id, url, story_url, root, title, count))
            db.execute("DELETE FROM story_members WHERE job_id = ? AND page_url = ?", (job_id, url))
            db.executemany(
                "INSERT INTO story_members VALUES (?, ?, ?, ?, ?, ?)",
                [(job_id, url, i, story_url, m["url"], m.get("title")) for i, m in enumerate(members)],
            )
            db.executemany(
                "INSERT OR IGNORE INTO edges VALUES (?, ?, ?, 'story')", [(job_id, story_url, m["url"]) for m in members]
            )
            if root:
                db.executemany(
                    "INSERT OR IGNORE INTO reached VALUES (?, ?, ?, ?, ?)",
                    [(job_id, root, m["url"], story_url, depth) for m in members if m["url"] != root],
                )

    def finish_run(self, job_id: str, finished: str, reason: str, counts: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished = ?, finish_reason = ?, counts = ? WHERE job_id = ?",
                (finished, reason, json.dumps(counts, sort_keys=True), job_id),
            )

    # --- reads ----------------------------------------------------------------------

    def known_followups(self, root: str, *, exclude_job: str | None = None) -> list[str]:
        """Article URLs reached from ``root`` in earlier runs (finished or not), the root excluded."""
        rows = self._db.execute(
            "SELECT DISTINCT url FROM reached WHERE root = ? AND url != ? AND job_id IS NOT ? ORDER BY url",
            (root, root, exclude_job),
        )
        return [r[0] for r in rows]

    def runs(self) -> list[dict[str, Any]]:
        """All runs, oldest first, with their roots; ``finished`` is None for running or killed runs."""
        roots: dict[str, list[str]] = {}
        for r in self._db.execute("SELECT job_id, root FROM run_roots ORDER BY root"):
            roots.setdefault(r[0], []).append(r[1])
        out = []
        for r in self._db.execute("SELECT * FROM runs ORDER BY started, job_id"):
            out.append(
                {
                    "job_id": r["job_id"],
                    "started": r["started"],
                    "finished": r["finished"],
                    "finish_reason": r["finish_reason"],
                    "arguments": json.loads(r["arguments"]),
                    "counts": json.loads(r["counts"]),
                    "roots": roots.get(r["job_id"], []),
                }
            )
        return out

    def root_kinds(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self._db.execute("SELECT root, kind FROM run_roots ORDER BY root")}

    def reached(self, root: str) -> list[tuple[str, str]]:
        """(job id, url) pairs of everything reached from ``root``."""
        return [(r[0], r[1]) for r in self._db.execute("SELECT job_id, url FROM reached WHERE root = ?", (root,))]

    def articles(self, urls: Iterable[str]) -> list[tuple[str, ArticleRecord]]:
        """(job id, record) of every sighting of these URLs."""
        out = []
        for url in set(urls):
            for r in self._db.execute("SELECT * FROM articles WHERE url = ?", (url,)):
                out.append((r["job_id"], _article(r)))
        return out

    def failures(self, urls: Iterable[str]) -> list[dict[str, Any]]:
        out = []
        for url in set(urls):
            out.extend(dict(r) for r in self._db.execute("SELECT * FROM failures WHERE url = ?", (url,)))
        return out

    def story_pages(self, story_url: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute("SELECT * FROM story_pages WHERE story_url = ?", (story_url,))]

    def listed_titles(self, urls: Iterable[str]) -> dict[str, str]:
        """Titles story pages gave these URLs (for follow-ups never fetched successfully)."""
        out: dict[str, str] = {}
        for url in set(urls):
            row = self._db.execute(
                "SELECT title FROM story_members WHERE url = ? AND title IS NOT NULL ORDER BY job_id DESC LIMIT 1", (url,)
            ).fetchone()
            if row:
                out[url] = row[0]
        return out

    def count(self, table: str) -> int:
        if table not in {"runs", "run_roots", "articles", "article_index", "reached", "edges", "story_pages", "story_members", "failures"}:
            raise ValueError(f"unknown table: {table}")
        return int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Read-only SQL for tests and ad-hoc inspection."""
        return list(self._db.execute(sql, params))


def _article(r: sqlite3.Row) -> ArticleRecord:
    return ArticleRecord(
        url=r["url"],
        article_id=r["article_id"],
        title=r["title"],
        section=r["section"],
        published=r["published"],
        modified=r["modified"],
        content_hash=r["content_hash"],
        content=json.loads(r["content"]),
        http_status=r["http_status"],
        fetched_at=r["fetched_at"],
    )
