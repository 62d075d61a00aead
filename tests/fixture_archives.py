"""Build ``archive/fixtures/``: the stored fixture archives that tests/test_fixture_archives.py replays.

Refresh them all (from the repo root; about 15 s, loopback only), or only the ones named::

    python -m tests.fixture_archives
    python -m tests.fixture_archives replica-t1 page-kinds-2

Each fixture is real ``scrapy crawl rt_ar`` runs through tests/server.py acting as HTTPS proxy for
arabic.rt.com, so the WARC records carry the real ``https://arabic.rt.com/...`` URLs:

- ``replica-t1``: the seed at depth 1, then the RSS feed, from snapshot tests/site/t1;
  ``replica-t2``: the seed at depth 1 from tests/site/t2.
- ``page-kinds-1``, ``page-kinds-2``: the page fixtures tests/fixtures/pages/<kind>/<case>/page.html,
  each served as its meta.json URL (its own bytes and charset, 404/410/301 with their status) and
  crawled at depth 0 from a urls file. Pages sharing a URL or an article id go to different crawls.

A fixture folder holds ``crawl.json`` (how each crawl ran and what its replay must give), the urls
files, one WARC file per crawl (named after a fixed job id) and ``expected/<run>/*.json``. An expected
item is the live item without the fields a replay may change; it is written only when every field
named by its hand-written references (the snapshot's gold JSON, or the page fixture's expected.json)
matches, and the crawl gave no item nobody expects -- otherwise nothing in archive/fixtures/ changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newsbot.urls import canonical_url
from tests import server as test_server
from tests.crawl_helpers import REPO_ROOT, SITE_DIR, diff_item, load_gold, norm_url, read_items, run_crawl

FIXTURES_DIR = REPO_ROOT / "archive" / "fixtures"
PAGES_DIR = REPO_ROOT / "tests" / "fixtures" / "pages"
SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"

#: Item fields a replay may change (issue 4): never stored in expected items, never compared.
ALLOWED_TO_DIFFER = ("fetched_at", "parent")
ALLOWED_PREFIXES = ("warc_", "job", "replay", "capture")
#: Keys of the snapshot's gold files that are not item fields (as in tests/test_extract_pages.py).
GOLD_ONLY_KEYS = frozenset({"url_percent", "encoding", "related_unavailable"})
#: Page fixtures served with another status than 200 (the 301 goes to the URL its body links).
STATUS = {"not_article/404": 404, "not_article/410": 410, "not_article/plain_404": 404,
          "not_article/redirect_301_body": 301}
LAST_MODIFIED = "Tue, 20 Jan 2026 06:00:00 GMT"
#: Live-crawl settings: no politeness delays, no coverage store (its refetch would add requests),
#: no retry backoff (the empty-body page is retried at once instead of over a minute).
BUILD_SETTINGS = {"NEWSBOT_COVERAGE_ENABLED": 0, "NEWSBOT_RETRY_BACKOFF_ENABLED": 0}


@dataclass(frozen=True)
class Run:
    """One live crawl into a fixture; its replay runs with the same spider arguments and must give the same items."""

    name: str  # names the job (fixture-<fixture>-<name>), its WARC file, urls file and expected/<name>/
    args: dict[str, str] = field(default_factory=dict)  # spider arguments; none at all: start from the RSS feed
    start: tuple[str, ...] = ()  # page cases whose URLs make the run's urls file (crawled at depth 0)


@dataclass(frozen=True)
class Fixture:
    name: str
    runs: tuple[Run, ...]
    snapshot: str | None = None  # tests/site/<snapshot>; None: the page cases below, each served as its URL
    cases: tuple[str, ...] = ()

    def job(self, run: Run) -> str:
        return f"fixture-{self.name}-{run.name}"


#: Page cases whose page is byte for byte a page of snapshot t1, stored by the replica-t1 crawls
#: (the seed's story pages and follow-ups, the feed and the articles it lists).
IN_REPLICA_T1 = ("feed/rss", "story/4521-p1", "story/4521-p2",
                 *(f"replica/{i}" for i in (801234, 801561, 802317, 806104, 812450, 818932, 822107,
                                            1771377, 1771412, 1771598)))
#: Section listings: rt_ar never requests them (its start URLs must be article or story pages, and it
#: follows only related links, story members and the feed), so no crawl of it can store them.
NOT_CRAWLABLE = ("not_article/listing_home", "not_article/listing_section")
PAGES_1 = (
    "ads/inline_slots", "author/byline_and_jsonld", "author/visible_byline_only", "embeds/tweet_youtube_instagram",
    "jsonld/malformed_with_og", "legacy/telecast_http_charset_br_text", "legacy/telecast_meta_charset",
    "live/entries", "no_cover/text_only", "not_article/404", "not_article/410", "not_article/empty_body",
    "structure/h2_lists_bold", "template_changed/empty_article_text", "template_changed/no_article_text",
    "video_cover/iframe", "video_cover/no_text", "video_cover/video_element",
)  # fmt: skip
# Same URL or article id as a page of PAGES_1 or the replica (or as each other): crawled apart.
PAGES_2A = ("dates/arabic_words_only", "jsonld/malformed_no_meta", "urls/percent_encoded_no_canonical",
            "legacy/unknown_markup_br_fallback", "legacy/unknown_markup_fallback", "not_article/plain_404")
PAGES_2B = ("urls/short_form_request", "not_article/redirect_301_body")

FIXTURES = (
    # the seed at depth 1, then (same archive dir: unchanged pages become revisits) the RSS feed at depth 0
    Fixture("replica-t1", snapshot="t1", runs=(Run("seed", {"url": SEED, "depth": "1"}), Run("feed"))),
    Fixture("replica-t2", snapshot="t2", runs=(Run("seed", {"url": SEED, "depth": "1"}),)),
    Fixture("page-kinds-1", cases=PAGES_1, runs=(Run("urls", start=PAGES_1),)),
    Fixture("page-kinds-2", cases=(*PAGES_2A, *PAGES_2B), runs=(Run("urls-a", start=PAGES_2A),
                                                                 Run("urls-b", start=PAGES_2B))),
)  # fmt: skip


class FixtureError(Exception):
    """A fixture crawl failed or disagrees with a hand-written reference; the message lists why."""


# --- comparing items ----------------------------------------------------------------------------


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    """The item without the fields a replay may change."""
    return {k: v for k, v in item.items() if k not in ALLOWED_TO_DIFFER and not k.startswith(ALLOWED_PREFIXES)}


def normalized(value: Any) -> Any:
    """Whitespace-normalized copy (NBSP as a space, runs collapsed, ends trimmed); nothing else changes."""
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value.replace("\u00a0", " ")).strip()
    if isinstance(value, list):
        return [normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    return value


def item_differences(item: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Fields in which a replayed item differs from its expected JSON, one line each."""
    got, want = normalized(comparable(item)), normalized(comparable(expected))
    return [f"{name}: got {got.get(name)!r}, want {want.get(name)!r}"
            for name in sorted(set(got) | set(want)) if got.get(name) != want.get(name)]


def reference_differences(item: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Fields named by a hand-written reference in which the item differs (as tests/test_extract_pages.py
    compares: whitespace-normalized, list-of-dict fields on the keys the reference names); for the
    snapshot's gold also :func:`tests.crawl_helpers.diff_item`."""
    out = []
    for name, want in reference.items():
        if name in GOLD_ONLY_KEYS:
            continue
        got = item.get(name)
        if isinstance(want, list) and want and isinstance(want[0], dict) and isinstance(got, list):
            keys = list(want[0])
            got = [{k: entry.get(k) for k in keys} for entry in got]
        if normalized(got) != normalized(want):
            out.append(f"{name}: got {got!r}, want {want!r}")
    if "url_percent" in reference:  # a gold file of the site snapshot
        out += diff_item(item, reference)
    return out


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dump_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def rel(path: Path) -> str:
    return path.resolve().relative_to(REPO_ROOT).as_posix()


# --- serving the page fixtures ------------------------------------------------------------------


def case_meta(case: str) -> dict[str, Any]:
    return load_json(PAGES_DIR / case / "meta.json")


def page_file(case: str) -> Path:
    """The page as served: page.html, or page.xml for the feed."""
    return next(p for p in (PAGES_DIR / case / "page.html", PAGES_DIR / case / "page.xml") if p.exists())


def content_type(case: str) -> str:
    meta, body = case_meta(case), page_file(case).read_bytes()
    if meta.get("extract") == "feed":
        return "application/rss+xml; charset=utf-8"
    if meta.get("encoding"):
        return f"text/html; charset={meta['encoding']}"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "text/html"  # legacy pages: only their <meta> names the charset
    return "text/html; charset=utf-8"


def route_path(url: str) -> str:
    """The server's route key: decoded path, plus the only query the site knows (``page``)."""
    parts = urlsplit(url)
    page = dict(parse_qsl(parts.query)).get("page")
    return unquote(parts.path) + (f"?page={page}" if page else "")


def page_snapshot(cases: tuple[str, ...], directory: Path) -> Path:
    """A snapshot folder in tests/server.py's format (manifest.json + pages/) serving each case at its URL."""
    pages = directory / "pages"
    pages.mkdir(parents=True)
    t1 = load_json(SITE_DIR / "t1" / "manifest.json")
    shutil.copyfile(SITE_DIR / "t1" / "pages" / "robots.txt", pages / "robots.txt")
    robots = next(r for r in t1["routes"] if r["path"] == "/robots.txt")
    manifest: dict[str, Any] = {"snapshot": directory.name, "site": "https://arabic.rt.com",
                                "not_found": dict(t1["not_found"]), "gone": dict(t1["gone"]), "routes": [robots]}
    shutil.copyfile(SITE_DIR / "t1" / t1["not_found"]["file"], directory / t1["not_found"]["file"])
    shutil.copyfile(SITE_DIR / "t1" / t1["gone"]["file"], directory / t1["gone"]["file"])
    for case in cases:
        body = page_file(case).read_bytes()
        file = f"pages/{case.replace('/', '--')}{page_file(case).suffix}"
        (directory / file).write_bytes(body)
        status = STATUS.get(case, 200)
        route: dict[str, Any] = {"path": route_path(case_meta(case)["url"]), "status": status, "file": file,
                                 "content_type": content_type(case), "last_modified": LAST_MODIFIED,
                                 "etag": '"%s"' % hashlib.sha1(body).hexdigest()[:20], "chunked": False}
        if status in (404, 410):  # the server answers these with the manifest's one page of that status
            spec = "not_found" if status == 404 else "gone"
            if manifest[spec]["file"] != t1[spec]["file"]:
                raise FixtureError(f"{case}: a second {status} page in one fixture")
            manifest[spec] = {"status": status, "content_type": route["content_type"], "file": file}
        if status == 301:
            href = re.search(rb'href="([^"]+)"', body)
            if href is None:
                raise FixtureError(f"{case}: a 301 page without a link to redirect to")
            route["location"] = href.group(1).decode()
        manifest["routes"].append(route)
    dump_json(directory / "manifest.json", manifest)
    return directory


# --- building -----------------------------------------------------------------------------------


#: Page cases whose expected.json names only what the case is about, while the page is the replica's
#: article (byte for byte at its short URL; without its canonical link): the replica's gold checks the rest.
SAME_PAGE = {"urls/short_form_request": "replica/802317", "urls/percent_encoded_no_canonical": "replica/802317"}


def references_of(fixture: Fixture, run: Run) -> dict[str, tuple[str, list[Path]]]:
    """Canonical URL -> (expected file name, hand-written references) of every item the run must give."""
    if fixture.snapshot:
        gold = load_gold(fixture.snapshot)
        # from the seed: its related set; from the feed (t1's rss.xml is the feed fixture's page): the feed's list
        urls = (gold.expected_urls(SEED, depth=1) if run.args.get("url")
                else load_json(PAGES_DIR / "feed" / "rss" / "expected.json")["urls"])
        files = {norm_url(load_json(f)["url"]): f for f in (SITE_DIR / fixture.snapshot / "gold").glob("*.json")
                 if f.name not in ("index.json", "boilerplate_strings.json")}
        return {canonical_url(u): (files[norm_url(u)].name, [files[norm_url(u)]]) for u in urls}
    out: dict[str, tuple[str, list[Path]]] = {}
    for case in run.start:
        expected = load_json(PAGES_DIR / case / "expected.json")
        if "error" not in expected:  # {"error": "NotAnArticle"}: the page gives no item
            refs = [PAGES_DIR / c / "expected.json" for c in (case, SAME_PAGE.get(case)) if c]
            out[canonical_url(expected["url"])] = (f"{case.replace('/', '-')}.json", refs)
    return out


def check_run(fixture: Fixture, run: Run, items: list[dict[str, Any]], staging: Path) -> tuple[dict[str, Any], list[str]]:
    """Compare the live items with their references, write the expected items; the run's crawl.json items, problems."""
    problems: list[str] = []
    job = fixture.job(run)
    refs = references_of(fixture, run)
    by_url = {canonical_url(i["url"]): i for i in items}
    if len(by_url) != len(items):
        problems.append(f"{job}: {len(items)} items for {len(by_url)} URLs")
    for url in sorted(set(refs) - set(by_url)):
        problems.append(f"{job}: no item for {url} ({rel(refs[url][1][0])})")
    for url in sorted(set(by_url) - set(refs)):
        problems.append(f"{job}: an item no reference expects: {url}")
    (staging / "expected" / run.name).mkdir(parents=True)
    entries: dict[str, Any] = {}
    for url in sorted(set(refs) & set(by_url)):
        name, ref_files = refs[url]
        item = by_url[url]
        for ref_file in ref_files:
            problems += [f"{job}: {url}: {p} ({rel(ref_file)})" for p in reference_differences(item, load_json(ref_file))]
        # not in the references, known from the crawl's shape: every page answered 200, depth per hop
        depth = 1 if run.args.get("depth") == "1" and url != canonical_url(SEED) else 0
        if item.get("http_status") != 200 or item.get("depth") != depth:
            problems.append(f"{job}: {url}: http_status {item.get('http_status')}, depth {item.get('depth')} (want {depth})")
        dump_json(staging / "expected" / run.name / name, comparable(item))
        entries[url] = {"expected": f"expected/{run.name}/{name}", "references": [rel(f) for f in ref_files]}
    return entries, problems


def build(fixture: Fixture, out_root: Path) -> dict[str, Any]:
    """Crawl the fixture live, check it, and replace ``out_root/<name>`` with the result."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"newsbot-fixture-{fixture.name}-") as tmp_name:
        tmp = Path(tmp_name)
        staging = tmp / fixture.name
        staging.mkdir()
        snapshot = SITE_DIR / fixture.snapshot if fixture.snapshot else page_snapshot(fixture.cases, tmp / "snapshot")
        archive_dir = tmp / "archive"  # one for all runs: a later run stores unchanged pages as revisits
        crawl: dict[str, Any] = {
            "fixture": fixture.name,
            "made_by": f"python -m tests.fixture_archives {fixture.name}",
            "served": rel(snapshot) if fixture.snapshot else "tests/fixtures/pages/<cases>/page.html at its meta.json URL",
            "cases": list(fixture.cases),
            "runs": [],
        }
        problems: list[str] = []
        with test_server.start(snapshot, tmp / "server.jsonl") as server:
            for run in fixture.runs:
                job = fixture.job(run)
                args = dict(run.args)
                if run.start:
                    args.update(urls_file=f"{run.name}.txt", depth="0")
                    header = f"# start URLs of crawl {job} (python -m tests.fixture_archives {fixture.name})\n"
                    urls = "".join(case_meta(c)["url"] + "\n" for c in run.start)
                    (staging / args["urls_file"]).write_text(header + urls, encoding="utf-8")
                cli_args = {k: str(staging / v) if k == "urls_file" else v for k, v in args.items()}
                result = run_crawl(server=server, archive_dir=archive_dir,
                                   settings={**BUILD_SETTINGS, "NEWSBOT_JOB_ID": job}, **cli_args)
                job_dir = archive_dir / job
                if result.returncode != 0:
                    raise FixtureError(f"{fixture.name}: crawl {job} exited {result.returncode}:\n{result.stderr[-3000:]}")
                items, run_problems = check_run(fixture, run, read_items(job_dir), staging)
                problems += run_problems
                failures = [json.loads(line) for line in (job_dir / "failures.jsonl").read_text("utf-8").splitlines()]
                crawl["runs"].append({
                    "name": run.name, "job": job, "args": args, "items": items,
                    # pages that gave no item, as the live crawl recorded them: the replay must record the same
                    "failures": sorted([f["url"], f["stage"], f["reason"]] for f in failures),
                })
                for warc in sorted(job_dir.glob("*.warc.gz")):
                    shutil.copyfile(warc, staging / warc.name)
        if problems:
            raise FixtureError(f"{fixture.name}: the crawl disagrees with the hand-written references:\n  "
                               + "\n  ".join(problems))
        dump_json(staging / "crawl.json", crawl)
        target = out_root / fixture.name
        if target.exists():
            shutil.rmtree(target)
        out_root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, target)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return {"fixture": fixture.name, "seconds": round(time.monotonic() - started, 1), "bytes": size,
            "warc_bytes": sum(p.stat().st_size for p in target.glob("*.warc.gz"))}


def unplaced_cases() -> list[str]:
    """Page fixtures that no fixture archive stores and no list above explains (a new case must be placed)."""
    placed = {c for f in FIXTURES for c in f.cases} | set(IN_REPLICA_T1) | set(NOT_CRAWLABLE)
    return sorted(m.parent.relative_to(PAGES_DIR).as_posix() for m in PAGES_DIR.glob("*/*/meta.json")
                  if m.parent.relative_to(PAGES_DIR).as_posix() not in placed)


def main(argv: list[str] | None = None) -> int:
    names = [f.name for f in FIXTURES]
    parser = argparse.ArgumentParser(prog="python -m tests.fixture_archives", description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="*", metavar="NAME", help=f"which to rebuild (default: all of {', '.join(names)})")
    parser.add_argument("--out", type=Path, default=FIXTURES_DIR, help="where the fixture folders go (default: %(default)s)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.fixtures) - set(names))
    if unknown:
        parser.error(f"unknown fixture(s) {', '.join(unknown)}; known: {', '.join(names)}")
    if unplaced_cases():
        print(f"fixtures: error: page fixtures in no fixture archive: {', '.join(unplaced_cases())} "
              "(add them to a list in tests/fixture_archives.py)", file=sys.stderr)
        return 1
    for fixture in FIXTURES:
        if args.fixtures and fixture.name not in args.fixtures:
            continue
        try:
            report = build(fixture, args.out)
        except FixtureError as exc:
            print(f"fixtures: error: {exc}", file=sys.stderr)
            return 1
        print(f"fixtures: {report['fixture']}: {report['bytes']} bytes ({report['warc_bytes']} of WARC) "
              f"in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
