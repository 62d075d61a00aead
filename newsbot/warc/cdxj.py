"""The job's CDXJ index (``index.cdxj``), in the format pywb reads, as cdxj-indexer writes it.

Sorted lines ``<SURT> <14-digit timestamp> {json}`` for every response and revisit record
(cdxj-indexer's default record set: ``metadata`` records holding ``application/warc-fields`` are
left out), with ``url``, ``mime``, ``status``, payload ``digest``, ``length`` and ``offset`` of
the gzip member, and ``filename`` relative to the job folder.

During a crawl the store hands every record it writes to a :class:`CdxjRecorder`, which appends
its line to ``.index.cdxj.part`` (the writer knows file, offset and length; the record knows
the rest), so closing does not read the WARC files again (that re-read cost ~0.34 CPU ms a
page). :func:`write_cdxj` sorts those lines -- with cdxj-indexer's own external sort, so a big
job is never held in memory -- together with cdxj-indexer's index of any WARC file of the job
that this run did not write (earlier runs of a resumed job), and renames the result into
place, so a reader never sees half an index. ``tests/test_warc_cdxj.py`` checks that the result
equals cdxj-indexer's own index of the same files.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import IO, TYPE_CHECKING

import surt
from warcio.timeutils import iso_date_to_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterable

    from warcio.recordloader import ArcWarcRecord

INDEX_NAME = "index.cdxj"
WARC_SUFFIXES = (".warc.gz", ".warc")
#: lines sorted in memory at a time (cdxj-indexer merges sorted runs from temporary files beyond this)
SORT_BUFFER_BYTES = 4 << 20
_MIME_END = re.compile(r"[;\s]")  # cdxj-indexer's RE_SPACE


def job_warcs(job_dir: Path) -> list[Path]:
    """The job folder's WARC files, in name (serial) order."""
    return sorted(p for p in job_dir.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


#: An http(s) URL whose SURT key is plain string work: a dotted lower-case host, no port, user, query or fragment,
#: and a path of unreserved characters and %-escapes of non-ASCII bytes (which SURT's unescape/escape round trip
#: gives back). ``url_key`` takes the rest of the conditions (no www host, no IP address, no empty or dot segment).
_PLAIN_URL = re.compile(r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)+)(/(?:[A-Za-z0-9._~/-]++|%[89A-Fa-f][0-9A-Fa-f])*+)")


def url_key(url: str) -> str:
    """The SURT sort key of a URL, as cdxj-indexer makes it (the URL itself when SURT fails).

    The site's article URLs take a fast path: ``surt`` (pure Python) spends ~40 us on a path of
    percent-encoded Arabic, up to 0.1 ms a page in a crawl, where the key is the host's labels
    reversed and the path lower-cased without its trailing slash. ``tests/test_warc_cdxj.py`` checks
    the fast path against ``surt`` on 20,000 random URLs.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        host, path = plain.groups()
        labels = host.split(".")
        if not labels[0].startswith("www") and not labels[-1][0].isdigit() and "//" not in path and "/." not in path:
            path = path.lower()
            return ",".join(reversed(labels)) + ")" + (path[:-1] if len(path) > 1 and path[-1] == "/" else path)
    try:
        return surt.surt(url)
    except Exception:  # noqa: BLE001 (cdxj-indexer's own fallback)
        return url


#: a WARC-Date as this crawl writes it (``2026-01-05T10:11:12.345678Z``), seconds fraction optional
_WARC_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z", re.ASCII)


def timestamp14(warc_date: str) -> str:
    """The 14-digit timestamp of a WARC-Date, as warcio's ``iso_date_to_timestamp`` gives it.

    The digits of the usual form are simply concatenated (0.8 us; warcio parses a datetime and
    formats it again, 4.3 us); other forms go to warcio.
    """
    if _WARC_DATE.fullmatch(warc_date):
        return warc_date[0:4] + warc_date[5:7] + warc_date[8:10] + warc_date[11:13] + warc_date[14:16] + warc_date[17:19]
    return iso_date_to_timestamp(warc_date)


def cdxj_line(record: ArcWarcRecord, filename: str, offset: int, length: int) -> str | None:
    """The index line cdxj-indexer writes for a response/revisit record just written; None for other kinds."""
    rec_type = record.rec_type
    if rec_type not in ("response", "revisit"):
        return None  # request, warcinfo, warc-fields metadata: not in cdxj-indexer's default index
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    http = record.http_headers
    entry = {"url": url}
    if rec_type == "revisit":
        entry["mime"] = "warc/revisit"
    elif http:
        mime = http.get_header("Content-Type")
        if mime is not None:
            entry["mime"] = _MIME_END.split(mime, 1)[0].strip() if mime else mime
    if http:
        entry["status"] = http.get_statuscode()
    digest = headers.get_header("WARC-Payload-Digest")
    if digest is not None:
        entry["digest"] = digest
    entry.update({"length": str(length), "offset": str(offset), "filename": filename})
    return f"{url_key(url)} {timestamp14(headers.get_header('WARC-Date'))} {json.dumps(entry)}\n"


class CdxjRecorder:
    """Collects the index lines of the records one crawl writes, in ``<job>/.index.cdxj.part``."""

    def __init__(self, job_dir: Path, name: str = INDEX_NAME) -> None:
        self.job_dir = job_dir
        self.name = name
        self.part = job_dir / f".{name}.part"
        self._out: IO[str] | None = open(self.part, "w", encoding="utf-8")  # noqa: SIM115 (open for the crawl)

    def add(self, record: ArcWarcRecord, filename: str, offset: int, length: int) -> None:
        line = cdxj_line(record, filename, offset, length)
        if line is not None and self._out is not None:
            self._out.write(line)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def discard(self) -> None:
        self.close()
        self.part.unlink(missing_ok=True)


def write_cdxj(
    job_dir: Path, name: str = INDEX_NAME, recorded: CdxjRecorder | None = None, recorded_files: Iterable[str] = ()
) -> Path:
    """Write ``job_dir/name`` for every WARC file of ``job_dir``; return its path.

    ``recorded`` holds the lines of the records of ``recorded_files`` (this crawl's files); every
    other WARC file of the folder is read and indexed by cdxj-indexer.
    """
    warcs = job_warcs(job_dir)
    if not warcs:
        raise FileNotFoundError(f"no WARC files in {job_dir}")
    done = set(recorded_files) if recorded is not None else set()
    others = [str(p) for p in warcs if p.name not in done]
    target = job_dir / name
    tmp = job_dir / f".{name}.tmp"
    if recorded is not None and not others:
        recorded.close()
        if recorded.part.stat().st_size <= SORT_BUFFER_BYTES:
            # every file is this crawl's and the lines fit the sort buffer: sorted as cdxj-indexer's SortingWriter
            # sorts them in memory (repeated lines once), without importing it (0.18 s of CPU: pyamf, pkg_resources)
            with open(recorded.part, encoding="utf-8") as part:
                lines = sorted(part)
            with open(tmp, "w", encoding="utf-8") as out:
                out.writelines(line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1])
            return _publish(tmp, target, recorded)

    from cdxj_indexer.main import CDXJIndexer, SortingWriter  # only here: 0.18 s of CPU to import

    with open(tmp, "w", encoding="utf-8") as out:
        lines = SortingWriter(out, SORT_BUFFER_BYTES)
        if recorded is not None:
            recorded.close()
            with open(recorded.part, encoding="utf-8") as part:
                for line in part:
                    lines.write(line)
        if others:
            CDXJIndexer(lines, others, post_append=True, dir_root=str(job_dir)).process_all()
        lines.flush()
    return _publish(tmp, target, recorded)


def _publish(tmp: Path, target: Path, recorded: CdxjRecorder | None) -> Path:
    """Move the finished index into place in one step (a reader never sees half of it); drop the part file."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    if recorded is not None:
        recorded.discard()
    return target
