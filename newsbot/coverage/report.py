"""The coverage report as plain data (the JSON document), built from the store.

Only *finished* runs count: a run that is still going, or was killed, is listed in ``runs``
with ``complete: false`` and otherwise ignored, so it never skews "new since last time".
For each root the *current* run is its latest finished run, the *previous* one the run before.
The shape is fixed by ``newsbot/coverage/report.schema.json``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from newsbot.coverage.diff import Sighting, classify, sighting_status

if TYPE_CHECKING:
    from newsbot.coverage.store import ArticleRecord, CoverageStore

REPORT_FORMAT = "newsbot-coverage/1"


class ReportError(ValueError):
    """The report cannot be built as asked (e.g. the requested root is not tracked)."""


def build_report(store: CoverageStore, root: str | None = None, *, generated: str | None = None) -> dict[str, Any]:
    runs = store.runs()
    finished = [r for r in runs if r["finished"]]
    kinds = store.root_kinds()
    tracked = sorted({rt for r in finished for rt in r["roots"]})
    if root is not None:
        if root not in kinds:
            raise ReportError(f"root not tracked in {store.path}: {root}")
        if root not in tracked:
            raise ReportError(f"no finished run covers this root yet: {root}")
        tracked = [root]
    return {
        "format": REPORT_FORMAT,
        "generated": generated or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "runs": [_run(r) for r in runs],
        "roots": [_root(store, rt, kinds[rt], [r["job_id"] for r in finished if rt in r["roots"]]) for rt in tracked],
    }


def _run(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "complete": r["finished"] is not None}


def _root(store: CoverageStore, root: str, kind: str, jobs: list[str]) -> dict[str, Any]:
    index = {job: i for i, job in enumerate(jobs)}
    reached: dict[str, int] = {}  # url -> index of the first run that reached it
    for job, url in store.reached(root):
        if job in index and url != root:
            reached[url] = min(reached.get(url, len(jobs)), index[job])
    urls = [*reached, root]
    sightings: dict[tuple[str, str], Sighting] = {}
    records: dict[tuple[str, str], ArticleRecord] = {}
    for f in store.failures(urls):
        if f["job_id"] in index:
            sightings[f["job_id"], f["url"]] = Sighting(f["job_id"], f["status"], ok=False, reason=f["reason"])
    for job, rec in store.articles(urls):
        if job in index:
            records[job, rec.url] = rec
            sightings[job, rec.url] = Sighting(
                job, rec.http_status or 200, ok=True, content_hash=rec.content_hash, modified=rec.modified, content=rec.content
            )
    listed = store.listed_titles(urls)

    def last_record(url: str) -> ArticleRecord | None:
        return next((records[j, url] for j in reversed(jobs) if (j, url) in records), None)

    current = jobs[-1]
    root_rec = last_record(root)
    info: dict[str, Any] = {"title": root_rec.title if root_rec else None, "published": root_rec.published if root_rec else None}
    count = None
    root_now = sightings.get((current, root))
    root_status = sighting_status(root_now)
    if kind == "story":
        pages = [p for p in store.story_pages(root) if p["url"] == root and p["job_id"] in index]
        pages.sort(key=lambda p: index[p["job_id"]])
        if pages:
            info["title"], count = pages[-1]["title"], pages[-1]["count"]
        if root_now is None and any(p["job_id"] == current for p in pages):
            root_status = "ok"

    followups, new, updated, removed, failed = [], [], [], [], []
    for url, first in reached.items():
        rec = last_record(url)
        history = [sightings.get((j, url)) for j in jobs]
        verdict = classify(history, first_seen_index=first)
        now = history[-1]
        title = rec.title if rec else listed.get(url)
        entry = {
            "url": url,
            "title": title,
            "published": rec.published if rec else None,
            "lag_hours": None,
            "first_seen_job": jobs[first],
            "last_seen_job": next((j for j in reversed(jobs) if (j, url) in records), None),
            "status": verdict.status,
            "http_status": now.status if now else None,
        }
        followups.append(entry)
        if verdict.new:
            new.append({"url": url, "title": title, "published": entry["published"]})
        if verdict.updated:
            updated.append(
                {
                    "url": url,
                    "title": title,
                    "modified_before": verdict.modified_before,
                    "modified_after": verdict.modified_after,
                    "diff": verdict.changes,
                }
            )
        if verdict.removed:
            removed.append({"url": url, "title": title, "status": now.status if now else None})
        if verdict.failed:
            failed.append({"url": url, "title": title, "status": now.status if now else None, "reason": now.reason if now else None})

    if kind == "story" and info["published"] is None:
        # A story page has no date of its own: it starts with its earliest article.
        dates = sorted((_parse(f["published"]), f["published"]) for f in followups if _parse(f["published"]))
        info["published"] = dates[0][1] if dates else None
    root_time = _parse(info["published"])
    for f in followups:
        t = _parse(f["published"])
        if t is not None and root_time is not None:
            f["lag_hours"] = round((t - root_time).total_seconds() / 3600, 2)
    followups.sort(key=lambda f: (_parse(f["published"]) is None, _sort_time(f["published"]), f["url"]))
    for lst in (new, updated, removed, failed):
        lst.sort(key=lambda e: e["url"])
    return {
        "url": root,
        "kind": kind,
        "title": info["title"],
        "published": info["published"],
        "status": root_status,
        "count": count,
        "current_job": current,
        "previous_job": jobs[-2] if len(jobs) > 1 else None,
        "runs": jobs,
        "followups": followups,
        "timeline": timeline(followups),
        "new": new,
        "updated": updated,
        "removed": removed,
        "failed": failed,
    }


def timeline(followups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Follow-ups per publication day (the day in the page's own time zone), days without any omitted."""
    days: dict[str, int] = {}
    for f in followups:
        t = _parse(f["published"])
        if t is not None:
            days[t.date().isoformat()] = days.get(t.date().isoformat(), 0) + 1
    return [{"day": d, "count": n} for d, n in sorted(days.items())]


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _sort_time(value: str | None) -> float:
    t = _parse(value)
    return t.timestamp() if t else 0.0
