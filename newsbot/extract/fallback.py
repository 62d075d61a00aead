"""Body text when none of the site's templates matched: trafilatura on the page minus its chrome.

Why a fallback at all: when the site changes its templates the crawl should still deliver text,
marked ``extracted_by='fallback'`` so the spider can count and warn. Why the chrome is cut first:
trafilatura alone leaks header/sidebar/footer text into some pages (issue 2, "What the anchors teach").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lxml import etree

from newsbot.extract import rules
from newsbot.extract.text import drop_tree, element_text

if TYPE_CHECKING:
    from lxml.etree import _Element as HtmlElement

    from newsbot.extract.body import Body

logger = logging.getLogger(__name__)

TRAFILATURA_OPTIONS = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_formatting": True,  # keeps <hi rend="#b"> so bold-only paragraphs can be told apart
    "with_metadata": False,
}


def _bold_only(el: HtmlElement) -> bool:
    if (el.text or "").strip():
        return False
    found = False
    for child in el:
        if child.tag == "hi" and "#b" in (child.get("rend") or ""):
            found = found or bool(element_text(child))
        elif child.tag != "lb" and element_text(child):
            return False
        if (child.tail or "").strip():
            return False
    return found


def _feed(el: HtmlElement, body: Body) -> None:
    tag = el.tag
    if tag == "head":
        text = element_text(el)
        if text and text != body.title and not body.stopped:
            body.subheadings.append(text)
    elif tag == "p":
        body.add_text(element_text(el), bold_only=_bold_only(el))
    elif tag in ("list", "quote", "item", "div"):
        if tag == "item" or not len(el):
            body.add_text(element_text(el))
        for child in el if tag != "item" else ():
            _feed(child, body)
    elif tag == "table":
        for row in el.iter("row"):
            body.add_text(" | ".join(t for t in (element_text(c) for c in row) if t))
    else:
        body.add_text(element_text(el))


def extract_body(doc: HtmlElement, body: Body) -> None:
    """Fill ``body`` from ``doc`` with trafilatura. Mutates ``doc`` (the chrome is dropped)."""
    import trafilatura  # imported lazily: costly to import and needed only when templates miss

    for el in rules.CHROME(doc):
        drop_tree(el)
    cleaned = etree.tostring(doc, encoding="unicode", method="html")
    try:
        result = trafilatura.bare_extraction(cleaned, url=body.base_url, **TRAFILATURA_OPTIONS)
    except Exception:  # a third-party boundary: log, and let the caller decide (no body -> NotAnArticle)
        logger.warning("trafilatura failed on %s", body.base_url, exc_info=True)
        return
    tree = getattr(result, "body", None)
    if tree is None:
        return
    for child in tree:
        _feed(child, body)
