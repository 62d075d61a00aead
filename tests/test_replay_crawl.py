"""Real ``scrapy crawl rt_ar -a replay=...`` runs: offline (proxies point at a closed port), items as gold,
reproducible against the live crawl that wrote the archive, and identical from one replay to the next."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from newsbot.warc.verify import verify
from tests.crawl_helpers import diff_item, load_gold, norm_url, run_crawl

FIXTURES = Path(__file__).parent / "fixtures" / "warc"
SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
#: fields a replay may change (issue 4): when and from where the page came, and provenance
ALLOWED_TO_DIFFER = ("fetched_at", "parent")
ALLOWED_PREFIXES = ("warc_", "job", "replay", "capture")


class ClosedProxy(NamedTuple):
    """Every proxy variable points here: a port nothing listens on, so any network attempt fails loudly."""

    proxy: str = "http://127.0.0.1:9"


def replay(archive: Path, archive_dir: Path, **kwargs: Any):
    result = run_crawl(server=ClosedProxy(), archive_dir=archive_dir, url=SEED, replay=archive, **kwargs)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.job_dir is not None
    return result


def assert_offline(result) -> None:
    stats_text = result.stderr
    assert "newsbot/replay/miss" not in stats_text, "a request was not in the archive"
    assert not (result.job_dir / "replay_misses.jsonl").exists()
    for sign in ("127.0.0.1:9", "Connection refused", "TCPTimedOutError", "DNSLookupError"):
        assert sign not in stats_text


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ALLOWED_TO_DIFFER and not k.startswith(ALLOWED_PREFIXES)}


def test_replay_of_wget_capture_gives_gold_items_offline(tmp_path: Path) -> None:
    result = replay(FIXTURES / "wget-seed.warc.gz", tmp_path / "archive")
    assert_offline(result)
    gold = load_gold("t1")
    assert {norm_url(i["url"]) for i in result.items} == gold.expected_urls(SEED, depth=1)
    for item in result.items:
        assert diff_item(item, gold.articles[norm_url(item["url"])]) == [], item["url"]
        assert item["warc_file"] == "wget-seed.warc.gz"
        assert item["warc_record_id"].startswith("<urn:uuid:")
    report = json.loads((result.job_dir / "replay.json").read_text(encoding="utf-8"))
    assert report["warc_files"] == ["wget-seed.warc.gz"]
    assert report["counts"]["hit"] == 10  # robots.txt, 7 articles, 2 story pages
    assert "replay: 10 records replayed in" in result.stderr  # the closing progress line (no TTY here)
    assert not list(result.job_dir.glob("*.warc*")), "replay must not write the archive again"


def test_two_replays_give_identical_items(tmp_path: Path) -> None:
    runs = [replay(FIXTURES / "wget-seed.warc.gz", tmp_path / f"a{n}", settings={"NEWSBOT_JOB_ID": "replay-test"})
            for n in range(2)]
    texts = [sorted((r.job_dir / "items.jsonl").read_text(encoding="utf-8").splitlines(),
                    key=lambda line: json.loads(line)["url"]) for r in runs]
    assert len(texts[0]) == 7
    assert texts[0] == texts[1]


@pytest.mark.e2e
def test_replay_of_live_crawl_archive_reproduces_its_items(run_crawl, site_server, tmp_path: Path) -> None:
    live = run_crawl(url=SEED, depth=1)
    assert live.returncode == 0, live.stderr[-3000:]
    assert live.job_dir is not None and list(live.job_dir.glob("*.warc.gz")), "the live crawl wrote no WARC"
    check = verify(live.job_dir)  # every record readable, digests right, every item's record present
    assert check.ok, check.problems

    mark = site_server.mark()
    replayed = replay(live.job_dir, tmp_path / "replays")
    assert_offline(replayed)
    assert site_server.requests(since=mark) == []  # not one request reached the site

    def by_url(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {i["url"]: comparable(i) for i in items}

    assert len(live.items) == 7
    assert by_url(replayed.items) == by_url(live.items)
    # each replayed item traces to the very record its live item was parsed from
    assert {i["url"]: i["warc_record_id"] for i in replayed.items} == {i["url"]: i["warc_record_id"] for i in live.items}
