"""Helpers for end-to-end tests: run ``scrapy crawl rt_ar`` through the test server, and compare items with gold.

The comparison follows the replica's own checker (check_public_crawl.py): URLs compared decoded, without
``utm_*`` parameters and with a trailing slash; text compared after whitespace normalization only
(NBSP as a space, runs collapsed, ends trimmed); dates compared as instants.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from tests.server import RunningServer

REPO_ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = REPO_ROOT / "tests" / "site"
#: gold files that are not articles
GOLD_META_FILES = frozenset({"index.json", "boilerplate_strings.json"})


# --- running a crawl ---------------------------------------------------------------------------


class CrawlResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    job_dir: Path | None
    items: list[dict[str, Any]]


def crawl_env(server: RunningServer | None) -> dict[str, str]:
    """The environment of a crawl subprocess: proxies point at the test server (or nowhere)."""
    env = dict(os.environ)
    proxy = server.proxy if server is not None else ""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[name] = proxy
    env["no_proxy"] = env["NO_PROXY"] = ""
    return env


def run_crawl(
    *cli_args: str,
    server: RunningServer | None,
    archive_dir: Path,
    settings: dict[str, Any] | None = None,
    timeout: float = 180,
    **spider_args: Any,
) -> CrawlResult:
    """Run ``scrapy crawl rt_ar -a k=v ... -s ARCHIVE_DIR=archive_dir`` from the repo root.

    Politeness delays are switched off to keep tests fast; ``settings`` and ``cli_args`` add to or
    override them. ``job_dir`` is the job folder this run created (or resumed) under ``archive_dir``.
    """
    archive_dir.mkdir(parents=True, exist_ok=True)
    before = {p: p.stat().st_mtime_ns for p in archive_dir.iterdir() if p.is_dir()}
    all_settings: dict[str, Any] = {"ARCHIVE_DIR": archive_dir, "AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0,
                                    "TELNETCONSOLE_ENABLED": 0, **(settings or {})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "rt_ar"]
    for name, value in spider_args.items():
        cmd += ["-a", f"{name}={value}"]
    for name, value in all_settings.items():
        cmd += ["-s", f"{name}={value}"]
    cmd += list(cli_args)
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=crawl_env(server), capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)
    job_dir = _job_dir(archive_dir, before)
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, job_dir, read_items(job_dir))


def _job_dir(archive_dir: Path, before: dict[Path, int]) -> Path | None:
    dirs = [p for p in archive_dir.iterdir() if p.is_dir() and (p not in before or p.stat().st_mtime_ns != before[p])]
    new = [p for p in dirs if p not in before]
    candidates = new or dirs
    return max(candidates, key=lambda p: p.stat().st_mtime_ns) if candidates else None


def read_items(job_dir: Path | None) -> list[dict[str, Any]]:
    if job_dir is None or not (job_dir / "items.jsonl").exists():
        return []
    text = (job_dir / "items.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- gold ----------------------------------------------------------------------------------------


def norm_url(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    path = unquote(parts.path)
    if not path.endswith("/"):
        path += "/"
    return urlunsplit(("https", parts.netloc.lower(), path, urlencode(query), ""))


def norm_text(text: Any) -> str | None:
    if text is None:
        return None
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip() or None


def norm_deep(value: Any) -> Any:
    """``norm_text`` applied to every string inside lists and dicts (expected items vs extracted ones)."""
    if isinstance(value, str):
        return norm_text(value)
    if isinstance(value, list):
        return [norm_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: norm_deep(v) for k, v in value.items()}
    return value


def norm_time(value: Any) -> float | Any:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() if value else None
    except ValueError:
        return value


class Gold(NamedTuple):
    index: dict[str, Any]
    articles: dict[str, dict[str, Any]]  # keyed by norm_url(url)
    boilerplate: list[str]

    @property
    def seed(self) -> str:
        return self.index["seeds"][0]

    def expected_urls(self, seed: str, depth: int) -> set[str]:
        """The articles a crawl of ``seed`` must yield: itself, and at depth >= 1 its related links and
        the members of its stories (which is the whole related set of the snapshots' seed)."""
        expected = {norm_url(seed)}
        if depth > 0:
            expected |= {norm_url(r["url"]) for r in self.articles[norm_url(seed)]["related"]}
            for story in self.index["stories"]:
                if norm_url(seed) in {norm_url(m) for m in story["members"]}:
                    expected |= {norm_url(m) for m in story["members"]}
        return {u for u in expected if u is not None}


def load_gold(snapshot: str | Path) -> Gold:
    directory = Path(snapshot) if Path(snapshot).is_absolute() else SITE_DIR / snapshot
    gold_dir = directory / "gold"
    articles = {}
    for f in sorted(gold_dir.glob("*.json")):
        if f.name not in GOLD_META_FILES:
            g = json.loads(f.read_text(encoding="utf-8"))
            articles[norm_url(g["url"])] = g
    index = json.loads((gold_dir / "index.json").read_text(encoding="utf-8"))
    boilerplate = json.loads((gold_dir / "boilerplate_strings.json").read_text(encoding="utf-8"))["boilerplate_strings"]
    return Gold(index, articles, boilerplate)


def diff_item(item: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """Differences between a crawled item and its gold JSON, one line each (empty when equal)."""
    out: list[str] = []

    def eq(name: str, got: Any, want: Any) -> None:
        if got != want:
            out.append(f"{name}: got {got!r}, want {want!r}")

    eq("url", norm_url(item.get("url")), norm_url(gold["url"]))
    eq("article_id", str(item.get("article_id")), str(gold["article_id"]))
    eq("section", item.get("section"), gold["section"])
    for name in ("title", "lead", "source", "author"):
        eq(name, norm_text(item.get(name)), norm_text(gold.get(name)))
    for name in ("body_paragraphs", "subheadings", "tags"):
        eq(name, [norm_text(x) for x in item.get(name) or []], [norm_text(x) for x in gold[name]])
    eq("images.src", [i.get("src") for i in item.get("images") or []], [i["src"] for i in gold["images"]])
    eq("images.caption", [norm_text(i.get("caption")) for i in item.get("images") or []],
       [norm_text(i.get("caption")) for i in gold["images"]])
    eq("videos.src", [v.get("src") for v in item.get("videos") or []], [v["src"] for v in gold.get("videos", [])])
    eq("published", norm_time(item.get("published")), norm_time(gold["published"]))
    eq("modified", norm_time(item.get("modified")), norm_time(gold["modified"]))
    eq("story", norm_url(item.get("story")), norm_url(gold.get("story")))
    eq("related", [(norm_url(r.get("url")), norm_text(r.get("title"))) for r in item.get("related") or []],
       [(norm_url(r["url"]), norm_text(r["title"])) for r in gold["related"]])
    return out


def boilerplate_in_body(item: dict[str, Any], strings: list[str]) -> list[str]:
    """The boilerplate strings (header, sidebar, footer, comments...) found in the item's body."""
    body = " ".join(norm_text(p) or "" for p in item.get("body_paragraphs") or [])
    return [s for s in strings if (norm_text(s) or "") in body]


_ARTICLE_PATH = re.compile(r"^/(?!story/)[a-z_]+/(?:telecast/)?\d+-[^/]+/$")


def fetched_article_urls(server: RunningServer, since: int = 0) -> set[str]:
    """Canonical URLs of the article pages (slug form) the server was asked for, since log line ``since``."""
    return {
        norm_url(f"https://arabic.rt.com{r['path']}") or ""
        for r in server.requests(since)
        if r["method"] == "GET" and r["host"] == "arabic.rt.com" and _ARTICLE_PATH.match(r["path"])
    }
