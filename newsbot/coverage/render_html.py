"""The HTML coverage report: one self-contained right-to-left Arabic page (inline CSS and SVG, no external resources).

Markers the tests (and readers) rely on: each root is ``section.root``; the timeline is
``svg.timeline`` with one ``rect.bar`` per day that has follow-ups (``data-day``,
``data-count``); the lists are ``ul.changes.new|updated|removed|failed`` whose items carry
the same class and a visible label (``span.label``).
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

LABELS = {
    "new": "جديد",
    "updated": "معدَّل",
    "removed": "محذوف",
    "failed": "تعذّر الجلب",
}
HEADINGS = {
    "new": "متابعات جديدة منذ الجولة السابقة",
    "updated": "متابعات عُدِّلت",
    "removed": "متابعات حُذفت (404/410)",
    "failed": "روابط تعذّر جلبها",
}
STATUS_AR = {"ok": "متاح", "gone": "محذوف", "failed": "تعذّر الجلب", "unseen": "لم يُجلب"}
PART_AR = {"title": "العنوان", "lead": "المقدمة", "subheading": "عنوان فرعي", "paragraph": "فقرة"}

CSS = """
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Noto Sans",Tahoma,sans-serif;margin:1.5rem;line-height:1.6;color:#222}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-bottom:.2rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}
section.root{border-top:2px solid #ccc;padding-top:.8rem;margin-top:1.5rem}
.meta{color:#555;font-size:.9rem}
time,.job,.num{direction:ltr;unicode-bidi:isolate}
.url{direction:ltr;unicode-bidi:isolate;text-align:end;font-size:.8rem;color:#666;word-break:break-all}
.label{display:inline-block;font-size:.8rem;padding:0 .45rem;border-radius:.3rem;margin-inline-end:.4rem;color:#fff}
.label.new{background:#2b7a2b}.label.updated{background:#b36b00}.label.removed{background:#b02a2a}.label.failed{background:#555}
ul.changes{list-style:none;padding:0}ul.changes li{margin:.35rem 0}
.diff{font-size:.9rem;background:#f7f7f7;padding:.2rem .5rem;margin:.2rem 0}
del{background:#fbd5d5;text-decoration:line-through}ins{background:#d5f5d5;text-decoration:none}
table.followups{border-collapse:collapse;font-size:.9rem}table.followups td,table.followups th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:start}
tr.gone td{color:#b02a2a}tr.failed td{color:#777}
.empty{color:#777}
svg.timeline{max-width:100%;height:auto;background:#fafafa}
svg.timeline .bar{fill:#3a6ea5}svg.timeline text{font-size:11px;fill:#333}
"""

SVG_W, SVG_H, PAD = 760, 200, 36


def _a(url: str, text: str | None) -> str:
    href = escape(url, quote=True) if url.startswith(("http://", "https://")) else "#"
    return f'<a href="{href}">{escape(text or url)}</a>'


def timeline_svg(timeline: list[dict[str, Any]]) -> str:
    """Bars of follow-ups per day, placed on a time axis (oldest at the left)."""
    head = (
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SVG_W} {SVG_H}" width="{SVG_W}" '
        f'height="{SVG_H}" direction="ltr" role="img" aria-label="عدد المتابعات في كل يوم">'
    )
    if not timeline:
        return head + f'<text x="{SVG_W // 2}" y="{SVG_H // 2}" text-anchor="middle">لا تواريخ نشر</text></svg>'
    days = [date.fromisoformat(t["day"]) for t in timeline]
    span = max((days[-1] - days[0]).days, 1)
    top = max(t["count"] for t in timeline)
    plot_w, plot_h = SVG_W - 2 * PAD, SVG_H - 2 * PAD
    # Bars sit on a time axis; they get narrower when days with follow-ups are close, never overlap.
    px_per_day = (plot_w - 24.0) / span
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    bar_w = max(2.0, min(24.0, 0.8 * px_per_day * min(gaps))) if gaps else 24.0
    parts = [head, f'<line x1="{PAD}" y1="{SVG_H - PAD}" x2="{SVG_W - PAD}" y2="{SVG_H - PAD}" stroke="#999"/>']
    for day, t in zip(days, timeline):
        frac = (day - days[0]).days / span if len(days) > 1 else 0.5
        x = PAD + frac * (plot_w - bar_w)
        h = max(2.0, plot_h * t["count"] / top)
        y = SVG_H - PAD - h
        parts.append(
            f'<rect class="bar" data-day="{t["day"]}" data-count="{t["count"]}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}"><title>{t["day"]}: {t["count"]}</title></rect>'
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{t["count"]}</text>'
        )
    parts.append(f'<text x="{PAD}" y="{SVG_H - PAD + 16}" text-anchor="start">{timeline[0]["day"]}</text>')
    if len(days) > 1:
        parts.append(f'<text x="{SVG_W - PAD}" y="{SVG_H - PAD + 16}" text-anchor="end">{timeline[-1]["day"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _change_item(kind: str, e: dict[str, Any]) -> str:
    out = [f'<li class="change {kind}"><span class="label {kind}">{LABELS[kind]}</span>{_a(e["url"], e.get("title"))}']
    if kind in ("removed", "failed"):
        out.append(f' <span class="status">({escape(str(e.get("reason") or "HTTP " + str(e.get("status"))))})</span>')
    if kind == "updated":
        if e.get("modified_before") != e.get("modified_after"):
            out.append(
                f'<div class="modified meta">آخر تعديل: <time>{escape(str(e.get("modified_before")))}</time> ← '
                f'<time>{escape(str(e.get("modified_after")))}</time></div>'
            )
        for change in e["diff"]:
            words = []
            for op, text in change["ops"]:
                tag = {"delete": "del", "insert": "ins"}.get(op)
                words.append(f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text))
            out.append(f'<div class="diff"><span class="part">{PART_AR.get(change["part"], change["part"])} {change["index"] + 1}:</span> {" ".join(words)}</div>')
    out.append("</li>")
    return "".join(out)


def _root(root: dict[str, Any]) -> str:
    kind_ar = "صفحة قصة" if root["kind"] == "story" else "مقال"
    out = [
        f'<section class="root" data-url="{escape(root["url"], quote=True)}" data-kind="{root["kind"]}">',
        f"<h2>{_a(root['url'], root.get('title'))}</h2>",
        f'<div class="url">{escape(root["url"])}</div>',
        f'<p class="meta">{kind_ar} · النشر: <time>{escape(root.get("published") or "؟")}</time> · الحالة: {STATUS_AR.get(root["status"], root["status"])}'
        f' · عدد الجولات: {len(root["runs"])} · الجولة الحالية: <span class="job">{escape(root["current_job"])}</span></p>',
        "<h3>المتابعات في كل يوم</h3>",
        f'<figure class="chart">{timeline_svg(root["timeline"])}</figure>',
    ]
    for kind in ("new", "updated", "removed", "failed"):
        entries = root[kind]
        out.append(f'<h3>{HEADINGS[kind]} ({len(entries)})</h3>')
        if entries:
            out.append(f'<ul class="changes {kind}">' + "".join(_change_item(kind, e) for e in entries) + "</ul>")
        else:
            out.append(f'<ul class="changes {kind}"></ul><p class="empty">لا شيء</p>')
    out.append(f"<h3>كل المتابعات ({len(root['followups'])})</h3>")
    out.append(
        '<table class="followups"><thead><tr><th>العنوان</th><th>النشر</th><th>بعد الأصل (ساعات)</th>'
        "<th>أول ظهور</th><th>الحالة</th></tr></thead><tbody>"
    )
    for f in root["followups"]:
        lag = "" if f["lag_hours"] is None else f"{f['lag_hours']:.1f}"
        out.append(
            f'<tr class="{f["status"]}"><td>{_a(f["url"], f.get("title"))}</td><td><time>{escape(f.get("published") or "")}</time></td>'
            f'<td class="num">{lag}</td><td class="job">{escape(f["first_seen_job"])}</td><td>{STATUS_AR.get(f["status"], f["status"])}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)


def render_html(report: dict[str, Any]) -> str:
    runs = report["runs"]
    done = sum(1 for r in runs if r["complete"])
    body = "\n".join(_root(r) for r in report["roots"]) or '<p class="empty">لا جذور متابَعة بعد</p>'
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>تقرير تغطية المتابعات</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<h1>تقرير تغطية المتابعات</h1>\n"
        f'<p class="meta">أُنشئ في <time>{escape(report["generated"])}</time> · الجولات: {len(runs)} (المكتملة: {done})</p>\n'
        f"{body}\n</body>\n</html>\n"
    )
