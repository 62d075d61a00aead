"""URL rules: canonical form, article ids, page kinds."""

import re

import pytest

from newsbot.urls import article_id, canonical_url, is_article_url, is_story_url, section

_NON_ARTICLE = {"story", "tags", "polls", "live", "static", "rss", "about", "contacts"}
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


# --- the fast path for plain site URLs gives what the long way gives -------------------------------------------

_PIECES = [
    "https://arabic.rt.com", "http://arabic.rt.com", "https://ARABIC.rt.com", "https://arabic.rt.com:443", "/",
    "world", "801234-علاقات-روسيا", "story", "index.html", "a.b", ".", "..", "?", "page=2", "utm_source=x",
    "#", "frag", "%D8%B9", "%D8", "%", "%2F", "%3F", "%2E", ";p", " ", "\t", "\n", "//", "[", "\\", "\u200f", "ـ", "٣", "-", "x",
]


def _random_urls(n: int, seed: int = 7) -> list[str]:
    import random

    rng = random.Random(seed)
    out = [SEED, SEED_PERCENT, SEED.rstrip("/"), "https://arabic.rt.com/", "https://arabic.rt.com/world/1.html"]
    for _ in range(n):
        head = rng.choice(_PIECES[:4])
        out.append(head + "/" + "".join(rng.choice(_PIECES[4:]) for _ in range(rng.randint(0, 8))))
    return out


def test_fast_path_agrees_with_the_long_way():
    from newsbot.urls import _canonical_url, _plain_site_url

    fast = 0
    for url in _random_urls(4000):
        fast += _plain_site_url(url)
        try:
            expected = _canonical_url(url, "https://arabic.rt.com")
        except UnicodeDecodeError:
            with pytest.raises(UnicodeDecodeError):
                canonical_url(url)
            continue
        assert canonical_url(url) == expected, url
    assert fast > 200  # the fast path was taken, not only the long way


def test_article_id_and_site_check_agree_with_urlsplit():
    from urllib.parse import unquote, urlsplit

    from newsbot.urls import is_site_url

    for url in _random_urls(4000, seed=11):
        parts = urlsplit(url)
        assert is_site_url(url) == (parts.scheme in ("http", "https") and (parts.hostname or "").lower() == "arabic.rt.com"), url
        path = unquote(parts.path) if "%" in parts.path else parts.path
        path = path if path.endswith("/") else path + "/"
        assert is_story_url(url) == (is_site_url(url) and bool(re.match(r"^/story/\d+(?:-[^/]+)?/$", path))), url
        assert section(url) == (unquote(parts.path).strip("/").split("/", 1)[0] or None), url
        m = re.match(r"^/(?:prg/telecast/|[a-z_]+/(?:telecast/)?)(\d+)(?:-[^/]+)?/$", path)
        expected = int(m.group(1)) if m and path.split("/")[1] not in _NON_ARTICLE else None
        assert article_id(url) == expected, url


def test_unquote_is_urllibs():
    import random
    from urllib.parse import unquote

    from newsbot.urls import _unquote

    rng = random.Random(3)
    pieces = ["%D8%B9", "%d8%b9", "%D8", "%", "%4", "%zz", "%2F", "%25", "%00", "%FF", "a", "/", "\\\\x41", "\\\\", "ع", "-", " ", "%E2%80%8F"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _unquote(text) == unquote(text), text
        try:
            expected = unquote(text, errors="strict")
        except UnicodeDecodeError:
            with pytest.raises(UnicodeDecodeError):
                _unquote(text, errors="strict")
        else:
            assert _unquote(text, errors="strict") == expected, text
