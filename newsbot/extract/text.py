"""Plain text out of elements: whitespace-only normalization, nothing else.

The page's own characters (diacritics, tatweel, Arabic-Indic digits, typos) are kept;
only NBSP and other Unicode spaces become a space, runs collapse and ends are trimmed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from lxml.etree import _Element as HtmlElement

# Whitespace is what str.isspace() says: NBSP (U+00A0), U+2000..U+200A, U+202F, U+3000, line breaks...;
# zero-width joiners/non-joiners are not whitespace and stay (they are part of the text).

#: Elements whose text is never reader-visible text.
SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg"})
#: Elements that start a new line when rendered: their text is kept apart from the neighbours'.
BLOCK_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table", "blockquote",
     "section", "article", "figure", "figcaption", "header", "footer", "dd", "dt", "pre", "hr"}
)  # fmt: skip


def normalize_ws(text: str | None) -> str:
    """Collapse every whitespace run (NBSP included) into one space and trim the ends.

    Most text is already so (a paragraph of words and single spaces): that is told by two C-level scans and
    returned as is, instead of splitting it into a str per word and joining them again (3x the cost).
    Every whitespace character but the ASCII space is unprintable (``tests/test_extract_text.py`` checks all
    of Unicode), so printable text has only single inner spaces when it has no double one.
    """
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    return " ".join(text.split())  # str.split() splits on exactly what str.isspace() calls space (NBSP too)


#: Descendants that make the slow walk necessary (text left out, or spaces added around it).
_SKIP_OR_BLOCK = tuple(sorted(SKIP_TEXT_TAGS | BLOCK_TAGS))


def _plain_text(el: HtmlElement) -> str | None:
    """The text of ``el`` when no descendant is skipped or starts a line (the common <p> and <a>), else None.

    Same string as joining :func:`_iter_text` minus the spaces around ``el`` itself, by lxml's C-level
    ``itertext`` (comments and processing instructions give their tail, not their content, in both).
    """
    if not len(el):
        return el.text or ""
    if next(el.iterdescendants(*_SKIP_OR_BLOCK), None) is not None:
        return None
    return "".join(el.itertext())


def _iter_text(el: HtmlElement, skip: frozenset[str], skip_elements: Collection[HtmlElement]) -> Iterable[str]:
    tag = el.tag
    if not isinstance(tag, str) or tag in skip or el in skip_elements:  # comments/PIs have no visible text
        return
    block = tag in BLOCK_TAGS
    if block:
        yield " "  # '</p><p>' must not glue two words together
    if el.text:
        yield el.text
    for child in el:
        yield from _iter_text(child, skip, skip_elements)
        if child.tail:
            yield child.tail
    if block:
        yield " "


def element_text(
    el: HtmlElement | None, skip: frozenset[str] = SKIP_TEXT_TAGS, skip_elements: Collection[HtmlElement] = ()
) -> str:
    """Visible text of ``el`` (scripts, styles, embeds and ``skip_elements`` left out), whitespace-normalized."""
    if el is None:
        return ""
    if skip is SKIP_TEXT_TAGS and not skip_elements:
        tag = el.tag
        if isinstance(tag, str) and tag not in skip:
            text = _plain_text(el)
            if text is not None:
                return normalize_ws(text)  # the spaces a block element adds around itself are trimmed here
    return normalize_ws("".join(_iter_text(el, skip, skip_elements)))


def raw_text(el: HtmlElement, skip: frozenset[str] = SKIP_TEXT_TAGS) -> str:
    """Visible text of ``el`` exactly as marked up (not normalized): inline markup joins its neighbours as is."""
    if skip is SKIP_TEXT_TAGS:
        tag = el.tag
        if isinstance(tag, str) and tag not in skip and tag not in BLOCK_TAGS:
            text = _plain_text(el)
            if text is not None:
                return text
    return "".join(_iter_text(el, skip, ()))


def strip_label(text: str, labels: Iterable[str]) -> str:
    """Drop a leading label such as 'المصدر:' (with or without the colon) from ``text``."""
    for label in labels:
        if text.startswith(label):
            return text[len(label) :].lstrip(" :：").strip()
    return text


def contains_any(text: str, markers: tuple[str, ...]) -> bool:
    """``any(m in text for m in markers)`` in one pass over ``text`` when the markers share a prefix."""
    prefix = os.path.commonprefix(markers)
    if not prefix:
        return any(m in text for m in markers)
    i = text.find(prefix)
    while i != -1:
        if text.startswith(markers, i):
            return True
        i = text.find(prefix, i + 1)
    return False


def drop_tree(el: HtmlElement) -> None:
    """Remove ``el`` and its content from the tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
