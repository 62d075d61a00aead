"""The extractor's fast paths give exactly what the straightforward code gives.

- every selector of ``newsbot.extract.rules`` (tag-filtered walk, first match, XPath) against
  ``lxml.cssselect.CSSSelector`` on the same CSS, with every element of the fixture pages as the scope;
- ``element_text``/``raw_text`` (lxml ``itertext`` for plain elements) against the element-by-element walk;
- ``canon.canonical`` (plain site links) against ``newsbot.urls.canonical_url``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import etree
from lxml.cssselect import CSSSelector

from newsbot import urls
from newsbot.extract import rules
from newsbot.extract.article import decode, parse_html
from newsbot.extract.canon import PageLinks, canonical
from newsbot.extract.select import FastSelector, compile_css
from newsbot.extract.text import SKIP_TEXT_TAGS, _iter_text, element_text, normalize_ws, raw_text

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in (*FIXTURES.glob("pages/**/page.html"), *FIXTURES.glob("heldout/*/page.*")) if p.stat().st_size)


def _selectors() -> list[tuple[str, FastSelector]]:
    found = [(name, v) for name, v in vars(rules).items() if isinstance(v, FastSelector)]
    for template in rules.TEMPLATES:
        for name in template.__dataclass_fields__:
            value = getattr(template, name)
            if isinstance(value, FastSelector):
                found.append((f"{template.name}.{name}", value))
        found += [(f"{template.name}.signature{i}", s) for i, s in enumerate(template.signature)]
    return found


SELECTORS = _selectors()


def _doc(path: Path) -> etree._Element:
    return parse_html(decode(path.read_bytes()))


def test_every_rules_selector_is_a_fast_one() -> None:
    kinds = {type(v).__name__ for v in vars(rules).values() if type(v).__name__ in ("FastSelector", "CSSSelector")}
    assert kinds == {"FastSelector"}
    assert len(SELECTORS) > 25


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(FIXTURES).parent))
def test_selectors_match_cssselect_at_every_scope(page: Path) -> None:
    doc = _doc(page)
    refs = [(name, sel, CSSSelector(sel.css, translator="html")) for name, sel in SELECTORS]
    for scope in doc.iter(etree.Element):
        for name, sel, ref in refs:
            want = ref(scope)
            assert sel(scope) == want, (name, scope.tag, scope.get("class"))
            assert sel.walk(scope) == want, (name, scope.tag, scope.get("class"))
            assert sel.first(scope) is (want[0] if want else None), (name, scope.tag)


@pytest.mark.parametrize(
    ("css", "html"),
    [
        ("div.a", '<div class="a\tb"></div><div class=" b\na "></div><div class="a\u00a0b"></div><div class="ab"></div>'),
        ("p.x.y", '<p class="x"></p><p class="y x"></p><p class="xy"></p>'),
        ("div#content", '<div id="content"></div><div id="content "></div><div id="Content"></div>'),
        ("a[href]", '<a href="">e</a><a name="x">n</a><a HREF="/x">u</a>'),
        ("section.r li > a[href]", '<section class="r"><ul><li><a href="/1">1</a><span><a href="/2">2</a></span></li></ul></section>'),
        ("div.o div.o p", '<div class="o"><div class="o"><p>1</p></div><p>2</p></div><div class="o"><p>3</p></div>'),
        ("div.d time, div.d", '<div class="d"><time>1</time></div><time>2</time><div class="d"></div>'),
        (".c, figcaption", '<figure><img><figcaption class="c">x</figcaption><span class="c">y</span></figure>'),
    ],
)
def test_selector_edge_cases(css: str, html: str) -> None:
    doc = parse_html(f"<html><body>{html}</body></html>")
    sel, ref = compile_css(css), CSSSelector(css, translator="html")
    assert isinstance(sel, FastSelector)
    for scope in doc.iter(etree.Element):
        assert sel(scope) == ref(scope) == sel.walk(scope)


def test_unsupported_css_falls_back_to_cssselect() -> None:
    assert isinstance(compile_css("li:nth-child(2)"), CSSSelector)
    assert isinstance(compile_css("a[href^='/']"), CSSSelector)


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES[::3], ids=lambda p: str(p.relative_to(FIXTURES).parent))
def test_element_text_fast_path_equals_the_walk(page: Path) -> None:
    doc = _doc(page)
    for el in doc.iter(etree.Element):
        slow = "".join(_iter_text(el, SKIP_TEXT_TAGS, ()))
        assert element_text(el) == normalize_ws(slow), el.tag
        assert raw_text(el) == slow, el.tag


def test_text_fast_path_with_comments_and_inline_markup() -> None:
    el = etree.fromstring("<p>أ<!--c-->ب<b>ج<i>د</i></b>هـ<?pi x?>و</p>", etree.HTMLParser()).find(".//p")
    assert element_text(el) == "أبجدهـو"
    assert raw_text(el.find("b")) == "جد"


# --- canonical URLs ----------------------------------------------------------------------------

BASE = "https://arabic.rt.com/world/801234-علاقات-روسيا/"
HREFS = [
    "/world/801235-سلام/", "/world/801235-سلام", "/world/801235-%D8%B3%D9%84%D8%A7%D9%85/", "/world/1/?utm_source=x",
    "/world/1/#top", "/world/1/;p", "/a/./b/", "/a/../b/", "/./x", "//arabic.rt.com/world/2/", "  /world/3-x/  ",
    "/world/4-x/\t", "/world/5 x/", "/img/a.jpg", "/a.b/c", "https://arabic.rt.com/russia/6-y/", "https://arabic.rt.com/russia/6-y",
    "https://ARABIC.rt.com/russia/7/", "http://arabic.rt.com/russia/8/", "https://arabic.rt.com:443/russia/9/", "https://cdni.rt.com/x/",
    "world/10/", "../11/", "", "/", "/news/12/", "/world/13\u200c-x/", "/world/14[1]/", "/\\15/", "https://arabic.rt.com/a/%2F/",
]  # fmt: skip


@pytest.mark.parametrize("href", HREFS)
@pytest.mark.parametrize("base", [BASE, "https://arabic.rt.com/", "http://127.0.0.1:8000/world/1/", "https://arabic.rt.com/world/1/?a=1#x"])
def test_canonical_equals_canonical_url(href: str, base: str) -> None:
    assert canonical(href, base) == urls.canonical_url(href, base=base)


def test_canonical_random_paths() -> None:
    rng = random.Random(7)
    alphabet = "ab/-.%?#;: \t_سلام٠١2"
    for _ in range(3000):
        href = "/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        try:
            want = urls.canonical_url(href, base=BASE)
        except UnicodeDecodeError:  # a bad percent-escape: the fast path must raise it too
            with pytest.raises(UnicodeDecodeError):
                canonical(href, BASE)
            continue
        assert canonical(href, BASE) == want, href


@pytest.mark.parametrize("href", HREFS)
def test_page_links_article_id(href: str) -> None:
    links = PageLinks(BASE)
    url = links.canonical(href)
    want = urls.article_id(url) if urls.is_article_url(url) else None
    assert links.article_id(url) == want
    assert links.article_id(url) == want  # cached


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("<div class='live-entry'>", True), ("x liveblog-entry", True), ("live live-item", True), ("liv e-entry", False),
        ("header__live /live/ live__entr", False), ("", False), ("live__entry", True),
    ],
)  # fmt: skip
def test_contains_any_is_any_in(text: str, want: bool) -> None:
    from newsbot.extract.text import contains_any

    assert contains_any(text, rules.LIVE_MARKERS) is want is any(m in text for m in rules.LIVE_MARKERS)
