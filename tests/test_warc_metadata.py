"""newsbot.warc.metadata: the metadata record's outlinks, from a regex scan, equal what an HTML parser finds.

The reference is lxml's ``//a/@href`` through parsel (what ``outlinks`` used before the scan replaced it), joined the
same plain way with ``urljoin``, over every replica and fixture page in the repository and over
hand-written pages with the markup a regex gets wrong most easily.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Response

from newsbot.warc.metadata import hrefs, metadata_fields, outlinks

TESTS = Path(__file__).parent
PAGES = sorted({*TESTS.glob("site/*/pages/**/*.html"), *TESTS.glob("fixtures/**/*.html")})
BASE = "https://arabic.rt.com/world/801234-x/"


def lxml_outlinks(url: str, text: str) -> list[str]:
    root = Selector(text=text)  # lxml's HTML parser, as Scrapy's response.selector
    base = urljoin(url, (root.xpath("//base/@href").get() or "").strip())
    seen: dict[str, None] = {}
    for raw in root.xpath("//a/@href").getall():
        link = urljoin(base, str(raw).strip()).split("#", 1)[0]
        if link.startswith(("http://", "https://")):
            seen.setdefault(link, None)
    return list(seen)


def page(text: str, url: str = BASE) -> HtmlResponse:
    return HtmlResponse(url, body=text.encode("utf-8"), encoding="utf-8")


def test_the_repository_has_pages_to_compare():
    assert len(PAGES) >= 40


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_outlinks_equal_lxml_on_every_replica_and_fixture_page(path: Path):
    response = HtmlResponse(BASE, body=path.read_bytes())
    want = lxml_outlinks(BASE, response.text)
    assert outlinks(response) == want


TRICKY = {
    "quotes": """<a href="/a">1</a><a href='/b?x=1&amp;y=2'>2</a><a href=/c>3</a><A HREF="/d">4</A>""",
    "attributes": """<a class="x" data-href="/no" href="/e" title="a > b">5</a><a title='>' href="/f">6</a>""",
    "not a": """<abbr href="/no">x</abbr><area href="/no"><link href="/no"><a>no href</a><a name=x>n</a><a href="/ok">ok</a>""",
    "hidden": """<!-- <a href="/no-comment">x</a> --><script>var s = '<a href="/no-script">';</script>"""
              """<style>a[href="/no-style"]{}</style><textarea><a href="/no-textarea"></textarea><a href="/g">7</a>"""
              """<SCRIPT type="x">'<a href="/no-upper">'</script><a href="/h">8</a>""",
    "whitespace": """<a\nhref = " /h#frag "\n>8</a><a  href="//cdn.test/i">9</a><a href="mailto:x@y.z">m</a>"""
                  """<a href="javascript:void(0)">j</a><a href="">self</a>""",
    "arabic": """<a href="/world/1-علاقات-روسيا/">ع</a><a href="https://arabic.rt.com/%D8%B9/">ع</a>""",
    "href in a value": """<a title="see href=/no" href="/yes1">1</a><a data-x='href="/no"' href=/yes2>2</a>"""
                       """<a title="x" data-href='/no'>none</a><a href="/yes3" title=' href="/no"'>3</a>""",
    "comment dashes": """<!-- a - b -- c <a href="/no1"> ---><a href="/yes4">4</a><!----><a href="/yes5">5</a>""",
    "script closers": """<script>if (a</b) document.write('<a href="/no">')</script ><a href="/yes6">6</a>"""
                      """<style>x</styles> <a href="/no-style2"></style><a href="/yes7">7</a>""",
    "base": """<html><head><base href="https://other.test/dir/"></head><body><a href="rel">r</a><a href="/abs">a</a></body>""",
}


@pytest.mark.parametrize("name", TRICKY)
def test_outlinks_equal_lxml_on_hand_written_markup(name: str):
    text = f"<html><body><p>x</p>{TRICKY[name]}</body></html>" if "<html>" not in TRICKY[name] else TRICKY[name]
    want = lxml_outlinks(BASE, text)
    assert want, "the case must have links to compare"
    assert outlinks(page(text)) == want


def test_hrefs_decode_entities_and_skip_hidden_markup():
    text = TRICKY["quotes"] + TRICKY["hidden"]
    assert list(hrefs(text)) == ["/a", "/b?x=1&y=2", "/c", "/d", "/g", "/h"]


def test_non_html_response_has_no_outlinks():
    assert outlinks(Response(BASE, body=b'<a href="/x">')) == []


def test_metadata_fields_order():
    item = {"url": BASE, "extracted_by": "rt_ar", "extractor_version": "4", "related": [{"url": "https://arabic.rt.com/r/1-x/"}]}
    fields = metadata_fields(item, page('<a href="/z/">z</a>'))
    assert fields == [
        ("item-url", BASE),
        ("extracted-by", "rt_ar"),
        ("extractor-version", "4"),
        ("related", "https://arabic.rt.com/r/1-x/"),
        ("outlink", "https://arabic.rt.com/z/"),
    ]


def test_an_unclosed_tag_costs_no_backtracking():
    import time

    text = "<p>" + "<a " + "'x' " * 20_000  # no closing '>': a backtracking regex would never end
    started = time.process_time()
    assert list(hrefs(text)) == []
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("opener", ["<script>", "<!--", "<style>", "<a href='x"])
def test_an_unclosed_raw_text_element_costs_no_backtracking(opener: str):
    import time

    text = opener + "<a " * 20_000 + "- <b>x</b> " * 20_000  # never closed
    started = time.process_time()
    list(hrefs(text))
    assert time.process_time() - started < 0.5


def test_resolutions_kept_from_one_page_never_leak_into_another_origin():
    from newsbot.warc.metadata import OutlinkResolver

    links = """<a href="/a#x">a</a><a href="//cdn.test/b">b</a><a href="rel">r</a><a href="https://x.test/c">c</a>"""
    pages = [
        ("https://arabic.rt.com/world/1-x/", links),
        ("http://arabic.rt.com/world/2-y/", links),  # same hrefs, other scheme
        ("https://other.test/dir/page", links),  # other host
        ("https://arabic.rt.com/a/b/c", f'<html><head><base href="https://base.test/d/"></head><body>{links}</body></html>'),
        ("https://arabic.rt.com/world/1-x/", links * 3),
        ("https://arabic.rt.com/news/3-z/", links),
    ]
    for resolve in (OutlinkResolver(), OutlinkResolver(max_per_origin=3)):
        for _ in range(2):
            for url, text in pages:
                assert resolve(page(text, url)) == lxml_outlinks(url, text), url


def test_kept_resolutions_stay_bounded():
    from newsbot.warc.metadata import OutlinkResolver

    resolve = OutlinkResolver(max_per_origin=30)
    for i in range(50):
        text = "".join(f'<a href="/{i}-{j}">x</a>' for j in range(10))
        assert len(resolve(page(text, "https://arabic.rt.com/"))) == 10
    assert sum(len(kept) for kept in resolve._by_origin.values()) <= 30 + 10
    for i in range(200):
        assert resolve(page('<a href="/x">x</a>', f"https://h{i}.test/")) == [f"https://h{i}.test/x"]
    assert len(resolve._by_origin) <= 64
