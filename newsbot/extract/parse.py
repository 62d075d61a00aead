"""Parse a page, or only up to the end of its first ``<article>`` when that provably gives the same tree.

Why: lxml's parse of a whole 55 KB page (0.5 ms) was half of the extraction, and the feed, sidebar and
footer after the article are never read once the current template matched. libxml2 reads a page front
to back, so ``page[:first </article>]`` parses into the same tree as the whole page up to that point;
what the cut can change is checked:

- the article must be whole before the cut: a marker element is appended at the cut and neither the
  article nor any ``<article>`` around it may hold it (:meth:`Prefix.holds`, checked by the caller on the
  article it extracts; an ``<article>`` still open at the cut could take a body from after it);
- the page metadata must not differ: after the cut (never parsed) there is no meta/link/title tag, nor a
  script whose start tag could say ``application/ld+json``, nor an html/head/body tag.

A page that fails a check is parsed whole. Measured on 55 KB pages: 0.41 instead of 0.53 ms of parse.

The header and menus between ``<body>`` and the article (16 KB on the synthetic pages, 0.22 ms of libxml2:
more than half the prefix) are left out too when that provably gives the same article and metadata
(:func:`_parse_without_chrome`, 0.29 instead of 0.40 ms; else the prefix is parsed with them):

- the skipped text must be plain markup that leaves libxml2's tokenizer in its data state, as it found it:
  text, and start and end tags in a strict grammar (no comment, doctype or processing instruction; no
  element whose content libxml2 reads as text, as ``<script>``), and no element the extractor reads from the
  whole page (meta/link/title/script, ``<article>``) nor an html/head/body tag;
- the elements it leaves open can only matter to the article through an end tag inside the article that
  closes one of them (libxml2 pops up to the nearest open element of that name, silently, and the article
  with it; no start tag closes an open ``<article>``). Without them such an end tag finds no open element
  and libxml2 reports "Unexpected end tag": the parse without them must report no error from the article
  on. An html/head/body tag inside the article is reported as well, or closes the same elements either way;
- the ``<body`` found must be the page's body tag (not text in a head comment, script or attribute): its
  element ends on the line before the article's, which is its first element;
- the elements left open add depth to the whole parse only: with fewer than 2,000 tags after ``<body>``
  neither parse comes near libxml2's depth limit (2,048 with ``huge_tree``), where it stops reading.

tests/test_extract_parse.py checks these facts against the installed libxml2, and the items of random
menus and articles against a parse of the whole page.

A page may be given as its UTF-8 bytes (the caller's, when it has them): lxml hands libxml2 a str of
Arabic text as UTF-16, which it converts to UTF-8 itself (65 us a 45 KB prefix). Encoding a str first
does not pay (``str.encode`` costs 35-45 us, and str.find is as fast as bytes.find on these pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from lxml import etree

from newsbot.extract.errors import NotAnArticle

if TYPE_CHECKING:
    from lxml.etree import _Element as HtmlElement

#: The element appended at the cut; a name no page uses (custom elements need a hyphen, so no clash with HTML).
CUT_MARK = "newsbot-cut-mark"
_ARTICLE_OPEN = "<article"
_ARTICLE_CLOSE = "</article>"
_WS = r"[\t\n\f\r ]"  # HTML's whitespace (regex \s also takes NBSP and other Unicode spaces)
#: A start tag whose attributes HTML tokenizes exactly so (the error cases -- a quote or '<' in a name or an
#: unquoted value, '=' starting a name, no space after a quoted value -- do not match): up to its '>'.
_ATTRS = rf"""(?:[\t\n\f\r /]++[^\t\n\f\r />="'<]++(?:{_WS}*+={_WS}*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >"'=<`]++))?+)*+[\t\n\f\r /]*+>"""
#: Tags after the cut that the metadata or the document element could come from (ASCII case-insensitive). The
#: lookahead on their first letters lets the regex engine pass most '<' of the tail (a, li, div...) with one
#: class test instead of trying the seven names (9 instead of 14 us on a 9 KB tail).
_TAIL_RISK = r"<(?=[bhlmstBHLMST])(?ai:(script)|meta|link|title|html|head|body)(?![A-Za-z0-9-])"
_SCRIPT_TAG = rf"<(?ai:script){_ATTRS}"
#: Start tags the skipped header and menus may not hold (any ASCII case): elements libxml2 reads as text, those the
#: extractor reads from the whole page (metadata, article roots), and the document's own.
RAW_TEXT_ELEMENTS = ("iframe", "noembed", "noframes", "plaintext", "script", "style", "textarea", "title", "xmp")
CHROME_RISK = (*RAW_TEXT_ELEMENTS, "article", "meta", "link", "base", "html", "head", "body", "frameset")
_NAME_END = "(?![A-Za-z0-9-])"
_TAG_NAME_END_CHARS = " \t\n\f\r>/"
#: The skipped part, whole: text, then tags each followed by text -- end tags (but html/head/body's), start tags of
#: elements not in CHROME_RISK (names HTML tokenizes exactly so: an ASCII letter, then letters, digits,
#: hyphens), or a '<' before whitespace (text). One repeat per tag, single-character negations (sre's fastest
#: loop) and the full name test on start tags only: ~70 us on 16 KB of menus, where libxml2 takes 220.
_SKIPPABLE = (
    rf"[^<]*+(?:(?:</(?!(?ai:html|head|body){_NAME_END})[A-Za-z][A-Za-z0-9-]*+{_WS}*+>"
    rf"|<(?!(?ai:{'|'.join(CHROME_RISK)}){_NAME_END})[A-Za-z][A-Za-z0-9-]*+{_ATTRS}|<(?={_WS}))[^<]*+)*+"
)


@dataclass(frozen=True)
class _Syntax:
    """The patterns of the module for one kind of page text (str, or its UTF-8 bytes).

    A bytes pattern finds the same tags at the same places in the UTF-8 bytes: every delimiter is ASCII and
    no byte of a multi-byte UTF-8 character is, and no non-ASCII character lowercases to 'l', 'd' or '&'.
    """

    article_open: str | bytes
    article_close: str | bytes
    mark: str | bytes
    tail_risk: re.Pattern[Any]
    script_tag: re.Pattern[Any]
    ld: tuple[str | bytes, str | bytes]
    body_open: str | bytes
    start_tag_rest: re.Pattern[Any]
    skippable: re.Pattern[Any]
    newline: str | bytes
    lt: str | bytes
    tag_name_ends: tuple[str | bytes, ...]  # what may follow ``<article``: HTML's whitespace, '>' or '/'


def _syntax(spell: Callable[[str], Any]) -> _Syntax:
    """The module's patterns spelled by ``spell``: ``str`` for text, ``str.encode`` for its UTF-8 bytes."""
    return _Syntax(
        spell(_ARTICLE_OPEN),
        spell(_ARTICLE_CLOSE),
        spell(f"<{CUT_MARK}></{CUT_MARK}>"),
        re.compile(spell(_TAIL_RISK)),
        re.compile(spell(_SCRIPT_TAG)),
        (spell("ld"), spell("&")),
        spell("<body"),
        re.compile(spell(_ATTRS)),
        re.compile(spell(_SKIPPABLE)),
        spell("\n"),
        spell("<"),
        tuple(spell(c) for c in _TAG_NAME_END_CHARS),
    )


_STR = _syntax(str)
_BYTES = _syntax(str.encode)


def _parser(page: str | bytes) -> etree.HTMLParser:
    """A str is read as the text it is; bytes are the page's UTF-8 (a <meta charset> must not override it).

    ``huge_tree``: libxml2 stops reading at 256 levels of nesting otherwise (tag soup with unclosed elements
    gets there), and at 2,048 with it -- which a page with fewer tags than that cannot reach.
    """
    return etree.HTMLParser(encoding="utf-8", huge_tree=True) if isinstance(page, bytes) else etree.HTMLParser(huge_tree=True)


def parse_html(page: str | bytes) -> HtmlElement:
    """The whole page (plain lxml elements: cheaper proxies than lxml.html's); bytes are its UTF-8."""
    doc = etree.fromstring(page, _parser(page))
    if doc is None:
        raise NotAnArticle("no HTML in the page")
    return doc


@dataclass
class Prefix:
    """The tree of a page cut after its first ``</article>``, and the elements open at the cut."""

    doc: HtmlElement
    open_at_cut: tuple[HtmlElement, ...]

    def holds(self, root: HtmlElement) -> bool:
        """Whether ``root`` is an ``<article>`` closed before the cut, with no ``<article>`` open at the cut."""
        return root.tag == "article" and not any(el.tag == "article" for el in self.open_at_cut)


def _tail_is_inert(page: Any, start: int, syntax: _Syntax) -> bool:
    """No tag in ``page[start:]`` that the page metadata reads (a script only if it cannot be JSON-LD)."""
    ld, amp = syntax.ld
    for m in syntax.tail_risk.finditer(page, start):
        if m.group(1) is None:
            return False
        tag = syntax.script_tag.match(page, m.start())
        if tag is None:
            return False
        value = tag.group().lower()
        if ld in value or amp in value:  # application/ld+json, maybe spelled with a character reference
            return False
    return True


def _parse_without_chrome(page: Any, start: int, cut: int, syntax: _Syntax) -> HtmlElement | None:
    """``page[:cut]`` + the cut mark, parsed without what lies between ``<body ...>`` and ``start`` (the first
    ``<article``), when that gives the same article and metadata (see the module doc); else None."""
    if page[start + 8 : start + 9] not in syntax.tag_name_ends:
        return None  # <article-...>, not an <article>
    body_open = page.find(syntax.body_open, 0, start)
    if body_open == -1:
        return None
    tag = syntax.start_tag_rest.match(page, body_open + 5)
    if tag is None or tag.end() > start or syntax.skippable.fullmatch(page, tag.end(), start) is None:
        return None
    if page.count(syntax.lt, tag.end(), cut) >= _MAX_TAGS:
        return None  # so many tags that the elements left open could take the article past libxml2's depth limit
    parser = _parser(page)
    doc = etree.fromstring(page[: tag.end()] + syntax.newline + page[start:cut] + syntax.mark, parser)
    body = doc.find("body") if doc is not None else None
    if body is None or not len(body):
        return None
    article = body[0]
    # the '<body' found was the page's body tag (not text in a comment, script or attribute): its element ends on
    # the line before the article's start tag, which is its first element
    if article.tag != "article" or article.sourceline != body.sourceline + 1:
        return None
    if any(error.line >= article.sourceline for error in parser.error_log):
        return None  # an end tag inside the article that the skipped part could have answered, or other trouble
    return doc


#: Fewer '<' than this after ``<body ...>`` (and libxml2's depth limit of 2,048 with ``huge_tree``) and neither
#: parse can nest deep enough to stop: the elements the menus leave open add depth only to the whole parse.
_MAX_TAGS = 2000


def parse_prefix(page: str | bytes) -> Prefix | None:
    """The page up to its first ``</article>`` when nothing after it can matter (see the module doc), else None.

    ``page`` is a str, or the page's UTF-8 bytes.
    """
    syntax = _BYTES if isinstance(page, bytes) else _STR
    start = page.find(syntax.article_open)
    if start == -1:
        return None
    close = page.find(syntax.article_close, start)
    if close == -1:
        return None
    cut = close + len(syntax.article_close)
    if not _tail_is_inert(page, cut, syntax):
        return None
    doc = _parse_without_chrome(page, start, cut, syntax)
    if doc is None:
        doc = etree.fromstring(page[:cut] + syntax.mark, _parser(page))
    if doc is None:
        return None
    mark = doc
    while len(mark):  # the mark is the last element parsed: the last child at every level
        mark = mark[-1]
    if mark.tag != CUT_MARK or mark.text is not None or mark.tail is not None:
        return None  # swallowed by an open comment, attribute or script: the cut is not between tags
    open_at_cut = tuple(mark.iterancestors())
    parent = mark.getparent()
    if parent is None:
        return None
    parent.remove(mark)
    return Prefix(doc, open_at_cut)
