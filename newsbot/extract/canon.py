"""``newsbot.urls.canonical_url`` for the links of one page, each computed once.

The site links its articles as root-relative raw-UTF-8 paths (``/world/123-slug/``). On a page of the
site such a link is the site origin + the path, which ``canonical_url`` takes by its own fast path for
plain site URLs instead of urljoin + urlsplit + parse_qsl + urlunsplit (a tenth of the extraction
once). ``tests/test_extract_select.py`` checks that both give the same string.
"""

from __future__ import annotations

from newsbot import urls


def canonical(href: str, base: str) -> str:
    """Same string as ``urls.canonical_url(href, base=base)``."""
    if base.startswith(urls.SITE_PREFIX):
        url = href.strip()
        # root-relative, no dot segment to resolve, no tab/CR/LF for urlsplit to drop (and so no "//" it could
        # then make): urljoin(base, url) would give exactly the origin + url
        if url.startswith("/") and not url.startswith("//") and "/." not in url and url.isprintable():
            return urls.canonical_url(urls.SITE_ORIGIN + url)
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
        aid = self._ids[url] = urls.article_id(url) if urls.is_site_url(url) else None
        return aid
