"""Story pages (members, pagination) and the RSS feed (article URLs, no entity expansion)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from newsbot.extract import StoryPage, extract_feed, extract_story

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
STORY_CASES = sorted((FIXTURES / "story").iterdir())


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", STORY_CASES, ids=lambda p: p.name)
def test_story_page(case: Path) -> None:
    meta, want = _json(case / "meta.json"), _json(case / "expected.json")
    got = extract_story(meta["url"], (case / "page.html").read_bytes())
    assert isinstance(got, StoryPage)
    assert got.url == want["url"]
    assert got.title == want["title"]
    assert got.count == want["count"]
    assert got.members == want["members"]
    assert got.next_page == want["next_page"]


def test_story_pages_together_list_every_member_once() -> None:
    members = [m["url"] for case in STORY_CASES for m in _json(case / "expected.json")["members"]]
    got = []
    for case in STORY_CASES:
        got += [m["url"] for m in extract_story(_json(case / "meta.json")["url"], (case / "page.html").read_bytes()).members]
    assert got == members and len(set(got)) == 7


def test_story_links_are_canonical_and_exclude_sidebar() -> None:
    html = """<html><body><section class="story"><h1 class="story__title">قصة</h1><span class="story__count">٣ خبر</span>
    <ul class="story__list">
     <li class="story__item"><a class="story__link" href="/world/1-%D8%A3/?utm_source=x#c">أ</a></li>
     <li class="story__item"><a class="story__link" href="/world/1-أ/">أ</a></li>
     <li class="story__item"><a class="story__link" href="/tags/x/">وسم</a></li>
    </ul><nav class="pagination"><a class="pagination__next" href="?page=3&amp;utm_medium=y">المزيد</a></nav></section>
    <aside class="sidebar"><ul><li class="story__item"><a href="/world/2-b/">ب</a></li></ul></aside></body></html>"""
    got = extract_story("https://arabic.rt.com/story/9-قصة/?page=2", html)
    assert got.count == 3
    assert got.members == [{"url": "https://arabic.rt.com/world/1-أ/", "title": "أ"}]
    assert got.next_page == "https://arabic.rt.com/story/9-قصة/?page=3"


def test_feed_gives_article_urls_in_order() -> None:
    case = FIXTURES / "feed" / "rss"
    assert extract_feed((case / "page.xml").read_bytes()) == _json(case / "expected.json")["urls"]


def test_feed_canonicalizes_and_drops_duplicates_and_non_articles() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><link>https://arabic.rt.com/</link>
    <item><link>https://arabic.rt.com/world/5-%D8%A3/?utm_source=rss</link></item>
    <item><link>https://arabic.rt.com/world/5-أ/</link></item>
    <item><link>https://arabic.rt.com/tags/x/</link></item>
    <item><link>https://example.com/world/6-b/</link></item>
    <item><link>  https://arabic.rt.com/prg/telecast/7-ب/  </link></item>
    </channel></rss>""".encode()
    assert extract_feed(xml) == ["https://arabic.rt.com/world/5-أ/", "https://arabic.rt.com/prg/telecast/7-ب/"]


def test_atom_feed() -> None:
    xml = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
    <entry><link rel="alternate" href="https://arabic.rt.com/russia/8-x/"/></entry>
    <entry><link rel="enclosure" href="https://cdni.rt.com/a.jpg"/><link href="https://arabic.rt.com/russia/9-y/"/></entry></feed>"""
    assert extract_feed(xml) == ["https://arabic.rt.com/russia/8-x/", "https://arabic.rt.com/russia/9-y/"]


def _billion_laughs() -> bytes:
    ents = '<!ENTITY lol0 "lollollollollollollollollollol">'
    ents += "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{ents}]>\n<rss><channel>'
        "<item><title>&lol9;</title><link>https://arabic.rt.com/world/801234-x/</link></item>"
        "</channel></rss>"
    ).encode()


def test_billion_laughs_does_not_expand() -> None:
    start = time.perf_counter()
    urls = extract_feed(_billion_laughs())
    assert time.perf_counter() - start < 2.0
    assert all(len(u) < 200 for u in urls)  # nothing was expanded into the output


def test_external_entities_are_not_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://arabic.rt.com/world/666-secret/")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<rss><channel><item><link>&xxe;</link></item>"
        "<item><link>https://arabic.rt.com/world/7-z/</link></item></channel></rss>"
    ).encode()
    assert extract_feed(xml) == ["https://arabic.rt.com/world/7-z/"]


@pytest.mark.parametrize("xml", [b"", b"   "])
def test_empty_feed(xml: bytes) -> None:
    assert extract_feed(xml) == []


def test_truncated_feed_keeps_what_parsed(caplog: pytest.LogCaptureFixture) -> None:
    xml = b"<rss><channel><item><link>https://arabic.rt.com/world/3-c/</link></item><item><link>https://arabic.rt.com/wor"
    assert extract_feed(xml) == ["https://arabic.rt.com/world/3-c/"]
    assert "not well-formed" in caplog.text
