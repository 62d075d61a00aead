"""Legacy program pages whose body class the legacy template does not list: body found by structure.

The pages are small hand-written variants of the older markup (windows-1256 bytes, ``<h1>``, a date line,
a lead block, the body in a block of unknown class); expected values follow issue 2's field rules.
Pages that carry none of the legacy template's own markup stay with the generic fallback.
"""

from __future__ import annotations

import pytest

from newsbot.extract import NotAnArticle, extract_article
from newsbot.items import Article

URL = "https://arabic.rt.com/prg/telecast/24517-حديث-اليوم-الطاقة/"
P1 = "بعد ثلاثة أشهر على الزلزال المدمر الذي ضرب اليابان تعيد دول عديدة النظر في برامجها لتطوير الطاقة الذرية."
P2 = "أعلنت الحكومة الألمانية عزمها إغلاق جميع محطاتها النووية بحلول عام ٢٠٢٢، فيما قررت سويسرا عدم بناء مفاعلات جديدة."
LEAD = "ضيف حلقة اليوم يتحدث عن انعكاسات كارثة فوكوشيما على خطط بناء المفاعلات."


def _page(article: str, sidebar: str = "") -> bytes:
    html = (
        '<html lang="ar"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256" />'
        "<title>حديث اليوم: الطاقة النووية - روسيا اليوم</title></head><body><div id=\"wrapper\">"
        '<div id="header"><ul id="menu"><li><a href="/prg/">البرامج</a></li></ul></div>'
        f'<div id="content"><div id="left_col">{article}</div><div id="right_col">{sidebar}</div></div>'
        '<div id="footer"><p>جميع الحقوق محفوظة © 2005-2011 قناة «روسيا اليوم»، وهذا نص طويل بما يكفي ليكون منافسا '
        "لنص المقال لو بحثنا في الصفحة كلها لا في جذر المقال.</p></div></div></body></html>"
    )
    return html.encode("windows-1256", "xmlcharrefreplace")


def _extract(article: str, sidebar: str = "") -> Article:
    return extract_article(URL, _page(article, sidebar), encoding="windows-1256")


HEAD = (
    "<h1>مستقبل الطاقة النووية</h1><div class=\"date\">الثلاثاء 14 يونيو 2011 | 18:30 GMT</div>"
    f'<div class="anons">{LEAD}</div>'
)
COMMENTS = '<div class="comments"><div class="block_title">التعليقات</div><p>لا توجد تعليقات حتى الآن. كن أول من يعلق على هذه الحلقة وشارك برأيك.</p></div>'


def test_body_in_an_unlisted_class_is_found_by_structure() -> None:
    item = _extract(
        f'<div class="news_item telecast">{HEAD}<div class="text">'
        '<p><img src="/media/pics/2011.06/original/4df7.jpg" alt="" align="left" /></p>'
        f"<p>{P1}</p><p><strong>ألمانيا تتخلى عن الطاقة النووية</strong></p><p>{P2}</p>"
        "<p><strong>معلومات حول الموضوع:</strong></p>"
        '<ul><li><a href="/news/55640/">روسيا تقترح معايير دولية</a></li></ul>'
        f"</div></div>{COMMENTS}"
    )
    assert item.extracted_by == "rules"
    assert item.title == "مستقبل الطاقة النووية"  # the page's <h1>, not the <title>
    assert item.lead == LEAD
    assert item.body_paragraphs == [P1, P2]
    assert item.subheadings == ["ألمانيا تتخلى عن الطاقة النووية"]
    assert item.images == [{"src": "https://arabic.rt.com/media/pics/2011.06/original/4df7.jpg", "caption": None}]
    assert item.published == "2011-06-14T18:30:00+00:00"
    assert item.related == [{"url": "https://arabic.rt.com/news/55640/", "title": "روسيا تقترح معايير دولية", "kind": "related"}]


def test_br_separated_body_in_an_unlisted_class() -> None:
    item = _extract(f'<div class="news_item">{HEAD}<div class="story_body"><b>البداية</b><br>{P1}<br><br>{P2}<br></div></div>')
    assert item.extracted_by == "rules"
    assert item.body_paragraphs == [P1, P2]
    assert item.subheadings == ["البداية"]


def test_the_densest_block_wins_over_comments_sidebar_and_lead() -> None:
    long_lead = LEAD * 3  # a lead longer than any single paragraph is still the lead, not the body
    item = _extract(
        f'<div class="telecast"><h1>مستقبل الطاقة النووية</h1><div class="date">14.06.2011</div>'
        f'<div class="anons">{long_lead}</div><div class="txt"><p>{P1}</p><p>{P2}</p></div></div>{COMMENTS}',
        sidebar=f"<div class=\"block\"><p>{P2}</p></div>",
    )
    assert item.extracted_by == "rules"
    assert item.body_paragraphs == [P1, P2]
    assert item.lead == long_lead
    assert item.published == "2011-06-14T00:00:00+03:00"  # date only: midnight, site time


def test_unknown_template_still_goes_to_the_fallback() -> None:
    # a wrapper the legacy root names, but none of the legacy template's own markup (date line, lead block)
    item = _extract(
        f'<div class="prg_wrap telecast"><h1 class="prg_h">مستقبل الطاقة النووية</h1>'
        f'<div class="prg_date">14.06.2011</div><div class="prg_body"><p>{P1}</p><p>{P2}</p><p>{P1}</p></div></div>'
    )
    assert item.extracted_by == "fallback"


def test_too_little_text_is_not_a_body() -> None:
    with pytest.raises(NotAnArticle):
        _extract(f'<div class="news_item">{HEAD.replace(LEAD, "قصير")}<div class="text"><p>سطر واحد.</p></div></div>')


def test_structure_is_used_only_for_program_pages() -> None:
    # the same markup outside /prg/: an unknown body class there means the site changed, so the fallback runs
    page = _page(f'<div class="news_item">{HEAD}<div class="text"><p>{P1}</p><p>{P2}</p><p>{P1}</p></div></div>')
    item = extract_article("https://arabic.rt.com/world/24517-الطاقة/", page, encoding="windows-1256")
    assert item.extracted_by == "fallback"
