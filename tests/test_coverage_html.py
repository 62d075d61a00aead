"""The HTML report: self-contained, right-to-left Arabic, a timeline bar per day, marked lists.

Checked twice: statically (lxml) and in real headless Chromium (Debian's package; installed by
tests/setup_browser.sh when missing). Chromium loads a copy of the report with a probe script
appended that writes what the browser computed (direction, bar geometry, lists, loaded resources)
into the DOM, read back with ``--dump-dom``; a screenshot of the unmodified report is taken too.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import lxml.html
import pytest

from newsbot.coverage.render_html import render_html
from newsbot.coverage.report import build_report
from tests.coverage_data import B, C, E, TITLES, build_history, cut_after

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--hide-scrollbars", "--window-size=1000,1600",
]
EXPECTED_DAYS = [("2015-12-03", 1), ("2015-12-05", 2), ("2016-01-10", 1), ("2016-04-20", 1)]

PROBE = """<script>
const q = s => Array.from(document.querySelectorAll(s));
const textBox = el => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };
const h1 = textBox(document.querySelector('h1'));
const item = li => ({href: li.querySelector('a').getAttribute('href'), label: li.querySelector('.label').innerText,
  labelShown: getComputedStyle(li.querySelector('.label')).display !== 'none' && li.querySelector('.label').getBoundingClientRect().width > 0,
  dels: Array.from(li.querySelectorAll('del')).map(e => e.innerText),
  inss: Array.from(li.querySelectorAll('ins')).map(e => e.innerText)});
const out = {
  dir: getComputedStyle(document.documentElement).direction,
  bodyDir: getComputedStyle(document.body).direction,
  lang: document.documentElement.lang,
  width: window.innerWidth, h1Left: h1.left, h1Right: h1.right,
  bars: q('section.root svg.timeline rect.bar').map(r => { const b = r.getBoundingClientRect();
    return {day: r.dataset.day, count: +r.dataset.count, left: b.left, width: b.width, height: b.height}; }),
  new: q('ul.changes.new > li.change.new').map(item),
  updated: q('ul.changes.updated > li.change.updated').map(item),
  removed: q('ul.changes.removed > li.change.removed').map(item),
  failed: q('ul.changes.failed > li.change.failed').map(item),
  resources: performance.getEntriesByType('resource').map(e => e.name),
};
const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = cut_after(build_history(tmp_path_factory.mktemp("cov") / "newsbot.sqlite"), "run2")
    return render_html(build_report(store, generated="2026-01-05T07:00:00+00:00"))


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    setup = subprocess.run(["bash", str(REPO / "tests" / "setup_browser.sh")], capture_output=True, text=True, timeout=900)
    exe = shutil.which("chromium")
    if not exe:
        pytest.skip(f"Chromium cannot be installed here (tests/setup_browser.sh exit {setup.returncode}: {setup.stderr[-300:]})")
    return exe


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, cwd=tmp_path)


# --- static checks ---------------------------------------------------------------------------


def test_page_is_rtl_arabic_and_self_contained(report_html):
    doc = lxml.html.document_fromstring(report_html)
    assert (doc.get("lang"), doc.get("dir")) == ("ar", "rtl")
    assert doc.xpath("//meta[@charset]")[0].get("charset") == "utf-8"
    # no external resources: nothing is loaded, links are only for the reader to click
    assert doc.xpath("//script | //link | //img | //iframe | //object | //embed | //*[@src]") == []
    style = " ".join(doc.xpath("//style/text()"))
    assert "url(" not in style and "@import" not in style
    assert TITLES[E] in doc.text_content()


def test_timeline_has_one_bar_per_day_with_followups(report_html):
    doc = lxml.html.document_fromstring(report_html)
    bars = doc.xpath("//section[contains(@class,'root')]//svg[contains(@class,'timeline')]//rect[@class='bar']")
    assert [(b.get("data-day"), int(b.get("data-count"))) for b in bars] == EXPECTED_DAYS
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 2 * heights[0]  # two follow-ups that day: twice as tall


def test_lists_are_marked_with_classes_and_labels(report_html):
    doc = lxml.html.document_fromstring(report_html)
    for kind, urls, label in (("new", [E], "جديد"), ("updated", [C], "معدَّل"), ("removed", [B], "محذوف")):
        items = doc.xpath(f"//ul[contains(@class,'changes') and contains(@class,'{kind}')]/li")
        assert [li.xpath(".//a")[0].get("href") for li in items] == urls
        assert all(kind in li.get("class").split() for li in items)
        assert [li.xpath(".//span[contains(@class,'label')]")[0].text_content() for li in items] == [label]
    (upd,) = doc.xpath("//ul[contains(@class,'updated')]/li")
    assert [d.text_content() for d in upd.xpath(".//del")] == ["٤٢"]
    assert [i.text_content() for i in upd.xpath(".//ins")] == ["٤٣"]


def test_text_is_escaped():
    report = {
        "generated": "now", "runs": [],
        "roots": [{
            "url": "javascript:alert(1)", "kind": "article", "title": "<script>alert(1)</script>", "published": None,
            "status": "ok", "count": None, "current_job": "j", "previous_job": None, "runs": ["j"], "followups": [],
            "timeline": [], "new": [], "updated": [], "removed": [], "failed": [],
        }],
    }
    html = render_html(report)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_chromium_renders_the_report_rtl(report_html, tmp_path):
    probe_page = tmp_path / "probe.html"
    probe_page.write_text(report_html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    result = run_chromium(tmp_path, "--dump-dom", probe_page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    probe = lxml.html.document_fromstring(result.stdout).xpath("//pre[@id='probe']")
    assert probe, f"probe did not run: {result.stderr[-1000:]}"
    got = json.loads(probe[0].text_content())
    assert (got["lang"], got["dir"], got["bodyDir"]) == ("ar", "rtl", "rtl")
    # the Arabic heading is laid out from the right edge
    assert got["width"] - got["h1Right"] < got["h1Left"]
    assert got["resources"] == []
    bars = got["bars"]
    assert [(b["day"], b["count"]) for b in bars] == EXPECTED_DAYS
    assert all(b["width"] > 0 and b["height"] > 0 for b in bars)
    assert [b["left"] for b in bars] == sorted(b["left"] for b in bars)  # oldest at the left, time runs on
    assert all(a["left"] + a["width"] <= b["left"] for a, b in zip(bars, bars[1:]))  # no overlap
    assert bars[1]["height"] == pytest.approx(2 * bars[0]["height"], rel=0.02)
    assert [(i["href"], i["label"], i["labelShown"]) for i in got["new"]] == [(E, "جديد", True)]
    assert [(i["href"], i["label"], i["dels"], i["inss"]) for i in got["updated"]] == [(C, "معدَّل", ["٤٢"], ["٤٣"])]
    assert [(i["href"], i["label"]) for i in got["removed"]] == [(B, "محذوف")]
    assert got["failed"] == []


@pytest.mark.browser
def test_chromium_screenshot(report_html, tmp_path):
    page = tmp_path / "coverage.html"
    page.write_text(report_html, encoding="utf-8")
    shot = tmp_path / "coverage.png"
    result = run_chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1000, 1600)
    assert len(data) > 20_000  # a rendered page, not a blank one
