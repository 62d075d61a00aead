"""Pure extraction: (URL, HTML) in, item out. No Scrapy, no network, no clock.

Public entry points used by the spider:

- :func:`extract_article` -- an article (or legacy program) page -> :class:`newsbot.items.Article`
- :func:`extract_story` -- a story page -> :class:`StoryPage` (its listed articles, next page)
- :func:`extract_feed` -- the RSS feed -> article URLs, newest first

The site's selectors, labels and thresholds live in :mod:`newsbot.extract.rules`.
"""

from __future__ import annotations

from newsbot.extract.article import extract_article
from newsbot.extract.errors import NotAnArticle
from newsbot.extract.feed import extract_feed
from newsbot.extract.story import StoryPage, extract_story
from newsbot.extract.version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "NotAnArticle", "StoryPage", "extract_article", "extract_feed", "extract_story"]
