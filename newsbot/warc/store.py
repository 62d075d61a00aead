"""WarcStore: the archive of one crawl -- builds records, decides full vs revisit, writes, counts.

One store per crawler (:meth:`WarcStore.of`), shared by the downloader middleware (HTTP
exchanges) and the metadata extension; :class:`~newsbot.warc.finalize.ArchiveFinalizer`
closes it. Settings (see ``newsbot/settings.py``, "Output and archive"):
``NEWSBOT_WARC_PREFIX``, ``NEWSBOT_WARC_MAX_BYTES``, ``NEWSBOT_WARC_GZIP_LEVEL``,
``NEWSBOT_WARC_REVISITS``, ``NEWSBOT_WARC_DIGEST_DB``, ``NEWSBOT_WARC_CDXJ``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from newsbot import meta
from newsbot.job import Job
from newsbot.warc import records
from newsbot.warc.cdxj import CdxjRecorder
from newsbot.warc.digests import DigestIndex
from newsbot.warc.records import FastRecordBuilder, Original
from newsbot.warc.warcinfo import warcinfo_fields
from newsbot.warc.writer import RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from warcio.recordbuilder import RecordBuilder
    from warcio.recordloader import ArcWarcRecord

    from newsbot.warc.transport import WireCapture

logger = logging.getLogger(__name__)

_ATTR = "_newsbot_warc_store"
#: request.meta keys the spider copies into items
PROVENANCE_META = meta.PROVENANCE
FETCHED_AT_META = meta.FETCHED_AT


class WarcStore:
    def __init__(self, crawler: Crawler, builder: RecordBuilder | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.job = Job.of(crawler)
        self.builder = builder or FastRecordBuilder(warc_version="WARC/1.1")
        self.writer = RotatingWarcWriter(
            directory=self.job.dir,
            prefix=settings.get("NEWSBOT_WARC_PREFIX") or "newsbot",
            job_id=self.job.id,
            max_bytes=settings.getint("NEWSBOT_WARC_MAX_BYTES", 1_000_000_000),
            gzip_level=settings.getint("NEWSBOT_WARC_GZIP_LEVEL", 6),
            make_warcinfo=self._warcinfo,
        )
        self.digests: DigestIndex | None = None
        if settings.getbool("NEWSBOT_WARC_REVISITS", True):
            db = settings.get("NEWSBOT_WARC_DIGEST_DB") or "digests.sqlite"
            self.digests = DigestIndex(self.job.archive_dir / db, self.job.archive_dir)
        # index.cdxj lines as records are written (sorted into place at close: newsbot.warc.finalize)
        self.cdxj: CdxjRecorder | None = None
        if settings.getbool("NEWSBOT_WARC_CDXJ", True) or settings.getbool("ARCHIVE_WACZ", False):
            self.cdxj = CdxjRecorder(self.job.dir)
        self.closed = False
        self._stats = crawler.stats  # one lookup, not one per record (the crawler's attribute is a property)

    @classmethod
    def of(cls, crawler: Crawler) -> WarcStore:
        store = getattr(crawler, _ATTR, None)
        if store is None:
            store = cls(crawler)
            setattr(crawler, _ATTR, store)
        return store

    @classmethod
    def existing(cls, crawler: Crawler) -> WarcStore | None:
        return getattr(crawler, _ATTR, None)

    def _warcinfo(self, filename: str) -> ArcWarcRecord:
        return records.warcinfo_record(self.builder, filename, warcinfo_fields(self.crawler, self.job))

    def _inc(self, key: str) -> None:
        self._stats.inc_value(f"newsbot/warc/{key}")

    def write_exchange(
        self, request: Request, response: Response, wire: WireCapture | None
    ) -> tuple[dict[str, Any], str]:
        """Write the request and response (or revisit) records; return the response's provenance and WARC-Date."""
        moment = wire.sent_at if wire is not None else datetime.now(timezone.utc)
        date = records.warc_date(moment)
        digest = records.payload_digest(response.body)
        original = self.digests.lookup(digest) if self.digests is not None and response.body else None
        resp_rec = records.response_record(self.builder, response, wire, date, original, digest)
        req_rec = records.request_record(self.builder, request, wire, response.url, date)
        record_id = resp_rec.rec_headers.get_header("WARC-Record-ID")
        req_rec.rec_headers.add_header("WARC-Concurrent-To", record_id)
        written = self.writer.write([resp_rec, req_rec])[0]
        if self.cdxj is not None:
            self.cdxj.add(resp_rec, written.file, written.offset, written.length)
        if original is None and self.digests is not None and response.body:
            self.digests.add(digest, Original(response.url, date, record_id), f"{self.job.id}/{written.file}")
        self._inc("revisit" if original is not None else "response")
        self._inc("request")
        self._inc("wire/captured" if wire is not None else "wire/rebuilt")
        return {"warc_file": written.file, "warc_record_id": record_id, "warc_offset": written.offset}, date

    def write_metadata(self, uri: str, fields: list[tuple[str, str]], about: str | None) -> str:
        date = records.warc_date(datetime.now(timezone.utc))
        record = records.metadata_record(self.builder, uri, fields, about, date)
        self.writer.write([record])
        self._inc("metadata")
        return record.rec_headers.get_header("WARC-Record-ID")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.writer.close()
        if self.cdxj is not None:
            self.cdxj.close()
        if self.digests is not None:
            self.digests.close()
        self.crawler.stats.set_value("newsbot/warc/files", len(self.writer.files))
        logger.info("WARC files written in %(dir)s: %(files)s", {"dir": self.job.dir, "files": ", ".join(self.writer.files)})
