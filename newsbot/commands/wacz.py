"""``scrapy wacz JOBDIR`` (and ``newsbot wacz JOBDIR``): package an existing job folder as a WACZ.

Writes ``JOBDIR/<job id>.wacz`` (or ``-o FILE``) from the folder's WARC files, writing
``index.cdxj`` first when the crawl did not. Prints the path; exit status 2 when JOBDIR is
not a job folder with WARC files, 1 when packaging fails.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


if TYPE_CHECKING:
    import argparse


def run_wacz(job_dir: str, output: str | None = None) -> int:
    # here, not at the top: Scrapy imports every command when its CLI starts, and py-wacz brings
    # frictionless, aiohttp and pydantic (~0.3 s on every `scrapy crawl`)
    from newsbot.warc.wacz import WaczError, package_job

    path = Path(job_dir)
    if not path.is_dir() or not any(p.name.endswith((".warc.gz", ".warc")) for p in path.iterdir()):
        print(f"wacz: error: not a job folder with WARC files: {job_dir}", file=sys.stderr)
        return 2
    try:
        written = package_job(path, Path(output) if output else None)
    except WaczError as exc:
        print(f"wacz: error: {exc}", file=sys.stderr)
        return 1
    print(written)
    return 0


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "JOBDIR"

    def short_desc(self) -> str:
        return "Package a crawl's job folder (its WARC files) as a WACZ for pywb / ReplayWeb.page"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", help="WACZ file to write (default: JOBDIR/<job id>.wacz)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one JOBDIR (a folder ARCHIVE_DIR/<job id>)")
        self.exitcode = run_wacz(args[0], opts.output)


def register(subparsers: Any) -> None:
    """The ``newsbot wacz JOBDIR`` subcommand (see :mod:`newsbot.cli`)."""
    parser = subparsers.add_parser("wacz", help=Command.short_desc(Command()))  # type: ignore[arg-type]
    parser.add_argument("job_dir", metavar="JOBDIR", help="a job folder: ARCHIVE_DIR/<job id>")
    parser.add_argument("-o", "--output", help="WACZ file to write (default: JOBDIR/<job id>.wacz)")
    parser.set_defaults(func=lambda args: run_wacz(args.job_dir, args.output))
