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
from newsbot.extract.dates import parse_date, parse_iso, to_iso
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


def collect_media(doc: HtmlElement, body: Body) -> None:
    """Players outside the page chrome, and images in a figure or beside a caption."""
    chrome = set(rules.CHROME_CONTAINERS(doc))
    for el in rules.FALLBACK_MEDIA(doc):
        if any(anc in chrome for anc in el.iterancestors()):
            continue
        if el.tag == "img":
            parent = el.getparent()
            if parent is None or parent.tag in ("figure", "picture") or not rules.CAPTION(parent):
                continue  # figures are handled whole; a bare <img> without a caption may be a logo or a pixel
            body.add_media(parent)
        elif el.tag == "figure" or el.tag == "video":
            body.add_media(el)
        elif not any(anc.tag in ("figure", "video") for anc in el.iterancestors()):
            body.add_media(el)


def visible_date(doc: HtmlElement) -> str | None:
    """The first date shown on the page outside the chrome (when no template names its date)."""
    chrome = set(rules.CHROME_CONTAINERS(doc))
    for el in rules.FALLBACK_DATES(doc):
        if any(anc in chrome for anc in el.iterancestors()):
            continue
        stamp = el.get("datetime")
        value = parse_iso(stamp) if stamp else None
        text = element_text(el)
        if value is None and len(text) <= rules.MAX_DATE_LINE_CHARS:
            value = parse_date(text)
        if value is not None:
            return to_iso(value)
    return None


def is_date_line(text: str) -> bool:
    return len(text) <= rules.MAX_DATE_LINE_CHARS and parse_date(text) is not None


def extract_body(doc: HtmlElement, body: Body) -> None:
    """Fill ``body`` from ``doc`` with trafilatura. Mutates ``doc`` (the chrome is dropped)."""
    import trafilatura  # imported lazily: costly to import and needed only when templates miss

    collect_media(doc, body)
    for el in rules.CHROME(doc):
        drop_tree(el)
    for el in rules.CLASS_OR_ROLE(doc):  # live-widget labels and ARIA status regions, by the body's rules
        if rules.LIVE_CHROME_CLASS.search(el.get("class") or "") or el.get("role") in rules.CHROME_ROLES:
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
    captions = {i["caption"] for i in body.images if i["caption"]}
    body.paragraphs = [p for p in body.paragraphs if p not in captions and not is_date_line(p)]
