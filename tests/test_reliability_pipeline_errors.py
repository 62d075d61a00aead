"""An exception in an item pipeline loses nothing silently: the page is archived, the failure recorded."""

from __future__ import annotations

import json

from warcio.archiveiterator import ArchiveIterator

from tests.crawl_helpers import load_gold, norm_url

GOLD = load_gold("t1")


def test_a_failing_item_pipeline_is_recorded_as_a_store_failure(run_crawl) -> None:
    expected = GOLD.expected_urls(GOLD.seed, depth=1)
    victim = sorted(u for u in expected if u != GOLD.seed)[0]
    victim_id = victim.rstrip("/").rsplit("/", 1)[1].split("-", 1)[0]
    pipelines = {"newsbot.pipelines.resume.DropEmittedItemsPipeline": 100, "tests.failing_pipeline.FailForOneArticle": 200}
    result = run_crawl(url=GOLD.seed, depth=1,
                       settings={"ITEM_PIPELINES": json.dumps(pipelines), "NEWSBOT_TEST_FAIL_ID": victim_id})
    assert result.returncode == 0, result.stderr[-2000:]
    got = {norm_url(item["url"]) for item in result.items}
    assert got == {norm_url(u) for u in expected} - {norm_url(victim)}
    lines = [json.loads(line) for line in (result.job_dir / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(norm_url(f["url"]), f["stage"], f["status"]) for f in lines] == [(norm_url(victim), "store", 200)]
    assert lines[0]["reason"] == f"RuntimeError in an item pipeline: test pipeline refuses article {victim_id}"
    archived = set()
    for warc in result.job_dir.glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            archived |= {norm_url(r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)
                         if r.rec_type in ("response", "revisit")}
    assert norm_url(victim) in archived  # the page itself was fetched and kept
