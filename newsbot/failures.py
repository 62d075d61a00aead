"""FetchFailure: one fetch or extraction that ended without an article."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FetchFailure:
    url: str
    #: ``fetch`` (HTTP status or network error) or ``extract`` (the page could not be parsed)
    stage: str
    reason: str
    status: int | None = None
    attempts: int = 1
    depth: int | None = None
    parent: str | None = None
    root: str | None = None
    time: str | None = None
