"""PrefixRobotParser: Scrapy's robots.txt parser (Protego), with a shortcut for URLs no rule can match.

Protego normalizes every URL's path before matching (``_quote_path``: decode, re-encode); for
the site's percent-encoded Arabic slugs that costs ~90 us a request, more than half of what
RobotsTxtMiddleware costs per page. But every robots.txt rule matches from the start of the
path, so a rule whose pattern begins with plain characters (``/search/``) can only match a path
that, decoded, begins with them too. When the decoded path begins with none of these literal
prefixes, no rule of any group can match and Protego would answer "allowed": this parser answers
that at once. Everything else -- a rule that starts with an escape or a wildcard, a path that
could match -- goes to Protego as before, so the answers are Protego's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.python import to_unicode

if TYPE_CHECKING:
    from protego import Protego

#: the start of a normalized pattern made of characters that are themselves in a normalized path
_LITERAL = re.compile(r"[A-Za-z0-9_.~/-]*")


def literal_prefixes(rp: Protego) -> tuple[str, ...] | None:
    """The plain-character prefix of every rule's pattern, in every group; None when one cannot be read."""
    try:
        patterns = [rule.value._pattern for rules in rp._user_agents.values() for rule in rules._rules]
    except AttributeError:  # another Protego inside: no shortcut
        return None
    prefixes = set()
    for pattern in patterns:
        prefix = _LITERAL.match(pattern).group()  # type: ignore[union-attr]
        if not prefix.startswith("/") or prefix == "/":
            return None  # matches (nearly) every path, or not anchored as we read it: always ask Protego
        prefixes.add(prefix)
    return tuple(sorted(prefixes))


def _path_head(url: str, size: int) -> str | None:
    """The first ``size`` characters of an http(s) URL's path when they need no decoding, else None."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            break
    else:
        return None
    slash = url.find("/", len(scheme))
    if slash < 0 or "?" in url[len(scheme) : slash] or "#" in url[len(scheme) : slash]:
        return None
    head = url[slash : slash + size]
    return None if "%" in head or "\t" in head or "\r" in head or "\n" in head else head


class PrefixRobotParser(ProtegoRobotParser):
    def __init__(self, robotstxt_body: bytes, spider: object) -> None:
        super().__init__(robotstxt_body, spider)  # type: ignore[arg-type]
        self.prefixes = literal_prefixes(self.rp)
        self._longest = max(map(len, self.prefixes), default=0) if self.prefixes is not None else 0

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        if self.prefixes is not None:
            text = to_unicode(url)
            head = _path_head(text, self._longest)
            if head is None:  # escapes (or an odd URL) where a prefix could be: decode the whole path
                path = urlsplit(text.partition("#")[0]).path
                head = unquote(path) if path.startswith("/") else None
            if head is not None and not head.startswith(self.prefixes):
                return True  # no rule can match: what Protego answers, without normalizing the path
        return super().allowed(url, user_agent)
