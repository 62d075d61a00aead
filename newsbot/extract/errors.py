"""Exceptions of the extraction unit."""

from __future__ import annotations


class NotAnArticle(ValueError):
    """The page has no article content at all (an error page, a listing, or nothing the fallback could read).

    Raised by :func:`newsbot.extract.extract_article`; the spider records the page as not an article.
    """
