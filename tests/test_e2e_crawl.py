"""End to end: a real ``scrapy crawl rt_ar`` (subprocess) through the test server as an HTTPS proxy.

The crawler asks for the real https://arabic.rt.com/ URLs; the server answers from a snapshot and logs
every request, so the tests check both what came out (items == gold) and what was fetched.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from tests.crawl_helpers import boilerplate_in_body, diff_item, fetched_article_urls, load_gold, norm_url

if TYPE_CHECKING:
    from tests.server import RunningServer

pytestmark = pytest.mark.e2e

GOLD = {name: load_gold(name) for name in ("t1", "t2")}
SEED = GOLD["t1"].seed
SEED_PATH = SEED[len("https://arabic.rt.com"):]
OTHER = "https://arabic.rt.com/world/818932-مجلس-روسيا-الناتو-يجتمع-في-بروكسل-للمرة-الأولى-منذ-عامين/"
STORY_PATHS = {"/story/4521-روسيا-والناتو/", "/story/4521-روسيا-والناتو/?page=2"}


@pytest.fixture
def server_for(site_server: RunningServer, start_site_server):
    """t1 is the session's server; other snapshots get one of their own."""
    return lambda snapshot: site_server if snapshot == "t1" else start_site_server(snapshot)


def assert_items_match_gold(items: list[dict], snapshot: str, expected: set[str]) -> None:
    gold = GOLD[snapshot]
    urls = [norm_url(i["url"]) for i in items]
    assert len(urls) == len(set(urls)), f"duplicate items: {sorted(urls)}"
    assert set(urls) == expected
    problems = {}
    for item in items:
        want = gold.articles[norm_url(item["url"])]
        found = diff_item(item, want) + [f"boilerplate: {s}" for s in boilerplate_in_body(item, gold.boilerplate)]
        if found:
            problems[want["article_id"]] = found
    assert problems == {}


@pytest.mark.parametrize("snapshot", ["t1", "t2"])
def test_seed_at_depth_1_yields_the_seed_and_exactly_its_related_stories(run_crawl, server_for, snapshot) -> None:
    server = server_for(snapshot)
    expected = GOLD[snapshot].expected_urls(SEED, depth=1)
    assert len(expected) == {"t1": 7, "t2": 8}[snapshot]  # the seed + 6 follow-ups; t2: 2 new, 1 removed
    mark = server.mark()
    result = run_crawl(server=server, url=SEED, depth=1)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_items_match_gold(result.items, snapshot, expected)
    by_url = {norm_url(i["url"]): i for i in result.items}
    assert by_url[norm_url(SEED)]["depth"] == 0 and by_url[norm_url(SEED)]["parent"] is None
    assert {i["depth"] for u, i in by_url.items() if u != norm_url(SEED)} == {1}
    # nothing outside the related set was fetched; robots.txt and the story pages aside
    assert fetched_article_urls(server, mark) == expected
    others = {p for p in server.fetched_paths(since=mark) if norm_url("https://arabic.rt.com" + p) not in expected}
    assert others == {"/robots.txt"} | STORY_PATHS
    assert all(r["scheme"] == "https" for r in server.requests(mark) if r["method"] == "GET")
    # t2: the removed follow-up is linked from nowhere any more, so a first crawl never asks for it
    removed = {norm_url(u) for u in GOLD[snapshot].index["removed"]}
    assert len(removed) == {"t1": 0, "t2": 1}[snapshot]
    assert not removed & fetched_article_urls(server, mark)


def test_depth_0_yields_only_the_seed(run_crawl, site_server) -> None:
    mark = site_server.mark()
    result = run_crawl(url=SEED, depth=0)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_items_match_gold(result.items, "t1", {norm_url(SEED)})
    assert site_server.fetched_paths(since=mark) == ["/robots.txt", SEED_PATH]
    # items.jsonl: UTF-8, Arabic as is (not \\uXXXX), one JSON object a line
    text = (result.job_dir / "items.jsonl").read_bytes().decode("utf-8")  # strict: fails on anything else
    assert GOLD["t1"].articles[norm_url(SEED)]["title"] in text
    assert not re.search(r"\\u0[6-7][0-9a-fA-F]{2}", text), "Arabic escaped as \\uXXXX"
    assert [json.loads(line)["article_id"] for line in text.splitlines()] == [801234]


def test_comma_separated_urls(run_crawl, site_server) -> None:
    percent_encoded_seed = "https://arabic.rt.com" + quote(SEED_PATH) + "?utm_source=telegram#comments"
    mark = site_server.mark()
    result = run_crawl(url=f"{percent_encoded_seed},{OTHER}", depth=0)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_items_match_gold(result.items, "t1", {norm_url(SEED), norm_url(OTHER)})
    assert fetched_article_urls(site_server, mark) == {norm_url(SEED), norm_url(OTHER)}


def test_urls_file(run_crawl, tmp_path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# start articles\n{SEED}\n\nhttps://arabic.rt.com/world/818932/\n", encoding="utf-8")
    result = run_crawl(urls_file=urls, depth=0)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_items_match_gold(result.items, "t1", {norm_url(SEED), norm_url(OTHER)})


@pytest.mark.parametrize(("args", "named"), [
    ({"url": "https://example.com/world/801234-x/"}, "url"),
    ({"url": f"{SEED},https://arabic.rt.com/tags/الناتو/"}, "url"),
    ({"url": SEED, "depth": "-1"}, "depth"),
    ({"url": SEED, "depth": "one"}, "depth"),
    ({"urls_file": "/nonexistent/urls.txt"}, "urls_file"),
])
def test_bad_arguments_stop_with_one_error_line_and_fetch_nothing(run_crawl, site_server, args, named) -> None:
    mark = site_server.mark()
    result = run_crawl(**args)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.stderr
    assert re.search(rf"error: {named}: ", errors[0]), errors[0]
    assert "Traceback" not in result.stderr
    assert result.items == []
    assert site_server.requests(mark) == []


def test_without_url_the_crawl_starts_from_the_rss_feed(run_crawl, site_server) -> None:
    import xml.etree.ElementTree as ET

    from tests.crawl_helpers import SITE_DIR

    feed = ET.parse(SITE_DIR / "t1" / "pages" / "rss.xml")
    in_feed = {norm_url(link.text) for link in feed.iterfind("./channel/item/link")}
    assert len(in_feed) == 10
    mark = site_server.mark()
    result = run_crawl()
    assert result.returncode == 0, result.stderr[-3000:]
    assert_items_match_gold(result.items, "t1", in_feed)
    assert {i["depth"] for i in result.items} == {0}
    assert site_server.fetched_paths(since=mark)[:2] == ["/robots.txt", "/rss/"]


def test_story_page_as_start_yields_its_members_from_every_page(run_crawl, site_server) -> None:
    story = GOLD["t1"].index["stories"][0]
    members = {norm_url(u) for u in story["members"]}
    mark = site_server.mark()
    result = run_crawl(url=story["url"], depth=0)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_items_match_gold(result.items, "t1", members)
    assert fetched_article_urls(site_server, mark) == members
    assert {p for p in site_server.fetched_paths(since=mark) if p.startswith("/story/")} == STORY_PATHS
