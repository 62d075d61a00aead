"""``scrapy verify PATH`` (and ``newsbot verify PATH``): check an archive -- see :mod:`newsbot.warc.verify`.

Prints one line per problem (file and byte offset), then a summary; exit status 1 when
anything is wrong, 2 when PATH holds no archive.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsbot.warc.reader import NotAnArchive
from newsbot.warc.verify import verify

if TYPE_CHECKING:
    import argparse


def run_verify(path: str) -> int:
    try:
        report = verify(path)
    except NotAnArchive as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(f"verify: error: {problem}", file=sys.stderr)
    print(f"verify: {path}: {report.summary()}")
    return 0 if report.ok else 1


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "PATH"

    def short_desc(self) -> str:
        return "Verify a WARC/WACZ file or job folder: records readable, digests right, items traceable"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one PATH (a .warc/.warc.gz/.wacz file or a folder)")
        self.exitcode = run_verify(args[0])


def register(subparsers: Any) -> None:
    """The ``newsbot verify PATH`` subcommand (see :mod:`newsbot.cli`)."""
    parser = subparsers.add_parser("verify", help=Command.short_desc(Command()))  # type: ignore[arg-type]
    parser.add_argument("path", help="a .warc/.warc.gz/.wacz file or a folder of them (e.g. a job folder)")
    parser.set_defaults(func=lambda args: run_verify(args.path))
