"""URL rules: canonical form, article ids, page kinds."""

import pytest

from newsbot.urls import article_id, canonical_url, is_article_url, is_story_url, section

SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
SEED_PERCENT = (
    "https://arabic.rt.com/world/801234-%D8%B9%D9%84%D8%A7%D9%82%D8%A7%D8%AA-%D8%B1%D9%88%D8%B3%D9%8A%D8%A7-"
    "%D9%88%D8%A7%D9%84%D9%86%D8%A7%D8%AA%D9%88-%D8%A8%D9%8A%D9%86-%D9%85%D9%82%D8%AA%D8%B6%D9%8A%D8%A7%D8%AA-"
    "%D8%A7%D9%84%D8%AA%D8%B9%D8%A7%D9%88%D9%86-%D9%88%D8%B7%D9%85%D9%88%D8%AD%D8%A7%D8%AA-%D8%A7%D9%84%D8%BA%D8%B1%D8%A8/"
)


@pytest.mark.parametrize(
    "given",
    [
        SEED,
        SEED_PERCENT,
        SEED + "?utm_source=rt_arabic&utm_medium=readmore",
        SEED + "#comments",
        SEED.replace("https://", "http://"),
        SEED.rstrip("/"),
        SEED.replace("arabic.rt.com", "ARABIC.RT.COM") + "?fbclid=abc",
    ],
)
def test_canonical_forms_agree(given):
    assert canonical_url(given) == SEED


def test_canonical_keeps_story_page_number():
    assert canonical_url("/story/4521-روسيا-والناتو/?page=2&utm_campaign=x") == (
        "https://arabic.rt.com/story/4521-روسيا-والناتو/?page=2"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SEED, 801234),
        (SEED_PERCENT, 801234),
        ("https://arabic.rt.com/world/801234/", 801234),
        ("https://arabic.rt.com/news/801234/", 801234),
        ("https://arabic.rt.com/prg/telecast/12345-برنامج/", 12345),
        ("https://arabic.rt.com/story/4521-روسيا-والناتو/", None),
        ("https://arabic.rt.com/tags/روسيا/", None),
        ("https://arabic.rt.com/world/", None),
        ("https://arabic.rt.com/polls/1770815-الشخصية/", None),
    ],
)
def test_article_id(url, expected):
    assert article_id(url) == expected


def test_page_kinds():
    assert is_article_url(SEED)
    assert not is_article_url(SEED.replace("arabic.rt.com", "example.com"))
    assert is_story_url("https://arabic.rt.com/story/4521-روسيا-والناتو/?page=2")
    assert not is_story_url(SEED)
    assert section(SEED) == "world"
    assert section("https://arabic.rt.com/prg/telecast/12345-x/") == "prg"
