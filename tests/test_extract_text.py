"""Text normalization, Arabic date parsing and page decoding used by extraction."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree

from newsbot.extract import NotAnArticle, extract_article
from newsbot.extract.dates import SITE_TZ, matching_copy, parse_date, parse_iso, to_iso
from newsbot.extract.encoding import decode_html
from newsbot.extract.text import element_text, normalize_ws, strip_label

UTC = timezone.utc

# --- whitespace only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("  مرحبا\u00a0\u00a0بكم \n\t ", "مرحبا بكم"),
        ("a\u2009b\u202fc\u3000d", "a b c d"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_ws_collapses_every_space(raw: str | None, want: str) -> None:
    assert normalize_ws(raw) == want


def test_every_whitespace_but_the_space_is_unprintable() -> None:
    """The premise of normalize_ws's shortcut (printable text holds no whitespace but ' ')."""
    printable_spaces = [hex(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c).isprintable()]
    assert printable_spaces == ["0x20"]


@pytest.mark.parametrize(
    "raw",
    ["a", " a", "a ", "a  b", "a b", "a\u00a0b", "a\u200bb", "a\u200cb c", "\u2028", "a\x1fb", "a\x85b", "كلمة  كلمة", "كلمة كلمة ."],
)
def test_normalize_ws_shortcut_gives_the_split_join_result(raw: str) -> None:
    assert normalize_ws(raw) == " ".join(raw.split())


def test_normalize_ws_keeps_the_pages_own_characters() -> None:
    text = "إذ سُمح للسيد ستولتنبرغ بـــالكلام في ٠٢.١٢.٢٠١٥ عن الاتحاد السوفيني می\u200cخواهم"
    assert normalize_ws(text) == text  # diacritics, tatweel, Arabic-Indic digits, typos, ZWNJ untouched


def test_element_text_skips_scripts_and_separates_blocks() -> None:
    el = etree.fromstring("<div><p>أولا</p><p>ثانيا<br/>ثالثا</p><script>var x='لا';</script><!-- تعليق --><b>رابعا</b></div>")
    assert element_text(el) == "أولا ثانيا ثالثا رابعا"


def test_element_text_inline_markup_does_not_add_spaces() -> None:
    el = etree.fromstring("<p>كلمة<b>واحدة</b>، <a href='#'>رابط</a>.</p>")
    assert element_text(el) == "كلمةواحدة، رابط."


def test_strip_label() -> None:
    assert strip_label("المصدر: وكالات", ("المصدر:",)) == "وكالات"
    assert strip_label("المصدر : RT + وكالات", ("المصدر:", "المصدر :")) == "RT + وكالات"
    assert strip_label("وكالات", ("المصدر:",)) == "وكالات"


# --- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "want"),
    [
        # day first, always: 02.12.2015 is 2 December, not 12 February
        ("02.12.2015 | 16:47 GMT", datetime(2015, 12, 2, 16, 47, tzinfo=UTC)),
        ("27.01.2016 | 21:40 GMT", datetime(2016, 1, 27, 21, 40, tzinfo=UTC)),
        ("02.12.2015", date(2015, 12, 2)),
        ("02/12/2015", date(2015, 12, 2)),
        # Arabic-Indic and Persian digits
        ("٠٢.١٢.٢٠١٥", date(2015, 12, 2)),
        ("٠٣.١٢.٢٠١٥ | ١٠:٢٥ GMT", datetime(2015, 12, 3, 10, 25, tzinfo=UTC)),
        ("۰۲.۱۲.۲۰۱۵", date(2015, 12, 2)),
        # month names: Egypt/Gulf, Levant/Iraq, Maghreb, and the site's combined form
        ("الأربعاء 02 ديسمبر 2015", date(2015, 12, 2)),
        ("2 كانون الأول 2015", date(2015, 12, 2)),
        ("٠٩ كانون الأول ٢٠١٥", date(2015, 12, 9)),
        ("الخميس 7 كانون الثاني 2016", date(2016, 1, 7)),
        ("14 شباط 2016", date(2016, 2, 14)),
        ("1 آذار 2016", date(2016, 3, 1)),
        ("5 آب 2016", date(2016, 8, 5)),
        ("3 أيلول 2016", date(2016, 9, 3)),
        ("30 تشرين الأول 2016", date(2016, 10, 30)),
        ("11 تشرين الثاني 2016", date(2016, 11, 11)),
        ("19 مايو 2016", date(2016, 5, 19)),
        ("19 ماي 2016", date(2016, 5, 19)),
        ("4 جويلية 2016", date(2016, 7, 4)),
        ("4 أبريل 2016", date(2016, 4, 4)),
        ("4 ابريل 2016", date(2016, 4, 4)),
        ("2 ديسمبر/كانون الأول 2015", date(2015, 12, 2)),
        ("1 أيار/مايو 2016", date(2016, 5, 1)),
        ("2 ديسـمبر 2015", date(2015, 12, 2)),  # tatweel inside the month name
        # with a time: GMT means UTC; no zone means the site's (Moscow) time; م = PM
        ("الأربعاء 02 ديسمبر 2015 | 16:47 GMT", datetime(2015, 12, 2, 16, 47, tzinfo=UTC)),
        ("2 كانون الأول 2015 الساعة 04:47 م", datetime(2015, 12, 2, 16, 47, tzinfo=SITE_TZ)),
        ("الجمعة 5 آب 2016 - 10:05", datetime(2016, 8, 5, 10, 5, tzinfo=SITE_TZ)),
        ("2015-12-02T19:47:00+03:00", datetime(2015, 12, 2, 19, 47, tzinfo=SITE_TZ)),
    ],
)
def test_parse_date(shown: str, want: date) -> None:
    got = parse_date(shown)
    assert got == want
    assert type(got) is type(want)


@pytest.mark.parametrize("shown", ["", "بلا تاريخ", "31.02.2015", "2015", "32 ديسمبر 2015", "02 ابواب 2015", None])
def test_parse_date_refuses_what_is_not_a_date(shown: str | None) -> None:
    assert parse_date(shown) is None


def test_parse_iso() -> None:
    assert parse_iso("2015-12-02T19:47:00+03:00") == datetime(2015, 12, 2, 19, 47, tzinfo=SITE_TZ)
    assert parse_iso("2015-12-02T16:47:00Z") == datetime(2015, 12, 2, 16, 47, tzinfo=UTC)
    assert parse_iso("2015-12-02T19:47") == datetime(2015, 12, 2, 19, 47, tzinfo=SITE_TZ)
    assert parse_iso("2015-12-02T13:47:00-0300") == datetime(2015, 12, 2, 13, 47, tzinfo=timezone(timedelta(hours=-3)))
    assert parse_iso("2015-12-02") == date(2015, 12, 2)
    assert parse_iso("2015-13-02T10:00:00Z") is None
    assert parse_iso("not a date") is None


def test_to_iso_keeps_the_offset() -> None:
    assert to_iso(datetime(2015, 12, 2, 16, 47, tzinfo=UTC)) == "2015-12-02T16:47:00+00:00"
    assert to_iso(date(2015, 12, 2)) == "2015-12-02T00:00:00+03:00"  # a bare day: midnight, site time (Moscow)
    assert to_iso(datetime(2015, 12, 2, 19, 47)) == "2015-12-02T19:47:00+03:00"  # naive: site time
    assert to_iso(None) is None


def test_digit_mapping_is_a_separate_value() -> None:
    shown = "٠٢ كانون الأول ٢٠١٥"
    assert matching_copy(shown) == "02 كانون الاول 2015"
    assert shown == "٠٢ كانون الأول ٢٠١٥"


# --- decoding -----------------------------------------------------------------------------------------

ARABIC = "علاقات روسيا والناتو"


def _page(head: str = "") -> str:
    return f"<html><head>{head}<title>{ARABIC}</title></head><body><p>{ARABIC}</p></body></html>"


def test_decode_http_charset_first() -> None:
    body = _page('<meta charset="utf-8">').encode("windows-1256")
    assert decode_html(body, "windows-1256") == (_page('<meta charset="utf-8">'), "cp1256")


def test_decode_meta_charset_and_http_equiv() -> None:
    for head in ('<meta charset="windows-1256">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'):
        assert decode_html(_page(head).encode("windows-1256"))[0] == _page(head)


def test_decode_utf8_then_windows_1256() -> None:
    assert decode_html(_page().encode("utf-8")) == (_page(), "utf-8")
    assert decode_html(_page().encode("windows-1256")) == (_page(), "windows-1256")


def test_decode_wrong_or_unknown_label_falls_through() -> None:
    assert decode_html(_page().encode("utf-8"), "x-no-such-charset")[0] == _page()
    assert decode_html(_page().encode("windows-1256"), "utf-8")[0] == _page()  # invalid as UTF-8: next source


def test_decode_bom_wins() -> None:
    assert decode_html(b"\xef\xbb\xbf" + _page().encode("utf-8"), "windows-1256")[0] == _page()


def test_str_input_is_used_as_is() -> None:
    """A str is already text: a <meta charset> inside it must not re-decode it."""
    html = (
        '<html><head><meta charset="windows-1256"></head><body><article class="article">'
        f'<h1 class="article__heading">{ARABIC}</h1><div class="article__text"><p>{ARABIC}</p></div></article></body></html>'
    )
    item = extract_article("https://arabic.rt.com/world/1-x/", html)
    assert item.title == ARABIC
    assert item.body_paragraphs == [ARABIC]


def test_empty_page_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        extract_article("https://arabic.rt.com/world/1-x/", b"   ")
