"""The crawl job: its id and its folder ``ARCHIVE_DIR/<job id>/``, shared by every component.

The job is created once per crawler (first component to ask creates it) and kept on the
crawler object, so every component of one crawl writes into the same folder. With
``JOBDIR`` set, the id is stored there, so a resumed crawl continues the same job.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_ATTR = "_newsbot_job"


@dataclass(frozen=True)
class Job:
    id: str
    archive_dir: Path
    started: datetime

    @property
    def dir(self) -> Path:
        return self.archive_dir / self.id

    def path(self, name: str) -> Path:
        """A file inside the job folder; ``name`` is ours, never derived from a URL."""
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise ValueError(f"not a plain file name: {name!r}")
        return self.dir / name

    @classmethod
    def of(cls, crawler: Crawler) -> Job:
        job = getattr(crawler, _ATTR, None)
        if job is None:
            job = cls._create(crawler.settings)
            setattr(crawler, _ATTR, job)
        return job

    @classmethod
    def _create(cls, settings: Any) -> Job:
        archive_dir = Path(settings.get("ARCHIVE_DIR") or "archive")
        now = datetime.now(timezone.utc)
        job_id = settings.get("NEWSBOT_JOB_ID") or _resumed_job_id(settings.get("JOBDIR"))
        if not job_id:
            job_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
            _remember_job_id(settings.get("JOBDIR"), job_id)
        job = cls(id=job_id, archive_dir=archive_dir, started=now)
        job.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(job.dir, 0o755)
        return job


def _resumed_job_id(jobdir: str | None) -> str | None:
    if jobdir:
        f = Path(jobdir) / "newsbot_job_id"
        if f.exists():
            return f.read_text(encoding="utf-8").strip() or None
    return None


def _remember_job_id(jobdir: str | None, job_id: str) -> None:
    if jobdir:
        Path(jobdir).mkdir(parents=True, exist_ok=True)
        (Path(jobdir) / "newsbot_job_id").write_text(job_id, encoding="utf-8")
