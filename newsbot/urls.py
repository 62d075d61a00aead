"""URL rules of arabic.rt.com: canonical form, page kinds, article ids.

An article's identity is its numeric id; the canonical URL is ``https://arabic.rt.com`` +
the decoded (raw UTF-8) path with a trailing slash, without tracking parameters or fragment.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

SITE_HOST = "arabic.rt.com"
SITE_ORIGIN = f"https://{SITE_HOST}"
#: what every URL of the site's pages starts with
SITE_PREFIX = SITE_ORIGIN + "/"

#: Query parameters that only track a click; dropped before de-duplication.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "_ga", "ref", "from", "rss"})
TRACKING_PREFIXES = ("utm_",)

_ARTICLE_PATH = re.compile(r"^/(?P<section>[a-z_]+)/(?:telecast/)?(?P<id>\d+)(?:-[^/]+)?/$")
_PRG_PATH = re.compile(r"^/prg/telecast/(?P<id>\d+)(?:-[^/]+)?/$")
_STORY_PATH = re.compile(r"^/story/(?P<id>\d+)(?:-[^/]+)?/$")
_NON_ARTICLE_SECTIONS = frozenset({"story", "tags", "polls", "live", "static", "rss", "about", "contacts"})


#: After the origin, characters that send a URL to the full canonicalisation (query, fragment, params...).
_SPECIAL = re.compile(r"[?#;\\\[\]]")  # a search costs ~0.3 us on an Arabic slug, a set intersection ~1.5


def _plain_site_url(url: str) -> bool:
    """``https://arabic.rt.com/<path>`` that urljoin/urlsplit leave as it is: no query, fragment, dot
    segment, space or control character (urlsplit drops tab/CR/LF), so the path is the rest of the string."""
    if not url.startswith(SITE_PREFIX):
        return False
    path = url[len(SITE_ORIGIN) :]
    return (
        not path.startswith("//")
        and "/." not in path
        and path.isprintable()
        and " " not in path
        and _SPECIAL.search(path) is None
    )


def _unquote(text: str, errors: str = "replace") -> str:
    """``urllib.parse.unquote(text, errors=errors)``; an ASCII text is decoded by the C escape decoder (~1 instead
    of ~15 us for an escaped Arabic slug), anything it refuses by ``unquote`` itself."""
    if "%" not in text:
        return text
    if text.isascii() and "\\" not in text:
        try:
            return codecs.escape_decode(text.replace("%", "\\x"))[0].decode("utf-8")  # type: ignore[attr-defined,no-any-return]
        except ValueError:  # "%" without two hex digits, or not UTF-8 (UnicodeDecodeError is a ValueError)
            pass
    return unquote(text, encoding="utf-8", errors=errors)


def _is_tracking(name: str) -> bool:
    return name.lower() in TRACKING_PARAMS or name.lower().startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str = SITE_ORIGIN) -> str:
    """Canonical form of a site URL (relative URLs resolve against ``base``).

    Raw and percent-encoded slugs give the same string; ``http`` becomes ``https``;
    ``utm_*`` and other tracking parameters, and the fragment, are dropped.
    """
    if _plain_site_url(url):  # the common case (start URLs, requests, links): at most escapes and the slash to mend
        path = url[len(SITE_ORIGIN) :]
        path = _unquote(path, errors="strict")
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            path += "/"
        return SITE_ORIGIN + path
    return _canonical_url(url, base)


def _canonical_url(url: str, base: str) -> str:
    """:func:`canonical_url` the long way, for any URL."""
    parts = urlsplit(urljoin(base, url.strip()))
    host = (parts.hostname or "").lower()
    path = _unquote(parts.path or "/", errors="strict")
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)])
    scheme = "https" if host == SITE_HOST else parts.scheme
    return urlunsplit((scheme, host, path, query, ""))


def is_site_url(url: str) -> bool:
    if url.startswith(SITE_PREFIX):
        return True
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "").lower() == SITE_HOST


def article_id(url: str) -> int | None:
    """Numeric id of an article or program page URL (canonical or short form), else None."""
    path = _unquote(_path(url))
    if not path.endswith("/"):
        path += "/"
    m = _PRG_PATH.match(path) or _ARTICLE_PATH.match(path)
    if not m or path.split("/")[1] in _NON_ARTICLE_SECTIONS:
        return None
    return int(m.group("id"))


def is_article_url(url: str) -> bool:
    return is_site_url(url) and article_id(url) is not None


def _path(url: str) -> str:
    return url[len(SITE_ORIGIN) :] if _plain_site_url(url) else urlsplit(url).path


def is_story_url(url: str) -> bool:
    path = _unquote(_path(url))
    return is_site_url(url) and bool(_STORY_PATH.match(path if path.endswith("/") else path + "/"))


def section(url: str) -> str | None:
    """The URL's section slug (``world``, ``russia``, ``prg`` for program pages)."""
    first = _unquote(_path(url)).strip("/").split("/", 1)[0]
    return first or None
