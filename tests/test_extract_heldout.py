"""Held-out check of article extraction: pages of the site the extractor was not developed against.

Each case is ``tests/fixtures/heldout/<case>/`` with the page bytes (``page.html`` UTF-8, or ``page.bin`` for
windows-1256 legacy pages), ``meta.json`` (``url``, ``file``, ``encoding`` = the HTTP charset or null) and
``expected.json``, written by hand from issue 2's field rules by someone other than the extractor's author
(``_build.py`` assembles the pages around the site's own boilerplate; it never calls the extractor).
One test per (case, field). Text is compared after whitespace normalization only (NBSP as space, runs
collapsed, ends trimmed; empty text counts as null); dates as instants and must carry an offset; a date
given as ``{"date": "YYYY-MM-DD"}`` (page shows no time) checks the calendar date only; lists of dicts are
compared on the keys the expectation names. Known extractor defects are strict xfails in ``KNOWN``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from newsbot.extract import extract_article
from newsbot.items import Article
from tests.crawl_helpers import norm_deep

HELDOUT = Path(__file__).parent / "fixtures" / "heldout"
CASES = sorted(p.parent.name for p in HELDOUT.glob("*/expected.json"))
ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}
DATE_FIELDS = {"published", "modified"}

#: (case, field) -> what the extractor gets wrong (strict xfail: the test fails once it is fixed).
KNOWN: dict[tuple[str, str], str] = {}


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _extract(case: str) -> Article:
    meta = _json(HELDOUT / case / "meta.json")
    return extract_article(meta["url"], (HELDOUT / case / meta["file"]).read_bytes(), encoding=meta["encoding"])


_norm = norm_deep


def _instant(value: Any) -> datetime:
    assert isinstance(value, str), f"not an ISO 8601 string: {value!r}"
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, f"no UTC offset: {value!r}"
    return parsed


def _check(field: str, expected: Any, actual: Any) -> None:
    if field in DATE_FIELDS:
        if isinstance(expected, dict):
            assert _instant(actual).date() == date.fromisoformat(expected["date"]), actual
        else:
            assert _instant(actual) == _instant(expected), f"{actual!r} != {expected!r}"
        return
    if field == "live_entries":
        assert [_norm(e.get("text")) for e in actual] == _norm([e["text"] for e in expected])
        assert [_instant(e.get("time")) for e in actual] == [_instant(e["time"]) for e in expected]
        return
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        assert isinstance(actual, list), actual
        actual = [{k: d.get(k) for k in expected[0]} for d in actual]
    assert _norm(actual) == _norm(expected)


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for field in _json(HELDOUT / case / "expected.json"):
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[case, field])] if (case, field) in KNOWN else []
            out.append(pytest.param(case, field, id=f"{case}-{field}", marks=marks))
    return out


def test_heldout_cases_cover_the_issue_page_kinds() -> None:
    notes = " ".join(_json(HELDOUT / c / "meta.json")["note"] for c in CASES)
    assert len(CASES) >= 12
    for kind in ("no cover", "iframe", "<video", "tweet", "Instagram", "live", "byline", "h2", "ul", "ad slot",
                 "JSON-LD", "windows-1256", "معلومات حول الموضوع", "/news/{id}/", "utm", "Arabic-Indic"):
        assert kind in notes, kind


@pytest.mark.parametrize(("case", "field"), _params())
def test_heldout_field(case: str, field: str) -> None:
    assert field in ARTICLE_FIELDS, f"{case}: expected.json names an unknown field {field!r}"
    expected = _json(HELDOUT / case / "expected.json")[field]
    _check(field, expected, getattr(_extract(case), field))
