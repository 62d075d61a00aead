"""Item classes. Field names are part of the product's interface (see README, "The article item")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Article:
    """One article page, as extracted (see ``newsbot.extract``) and completed by the spider."""

    # identity and content (filled by extraction)
    url: str
    article_id: int | None = None
    section: str | None = None
    title: str | None = None
    lead: str | None = None
    body_paragraphs: list[str] = field(default_factory=list)
    subheadings: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    tags: list[str] = field(default_factory=list)
    story: str | None = None
    related: list[dict[str, Any]] = field(default_factory=list)
    live_entries: list[dict[str, Any]] = field(default_factory=list)
    language: str | None = None
    extracted_by: str = "rules"
    extractor_version: str | None = None
    # crawl context (filled by the spider)
    fetched_at: str | None = None
    http_status: int | None = None
    depth: int | None = None
    parent: str | None = None
    job_id: str | None = None
    # provenance: the WARC response record this item was parsed from
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None
