"""ResumeFromArchiveMiddleware: a resumed job answers from its own WARC files what it has already archived.

With ``-s JOBDIR=...`` a resumed crawl continues the same job folder (:mod:`newsbot.job`). After a
kill, Scrapy's queue and seen-set cannot be trusted (:mod:`newsbot.extensions.jobdir_guard`), so
requests for pages this job already archived come back. Fetching them again would archive them a
second time (as a response, or as a revisit); this middleware answers them from the archive
instead, so each page is archived once and its links are still followed.

At open, when the job folder already holds WARC files: the record a kill tore at the end of the
newest file is cut off (:func:`cut_torn_tail`), so every file passes ``warcio check`` and that page
is fetched again; then the job's files are indexed (:class:`~newsbot.warc.index.ArchiveIndex`).
A GET whose URL has a stored response (robots.txt included) is answered with it, body as the
server sent it, flagged :data:`RESUMED_FLAG` so the WARC middleware does not archive it again,
with ``request.meta["newsbot_warc"]`` pointing at the stored record. Not answered from the
archive: retries (the stored answer was not good enough) and stored statuses in RETRY_HTTP_CODES.
A revisit is answered with its original's payload, found in this job or, through
``digests.sqlite``, in the earlier job that holds it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from typing import IO, TYPE_CHECKING, NamedTuple

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot.job import Job
from newsbot.warc.index import ArchiveIndex, Capture
from newsbot.warc.reader import (
    WARC_SUFFIXES,
    HttpMessage,
    ScanError,
    Source,
    parse_http_response,
    read_record,
    scan,
)
from newsbot.warc.replay import as_served, revisited, stored_response

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: response flag of an answer from the archive (the WARC middleware skips these)
RESUMED_FLAG = "newsbot-resumed"
#: our writer puts a response (or revisit) and its request in one write: a torn pair ends with one of these
_PAIR_HEADS = frozenset({"response", "revisit"})


class Cut(NamedTuple):
    """What :func:`cut_torn_tail` did to a file: bytes cut off, and the ids of the records left."""

    bytes: int
    kept: frozenset[str]


def cut_torn_tail(path: Path) -> Cut | None:
    """Cut the records a kill tore at the end of ``path`` off; None when the file has no torn tail.

    Only a damaged tail is cut: a file with a bad spot before a good record is left as it is. A
    response left last without the request written with it is cut too, so that page is fetched
    again and archived as a pair. A file with nothing whole left is removed.
    """
    good: list[tuple[int, int, tuple[str, str]]] = []
    torn = False
    with open(path, "rb") as fh:
        for item in scan(fh, lambda r: (r.rec_type, r.rec_headers.get_header("WARC-Record-ID") or "")):
            if isinstance(item, ScanError):
                torn = True
            elif torn:
                return None  # damage in the middle, not a torn tail: not ours to repair
            else:
                good.append((item.offset, item.length, item.value))
        size = fh.seek(0, os.SEEK_END)
    if not torn and size == (good[-1][0] + good[-1][1] if good else 0):
        return None  # whole (the scan lets a few stray bytes at the end pass; our writer leaves none)
    while good and good[-1][2][0] in _PAIR_HEADS:
        good.pop()
    end = good[-1][0] + good[-1][1] if good else 0
    if end == 0:
        path.unlink()
    else:
        os.truncate(path, end)
    return Cut(size - end, frozenset(value[1] for _, _, value in good))


def job_warc_files(job_dir: Path) -> list[Path]:
    """The job's WARC files, in name (= serial) order."""
    return sorted(p for p in job_dir.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


class ResumeFromArchiveMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_RESUME_ENABLED", True) or not settings.get("JOBDIR"):
            raise NotConfigured  # quietly off: not a resumable crawl (JOBDIR unset or NEWSBOT_RESUME_ENABLED off)
        if settings.get("NEWSBOT_REPLAY") or not settings.getbool("NEWSBOT_WARC_ENABLED", True):
            raise NotConfigured  # quietly off: no archive of this job to resume from (replay mode or NEWSBOT_WARC_ENABLED off)
        self.crawler = crawler
        self.job = Job.of(crawler)
        files = job_warc_files(self.job.dir)
        if not files:
            raise NotConfigured  # quietly off: no WARC files from an earlier run of this job
        self.stats = crawler.stats
        retrying = settings.getbool("RETRY_ENABLED")
        self.retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")} if retrying else set()
        cut = cut_torn_tail(files[-1])
        if cut is not None:
            logger.warning("resume: cut %(n)d bytes of a torn record off the end of %(file)s (left by a killed crawl)",
                           {"n": cut.bytes, "file": files[-1]})
            self.stats.set_value("newsbot/resume/warc_cut_bytes", cut.bytes)
            self._forget_digests(files[-1], cut.kept)
        self.index = ArchiveIndex(sources=[Source(path, path.name) for path in job_warc_files(self.job.dir)])
        for source in self.index.sources:
            self.index.add_source(source)
        self._originals = ArchiveIndex()  # earlier jobs' files that revisits of this job point into
        self._files: dict[Source, IO[bytes]] = {}
        self.stats.set_value("newsbot/resume/index/captures", self.index.captures)
        logger.info("resume: job %(job)s has %(n)d captures in %(files)d WARC file(s); those pages are not fetched again",
                    {"job": self.job.id, "n": self.index.captures, "files": len(self.index.sources)})

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeFromArchiveMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def process_request(self, request: Request) -> Response | None:
        if request.method != "GET" or request.meta.get("retry_times"):
            return None
        for capture in self.index.lookup(request.url):
            if capture.status in self.retry_codes:
                continue
            response = self._respond(request, capture)
            if response is not None:
                self.stats.inc_value("newsbot/resume/served")
                return response
        return None

    # --- building the stored answer ----------------------------------------------

    def _respond(self, request: Request, capture: Capture) -> Response | None:
        payload_from: Capture | None = capture
        if capture.record_type == "revisit":
            payload_from = self._original(capture)
            if payload_from is None:
                logger.warning("resume: revisit %s of %s: original not found, fetching again", capture.record_id, capture.url)
                self.stats.inc_value("newsbot/resume/revisit_unresolved")
                return None
        try:
            message = self._read(capture)
            if payload_from is not capture:
                message = revisited(message, self._read(payload_from))
            message = as_served(message, self.stats)
        except (OSError, ValueError, StopIteration) as exc:
            logger.error("resume: %s: byte %d: cannot read %s, fetching again: %s",
                         capture.source.name, capture.offset, capture.url, exc)
            self.stats.inc_value("newsbot/resume/read_error")
            return None
        return stored_response(request, capture, message, capture.warc_date, flag=RESUMED_FLAG)

    def _read(self, capture: Capture) -> HttpMessage:
        fh = self._files.get(capture.source)
        if fh is None:
            fh = self._files[capture.source] = capture.source.open()
        record = read_record(fh, capture.offset, capture.length)
        block = record.raw_stream.read()
        return parse_http_response(block) if block else HttpMessage("HTTP/1.1", 0, b"", [], b"")

    def _original(self, revisit: Capture) -> Capture | None:
        found = self.index.original_of(revisit) or self._originals.original_of(revisit)
        if found is not None or not revisit.payload_digest:
            return found
        path = self._digest_location(revisit.payload_digest)
        if path is None or any(s.path == path for s in self._originals.sources):
            return None
        source = Source(path, path.relative_to(self.job.archive_dir).as_posix())
        self._originals.sources.append(source)
        self._originals.add_source(source)
        return self._originals.original_of(revisit)

    def _digest_db(self) -> Path:
        return self.job.archive_dir / (self.crawler.settings.get("NEWSBOT_WARC_DIGEST_DB") or "digests.sqlite")

    def _forget_digests(self, path: Path, kept: frozenset[str]) -> None:
        """Drop digest-index entries for records cut off ``path`` (else a refetch would revisit a lost record)."""
        db = self._digest_db()
        if not db.exists():
            return
        warc_path = path.relative_to(self.job.archive_dir).as_posix()
        try:
            with closing(sqlite3.connect(db, timeout=30)) as conn, conn:
                ids = [r[0] for r in conn.execute("SELECT record_id FROM payloads WHERE warc_path = ?", (warc_path,))]
                gone = [(warc_path, rid) for rid in ids if rid not in kept]
                conn.executemany("DELETE FROM payloads WHERE warc_path = ? AND record_id = ?", gone)
        except sqlite3.Error as exc:
            logger.warning("resume: cannot update the digest index %s: %s", db, exc)
            return
        if gone:
            self.stats.set_value("newsbot/resume/digests_forgotten", len(gone))

    def _digest_location(self, digest: str) -> Path | None:
        """The WARC file holding the first full record of ``digest``, from ARCHIVE_DIR's digest index."""
        db = self._digest_db()
        if not db.exists():
            return None
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                row = conn.execute("SELECT warc_path FROM payloads WHERE digest = ?", (digest,)).fetchone()
        except sqlite3.Error as exc:
            logger.warning("resume: cannot read the digest index %s: %s", db, exc)
            return None
        path = self.job.archive_dir / row[0] if row else None
        return path if path is not None and path.is_file() else None

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
