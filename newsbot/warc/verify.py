"""Verify an archive: every record readable, block and payload digests right, items traceable.

``PATH`` is a WARC file, a WACZ, or a folder (e.g. a job folder). When the folder holds
``items.jsonl``, every item's ``warc_record_id`` must name a record of its WARC files. Each
problem is one line naming the file and the byte offset; a clean archive gives none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.warc.reader import ScanError, find_sources, scan

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord

_CHUNK = 1 << 20


@dataclass
class VerifyReport:
    files: int = 0
    records: int = 0
    digests_checked: int = 0
    items: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "OK" if self.ok else f"{len(self.problems)} problem(s)"
        items = f", {self.items} items checked" if self.items else ""
        return (f"{verdict}: {self.files} WARC file(s), {self.records} records readable, "
                f"{self.digests_checked} with digests checked{items}")


def _read_record(record: ArcWarcRecord) -> tuple[str | None, bool]:
    """Read the whole block so warcio checks its digests; return the record id and whether it had any."""
    stream = record.raw_stream
    while stream.read(_CHUNK):
        pass
    h = record.rec_headers
    has_digest = bool(h.get_header("WARC-Block-Digest") or h.get_header("WARC-Payload-Digest"))
    return h.get_header("WARC-Record-ID"), has_digest and record.rec_type != "revisit"


def verify(path: str | Path) -> VerifyReport:
    report = VerifyReport()
    sources = find_sources(path)  # NotAnArchive: the caller prints it
    record_ids: set[str] = set()
    for source in sources:
        report.files += 1
        try:
            fh = source.open()
        except OSError as exc:
            report.problems.append(f"{source.path}: byte 0: cannot open: {exc}")
            continue
        with fh:
            for item in scan(fh, _read_record, check_digests=True, parse_http=True):
                if isinstance(item, ScanError):
                    report.problems.append(f"{source.path}{_member(source.member)}: byte {item.offset}: {item.message}")
                    continue
                report.records += 1
                record_id, checked = item.value
                if record_id:
                    record_ids.add(record_id)
                report.digests_checked += checked
                for problem in item.problems:
                    report.problems.append(f"{source.path}{_member(source.member)}: byte {item.offset}: {problem}")
    items_file = Path(path) / "items.jsonl"
    if items_file.is_file():
        _check_items(items_file, record_ids, report)
    return report


def _member(member: str | None) -> str:
    return f"#{member}" if member else ""


def _check_items(items_file: Path, record_ids: set[str], report: VerifyReport) -> None:
    with open(items_file, "rb") as fh:
        offset = 0
        for line in fh:
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                report.problems.append(f"{items_file}: byte {start}: not a JSON line: {exc}")
                continue
            report.items += 1
            record_id = item.get("warc_record_id")
            if not record_id:
                report.problems.append(f"{items_file}: byte {start}: item {item.get('url')} has no warc_record_id")
            elif record_id not in record_ids:
                report.problems.append(f"{items_file}: byte {start}: item {item.get('url')}: "
                                       f"warc_record_id {record_id} is in no WARC file here")
