"""PrefixRobotParser answers exactly as Scrapy's ProtegoRobotParser, and skips Protego for most site URLs."""

from __future__ import annotations

import random

import pytest
from scrapy import Request
from scrapy.robotstxt import ProtegoRobotParser

from newsbot.downloadermiddlewares.robots import PrefixRobotParser

AGENTS = ["newsbot/0.1 (research news archiver)", "Googlebot", "Yandex", "other"]
ROBOTS = [
    "User-agent: *\nDisallow: /search/\n\nSitemap: https://arabic.rt.com/sitemap.xml\n",
    "User-agent: *\nDisallow: /world/1\nAllow: /world/12\nDisallow: /*.pdf$\nDisallow: /tags/\n",
    "User-agent: newsbot\nDisallow: /russia/\n\nUser-agent: *\nDisallow: /\nAllow: /world/\n",
    "User-agent: *\nDisallow: /%D8%A7%D9%84/\nDisallow: /a=b\nDisallow: /x%2Fy\n",
    "User-agent: *\nDisallow: /سياسة/\nDisallow: /search?q\nDisallow: /Story/\n",
    "User-agent: Yandex\nClean-param: utm_source&utm_medium\nDisallow: /static/*.js\nHost: arabic.rt.com\n",
    "User-agent: *\nDisallow: https://arabic.rt.com/world/\nDisallow: world2/\nDisalow: /typo/\n",
    "User-agent: *\nDisallow:\n",
    "<html><body>not a robots file</body></html>",
    "",
]
PIECES = ["world", "world2", "1", "12", "123-x", "search", "tags", "russia", "story", "Story", "static", "a.js", "f.pdf",
          "سياسة", "ال", "%D8%A7%D9%84", "%73earch", "%2F", "x", "y", "a=b", "a%3Db", "?q", "?q=1", "#frag", "..", "", "typo"]


def _urls(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    urls = []
    for _ in range(n):
        path = "/".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))
        url = rng.choice(["https://arabic.rt.com/", "http://arabic.rt.com/", "https://arabic.rt.com//"]) + path
        if rng.random() < 0.3:
            url += "/"
        urls.append(url)
        urls.append(Request(url).url)  # the percent-encoded form Scrapy requests
    return urls


@pytest.mark.parametrize("robots", ROBOTS, ids=range(len(ROBOTS)))
def test_same_answers_as_protego(robots: str) -> None:
    ours, protego = PrefixRobotParser(robots.encode(), None), ProtegoRobotParser(robots.encode(), None)
    for url in _urls(600, seed=len(robots)):
        for agent in AGENTS:
            assert ours.allowed(url, agent) == protego.allowed(url, agent), (url, agent)


def test_site_urls_skip_protego(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = PrefixRobotParser(ROBOTS[0].encode(), None)
    assert parser.prefixes == ("/search/",)
    calls = []
    monkeypatch.setattr(parser.rp, "can_fetch", lambda url, agent: calls.append(url) or True)
    article = Request("https://arabic.rt.com/world/801234-علاقات-روسيا/").url
    assert parser.allowed(article, AGENTS[0]) is True and calls == []
    parser.allowed("https://arabic.rt.com/search/?q=x", AGENTS[0])
    parser.allowed("https://arabic.rt.com/%73earch/", AGENTS[0])
    assert len(calls) == 2  # a path that could match goes to Protego


def test_rules_for_every_path_leave_everything_to_protego() -> None:
    assert PrefixRobotParser(b"User-agent: *\nDisallow: /\n", None).prefixes is None
    assert PrefixRobotParser(b"User-agent: *\nDisallow: /*.php\n", None).prefixes is None
