"""Package a job folder as a WACZ (``<job id>.wacz``) with py-wacz, streamed to disk.

py-wacz (the Webrecorder reference implementation) writes ``archive/*.warc.gz`` (copied
in chunks, never whole in memory), ``indexes/index.cdx.gz`` + ``index.idx``,
``pages/pages.jsonl`` and ``datapackage.json`` with a sha256 and size per file. Pages are
ours, not guessed: every HTML response with status 200 in the job's ``index.cdxj``, titled
from ``items.jsonl`` where an item points at that record.

A WACZ holds only its own job's WARC files: a revisit referring to an earlier job's record
replays only when that job's WARC files are loaded too.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

from warcio.timeutils import timestamp_to_iso_date
from wacz.main import main as wacz_main

from newsbot.warc.cdxj import INDEX_NAME, job_warcs, write_cdxj

PAGE_MIMES = ("text/html", "application/xhtml+xml")


class WaczError(RuntimeError):
    """py-wacz refused the job folder; the message says which and why."""


def _item_titles(job_dir: Path) -> dict[tuple[str, int], str]:
    titles: dict[tuple[str, int], str] = {}
    items = job_dir / "items.jsonl"
    if not items.exists():
        return titles
    with open(items, encoding="utf-8") as fh:
        for line in fh:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if item.get("warc_file") and item.get("warc_offset") is not None and item.get("title"):
                titles[(item["warc_file"], int(item["warc_offset"]))] = item["title"]
    return titles


def pages(job_dir: Path) -> list[dict[str, Any]]:
    """The job's pages: 200 HTML responses (and revisits of them) from ``index.cdxj``."""
    titles = _item_titles(job_dir)
    found: dict[str, dict[str, Any]] = {}
    with open(job_dir / INDEX_NAME, encoding="utf-8") as fh:
        for line in fh:
            _key, ts, data = line.split(" ", 2)
            entry = json.loads(data)
            mime = entry.get("mime", "")
            if entry.get("status") != "200" or mime not in PAGE_MIMES and mime != "warc/revisit":
                continue
            if mime == "warc/revisit" and entry["url"] not in found:
                continue  # a revisit page is listed only via its HTML original in this job
            page = {"url": entry["url"], "ts": timestamp_to_iso_date(ts)}
            title = titles.get((entry.get("filename", ""), int(entry.get("offset", -1))))
            if title:
                page["title"] = title
            found.setdefault(entry["url"], page)
    return list(found.values())


def package_job(job_dir: Path, output: Path | None = None) -> Path:
    """Write ``job_dir/<job id>.wacz`` (or ``output``) from the job's WARC files; return its path."""
    job_dir = Path(job_dir)
    if not job_dir.is_dir():
        raise WaczError(f"not a job folder: {job_dir}")
    warcs = job_warcs(job_dir)
    if not warcs:
        raise WaczError(f"no WARC files in job folder {job_dir}")
    if not (job_dir / INDEX_NAME).exists():
        write_cdxj(job_dir)
    output = Path(output) if output else job_dir / f"{job_dir.name}.wacz"
    pages_file = job_dir / ".pages.jsonl.tmp"
    tmp = output.with_name(f".{output.name}.tmp")
    header = {"format": "json-pages-1.0", "id": "pages", "title": f"newsbot job {job_dir.name}"}
    with open(pages_file, "w", encoding="utf-8") as fh:
        for entry in [header, *pages(job_dir)]:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    args = ["create", "-o", str(tmp), "--hash-type", "sha256", "-p", str(pages_file), "--title", header["title"]]
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            code = wacz_main([*args, *(str(p) for p in warcs)])
    finally:
        pages_file.unlink(missing_ok=True)
    if code:
        tmp.unlink(missing_ok=True)
        raise WaczError(f"py-wacz failed for {job_dir}: {log.getvalue().strip()}")
    os.chmod(tmp, 0o644)
    os.replace(tmp, output)
    return output
