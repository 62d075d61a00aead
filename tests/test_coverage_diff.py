"""Pure coverage logic: content hash, word diffs, and the new/updated/removed/failed verdicts."""

from __future__ import annotations

import pytest

from newsbot.coverage.diff import Sighting, article_content, classify, content_changes, content_hash, diff_text, word_diff


def test_content_hash_ignores_whitespace_only():
    a = article_content("عنوان  الخبر", " مقدمة\n", ["فرعي"], ["فقرة   أولى", "فقرة ثانية"])
    b = article_content("عنوان الخبر", "مقدمة", ["فرعي"], ["فقرة أولى", "فقرة ثانية"])
    assert content_hash(a) == content_hash(b)


@pytest.mark.parametrize(
    "changed",
    [
        {"title": "عنوان آخر"},
        {"lead": "مقدمة أخرى"},
        {"subheadings": ["فرعي آخر"]},
        {"body_paragraphs": ["فقرة أولى", "فقرة ثانية", "فقرة ثالثة"]},
        # characters are kept: a diacritic, a tatweel or an Arabic-Indic digit is a change
        {"body_paragraphs": ["فقرةٌ أولى", "فقرة ثانية"]},
        {"body_paragraphs": ["فقـرة أولى", "فقرة ثانية"]},
        {"body_paragraphs": ["فقرة أولى ١", "فقرة ثانية"]},
    ],
)
def test_content_hash_changes_with_any_extracted_part(changed):
    base = {"title": "عنوان", "lead": "مقدمة", "subheadings": ["فرعي"], "body_paragraphs": ["فقرة أولى", "فقرة ثانية"]}
    assert content_hash(base) != content_hash({**base, **changed})


def test_content_hash_is_of_extracted_text_not_bytes():
    content = article_content("t", "l", [], ["p"])
    assert content_hash(content) == "sha256:" + __import__("hashlib").sha256('["t","l",[],["p"]]'.encode()).hexdigest()


def test_word_diff_marks_the_changed_word_only():
    ops = word_diff("وصوّت ٤٢ نائباً ضد المذكرة", "وصوّت ٤٣ نائباً ضد المذكرة")
    assert ops == [["equal", "وصوّت"], ["delete", "٤٢"], ["insert", "٤٣"], ["equal", "نائباً ضد المذكرة"]]
    assert diff_text(ops) == "وصوّت [-٤٢-] {+٤٣+} نائباً ضد المذكرة"


def test_word_diff_cuts_long_unchanged_runs():
    old = " ".join(f"w{i}" for i in range(30))
    new = old.replace("w15", "X")
    assert diff_text(word_diff(old, new, context=2)) == "… w13 w14 [-w15-] {+X+} w16 w17 …"
    middle = old.replace("w3", "Y").replace("w25", "Z")
    assert diff_text(word_diff(old, middle, context=2)) == "… w1 w2 [-w3-] {+Y+} w4 w5 … w23 w24 [-w25-] {+Z+} w26 w27 …"


def test_content_changes_lists_changed_added_removed_paragraphs():
    old = article_content("عنوان", "مقدمة", [], ["أ ب ج", "د هـ و", "ز ح ط"])
    new = article_content("عنوان جديد", "مقدمة", [], ["أ ب ج", "د هـ ي", "ز ح ط", "فقرة مضافة"])
    changes = content_changes(old, new)
    assert [(c["part"], c["index"], c["text"]) for c in changes] == [
        ("title", 0, "عنوان {+جديد+}"),
        ("paragraph", 1, "د هـ [-و-] {+ي+}"),
        ("paragraph", 3, "{+فقرة مضافة+}"),
    ]


def ok(job: str, h: str = "h1", modified: str | None = "m1") -> Sighting:
    return Sighting(job, 200, ok=True, content_hash=h, modified=modified, content={"title": h})


def err(job: str, status: int | None, reason: str = "x") -> Sighting:
    return Sighting(job, status, ok=False, reason=reason)


@pytest.mark.parametrize(
    ("history", "first", "expected"),
    [
        # first run of the root: everything is new, nothing else
        ([ok("1")], 0, ("ok", True, False, False, False)),
        ([ok("1"), ok("2")], 0, ("ok", False, False, False, False)),
        ([ok("1"), ok("2", h="h2")], 0, ("ok", False, True, False, False)),
        ([ok("1"), ok("2", modified="m2")], 0, ("ok", False, True, False, False)),
        ([ok("1"), err("2", 404)], 0, ("gone", False, False, True, False)),
        ([ok("1"), err("2", 410)], 0, ("gone", False, False, True, False)),
        # still gone: removed once, not again
        ([ok("1"), err("2", 404), err("3", 404)], 0, ("gone", False, False, False, False)),
        # never answered 200: a 404 is not a removal
        ([err("1", 404)], 0, ("gone", True, False, False, False)),
        ([ok("1"), err("2", 503)], 0, ("failed", False, False, False, True)),
        ([ok("1"), err("2", None, "TimeoutError")], 0, ("failed", False, False, False, True)),
        # the previous run failed; the edit is judged against the last successful sighting
        ([ok("1"), err("2", 503), ok("3", h="h2")], 0, ("ok", False, True, False, False)),
        ([ok("1"), err("2", 503), ok("3")], 0, ("ok", False, False, False, False)),
        # not seen in this run
        ([ok("1"), None], 0, ("unseen", False, False, False, False)),
        # reached only now (first_seen_index = last run)
        ([None, ok("2")], 1, ("ok", True, False, False, False)),
    ],
)
def test_classify(history, first, expected):
    v = classify(history, first_seen_index=first)
    assert (v.status, v.new, v.updated, v.removed, v.failed) == expected
