"""ArticleMetadataRecords: a WARC ``metadata`` record for each scraped article's response.

From ``item_scraped`` (item + the response it came from), it records, next to the response
record the item points at: the outlinks found on the page, the related stories the
extractor chose, and which extractor (and version) produced the item. The record refers to
the response record (``WARC-Refers-To`` and ``WARC-Concurrent-To``).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from newsbot.warc.middleware import archiving_enabled
from newsbot.warc.store import PROVENANCE_META, WarcStore

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response


def _raw_text(name: str) -> str:
    """A raw-text element (``<script>``...), its content skipped without backtracking."""
    return rf"(?i:{name})\b(?:[^<]++|<(?!/(?i:{name})[\s/>]))*+</(?i:{name})(?:[\s/][^>]*+)?>"


#: after a ``<``: a comment or raw-text element (what an HTML parser would not see as elements), or an
#: ``<a ...>`` start tag with its ``href`` value in group 1, 2 or 3 (double, single or no quotes);
#: unrolled loops and possessive repeats, so it runs at ``str.find`` speed through large inline scripts.
#: The lookahead on the next two characters passes most of a page's '<' (other tags) with two class tests,
#: and the attribute loop steps over runs of name/value characters, where no ``href`` can start.
_SKIP_OR_A = re.compile(
    r"<(?=!--|[aA]\s|[sS][cCtT]|[tT][eEiI])(?:!--(?:[^-]++|-(?!->))*+-->|"
    + "|".join(_raw_text(name) for name in ("script", "style", "textarea", "title"))
    + r"""|[aA](?=\s)(?:(?:[^>"'\s]++|\s|"[^"]*+"|'[^']*+')*?[\s"'](?i:href)\s*=\s*(?:"([^"]*+)"|'([^']*+)'|([^\s>"']++)))?"""
    + r"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>)""",
    re.S,
)


def hrefs(text: str) -> Iterator[str]:
    """The ``href`` values of the ``<a>`` elements of an HTML text, in page order, entities decoded.

    One regex scan of the text the spider has already decoded, instead of a second parse (~0.66 ms
    for a 55 KB page with lxml, ~0.15 with this); comments and script/style/textarea/title
    content are skipped, as a parser would. ``tests/test_warc_metadata.py`` checks it against
    lxml's ``//a/@href`` on every replica and fixture page.
    """
    for match in _SKIP_OR_A.finditer(text):
        double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        if value is not None:
            yield html.unescape(value) if "&" in value else value


_WEB = ("http://", "https://")
#: origins whose resolutions are kept at once (article pages come from the allowed hosts: a few)
_MAX_ORIGINS = 64


class OutlinkResolver:
    """Absolute http(s) targets of a page's ``<a href>``, in page order, without repeats.

    A join fast path for the usual absolute and root-relative hrefs (``urljoin`` per link costs
    more than the scan), and their results kept per origin: the header, menus and footer repeat
    the same hrefs on every page of a site (28 of ~170 us a page). Relative hrefs depend on the
    whole base URL and are joined every time.
    """

    def __init__(self, max_per_origin: int = 10_000) -> None:
        self.max_per_origin = max_per_origin
        self._by_origin: dict[str, dict[str, str]] = {}

    def __call__(self, response: Response) -> list[str]:
        if not isinstance(response, TextResponse):
            return []
        base = response.urljoin("")  # honours <base href>
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self._by_origin.get(origin)
        if known is None or len(known) > self.max_per_origin:
            if len(self._by_origin) >= _MAX_ORIGINS:
                self._by_origin.clear()
            known = self._by_origin[origin] = {}
        seen: dict[str, None] = {}
        for raw in hrefs(response.text):
            url = known.get(raw)
            if url is None:
                href = raw.strip()
                same_for_the_origin = True
                if href[:1] == "/":
                    url = f"{parts.scheme}:{href}" if href[1:2] == "/" else origin + href
                elif href.startswith(_WEB):
                    url = href
                else:
                    url = urljoin(base, href)
                    same_for_the_origin = False  # relative to the page's own path
                if "#" in url:
                    url = url.split("#", 1)[0]
                if not url.startswith(_WEB):
                    url = ""  # mailto:, javascript:...
                if same_for_the_origin:
                    known[raw] = url
            if url:
                seen[url] = None  # a repeat keeps its first place
        return list(seen)


#: what the metadata records use; tests call it as a function
outlinks = OutlinkResolver()


def metadata_fields(item: Any, response: Response) -> list[tuple[str, str]]:
    adapter = ItemAdapter(item)
    fields = [("item-url", str(adapter.get("url") or response.url))]
    for name in ("extracted_by", "extractor_version"):
        if adapter.get(name):
            fields.append((name.replace("_", "-"), str(adapter[name])))
    for link in adapter.get("related") or ():
        url = link.get("url") if isinstance(link, dict) else link
        if url:
            fields.append(("related", str(url)))
    fields += [("outlink", url) for url in outlinks(response)]
    return fields


class ArticleMetadataRecords:
    def __init__(self, crawler: Crawler) -> None:
        if not archiving_enabled(crawler.settings):
            raise NotConfigured  # quietly off: WARC archiving is off
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleMetadataRecords:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, response: Response) -> None:
        provenance = (response.meta if response.request is not None else {}).get(PROVENANCE_META)
        if not provenance:
            self.crawler.stats.inc_value("newsbot/warc/metadata/no_response_record")
            return
        WarcStore.of(self.crawler).write_metadata(
            response.url, metadata_fields(item, response), about=provenance["warc_record_id"]
        )
