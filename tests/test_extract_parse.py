"""The page prefix parse (newsbot.extract.parse): the same article tree as a whole parse, or no prefix at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from newsbot.extract import NotAnArticle, extract_article, parse
from newsbot.extract import article as article_module
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


# --- the header and menus left out (newsbot.extract.parse._parse_without_chrome) ---

#: every element name of HTML, with the obsolete ones libxml2 still knows
HTML_NAMES = (
    "a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink blockquote body "
    "br button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em "
    "embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i "
    "iframe image img input ins isindex kbd keygen label legend li link listing main map mark marquee math menu "
    "menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup option output p param "
    "picture plaintext pre progress q rb rp rt rtc ruby s samp script search section select slot small source spacer "
    "span strike strong style sub summary sup svg table tbody td template textarea tfoot th thead time title tr track "
    "tt u ul var video wbr xmp"
).split()
CHROME = "<header><nav><ul><li><a href='/'>الرئيسية</a></li><li><a href=/world/>العالم</a></ul></nav></header><div class=layout><main>"


def test_raw_text_elements_are_those_of_the_installed_libxml2() -> None:
    """The skipped part may hold none of them: their content is text to libxml2, whatever it looks like."""
    as_text = set()
    for name in HTML_NAMES:
        doc = etree.fromstring(f"<html><body><div><{name}><b>x</b></{name}></div></body></html>", etree.HTMLParser())
        if doc.find(".//b") is None:
            as_text.add(name)
    assert as_text == set(parse.RAW_TEXT_ELEMENTS)


def test_no_start_tag_closes_an_open_article_in_libxml2() -> None:
    """Only an end tag can take libxml2 out of an ``<article>``: what the skipped part leaves open is never reached."""
    for name in HTML_NAMES:
        if name in ("html", "head", "body", "frameset", "plaintext"):
            continue  # never in a chrome-less parse: not skippable (html/head/body are checked as errors below)
        doc = etree.fromstring(
            f"<html><body><div><article><i>x</i><{name}>y</{name}>z</article></div></body></html>", etree.HTMLParser()
        )
        article = doc.find(".//article")
        assert article is not None and "z" in "".join(article.itertext()), name


def _extract_whole(url: str, page: str | bytes) -> object:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(article_module, "parse_prefix", lambda page: None)
        return _outcome(url, page)


def _outcome(url: str, page: str | bytes) -> object:
    try:
        return extract_article(url, page)
    except NotAnArticle as exc:
        return ("NotAnArticle", str(exc))


def test_a_page_with_plain_menus_is_parsed_without_them() -> None:
    page = HEAD + CHROME + ARTICLE + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    doc = parse._parse_without_chrome(page, start, cut, parse._STR)
    assert doc is not None
    assert doc.find(".//nav") is None, "the menus are left out"
    assert _article(doc) == _article(parse_html(page))
    assert parse._parse_without_chrome(page.encode(), start, cut, parse._BYTES) is None  # byte offsets differ...
    raw = page.encode()
    assert parse._parse_without_chrome(raw, raw.find(b"<article"), raw.find(b"</article>") + 10, parse._BYTES) is not None
    assert _outcome(URL, page) == _extract_whole(URL, page)


@pytest.mark.parametrize(
    "chrome",
    [
        "<!-- a comment -->",
        "<script>var a = '<b>';</script>",
        "<style>a > b {}</style>",
        "<TextArea>x</TextArea>",
        "<svg><title>icon</title></svg>",
        "<meta itemprop='datePublished' content='2020-01-01'>",
        "<link rel=canonical href=/world/9-z/>",
        "<ARTICLE class=article data-article-id=2>",
        "<body class=second>",
        "</body>",
        "</HTML>",
        "<a title='an open attribute >",
        "<a title=\"a quote\"in a name>",
        "<x-y:z>",
        "<?pi?>",
        "</ div>",
        "<!DOCTYPE html>",
    ],
)
def test_menus_that_could_change_the_article_or_metadata_are_parsed(chrome: str) -> None:
    page = HEAD + CHROME + chrome + ARTICLE + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    assert parse._parse_without_chrome(page, start, cut, parse._STR) is None
    assert _outcome(URL, page) == _extract_whole(URL, page)


@pytest.mark.parametrize(
    "inside",
    ["</main>", "</div></div>", "</nav>", "</body>", "<body>", "</html>", "<html lang=en>", "<head>", "</li>", "</header>"],
)
def test_an_end_tag_in_the_article_that_the_menus_could_answer_means_a_parse_with_them(inside: str) -> None:
    """libxml2 would close the menus' open element (and the article with it): without them it reports an error."""
    page = HEAD + CHROME + ARTICLE.replace("<p>والثانية.</p>", f"<p>والثانية.</p>{inside}<p>بعدها.</p>") + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    assert parse._parse_without_chrome(page, start, cut, parse._STR) is None
    assert _outcome(URL, page) == _extract_whole(URL, page)


@pytest.mark.parametrize(
    "head",
    [
        HEAD.replace("</head><body>", "<!-- <body> --></head><body>"),
        HEAD.replace("</head><body>", "<script>document.write('<body>')</script></head><body>"),
        HEAD.replace("<title>", "<meta name=x content='<body>'><title>"),
        HEAD.replace("</head><body>", "</head>"),  # no body tag: libxml2 implies one
    ],
)
def test_a_body_tag_that_is_not_the_pages_is_not_taken_for_it(head: str) -> None:
    page = head + CHROME + ARTICLE + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    assert parse._parse_without_chrome(page, start, cut, parse._STR) is None
    assert _outcome(URL, page) == _extract_whole(URL, page)


def test_a_body_tag_in_a_comment_that_ends_inside_the_article_is_not_taken_for_it() -> None:
    """The comment swallows the outer article's start tag; libxml2 then implies a body at the inner one."""
    head = HEAD.replace("</head><body>", "<!-- <body> -->")
    nested = (
        '<article class="article" data-article-id="1"><!-- x --><article class="article" data-article-id="2">'
        '<h1 class="article__heading">داخلي</h1><div class="article__text"><p>نص داخلي.</p></div></article>'
        '<div class="article__text"><p>نص خارجي.</p></div></article>'
    )
    page = head + CHROME + nested + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    assert parse._parse_without_chrome(page, start, cut, parse._STR) is None
    assert _outcome(URL, page) == _extract_whole(URL, page)


def test_menus_that_leave_hundreds_of_elements_open_still_give_the_article() -> None:
    """Tag soup past libxml2's default 256 levels: the whole parse reads on (huge_tree), and so does the shortcut."""
    page = HEAD + "<div>" * 300 + ARTICLE + TAIL
    assert _outcome(URL, page).body_paragraphs == ["الفقرة الأولى من النص.", "والثانية."]
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    assert parse._parse_without_chrome(page, start, cut, parse._STR) is not None
    assert _outcome(URL, page) == _extract_whole(URL, page)


def test_menus_with_too_many_tags_to_rule_out_the_depth_limit_are_parsed() -> None:
    """2,100 open elements take the whole parse past libxml2's limit (2,048): the article is lost there, so here too."""
    page = HEAD + "<div>" * 2100 + ARTICLE + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    assert parse._parse_without_chrome(page, start, cut, parse._STR) is None
    assert _outcome(URL, page) == _extract_whole(URL, page)
    assert isinstance(_extract_whole(URL, page), tuple)  # NotAnArticle: the article is past the depth limit


CHROME_PIECES = [
    "<div class=menu>", "</div>", "<ul>", "<li>", "</li>", "</ul>", "<a href='/world/5-x/'>", "</a>", "<span>", "</span>",
    "<p>", "</p>", "<img src=x.jpg alt=\"صورة\">", "<svg><path d='M0 0'/></svg>", "نص القائمة", " ", "<b>", "</b>",
    "<main>", "</main>", "<section>", "</section>", "<table><tr><td>", "</td></tr></table>", "<form>", "</form>",
    "<select><option>a", "</select>", "<noscript>", "</noscript>", "<time datetime=2020>", "</time>", "<br/>", "< 3",
    # rarer: what must make a parse with the menus
    "<!-- c -->", "<script>x</script>", "<meta name=author content=X>", "<title>t</title>", "<Article class=x>",
    "</body>", "<a title='it&apos;s > here'>", "<a title='open", "</html>", "<textarea>", "<base href=/x/>",
]
ARTICLE_PIECES = [
    "<p>نص الفقرة</p>", "<div><b>x</b> y</div>", "<ul><li>a<li>b</ul>", "<br>", "<a href='/world/6-y/'>رابط</a>",
    "<span>z</span>", "<p>مفتوحة", "<figure><img src=a.jpg><figcaption>c</figcaption></figure>",
    # rarer: unbalanced, or what libxml2 handles apart
    "<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "</main>", "</section>", "<li>", "</li>", "</ul>", "<b>",
    "</b>", "</br>", "</td>", "<td>", "</table>", "</body>", "<body>", "</html>", "<head>", "<meta name=x content=y>",
    "<article class=card>", "</a>", "</noscript>",
]


def test_random_menus_and_articles_give_the_items_of_a_whole_parse() -> None:
    """Fuzz: whenever the menus are left out, the item is the whole parse's; and they often are."""
    import random

    rng = random.Random(20261129)
    skipped = 0
    for i in range(400):
        chrome_pieces = CHROME_PIECES[: 34 if rng.random() < 0.7 else None]  # mostly plain menus
        article_pieces = ARTICLE_PIECES[: 8 if rng.random() < 0.6 else None]  # mostly balanced
        chrome = "".join(rng.choice(chrome_pieces) for _ in range(rng.randint(0, 30)))
        inside = "".join(rng.choice(article_pieces) for _ in range(rng.randint(0, 12)))
        page = HEAD + chrome + ARTICLE.replace("<p>والثانية.</p>", f"<p>والثانية.</p>{inside}") + TAIL
        start, cut = page.find("<article"), page.find("</article>") + len("</article>")
        skipped += parse._parse_without_chrome(page, start, cut, parse._STR) is not None
        whole = _extract_whole(URL, page)
        assert _outcome(URL, page) == whole, (i, chrome, inside)
        assert _outcome(URL, page.encode()) == whole, (i, chrome, inside)  # the UTF-8 bytes, as the spider gives them
    assert skipped >= 100, f"menus left out on {skipped} of 400 pages"


@pytest.mark.parametrize("as_bytes", [False, True], ids=["text", "utf8-bytes"])
def test_a_custom_element_named_article_dash_is_not_taken_for_the_article(as_bytes: bool) -> None:
    """``<article-card>`` starts with ``<article`` but is another element: no parse without the menus from it."""
    page = HEAD + CHROME + "<article-card>بطاقة</article-card>" + ARTICLE + TAIL
    start, cut = page.find("<article"), page.find("</article>") + len("</article>")
    data: str | bytes = page
    syntax = parse._STR
    if as_bytes:
        data, syntax = page.encode(), parse._BYTES
        start, cut = data.find(b"<article"), data.find(b"</article>") + len("</article>")
    assert parse._parse_without_chrome(data, start, cut, syntax) is None
    real = data.find("<article " if not as_bytes else b"<article ")
    assert parse._parse_without_chrome(data, real, cut, syntax) is not None  # the real one, with the card as a menu
    assert _outcome(URL, data) == _extract_whole(URL, data)
