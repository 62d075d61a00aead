"""Bad spider arguments stop before anything is fetched, with one line naming the argument."""

import subprocess
import sys
from pathlib import Path

import pytest
import scrapy

from newsbot.spiders.arguments import SpiderArgumentError, depth, start_urls

ROOT = Path(__file__).resolve().parent.parent
SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
STORY = "https://arabic.rt.com/story/4521-روسيا-والناتو/"


def test_comma_separated_and_file_urls_are_canonical_and_deduplicated(tmp_path):
    f = tmp_path / "urls.txt"
    f.write_text(f"# a comment\n{STORY}\n\n{SEED}?utm_source=x\n", encoding="utf-8")
    assert start_urls(f"{SEED}, https://arabic.rt.com/world/801234/", str(f)) == [
        SEED,
        "https://arabic.rt.com/world/801234/",
        STORY,
    ]


@pytest.mark.parametrize(
    ("url", "urls_file", "message"),
    [
        ("https://example.com/world/1-x/", None, "url: not an arabic.rt.com article or story page: https://example.com/world/1-x/"),
        ("https://arabic.rt.com/tags/روسيا/", None, "url: not an arabic.rt.com article or story page"),
        ("ftp://arabic.rt.com/world/801234/", None, "url: not an arabic.rt.com article or story page"),
        (None, "/nonexistent/urls.txt", "urls_file: no such file: /nonexistent/urls.txt"),
    ],
)
def test_bad_start_urls(url, urls_file, message):
    with pytest.raises(SpiderArgumentError, match=message.replace("?", r"\?")):
        start_urls(url, urls_file)


def test_empty_urls_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("\n# nothing\n", encoding="utf-8")
    with pytest.raises(SpiderArgumentError, match="urls_file: .* holds no URL"):
        start_urls(None, str(f))


@pytest.mark.parametrize("value", ["-1", "one", "1.5", " "])
def test_bad_depth(value):
    if value.strip() == "":
        assert depth(value, default=3) == 3
        return
    with pytest.raises(SpiderArgumentError, match=f"depth: not a non-negative integer: {value}"):
        depth(value, default=1)


def test_depth_values():
    assert depth(None, default=1) == 1
    assert depth("0", default=1) == 0
    assert depth("4", default=1) == 4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-a", "url=https://example.com/x/"], "error: url: not an arabic.rt.com article or story page: https://example.com/x/"),
        (["-a", f"url={SEED}", "-a", "depth=-2"], "error: depth: not a non-negative integer: -2"),
        (["-a", "urls_file=/nonexistent/list.txt"], "error: urls_file: no such file: /nonexistent/list.txt"),
        (["-a", f"url={SEED}", "-a", "replay=/nonexistent/archive"], "error: replay: "),
        (["-a", f"url={SEED}", "-a", "replay=archive/fixtures", "-a", "replay_at=yesterday"], "error: replay_at: "),
    ],
)
def test_crawl_command_exits_with_one_line(tmp_path, args, expected):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "rt_ar", *args, "-s", f"ARCHIVE_DIR={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"},
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"scrapy crawl rt_ar: {expected}")
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir()), "no job folder is created for a refused crawl"


# --- start URLs are read again from their file, not held --------------------------------------------------


def _start_requests(spider) -> list[tuple[str, str]]:
    import asyncio

    async def collect():
        return [(r.url, r.callback.__name__) async for r in spider.start()]

    return asyncio.run(collect())


def test_start_urls_file_is_not_held_and_gives_the_same_requests(tmp_path):
    from newsbot.spiders.arguments import StartUrls
    from newsbot.spiders.rt_ar import RtArSpider

    article2 = "https://arabic.rt.com/russia/801300-x/"
    f = tmp_path / "urls.txt"
    f.write_text(f"{SEED}\n{STORY}\n{article2}\n{SEED}?utm_source=a\n# c\n{STORY}\nhttps://arabic.rt.com/world/801234/\n",
                 encoding="utf-8")
    urls = StartUrls(None, str(f))
    assert not [v for v in vars(urls).values() if isinstance(v, list) and len(v) > 3]  # nothing per URL kept
    assert list(urls) == list(urls) == [SEED, STORY, article2, "https://arabic.rt.com/world/801234/"]
    assert len(list(urls.each())) == 6  # repeats included
    spider = RtArSpider(urls_file=str(f))
    assert spider.start_urls and bool(StartUrls(SEED, None))
    # one request per article id and per story, in file order (801234 three times: one id, requested once)
    expected = [(SEED, "parse_article"), (STORY, "parse_story"), (article2, "parse_article")]
    assert _start_requests(spider) == [(scrapy.Request(url).url, callback) for url, callback in expected]


def test_start_urls_from_a_pipe_are_read_once_and_kept(tmp_path):
    import os
    import threading

    from newsbot.spiders.arguments import StartUrls

    fifo = tmp_path / "urls.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(f"{SEED}\n{STORY}\n", encoding="utf-8"))
    writer.start()
    urls = StartUrls(None, str(fifo))
    writer.join(timeout=10)
    assert list(urls) == list(urls) == [SEED, STORY]
