"""Page metadata from the strongest source present: JSON-LD, then OpenGraph / ``article:`` meta.

A malformed JSON-LD block is skipped (the meta tags and visible markup still answer), never fatal.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsbot.extract import rules
from newsbot.extract.text import element_text, normalize_ws

if TYPE_CHECKING:
    from lxml.etree import _Element as HtmlElement

logger = logging.getLogger(__name__)


@dataclass
class PageMeta:
    """What the page's head says about itself."""

    ld: dict[str, Any] = field(default_factory=dict)  # the article's JSON-LD object ({} when none or broken)
    meta: dict[str, list[str]] = field(default_factory=dict)  # meta name/property -> contents, page order
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None
    ld_broken: bool = False

    def first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                value = normalize_ws(value)
                if value:
                    return value
        return None

    def all(self, name: str) -> list[str]:
        return [v for v in (normalize_ws(x) for x in self.meta.get(name, ())) if v]

    def ld_text(self, key: str) -> str | None:
        value = self.ld.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name") or value.get("@id") or value.get("url")
        return normalize_ws(value) or None if isinstance(value, str) else None

    @property
    def is_article(self) -> bool:
        og_type = (self.first("og:type") or "").lower()
        return bool(self.ld) or og_type == "article" or "article:published_time" in self.meta


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def _article_objects(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [o for item in data for o in _article_objects(item)]
    if not isinstance(data, dict):
        return []
    found = [data] if _types(data) & rules.ARTICLE_TYPES else []
    graph = data.get("@graph")
    if graph is not None:
        found.extend(_article_objects(graph))
    return found


def _read_ld(page: PageMeta, script: HtmlElement) -> None:
    raw = (script.text or "").strip()
    if not raw:
        return
    try:
        data = json.loads(raw, strict=False)  # strict=False: raw newlines/tabs inside strings are common
    except ValueError as exc:
        page.ld_broken = True
        logger.debug("skipping malformed JSON-LD block: %s", exc)
        return
    objects = _article_objects(data)
    if objects and not page.ld:
        page.ld = objects[0]


def read_meta(doc: HtmlElement) -> PageMeta:
    """One pass over the page's script/meta/link/title elements (lxml's C tag filter: no XPath)."""
    page = PageMeta()
    meta = page.meta
    title: HtmlElement | None = None
    for el in doc.iter("script", "meta", "link", "title"):
        tag = el.tag
        if tag == "meta":
            content = el.get("content")
            if content is not None:
                name = el.get("property") or el.get("name") or el.get("itemprop")
                if name:
                    meta.setdefault(name.strip().lower(), []).append(content)
        elif tag == "script":
            if el.get("type") == "application/ld+json":
                _read_ld(page, el)
        elif tag == "link":
            if page.canonical is None and el.get("rel") == "canonical":
                href = el.get("href")
                if href is not None:  # the first canonical link that has an href decides, as //link/@href[1]
                    page.canonical = href.strip() or ""
        elif title is None:
            title = el
    page.canonical = page.canonical or None
    lang = doc.get("lang") if doc.tag == "html" and doc.getparent() is None else None
    page.html_lang = lang.strip() if lang and lang.strip() else None
    page.title_tag = element_text(title) if title is not None else None
    return page
