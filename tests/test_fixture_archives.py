"""Replay every stored fixture archive (archive/fixtures/, built by ``python -m tests.fixture_archives``)
with the real spider, offline, and compare every item with its committed expected JSON.

Each fixture folder's crawl.json lists the live crawls that wrote it; each is replayed with the same
spider arguments (``scrapy crawl rt_ar -a replay=<folder> ...`` in a subprocess, every proxy variable
pointing at a closed port, so any network use fails). Items must equal their expected JSON after
whitespace normalization, except the fields a replay may change (issue 4); no request may miss the
archive; the pages that gave no item must fail as they did live. The expected JSON itself is checked
against the hand-written references it was reviewed with (gold / page fixture expected.json).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.urls import article_id, canonical_url
from tests.crawl_helpers import REPO_ROOT, CrawlResult, run_crawl
from tests.fixture_archives import (
    FIXTURES,
    FIXTURES_DIR,
    NOT_CRAWLABLE,
    PAGES_DIR,
    STATUS,
    case_meta,
    comparable,
    item_differences,
    load_json,
    page_file,
    reference_differences,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

#: what a process prints when it tried the network through the closed proxy
NETWORK_SIGNS = ("127.0.0.1:9", "Connection refused", "ConnectionRefusedError", "TCPTimedOutError", "DNSLookupError")


class ClosedProxy(NamedTuple):
    """Every proxy variable points here: a port nothing listens on."""

    proxy: str = "http://127.0.0.1:9"


def _fixture_dirs() -> list[Path]:
    return sorted(p.parent for p in FIXTURES_DIR.glob("*/crawl.json"))


def _runs() -> list[Any]:
    return [pytest.param(d, run, id=f"{d.name}/{run['name']}")
            for d in _fixture_dirs() for run in load_json(d / "crawl.json")["runs"]]


RUNS = _runs()


def _replay(fixture_dir: Path, run: dict[str, Any], archive_dir: Path) -> CrawlResult:
    args = {k: str(fixture_dir / v) if k == "urls_file" else v for k, v in run["args"].items()}
    return run_crawl(server=ClosedProxy(), archive_dir=archive_dir, replay=fixture_dir, timeout=120, **args)


def _verify_all() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "verify", str(FIXTURES_DIR)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every replay and the verify run, once, two processes at a time."""
    tmp = tmp_path_factory.mktemp("fixture_replays")
    with ThreadPoolExecutor(max_workers=2) as pool:
        verify = pool.submit(_verify_all)
        futures = {f"{p.values[0].name}/{p.values[1]['name']}": pool.submit(
            _replay, p.values[0], p.values[1], tmp / p.values[0].name / p.values[1]["name"]) for p in RUNS}
        yield {"verify": verify.result(), **{key: f.result() for key, f in futures.items()}}


def _responses(fixture_dir: Path) -> Iterator[tuple[str, Any, bytes]]:
    """(record id, record, decoded payload) of every record of the fixture's WARC files."""
    for warc in sorted(fixture_dir.glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            for record in ArchiveIterator(fh):
                payload = record.content_stream().read() if record.rec_type == "response" else b""
                yield record.rec_headers.get_header("WARC-Record-ID"), record, payload


# --- the stored archives -----------------------------------------------------------------------


def test_every_fixture_is_stored() -> None:
    assert [d.name for d in _fixture_dirs()] == sorted(f.name for f in FIXTURES)
    for d in _fixture_dirs():
        assert list(d.glob("*.warc.gz")), d


def test_archives_hold_every_page_fixture() -> None:
    """Each page of tests/fixtures/pages is in some fixture's WARC: its bytes at its URL, with its status."""
    stored: dict[str, list[tuple[int, str | None, bytes]]] = {}
    for d in _fixture_dirs():
        for _, record, payload in _responses(d):
            if record.rec_type == "response":
                url = canonical_url(record.rec_headers.get_header("WARC-Target-URI"))
                status = int(record.http_headers.get_statuscode())
                stored.setdefault(url, []).append((status, record.http_headers.get_header("Location"), payload))
    cases = sorted(m.parent.relative_to(PAGES_DIR).as_posix() for m in PAGES_DIR.glob("*/*/meta.json"))
    missing = []
    for case in cases:
        if case in NOT_CRAWLABLE:
            continue
        status, body = STATUS.get(case, 200), page_file(case).read_bytes()
        captures = stored.get(canonical_url(case_meta(case)["url"]), [])
        if status == 301:  # the server sends the redirect without the body; its target is the body's link
            target = canonical_url(re.search(rb'href="([^"]+)"', body).group(1).decode())  # type: ignore[union-attr]
            ok = any(s == 301 and loc and canonical_url(loc) == target for s, loc, _ in captures)
        else:
            ok = any(s == status and payload == body for s, _, payload in captures)
        if not ok:
            missing.append(case)
    assert missing == []
    assert set(NOT_CRAWLABLE) <= set(cases)


@pytest.mark.parametrize(("fixture_dir", "run"), RUNS)
def test_expected_items_agree_with_hand_written_references(fixture_dir: Path, run: dict[str, Any]) -> None:
    assert run["items"], "a run that expects no item tests nothing"
    for url, entry in run["items"].items():
        expected = load_json(fixture_dir / entry["expected"])
        assert canonical_url(expected["url"]) == url
        assert expected == comparable(expected), "expected items hold no field a replay may change"
        for reference in entry["references"]:
            assert reference_differences(expected, load_json(REPO_ROOT / reference)) == [], (url, reference)


# --- replaying them ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture_dir", "run"), RUNS)
def test_replay_gives_expected_items_offline(results: dict[str, Any], fixture_dir: Path, run: dict[str, Any]) -> None:
    result: CrawlResult = results[f"{fixture_dir.name}/{run['name']}"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.job_dir is not None
    # offline and complete: no request missed the archive, none tried the network
    report = json.loads((result.job_dir / "replay.json").read_text(encoding="utf-8"))
    assert report["counts"].get("miss", 0) == 0 and report["counts"]["hit"] > 0
    assert not (result.job_dir / "replay_misses.jsonl").exists()
    assert "newsbot/replay/miss" not in result.stderr
    assert [s for s in NETWORK_SIGNS if s in result.stderr] == []
    assert not list(result.job_dir.glob("*.warc*")), "replay must not write the archive again"
    # every item as expected
    items = {canonical_url(i["url"]): i for i in result.items}
    assert len(items) == len(result.items), "one item per article"
    assert sorted(items) == sorted(run["items"])
    for url, entry in run["items"].items():
        assert item_differences(items[url], load_json(fixture_dir / entry["expected"])) == [], url
    # the pages that gave no item fail as they did in the live crawl
    failures = [json.loads(line) for line in (result.job_dir / "failures.jsonl").read_text("utf-8").splitlines()]
    assert sorted([f["url"], f["stage"], f["reason"]] for f in failures) == run["failures"]
    # each item traces to a record of the fixture's WARC files, of its article (the URL may be a short form)
    records = {rid: record.rec_headers.get_header("WARC-Target-URI") for rid, record, _ in _responses(fixture_dir)}
    for url, item in items.items():
        assert article_id(records[item["warc_record_id"]]) == item["article_id"], url


def test_scrapy_verify_finds_the_fixture_archives_clean(results: dict[str, Any]) -> None:
    verify = results["verify"]
    warcs = len(list(FIXTURES_DIR.glob("*/*.warc.gz")))
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == ""
    assert f"OK: {warcs} WARC file(s)" in verify.stdout
