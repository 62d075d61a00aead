"""``newsbot coverage ARCHIVE_DIR [--root URL] [--json FILE] [--html FILE]``: report follow-up coverage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.coverage.render_html import render_html
from newsbot.coverage.render_text import render_text
from newsbot.coverage.report import ReportError, build_report
from newsbot.coverage.store import CoverageStore, StoreError
from newsbot.urls import canonical_url, is_site_url

if TYPE_CHECKING:
    import argparse

DB_NAME = "newsbot.sqlite"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "coverage",
        help="report new, updated, removed and failed follow-ups of tracked roots",
        description="Report, for each tracked root (start article or story page), its follow-ups and what is "
        "new, updated, removed or failed since the previous run. Without --json/--html, prints a summary.",
    )
    p.add_argument("archive_dir", metavar="ARCHIVE_DIR", help="the crawl's ARCHIVE_DIR (holds newsbot.sqlite)")
    p.add_argument("--root", metavar="URL", help="only this root (an article or story page URL)")
    p.add_argument("--json", metavar="FILE", help="write the report as JSON ('-' for stdout)")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--db", metavar="FILE", help=f"the SQLite file if not ARCHIVE_DIR/{DB_NAME} (NEWSBOT_COVERAGE_DB)")
    p.set_defaults(func=run)


def _error(message: str) -> int:
    print(f"newsbot coverage: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    archive = Path(args.archive_dir)
    if args.db is None and not archive.is_dir():
        return _error(f"ARCHIVE_DIR: no such directory: {archive}")
    db = Path(args.db) if args.db else archive / DB_NAME
    root = canonical_url(args.root) if args.root and is_site_url(args.root) else args.root
    try:
        with CoverageStore(db, create=False) as store:
            report = build_report(store, root)
    except (StoreError, ReportError) as exc:
        return _error(str(exc))
    if args.json:
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
    if args.html:
        Path(args.html).write_text(render_html(report), encoding="utf-8")
    if not args.json and not args.html:
        sys.stdout.write(render_text(report))
    return 0
