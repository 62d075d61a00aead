"""Pure coverage logic: content hashes, word-level diffs, and new/updated/removed/failed.

No SQLite and no Scrapy here: :mod:`newsbot.coverage.report` loads the history from the store
and hands plain values to these functions. The meanings are the ones the README fixes:

- *new*: first reached from the root in the current run (on a root's first run, all of them);
- *updated*: the article's content hash (title, lead, body, subheadings) or ``modified``
  differs from its last earlier sighting in a run of this root;
- *removed*: its last earlier answer in a run of this root was 200, and it is 404/410 now;
- *failed*: any other error now (5xx after retries, timeouts, refused connections, unparsable page).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Any

GONE_STATUSES = frozenset({404, 410})
#: Words of unchanged text kept around each change in a word diff.
DIFF_CONTEXT_WORDS = 5
#: At most this many changed paragraphs are listed per updated article.
DIFF_MAX_CHANGES = 10


def _ws(text: str | None) -> str:
    """Whitespace-only normalization (the page's own characters are kept)."""
    return " ".join((text or "").split())


def article_content(title: str | None, lead: str | None, subheadings: list[str], body_paragraphs: list[str]) -> dict[str, Any]:
    """The extracted parts that make an article's content (and nothing from the raw bytes)."""
    return {
        "title": _ws(title),
        "lead": _ws(lead),
        "subheadings": [_ws(s) for s in subheadings],
        "body_paragraphs": [_ws(p) for p in body_paragraphs],
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(
        [content.get("title", ""), content.get("lead", ""), content.get("subheadings", []), content.get("body_paragraphs", [])],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- word diffs ---------------------------------------------------------------------


def word_diff(old: str, new: str, context: int = DIFF_CONTEXT_WORDS) -> list[list[str]]:
    """``[[op, text], ...]`` with op ``equal``/``delete``/``insert``; long unchanged runs are cut to ``context`` words."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    opcodes = matcher.get_opcodes()
    ops: list[list[str]] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = n == 0, n == len(opcodes) - 1
            if first and last:
                continue
            if first and len(words) > context:
                words = ["…", *words[-context:]]
            elif last and len(words) > context:
                words = [*words[:context], "…"]
            elif not first and not last and len(words) > 2 * context:
                words = [*words[:context], "…", *words[-context:]]
            ops.append(["equal", " ".join(words)])
            continue
        if tag in ("delete", "replace"):
            ops.append(["delete", " ".join(a[i1:i2])])
        if tag in ("insert", "replace"):
            ops.append(["insert", " ".join(b[j1:j2])])
    return ops


def diff_text(ops: list[list[str]]) -> str:
    """wdiff-style text: ``[-deleted-]`` and ``{+inserted+}``."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return " ".join(marks[op].format(text) for op, text in ops if text)


def _change(part: str, index: int, old: str, new: str) -> dict[str, Any]:
    ops = word_diff(old, new)
    return {"part": part, "index": index, "text": diff_text(ops), "ops": ops}


def content_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The changed title/lead/subheadings/paragraphs, each with a short word diff (at most DIFF_MAX_CHANGES)."""
    changes: list[dict[str, Any]] = []
    for part in ("title", "lead"):
        if old.get(part, "") != new.get(part, ""):
            changes.append(_change(part, 0, old.get(part, ""), new.get(part, "")))
    for key, part in (("subheadings", "subheading"), ("body_paragraphs", "paragraph")):
        a, b = old.get(key, []), new.get(key, [])
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                changes.append(
                    _change(part, (j1 + k) if k < len(news) else (i1 + k), olds[k] if k < len(olds) else "", news[k] if k < len(news) else "")
                )
    return changes[:DIFF_MAX_CHANGES]


# --- classification -------------------------------------------------------------------


@dataclass(frozen=True)
class Sighting:
    """What one run learned about one URL: an article (status 200-ish) or a failure."""

    job_id: str
    status: int | None
    ok: bool
    content_hash: str | None = None
    modified: str | None = None
    content: dict[str, Any] | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Verdict:
    status: str  # ok | gone | failed | unseen
    new: bool
    updated: bool
    removed: bool
    failed: bool
    changes: list[dict[str, Any]]
    modified_before: str | None = None
    modified_after: str | None = None


def sighting_status(s: Sighting | None) -> str:
    if s is None:
        return "unseen"
    if s.ok:
        return "ok"
    return "gone" if s.status in GONE_STATUSES else "failed"


def classify(history: list[Sighting | None], *, first_seen_index: int) -> Verdict:
    """Judge one follow-up in the current run (``history[-1]``) against the root's earlier runs.

    ``history`` holds this URL's sighting in each finished run of the root, oldest first (None
    where a run did not see it); ``first_seen_index`` is the index of the run that first
    reached it from the root.
    """
    now = history[-1] if history else None
    earlier = [s for s in history[:-1] if s is not None]
    before = earlier[-1] if earlier else None
    before_ok = next((s for s in reversed(earlier) if s.ok), None)
    new = first_seen_index == len(history) - 1
    updated = removed = failed = False
    changes: list[dict[str, Any]] = []
    mod_before = mod_after = None
    if now is not None and now.ok and before_ok is not None:
        if now.content_hash != before_ok.content_hash or (now.modified or None) != (before_ok.modified or None):
            updated = True
            changes = content_changes(before_ok.content or {}, now.content or {})
            mod_before, mod_after = before_ok.modified, now.modified
    elif now is not None and not now.ok:
        if now.status in GONE_STATUSES:
            removed = before is not None and before.ok
        else:
            failed = True
    return Verdict(sighting_status(now), new, updated, removed, failed, changes, mod_before, mod_after)
