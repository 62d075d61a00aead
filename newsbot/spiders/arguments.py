"""Validation of the rt_ar spider's arguments, run before anything is fetched."""

from __future__ import annotations

from pathlib import Path

from newsbot.urls import canonical_url, is_article_url, is_story_url


class SpiderArgumentError(ValueError):
    """A spider argument is wrong; the message names the argument and the value."""


def start_urls(url: str | None, urls_file: str | None) -> list[str]:
    """Canonical start URLs from ``url`` (comma-separated) and ``urls_file`` (one per line)."""
    given: list[tuple[str, str]] = []
    if url:
        given += [("url", u.strip()) for u in url.split(",") if u.strip()]
    if urls_file:
        path = Path(urls_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise SpiderArgumentError(f"urls_file: no such file: {urls_file}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SpiderArgumentError(f"urls_file: cannot read {urls_file}: {exc}") from None
        given += [("urls_file", line.strip()) for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not any(name == "urls_file" for name, _ in given):
            raise SpiderArgumentError(f"urls_file: {urls_file} holds no URL")
    urls: list[str] = []
    for name, value in given:
        if not (is_article_url(value) or is_story_url(value)):
            raise SpiderArgumentError(f"{name}: not an arabic.rt.com article or story page: {value}")
        canonical = canonical_url(value)
        if canonical not in urls:
            urls.append(canonical)
    return urls


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
