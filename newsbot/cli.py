"""The ``newsbot`` console command (also ``python -m newsbot``): one subcommand per module.

Each module in :data:`SUBCOMMANDS` defines ``register(subparsers)``, which adds its parser
and sets ``func`` (called with the parsed arguments; returns the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS: list[str] = [
    "newsbot.coverage.cli",
    "newsbot.commands.verify",
    "newsbot.commands.wacz",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="newsbot: RT Arabic crawler and archive tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
