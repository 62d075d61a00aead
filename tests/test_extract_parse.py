"""The page prefix parse (newsbot.extract.parse): the same article tree as a whole parse, or no prefix at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from newsbot.extract import extract_article
from newsbot.extract.parse import CUT_MARK, parse_html, parse_prefix

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://arabic.rt.com/world/1-x/"
HEAD = (
    '<!DOCTYPE html><html lang="ar"><head><title>عنوان</title>'
    '<meta property="og:type" content="article"><script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    "</head><body><header><a href='/'>RT</a></header><main>"
)
ARTICLE = (
    '<article class="article" data-article-id="1"><h1 class="article__heading">العنوان</h1>'
    '<div class="article__text"><p>الفقرة الأولى من النص.</p><p>والثانية.</p></div></article>'
)
TAIL = '<aside><a href="/world/2-y/">خبر</a></aside></main><footer>RT</footer><script src="/main.js"></script></body></html>'


def _article(doc: etree._Element) -> bytes:
    return etree.tostring(next(doc.iter("article")), encoding="utf-8", with_tail=False)


def _utf8_pages() -> list[Path]:
    pages = [p for p in sorted(PAGES.glob("*/*/page.html")) if b"<article" in p.read_bytes()]
    assert pages, "fixture pages with an <article>"
    return pages


@pytest.mark.parametrize("path", _utf8_pages(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_prefix_tree_of_the_article_is_the_whole_parse_tree(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    prefix = parse_prefix(text)
    if prefix is None:
        pytest.skip("page parsed whole")
    assert _article(prefix.doc) == _article(parse_html(text))
    assert next(prefix.doc.iter(CUT_MARK), None) is None, "the cut mark is taken out of the tree"


def test_a_plain_page_is_cut_after_its_article() -> None:
    prefix = parse_prefix(HEAD + ARTICLE + TAIL)
    assert prefix is not None
    assert next(prefix.doc.iter("footer"), None) is None
    assert prefix.holds(next(prefix.doc.iter("article")))


@pytest.mark.parametrize(
    "tail",
    [
        '<meta itemprop="name" content="x">',
        '<link rel="canonical" href="https://arabic.rt.com/world/3-z/">',
        "<svg><title>icon</title></svg>",
        '<script type="application/ld+json">{"@type": "NewsArticle"}</script>',
        '<SCRIPT type="application/ld&#43;json">{}</SCRIPT>',
        '<script data-x=">" type="application/ld+json">{}</script>',
        "<script a=b\"c>x</script>",  # a start tag the strict attribute grammar does not read: not trusted
        "<html lang='en'>",
        # every name in any ASCII case
        "<Meta name='author' content='x'>", "<LINK rel=canonical href=/x/>", "<tItLe>x</tItLe>", "<HEAD>", "<Body>",
        "<hTML>", '<sCRIPT type="application/ld+json">{}</sCRIPT>',
    ],
)
def test_a_tail_the_metadata_could_read_means_a_whole_parse(tail: str) -> None:
    assert parse_prefix(HEAD + ARTICLE + tail + TAIL) is None


@pytest.mark.parametrize(
    "before",
    [
        "<!-- an open comment ",  # the article and the cut are comment text
        "<script>var open = 1;",
        "<title>an open title",
        "<div title='an open attribute ",
    ],
)
def test_a_cut_that_falls_inside_a_comment_script_or_attribute_means_a_whole_parse(before: str) -> None:
    assert parse_prefix(HEAD + before + ARTICLE + TAIL) is None


def test_an_attribute_that_swallows_the_article_tag_does_so_in_the_prefix_too() -> None:
    """'<div title="x <article class="' ends at the class quote: the rest is the div's, in both parses."""
    page = HEAD + '<div title="an open attribute ' + ARTICLE + TAIL
    prefix = parse_prefix(page)
    assert prefix is not None
    tags = [el.tag for el in prefix.doc.iter() if isinstance(el.tag, str)]
    whole = [el.tag for el in parse_html(page).iter() if isinstance(el.tag, str)]
    assert tags == whole[: len(tags)]
    assert "article" not in whole


def test_an_article_still_open_at_the_cut_is_not_held() -> None:
    nested = '<article class="article"><div class="article__text"><article class="card">x</article><p>بعد</p></div></article>'
    prefix = parse_prefix(HEAD + nested + TAIL)
    assert prefix is not None
    outer = next(prefix.doc.iter("article"))
    assert not prefix.holds(outer)


def test_an_item_from_the_prefix_equals_the_item_when_the_tail_forces_a_whole_parse() -> None:
    plain = extract_article(URL, HEAD + ARTICLE + TAIL)
    forced = extract_article(URL, HEAD + ARTICLE + '<meta name="x" content="y">' + TAIL)
    assert plain.body_paragraphs == forced.body_paragraphs == ["الفقرة الأولى من النص.", "والثانية."]
    assert plain.title == forced.title == "العنوان"


def test_the_tail_after_a_nested_article_is_read_as_a_whole_page() -> None:
    """The body goes on after an inner </article>: the prefix cannot hold it, the item has all of it."""
    nested = (
        '<article class="article"><h1 class="article__heading">العنوان</h1><div class="article__text">'
        '<p>قبل البطاقة.</p><article class="card">بطاقة</article><p>بعد البطاقة.</p></div></article>'
    )
    item = extract_article(URL, HEAD + nested + TAIL)
    assert item.body_paragraphs[0] == "قبل البطاقة."
    assert item.body_paragraphs[-1] == "بعد البطاقة."


@pytest.mark.parametrize("path", _utf8_pages(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_utf8_bytes_give_the_tree_of_the_text(path: Path) -> None:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    from_bytes, from_text = parse_prefix(raw), parse_prefix(text)
    assert (from_bytes is None) is (from_text is None)
    if from_text is not None and from_bytes is not None:
        assert _article(from_bytes.doc) == _article(from_text.doc)
    assert etree.tostring(parse_html(raw), encoding="utf-8") == etree.tostring(parse_html(text), encoding="utf-8")


def test_utf8_bytes_are_read_as_utf8_whatever_the_meta_charset_says() -> None:
    page = HEAD.replace("<head>", '<head><meta charset="windows-1256">') + ARTICLE + TAIL
    prefix = parse_prefix(page.encode("utf-8"))
    assert prefix is not None
    assert "الفقرة الأولى من النص." in "".join(prefix.doc.itertext())
    assert "الفقرة الأولى من النص." in "".join(parse_html(page.encode("utf-8")).itertext())
