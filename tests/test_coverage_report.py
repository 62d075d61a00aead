"""The report built from a hand-made history (tests/coverage_data.py), its JSON schema and the text summary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import newsbot.coverage
from newsbot.coverage.render_text import render_text
from newsbot.coverage.report import ReportError, build_report
from newsbot.coverage.store import CoverageStore
from tests.coverage_data import A, B, C, D, E, F, PUBLISHED, R, TITLES, build_history, cut_after, failure, record

SCHEMA = json.loads((Path(newsbot.coverage.__file__).parent / "report.schema.json").read_text(encoding="utf-8"))


def validate(report: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)


def urls(entries: list[dict]) -> list[str]:
    return [e["url"] for e in entries]


def report_after(tmp_path: Path, last_job: str | None = None) -> dict:
    """The history of coverage_data cut after ``last_job`` (later runs deleted)."""
    store = build_history(tmp_path / "newsbot.sqlite")
    if last_job:
        cut_after(store, last_job)
    report = build_report(store)
    validate(report)
    return report


def test_first_run_everything_is_new(tmp_path):
    (root,) = report_after(tmp_path, "run1")["roots"]
    assert root["current_job"] == "run1" and root["previous_job"] is None
    assert urls(root["new"]) == sorted([A, B, C, D])
    assert root["updated"] == [] and root["removed"] == []
    assert urls(root["failed"]) == [D]
    assert root["failed"][0]["status"] == 503 and root["failed"][0]["reason"] == "HTTP 503"


def test_second_run_new_updated_removed(tmp_path):
    report = report_after(tmp_path, "run2")
    (root,) = report["roots"]
    assert (root["url"], root["kind"], root["title"], root["published"]) == (R, "article", TITLES[R], PUBLISHED[R])
    assert (root["current_job"], root["previous_job"]) == ("run2", "run1")
    assert urls(root["new"]) == [E]
    assert urls(root["updated"]) == [C]
    assert urls(root["removed"]) == [B]
    assert root["removed"][0]["status"] == 404
    assert root["failed"] == []
    (upd,) = root["updated"]
    assert (upd["modified_before"], upd["modified_after"]) == ("2015-12-05T22:00:00+03:00", "2015-12-06T08:00:00+03:00")
    assert [(c["part"], c["index"], c["text"]) for c in upd["diff"]] == [("paragraph", 1, "وصوّت [-٤٢-] {+٤٣+} نائباً ضد المذكرة.")]


def test_followups_keep_gone_ones_with_last_known_data(tmp_path):
    (root,) = report_after(tmp_path, "run2")["roots"]
    by_url = {f["url"]: f for f in root["followups"]}
    assert set(by_url) == {A, B, C, D, E}  # the root itself is excluded
    assert urls(root["followups"]) == [A, B, C, D, E]  # by publication time
    assert by_url[B]["status"] == "gone" and by_url[B]["http_status"] == 404
    assert by_url[B]["title"] == TITLES[B] and by_url[B]["published"] == PUBLISHED[B]
    assert by_url[B]["last_seen_job"] == "run1"
    assert by_url[A]["lag_hours"] == 30.0
    assert by_url[E]["lag_hours"] == 3362.5  # 140 days (2016 is a leap year) and 2.5 hours
    assert by_url[D]["first_seen_job"] == "run1"  # reached (and failed) in run1: not new in run2
    assert by_url[E]["first_seen_job"] == "run2"
    assert root["timeline"] == [
        {"day": "2015-12-03", "count": 1},
        {"day": "2015-12-05", "count": 2},
        {"day": "2016-01-10", "count": 1},
        {"day": "2016-04-20", "count": 1},
    ]


def test_killed_run_is_ignored_and_nothing_changed_reports_nothing(tmp_path):
    report = report_after(tmp_path)
    assert [(r["job_id"], r["complete"]) for r in report["runs"]] == [("run1", True), ("run2", True), ("run3", False), ("run4", True)]
    (root,) = report["roots"]
    assert (root["current_job"], root["previous_job"]) == ("run4", "run2")
    assert root["runs"] == ["run1", "run2", "run4"]
    assert (root["new"], root["updated"], root["removed"], root["failed"]) == ([], [], [], [])
    assert F not in urls(root["followups"])  # only the killed run reached it
    assert {f["url"]: f["status"] for f in root["followups"]}[A] == "ok"  # run3's 404 does not count


def test_story_root(tmp_path):
    store = CoverageStore(tmp_path / "c.sqlite")
    story = "https://arabic.rt.com/story/4521-روسيا-والناتو/"
    for job, members, gone in (("s1", [R, A, B], []), ("s2", [R, A, C], [B])):
        store.begin_run(job, f"2026-01-0{job[1]}T00:00:00+00:00", {"url": story}, [(story, "story")])
        store.record_story_page(
            job, url=story, story_url=story, root=story, title="روسيا والناتو", count=len(members),
            members=[{"url": u, "title": TITLES[u]} for u in members], depth=0,
        )
        for u in members:
            store.record_article(job, record(u), root=story, parent=story, depth=0)
        for u in gone:
            store.record_failure(job, failure(u, 410, root=story), is_article=True)
        store.finish_run(job, f"2026-01-0{job[1]}T00:01:00+00:00", "finished", {})
    report = build_report(store)
    validate(report)
    (root,) = report["roots"]
    assert (root["kind"], root["title"], root["count"], root["status"]) == ("story", "روسيا والناتو", 3, "ok")
    assert root["published"] == PUBLISHED[R]  # a story starts with its earliest article
    assert urls(root["followups"]) == [R, A, B, C]  # the story URL is the root; every article is a follow-up
    assert urls(root["new"]) == [C]
    assert urls(root["removed"]) == [B]
    assert {f["url"]: f["lag_hours"] for f in root["followups"]}[R] == 0.0


def test_root_filter_and_errors(tmp_path):
    store = build_history(tmp_path / "newsbot.sqlite")
    assert urls(build_report(store, R)["roots"]) == [R]
    with pytest.raises(ReportError, match="root not tracked"):
        build_report(store, A)
    store.begin_run("only-killed", "2027-01-01T00:00:00+00:00", {}, [(A, "article")])
    with pytest.raises(ReportError, match="no finished run covers this root yet"):
        build_report(store, A)


def test_schema_rejects_a_root_without_lists(tmp_path):
    report = report_after(tmp_path, "run2")
    del report["roots"][0]["removed"]
    with pytest.raises(jsonschema.ValidationError, match="'removed' is a required property"):
        validate(report)


def test_text_summary(tmp_path):
    text = render_text(report_after(tmp_path, "run2"))
    assert "1 root(s), 2 run(s)" in text
    assert TITLES[R] in text
    assert "new (1):" in text and "updated (1):" in text and "removed (1):" in text and "failed (0)" in text
    assert "paragraph 2: وصوّت [-٤٢-] {+٤٣+} نائباً ضد المذكرة." in text
    assert f"{TITLES[B]}  (HTTP 404)" in text
