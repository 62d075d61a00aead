"""``newsbot.urls.canonical_url`` for the links of one page, with a fast path for the site's plain links.

Why: the site links its articles as root-relative raw-UTF-8 paths (``/world/123-slug/``), and running
every one through urljoin + urlsplit + parse_qsl + urlunsplit cost about a tenth of the extraction.
For a plain path on a page of the site the canonical form is only the site origin + the path (+ ``/``):
no query, fragment, percent-escape, dot segment or odd character to normalize. Anything else goes to
``canonical_url`` itself; ``tests/test_extract_canon.py`` checks that both give the same string.
"""

from __future__ import annotations

import re

from newsbot import urls

_ORIGIN = urls.SITE_ORIGIN  # https://arabic.rt.com
_PAGE_PREFIX = _ORIGIN + "/"
#: Characters whose presence sends a link to the full canonicalisation (query, fragment, escapes, params...).
_SPECIAL = re.compile(r"[?#%;\\\[\]]")  # a regex search: ~0.3 us on a slug, frozenset.intersection(path) ~1.5


def _plain_path(path: str) -> bool:
    """A root-relative path that urljoin/urlsplit leave exactly as it is."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "/." not in path  # dot segments ('/./', '/../') are resolved by urljoin; '/.x' goes the slow way too
        and path.isprintable()  # no tab/CR/LF (urlsplit drops them) nor other control characters
        and " " not in path
        and _SPECIAL.search(path) is None
    )


def _with_slash(path: str) -> str:
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        return path + "/"
    return path


def canonical(href: str, base: str) -> str:
    """Same string as ``urls.canonical_url(href, base=base)``."""
    if base.startswith(_PAGE_PREFIX):
        url = href.strip()
        if url.startswith(_PAGE_PREFIX):
            path = url[len(_ORIGIN) :]
            if _plain_path(path):
                return _ORIGIN + _with_slash(path)
        elif _plain_path(url):
            return _ORIGIN + _with_slash(url)
    return urls.canonical_url(href, base=base)


class PageLinks:
    """Canonical URLs and article ids of one page's links, each computed once."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._canonical: dict[str, str] = {}
        self._ids: dict[str, int | None] = {}

    def canonical(self, href: str) -> str:
        url = self._canonical.get(href)
        if url is None:
            url = self._canonical[href] = canonical(href, self.base)
        return url

    def article_id(self, url: str) -> int | None:
        """``urls.article_id`` of a canonical URL of the site (``None`` for other hosts, as is_article_url)."""
        if url in self._ids:
            return self._ids[url]
        if url.startswith(_PAGE_PREFIX) and _plain_path(url[len(_ORIGIN) :]):
            aid = urls.article_id(url[len(_ORIGIN) :])  # a site URL; its path is all article_id reads
        else:
            aid = urls.article_id(url) if urls.is_site_url(url) else None
        self._ids[url] = aid
        return aid
