"""The job's CDXJ index (``index.cdxj``), written with cdxj-indexer -- the format pywb reads.

Sorted lines ``<SURT> <14-digit timestamp> {json}`` for every response, revisit and
metadata record, with ``filename`` relative to the job folder, ``offset`` and ``length``
of the gzip member, payload ``digest``, ``status`` and ``mime``. Written to a temporary
name and renamed, so a reader never sees half an index.
"""

from __future__ import annotations

import os
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

INDEX_NAME = "index.cdxj"
WARC_SUFFIXES = (".warc.gz", ".warc")


def job_warcs(job_dir: Path) -> list[Path]:
    """The job folder's WARC files, in name (serial) order."""
    return sorted(p for p in job_dir.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


def write_cdxj(job_dir: Path, name: str = INDEX_NAME) -> Path:
    """Index every WARC file of ``job_dir`` into ``job_dir/name``; return its path."""
    warcs = job_warcs(job_dir)
    if not warcs:
        raise FileNotFoundError(f"no WARC files in {job_dir}")
    target = job_dir / name
    tmp = job_dir / f".{name}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        CDXJIndexer(out, [str(p) for p in warcs], sort=True, post_append=True, dir_root=str(job_dir)).process_all()
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target
