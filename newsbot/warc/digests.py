"""DigestIndex: payload digest -> the first full response record holding that payload, across jobs.

A small SQLite file in ARCHIVE_DIR (``digests.sqlite``) so a later crawl writes ``revisit``
records for unchanged payloads without re-reading old WARC files. WAL mode and a busy
timeout let two crawls share it; the first writer of a digest wins (``INSERT OR IGNORE``).
The WARC record is written and flushed before its digest is added, so the index never
points at bytes that are not on disk; an entry whose WARC file has since been deleted is
treated as absent and replaced.

Additions are committed in batches (:data:`BATCH_RECORDS` or :data:`BATCH_SECONDS`, and at
close): one transaction per record cost ~0.02 ms a page. A crawl killed before a commit only
loses the newest entries, so a later crawl stores those payloads in full again instead of as
revisits; the write lock is held at most that long, well under another crawl's busy timeout.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from newsbot.sqlite_shared import use_wal
from newsbot.warc.records import Original

BATCH_RECORDS = 200
BATCH_SECONDS = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payloads (
    digest TEXT PRIMARY KEY,
    uri TEXT NOT NULL,
    date TEXT NOT NULL,
    record_id TEXT NOT NULL,
    warc_path TEXT NOT NULL  -- relative to ARCHIVE_DIR: <job id>/<file>
)
"""


class DigestIndex:
    def __init__(self, path: Path, archive_dir: Path) -> None:
        self.path = path
        self.archive_dir = archive_dir
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        use_wal(self._db, timeout=30)
        self._db.execute(_SCHEMA)
        self._pending = 0
        self._batch_started = 0.0

    def lookup(self, digest: str) -> Original | None:
        row = self._db.execute(
            "SELECT uri, date, record_id, warc_path FROM payloads WHERE digest = ?", (digest,)
        ).fetchone()
        if row is None:
            return None
        if not (self.archive_dir / row[3]).exists():
            self._db.execute("DELETE FROM payloads WHERE digest = ? AND warc_path = ?", (digest, row[3]))
            return None
        return Original(uri=row[0], date=row[1], record_id=row[2])

    def add(self, digest: str, original: Original, warc_path: str) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
            self._batch_started = time.monotonic()
        self._db.execute(
            "INSERT OR IGNORE INTO payloads (digest, uri, date, record_id, warc_path) VALUES (?, ?, ?, ?, ?)",
            (digest, original.uri, original.date, original.record_id, warc_path),
        )
        self._pending += 1
        if self._pending >= BATCH_RECORDS or time.monotonic() - self._batch_started >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0

    def close(self) -> None:
        self.commit()
        self._db.close()
