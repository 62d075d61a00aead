"""Find a template's body container by structure when none of its body class names is on the page.

Why: the legacy program pages come in several older markups, and a list of guessed body class names
(``div.news-text``, ``div.telecast-text``...) always misses some (``div.news_item > div.text``). A page is
still the legacy template when its own markup says so -- a heading plus the template's date line or lead
block in the legacy root (:attr:`Template.signature`); its body is then the block with the most paragraph
text. A page without that markup is an unknown template and goes to the generic fallback as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.extract import rules
from newsbot.extract.body import is_chrome
from newsbot.extract.text import element_text, normalize_ws

if TYPE_CHECKING:
    from lxml.etree import _Element as HtmlElement


def is_template_page(template: rules.Template, root: HtmlElement) -> bool:
    """Whether ``root`` carries the template's own markup beside the body (see :attr:`Template.signature`)."""
    return all(any(True for _ in part(root)) for part in template.signature)


def _add(scores: dict[HtmlElement, int], order: list[HtmlElement], block: HtmlElement, amount: int) -> None:
    if amount:
        if block not in scores:
            scores[block] = 0
            order.append(block)
        scores[block] += amount


def _score(el: HtmlElement, parts: set[HtmlElement], scores: dict[HtmlElement, int], order: list[HtmlElement]) -> None:
    """Paragraph text per block: <p> text counts for its parent, loose (<br>-separated) text for its holder."""
    _add(scores, order, el, len(normalize_ws(el.text)) + sum(len(normalize_ws(c.tail)) for c in el))
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or child in parts or tag in rules.SKIP_TAGS or tag in rules.STRUCTURE_SKIP_TAGS:
            continue
        if is_chrome(child, child.get("class") or ""):
            continue
        if tag == "p":
            _add(scores, order, el, len(element_text(child)))
        elif tag not in rules.INLINE_TAGS:
            _score(child, parts, scores, order)


def densest_block(template: rules.Template, root: HtmlElement) -> HtmlElement | None:
    """The block inside ``root`` with the most paragraph text (first in page order on a tie), if it has enough.

    The template's other parts (heading, lead, date, byline, cover, related) are never candidates, nor is
    page chrome (ads, share bars, comments, header/footer/nav/aside).
    """
    parts = {el for sel in (template.heading, template.summary, template.date, template.author, template.cover) for el in sel(root)}
    scores: dict[HtmlElement, int] = {}
    order: list[HtmlElement] = []
    _score(root, parts, scores, order)
    best = max(order, key=lambda el: scores[el], default=None)  # max() keeps the first of equal scores
    if best is None or scores[best] < rules.MIN_STRUCTURE_BODY_CHARS:
        return None
    return best
