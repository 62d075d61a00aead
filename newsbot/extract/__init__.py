"""Pure extraction: (URL, HTML) in, item out. No Scrapy, no network, no clock.

Public entry points used by the spider:

- :func:`extract_article` -- an article (or legacy program) page -> :class:`newsbot.items.Article`
- :func:`extract_story` -- a story page -> :class:`StoryPage` (its listed articles, next page)
- :func:`extract_feed` -- the RSS feed -> article URLs, newest first
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsbot.items import Article

EXTRACTOR_VERSION = "0"


class NotAnArticle(ValueError):
    """The page has no article content at all (neither the site's markup nor the fallback found any)."""


@dataclass
class StoryPage:
    url: str
    title: str | None = None
    count: int | None = None
    #: the articles the page lists, in page order: ``{"url", "title"}`` (canonical URLs)
    members: list[dict[str, str]] = field(default_factory=list)
    next_page: str | None = None


def extract_article(url: str, html: str | bytes, *, encoding: str | None = None) -> Article:
    raise NotImplementedError


def extract_story(url: str, html: str | bytes) -> StoryPage:
    raise NotImplementedError


def extract_feed(xml: bytes) -> list[str]:
    raise NotImplementedError
