"""Validation of the rt_ar spider's arguments, run before anything is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.urls import canonical_url, is_article_url, is_story_url

if TYPE_CHECKING:
    from collections.abc import Iterator


class SpiderArgumentError(ValueError):
    """A spider argument is wrong; the message names the argument and the value."""


class StartUrls:
    """The start URLs of ``url`` (comma-separated) and ``urls_file`` (one per line), checked up front.

    Iterating gives the canonical URLs without repeats, as a list would; but a regular file is read
    again on each pass instead of being held, so a crawl of 20,000 start URLs does not keep ~5 MB of
    them for its whole run (:meth:`each` gives them in one pass, repeats included, holding nothing).
    A file that cannot be read twice (a pipe) is read once and kept.
    """

    def __init__(self, url: str | None, urls_file: str | None) -> None:
        self._given = [u.strip() for u in url.split(",") if u.strip()] if url else []
        self._file = urls_file or None
        self._lines: list[str] | None = None
        if self._file is not None:
            if not Path(self._file).is_file() and Path(self._file).exists():
                self._lines = list(self._read_file())
            if next(self._file_lines(), None) is None:
                raise SpiderArgumentError(f"urls_file: {urls_file} holds no URL")
        for name, value in [("url", v) for v in self._given] + [("urls_file", v) for v in self._file_lines()]:
            if not (is_article_url(value) or is_story_url(value)):
                raise SpiderArgumentError(f"{name}: not an arabic.rt.com article or story page: {value}")

    def _read_file(self) -> Iterator[str]:
        assert self._file is not None
        try:
            with open(self._file, encoding="utf-8") as fh:
                for raw in fh:
                    for line in raw.splitlines():  # the same line breaks as str.splitlines on the whole text
                        if line.strip() and not line.lstrip().startswith("#"):
                            yield line.strip()
        except FileNotFoundError:
            raise SpiderArgumentError(f"urls_file: no such file: {self._file}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SpiderArgumentError(f"urls_file: cannot read {self._file}: {exc}") from None

    def _file_lines(self) -> Iterator[str]:
        if self._file is None:
            return iter(())
        return iter(self._lines) if self._lines is not None else self._read_file()

    def each(self) -> Iterator[str]:
        """Every start URL in canonical form, in order, repeats included; nothing is kept."""
        for value in self._given:
            yield canonical_url(value)
        for value in self._file_lines():
            yield canonical_url(value)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for url in self.each():
            if url not in seen:
                seen.add(url)
                yield url

    def __bool__(self) -> bool:
        return bool(self._given or self._file)


def start_urls(url: str | None, urls_file: str | None) -> list[str]:
    """Canonical start URLs from ``url`` (comma-separated) and ``urls_file`` (one per line)."""
    return list(StartUrls(url, urls_file))


def depth(value: str | int | None, default: int) -> int:
    if value is None or str(value).strip() == "":
        return default
    try:
        result = int(str(value).strip())
    except ValueError:
        result = -1
    if result < 0:
        raise SpiderArgumentError(f"depth: not a non-negative integer: {value}")
    return result
