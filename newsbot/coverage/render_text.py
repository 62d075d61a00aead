"""The terminal summary of a coverage report (plain text; Arabic titles are printed as they are)."""

from __future__ import annotations

from typing import Any

STATUS_MARK = {"ok": " ", "gone": "x", "failed": "!", "unseen": "?"}


def _title(entry: dict[str, Any]) -> str:
    return entry.get("title") or "(no title)"


def _lag(value: float | None) -> str:
    return f"{value:+.1f} h" if value is not None else "   ?   "


def render_text(report: dict[str, Any]) -> str:
    runs = report["runs"]
    unfinished = sum(1 for r in runs if not r["complete"])
    lines = [f"{len(report['roots'])} root(s), {len(runs)} run(s)" + (f", {unfinished} unfinished (ignored)" if unfinished else "")]
    for root in report["roots"]:
        lines += ["", f"== {root['kind']} root: {_title(root)}", f"   {root['url']}"]
        lines.append(
            f"   published {root['published'] or '?'} · status {root['status']} · runs {len(root['runs'])}"
            f" · current {root['current_job']}" + (f" · previous {root['previous_job']}" if root["previous_job"] else " · first run")
        )
        if root.get("count") is not None:
            lines.append(f"   story lists {root['count']} article(s)")
        lines.append(f"   follow-ups ({len(root['followups'])}):")
        for f in root["followups"]:
            day = (f["published"] or "?")[:10]
            lines.append(f"   {STATUS_MARK.get(f['status'], ' ')} {day:10} {_lag(f['lag_hours']):>10}  {_title(f)}  [{f['status']}]")
            lines.append(f"       {f['url']}")
        for key, label in (("new", "new"), ("updated", "updated"), ("removed", "removed"), ("failed", "failed")):
            entries = root[key]
            lines.append(f"   {label} ({len(entries)})" + (":" if entries else ""))
            for e in entries:
                extra = ""
                if key in ("removed", "failed"):
                    extra = f"  ({e.get('reason') or 'HTTP ' + str(e.get('status'))})"
                lines.append(f"     - {_title(e)}{extra}")
                lines.append(f"       {e['url']}")
                if key == "updated":
                    if e.get("modified_before") != e.get("modified_after"):
                        lines.append(f"       modified {e.get('modified_before')} -> {e.get('modified_after')}")
                    for change in e["diff"]:
                        lines.append(f"       {change['part']} {change['index'] + 1}: {change['text']}")
    return "\n".join(lines) + "\n"
