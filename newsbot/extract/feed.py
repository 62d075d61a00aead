"""The site's RSS (or Atom) feed -> article URLs, in feed order.

The XML is parsed without entity expansion, DTD loading or network access, so a
'billion laughs' feed stays a few bytes of unexpanded references.
"""

from __future__ import annotations

import logging

from lxml import etree

from newsbot import urls
from newsbot.extract import rules
from newsbot.extract.text import normalize_ws

logger = logging.getLogger(__name__)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True, remove_comments=True
    )


def extract_feed(xml: bytes) -> list[str]:
    """Canonical article URLs of the feed's items (duplicates and non-article links dropped)."""
    if not xml or not xml.strip():
        return []
    parser = _parser()
    root = etree.fromstring(xml, parser=parser)
    errors = [e for e in parser.error_log if e.level_name == "FATAL"]
    if errors:  # e.g. libxml2's entity-amplification guard: keep what parsed, say why the rest is missing
        logger.warning("feed is not well-formed, using what parsed: %s", errors[0].message)
    if root is None:
        return []
    out: list[str] = []
    for link in rules.FEED_LINKS(root):
        href = link.get("href") or normalize_ws("".join(t for t in link.itertext() if isinstance(t, str)))
        if not href:
            continue
        url = urls.canonical_url(href)
        if urls.is_article_url(url) and url not in out:
            out.append(url)
    return out
