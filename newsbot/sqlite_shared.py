"""SQLite files that several crawls write at once: WAL mode, and the wait SQLite skips when switching to it.

Two crawls into one ``ARCHIVE_DIR`` share ``digests.sqlite`` and the coverage database. SQLite's
busy timeout makes a connection wait for another one's write lock, but not everywhere: switching
a new file to WAL while another process is creating the same file fails at once with
SQLITE_BUSY ("database is locked"; 40 of 800 opens of four crawls starting together, measured).
:func:`use_wal` waits there as the busy timeout promises.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in _BUSY


def retry_while_busy(step: Callable[[], object], timeout: float) -> None:
    """Run ``step`` again while SQLite answers "database is locked", for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def use_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Put ``db`` in WAL mode (shared by concurrent crawls), waiting up to ``timeout`` s for other writers."""
    retry_while_busy(lambda: db.execute("PRAGMA journal_mode = WAL"), timeout)
    db.execute("PRAGMA synchronous = NORMAL")
