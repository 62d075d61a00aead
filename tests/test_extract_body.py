"""The body walker on small article bodies: inline markup, list items, live-widget chrome, read-more cards.

Each case is a minimal current-template article around the body markup under test, extracted through
:func:`extract_article`; the expected values are written by hand from issue 2's field rules.
"""

from __future__ import annotations

import random
from urllib.parse import urljoin

import pytest

from newsbot.extract import extract_article
from newsbot.extract.body import absolute
from newsbot.items import Article

URL = "https://arabic.rt.com/health/1772620-عنوان/"
FILLER = "<p>فقرة أولى من نص المقال تكفي لتجعل الصفحة مقالا له نص.</p>"


def _article(body: str) -> Article:
    html = (
        '<html lang="ar"><head><title>عنوان</title></head><body>'
        '<article class="article" data-article-id="1772620"><h1 class="article__heading">عنوان</h1>'
        f'<div class="article__text">{FILLER}{body}</div></article></body></html>'
    )
    return extract_article(URL, html)


def _paragraphs(body: str) -> list[str]:
    return _article(body).body_paragraphs[1:]  # after the filler


@pytest.mark.parametrize(
    ("body", "want"),
    [
        # inline markup is taken as it is: no space appears where the markup has none
        ("<ul><li>بنسبة <strong>٤٧٪</strong>.</li></ul>", ["بنسبة ٤٧٪."]),
        ('<ul><li>الإصابة بـ<a href="/tags/x/">الخَرَف</a> بنسبة ٣٨٪.</li></ul>', ["الإصابة بـالخَرَف بنسبة ٣٨٪."]),
        ("<ol><li><b>أولا</b><i>ثانيا</i></li></ol>", ["أولاثانيا"]),
        # ... and the whitespace that is in the markup stays (normalized)
        ("<ul><li><b>عن الاقتصاد:</b>\u00a0 نما <em>الناتج</em> المحلي</li></ul>", ["عن الاقتصاد: نما الناتج المحلي"]),
        # loose text in a wrapper div, split on <br>
        ("<div>كلمة<span>ملتصقة</span> ثم<br>سطر <a href='/x/'>ثان</a>.</div>", ["كلمةملتصقة ثم", "سطر ثان."]),
    ],
)
def test_inline_markup_joins_its_neighbours_as_marked_up(body: str, want: list[str]) -> None:
    assert _paragraphs(body) == want


def test_bold_only_list_items_are_paragraphs_not_subheadings() -> None:
    item = _article("<h2>الأعراض</h2><ul><li><b>حرارة مرتفعة</b></li><li><strong>صداع</strong></li></ul><p><b>خلاصة</b></p>")
    assert item.body_paragraphs[1:] == ["حرارة مرتفعة", "صداع"]
    assert item.subheadings == ["الأعراض", "خلاصة"]  # a bold-only <p> outside a list is still a subhead


def test_nested_list_items_are_paragraphs_too() -> None:
    item = _article("<ul><li><p><b>بند</b></p><ul><li><b>بند فرعي</b></li></ul></li></ul>")
    assert item.body_paragraphs[1:] == ["بند", "بند فرعي"]
    assert item.subheadings == []


@pytest.mark.parametrize(
    "chrome",
    [
        '<div class="live__status">يتم تحديث الصفحة تلقائيا</div>',
        '<div class="live-status">تحديث مباشر</div>',
        '<span class="live__badge">مباشر</span>',
        '<div class="liveblog-refresh"><button>تحديث</button> آخر تحديث قبل دقيقة</div>',
        '<div class="autorefresh-note">تتحدث الصفحة كل دقيقة</div>',
        '<div role="status">٣ تحديثات جديدة</div>',
    ],
)
def test_live_widget_chrome_is_not_body_text(chrome: str) -> None:
    item = _article(
        f'<div class="live">{chrome}<div class="live__entries">'
        '<div class="live-entry"><time datetime="2025-12-19T15:42:00+03:00">15:42</time><p>خبر عاجل أول.</p></div>'
        "</div></div>"
    )
    assert item.body_paragraphs[1:] == ["خبر عاجل أول."]
    assert item.live_entries == [{"time": "2025-12-19T15:42:00+03:00", "text": "خبر عاجل أول."}]


def test_live_entries_containers_are_not_taken_for_chrome() -> None:
    item = _article('<div class="live__updates"><div class="live-entry"><p>تحديث.</p></div></div>')
    assert item.body_paragraphs[1:] == ["تحديث."]


@pytest.mark.parametrize("tag", ["div", "li", "section", "article"])
def test_live_entries_outside_the_body_container_are_read_from_the_article(tag: str) -> None:
    html = (
        '<html lang="ar"><head><title>عنوان</title></head><body>'
        '<article class="article" data-article-id="1772620"><h1 class="article__heading">عنوان</h1>'
        f'<div class="article__text">{FILLER}</div>'
        f'<div class="live"><{tag} class="live-entry"><time datetime="2025-12-19T15:42:00+03:00">15:42</time>'
        f"<p>خبر عاجل أول.</p></{tag}></div></article></body></html>"
    )
    item = extract_article(URL, html)
    assert item.live_entries == [{"time": "2025-12-19T15:42:00+03:00", "text": "خبر عاجل أول."}]
    assert item.body_paragraphs[1:] == ["خبر عاجل أول."]


def test_live_entry_classes_outside_the_article_are_not_entries() -> None:
    html = (
        '<html lang="ar"><head><title>عنوان</title></head><body>'
        '<article class="article" data-article-id="1772620"><h1 class="article__heading">عنوان</h1>'
        f'<div class="article__text">{FILLER}</div></article>'
        '<div class="live-entry"><p>خبر من صفحة أخرى.</p></div></body></html>'
    )
    item = extract_article(URL, html)
    assert item.live_entries == []
    assert item.body_paragraphs == ["فقرة أولى من نص المقال تكفي لتجعل الصفحة مقالا له نص."]


@pytest.mark.parametrize(
    "block",
    [
        (
            '<div class="read-more read-more_card"><a class="read-more__link" href="/business/1772380-x/">'
            '<span class="read-more__title">اقرأ المزيد</span><span class="read-more__text">صندوق النقد يوافق</span></a></div>'
        ),
        (
            '<div class="read-more"><div class="read-more__title">اقرأ المزيد</div>'
            '<a class="read-more__link" href="/business/1772380-x/">صندوق النقد يوافق</a></div>'
        ),
        '<div class="read-more"><a href="/business/1772380-x/">اقرأ أيضا: صندوق النقد يوافق</a></div>',
        '<div class="also-read"><a href="/business/1772380-x/"><b>إقرأ أيضاً</b> صندوق النقد يوافق</a></div>',
    ],
)
def test_read_more_title_leaves_the_label_out(block: str) -> None:
    item = _article(block)
    assert item.related == [{"url": "https://arabic.rt.com/business/1772380-x/", "title": "صندوق النقد يوافق", "kind": "read_more"}]
    assert item.body_paragraphs[1:] == []


def test_live_widget_chrome_is_dropped_by_the_fallback_too() -> None:
    # the body container moved (template changed): the generic extractor runs, with the same live-chrome rules
    entries = "".join(
        f'<div class="entry"><p>تحديث رقم {n}: نص الخبر العاجل الذي يكفي طوله ليعد فقرة من فقرات المقال الحي.</p></div>'
        for n in range(1, 6)
    )
    html = (
        '<html lang="ar"><head><title>مباشر</title></head><body><main><div class="story-page">'
        '<h1>مباشر: مؤتمر صحفي</h1><p class="live-blog__status">يتم تحديث الصفحة تلقائيا</p>'
        f'<p role="status">وصلت تحديثات جديدة</p>{entries}</div></main></body></html>'
    )
    item = extract_article("https://arabic.rt.com/russia/1765230-مباشر/", html)
    assert item.extracted_by == "fallback"
    assert len(item.body_paragraphs) == 5
    assert not any("تحديث الصفحة" in p or "تحديثات جديدة" in p for p in item.body_paragraphs)


# --- media URLs ----------------------------------------------------------------------------------

MEDIA_BASES = ["https://arabic.rt.com/world/1-x/", "https://arabic.rt.com/a/?q=1#f", "http://127.0.0.1:8000/world/1/"]
MEDIA_SRCS = [
    "https://cdni.rt.com/media/pics/a.jpg", "http://x.com", "https://x", "https:///x", "https://", "https://a.com?x",
    "https://a.com#", "https://a.com/p;x", "https://[::1]/x", "https://a.com/ b", "HTTPS://a.com/x", "https://a.com:80/x",
    "https://a.com/\\x", "https://user:pw@a.com/x", "https://a.com/%7e/x", "https://ا.com/x", "//a.com/x", "/x.jpg", "x.jpg",
    " https://a.com/x.jpg ", "https://a.com/x\t.jpg", "data:image/png;base64,AA", "javascript:void(0)",
]  # fmt: skip


def _urljoin_or_error(base: str, src: str) -> str | None:
    src = src.strip()
    if not src or src.startswith(("data:", "javascript:", "about:")):
        return None
    try:
        return urljoin(base, src)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("base", MEDIA_BASES)
def test_absolute_is_urljoin(base: str) -> None:
    rng = random.Random(3)
    alphabet = "ahtps:/.?#;[]% \\@ا1-_~\t"
    srcs = MEDIA_SRCS + [
        rng.choice(["https://", "http://", ""]) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(3000)
    ]
    for src in srcs:
        try:
            got = absolute(src, base)
        except ValueError:
            got = "ValueError"
        assert got == _urljoin_or_error(base, src), src
