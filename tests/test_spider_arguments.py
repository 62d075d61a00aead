"""Bad spider arguments stop before anything is fetched, with one line naming the argument."""

import subprocess
import sys
from pathlib import Path

import pytest

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
