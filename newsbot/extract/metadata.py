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


def read_meta(doc: HtmlElement) -> PageMeta:
    page = PageMeta()
    for script in rules.JSON_LD(doc):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)  # strict=False: raw newlines/tabs inside strings are common
        except ValueError as exc:
            page.ld_broken = True
            logger.debug("skipping malformed JSON-LD block: %s", exc)
            continue
        objects = _article_objects(data)
        if objects and not page.ld:
            page.ld = objects[0]
    for el in rules.META(doc):
        name = el.get("property") or el.get("name") or el.get("itemprop")
        if name:
            page.meta.setdefault(name.strip().lower(), []).append(el.get("content", ""))
    canonical = rules.CANONICAL(doc)
    page.canonical = canonical[0].strip() if canonical and canonical[0].strip() else None
    lang = rules.HTML_LANG(doc)
    page.html_lang = lang[0].strip() if lang and lang[0].strip() else None
    title = rules.TITLE_TAG(doc)
    page.title_tag = element_text(title[0]) if title else None
    return page
