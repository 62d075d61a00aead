"""(URL, HTML) -> :class:`newsbot.items.Article`, for every article template of the site."""

from __future__ import annotations

import codecs
import functools
import os
from typing import TYPE_CHECKING, Any

from newsbot import urls
from newsbot.extract import rules
from newsbot.extract.body import Body
from newsbot.extract.canon import PageLinks, canonical
from newsbot.extract.dates import parse_date, parse_iso, to_iso
from newsbot.extract.encoding import decode_html
from newsbot.extract.errors import NotAnArticle
from newsbot.extract.metadata import PageMeta, read_meta
from newsbot.extract.parse import Prefix, parse_html, parse_prefix
from newsbot.extract.select import first
from newsbot.extract.structure import densest_block, is_template_page
from newsbot.extract.text import contains_any, element_text, normalize_ws, strip_label
from newsbot.extract.version import EXTRACTOR_VERSION
from newsbot.items import Article

if TYPE_CHECKING:
    from lxml.etree import _Element as HtmlElement


def decode(html: str | bytes, encoding: str | None = None) -> str:
    """Page text. Bytes are decoded (HTTP charset, <meta>, UTF-8, windows-1256); a str is used as is."""
    return _decode(html, encoding)[0]


def _decode(html: str | bytes, encoding: str | None) -> tuple[str, bytes | None]:
    """:func:`decode`, and the caller's bytes when they are the text's UTF-8 (strictly decoded, no byte-order mark)."""
    if isinstance(html, bytes):
        text, codec = decode_html(html, encoding)
        data = html if codec == "utf-8" and not html.startswith(codecs.BOM_UTF8) else None
    else:
        text, data = html, None
    if not text or text.isspace():  # as `not text.strip()`, without copying the page
        raise NotAnArticle("empty page")
    return text, data


_first = first


def _find_template(doc: HtmlElement, section: str | None) -> tuple[rules.Template, HtmlElement, HtmlElement] | None:
    """The first template whose body container is on the page: (template, article root, body).

    Next, in the URL sections it names, a template with a signature is recognised by its own markup
    even when its body class is unknown, its body found by structure (innermost root first).
    Else the page is an unknown template (None).
    """
    for template in rules.TEMPLATES:
        for root in template.root(doc) or [doc]:
            body = _first(template.body, root)
            if body is not None:
                return template, root, body
    for template in rules.TEMPLATES:
        if template.signature and section in template.signature_sections:
            for root in reversed(template.root(doc)):
                body = densest_block(template, root) if is_template_page(template, root) else None
                if body is not None:
                    return template, root, body
    return None


def _may_hold_live_entries(root: HtmlElement) -> bool:
    """False when ``rules.LIVE_ENTRY`` cannot match in ``root`` (no class attribute there holds an entry class).

    Why: it gates the scan of the whole page source for the live markers (30 us on a 55 KB page) and the
    selector, with a walk of the article's few elements (a few us).
    """
    classes = rules.LIVE_ENTRY_CLASSES
    common = _LIVE_COMMON  # in every entry class: one substring test passes most class values
    for el in root.iter(*rules.LIVE_ENTRY_TAGS):
        value = el.get("class")
        if value and common in value and any(c in value for c in classes):
            return True
    return False


_LIVE_COMMON = os.path.commonprefix(sorted(rules.LIVE_ENTRY_CLASSES))  # 'live' ('' would pass every value on)


def _canonical(page: PageMeta, url: str) -> str:
    for candidate in (page.canonical, page.first("og:url"), page.ld_text("url")):
        if candidate:
            resolved = canonical(candidate, url)
            if urls.is_site_url(resolved):
                return resolved
    return urls.canonical_url(url)


def _title(page: PageMeta, heading: HtmlElement | None) -> str | None:
    text = element_text(heading) or page.ld_text("headline") or page.first("og:title", "twitter:title")
    if text:
        return text
    title = page.title_tag or ""
    for suffix in rules.TITLE_SUFFIXES:
        title = title.removesuffix(suffix)
    return normalize_ws(title) or None


@functools.lru_cache(maxsize=1024)
def _iso(text: str) -> str | None:
    """``to_iso(parse_iso(text))``, remembered: a page's published and modified stamps are often the same text."""
    return to_iso(parse_iso(text))


def _date(page: PageMeta, ld_key: str, meta_names: tuple[str, ...], visible: HtmlElement | None) -> str | None:
    for candidate in (page.ld_text(ld_key), *(page.first(n) for n in meta_names)):
        value = _iso(candidate) if candidate else None
        if value is not None:
            return value
    if visible is not None:
        stamp = visible.get("datetime")
        return to_iso(parse_iso(stamp) if stamp else None) or to_iso(parse_date(element_text(visible)))
    return None


def _author_from_ld(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for v in value for name in _author_from_ld(v)]
    if isinstance(value, dict):
        kinds = value.get("@type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        name = normalize_ws(value.get("name")) if isinstance(value.get("name"), str) else ""
        return [name] if name and "Person" in kinds else []
    if isinstance(value, str):
        name = normalize_ws(value)
        return [name] if name else []
    return []


def _author(page: PageMeta, byline: HtmlElement | None) -> str | None:
    names = [n for n in _author_from_ld(page.ld.get("author")) if n not in rules.SITE_NAMES]
    if names:
        return "، ".join(names)
    meta = page.first("author", "article:author")
    if meta and meta not in rules.SITE_NAMES and not meta.startswith("http"):
        return meta
    if byline is not None:
        links = [t for t in (element_text(a) for a in rules.LINKS(byline)) if t]
        text = "، ".join(links) if links else strip_label(element_text(byline), rules.AUTHOR_LABELS)
        return text or None
    return None


def _tags(page: PageMeta, visible: list[HtmlElement]) -> list[str]:
    tags = page.all("article:tag")
    if not tags:
        keywords = page.ld.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.replace("،", ",").split(",")
        if isinstance(keywords, list):
            tags = [normalize_ws(k) for k in keywords if isinstance(k, str) and normalize_ws(k)]
    if not tags:
        tags = [t for t in (element_text(a) for a in visible) if t]
    return list(dict.fromkeys(tags))


def _language(page: PageMeta) -> str | None:
    for value in (page.ld_text("inLanguage"), page.first("og:locale"), page.html_lang):
        if value:
            return value.replace("_", "-").split("-")[0].lower()
    return None


def _related(links: list[tuple[str, str, str]], page: PageLinks, own_id: int | None) -> list[dict[str, Any]]:
    """De-duplicated related links (by article id), page order, canonical; the short form is upgraded."""
    out: list[dict[str, Any]] = []
    seen: dict[int | str, dict[str, Any]] = {}
    for href, title, kind in links:
        if not href.strip() or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = page.canonical(href)
        aid = page.article_id(url)
        if aid is None:  # not an article of the site (urls.is_article_url)
            continue
        key: int | str = aid or url
        if key == own_id:
            continue
        if key in seen:
            entry = seen[key]
            if urls.section(entry["url"]) == "news" and urls.section(url) != "news":
                entry["url"] = url  # the long form is the canonical one; keep the first position
            if not entry["title"] and title:
                entry["title"] = title
            continue
        entry = {"url": url, "title": title or None, "kind": kind}
        seen[key] = entry
        out.append(entry)
    return out


def _legacy_related(doc: HtmlElement, has_label: bool) -> list[tuple[str, str, str]]:
    """Links after the legacy 'معلومات حول الموضوع:' label, within the block that holds the label."""
    labels = rules.RELATED_LABEL_XPATH(doc) if has_label else []
    if not labels:
        return []
    label = labels[0]
    # widen to the outermost block that starts with the label; the links are in what holds it
    block = label
    parent = block.getparent()
    while parent is not None and parent.tag != "body" and element_text(parent).startswith(rules.RELATED_LABELS):
        block, parent = parent, parent.getparent()
    scope = parent if parent is not None else block
    return [
        (a.get("href", ""), element_text(a) or normalize_ws(a.get("title")), "related")
        for a in rules.LINKS_AFTER(label)
        if any(anc is scope for anc in a.iterancestors())
    ]


def _contains(page: str | bytes, marker: str) -> bool:
    """``marker in page`` for the text or its UTF-8 bytes (a UTF-8 sequence never starts inside another)."""
    return (marker.encode() if isinstance(page, bytes) else marker) in page


def extract_article(url: str, html: str | bytes, *, encoding: str | None = None) -> Article:
    """Extract one article page. Raises :class:`NotAnArticle` for error, listing and empty pages.

    The page is parsed only up to the end of its first article when nothing after it could change the item
    (:mod:`newsbot.extract.parse`); error pages and legacy related-link labels read the whole page.
    """
    source, data = _decode(html, encoding)
    page: str | bytes = data or source  # the UTF-8 bytes when the caller has them (see newsbot.extract.parse)
    error_marker = _contains(page, rules.ERROR_PAGE_MARKER)
    related_label = _contains(page, rules.RELATED_LABEL_MARKER)
    if not (error_marker or related_label):
        part = parse_prefix(page)
        if part is not None:
            item = _extract(url, source, part.doc, part, error_marker=False, related_label=False)
            if item is not None:
                return item
    item = _extract(url, source, parse_html(page), None, error_marker=error_marker, related_label=related_label)
    assert item is not None  # only a partial tree asks for the whole page
    return item


def _extract(
    url: str, source: str, doc: HtmlElement, part: Prefix | None, *, error_marker: bool, related_label: bool
) -> Article | None:
    """The item from ``doc``; None when ``doc`` is a page's prefix (``part``) and the item needs the whole page."""
    if error_marker and rules.ERROR_PAGE(doc):
        raise NotAnArticle(f"error page, not an article: {url}")
    page = read_meta(doc)
    page_url = _canonical(page, url)
    found = _find_template(doc, urls.section(page_url))
    if part is not None and (found is None or found[0] is not rules.TEMPLATES[0] or not part.holds(found[1])):
        return None  # not the current template's article closed before the cut: read the whole page
    if found is None and not (page.is_article or urls.is_article_url(urls.canonical_url(url))):
        raise NotAnArticle(f"no article markup or metadata (a listing page?): {url}")

    own_id = urls.article_id(page_url) or urls.article_id(urls.canonical_url(url))
    template = found[0] if found else rules.CURRENT
    root = found[1] if found else doc
    if own_id is None:
        raw_id = root.get("data-article-id") or ""
        own_id = int(raw_id) if raw_id.isdigit() else None

    heading = _first(template.heading, root)
    title = _title(page, heading)
    summary = element_text(_first(template.summary, root))
    lead = summary or page.ld_text("description") or page.first("og:description", "description")

    body = Body(base_url=page_url, title=title)
    for cover in template.cover(root):
        body.add_media(cover)

    if found is not None:
        body.walk(found[2])
        if not body.live_entries and _may_hold_live_entries(root) and contains_any(source, rules.LIVE_MARKERS):
            for entry in rules.LIVE_ENTRY(root):
                body.add_live_entry(entry)

    # everything read from the page chrome must be taken before the fallback drops it
    item = Article(
        url=page_url,
        article_id=own_id,
        section=urls.section(page_url),
        title=title,
        lead=lead or None,
        author=_author(page, _first(template.author, root)),
        published=_date(
            page, "datePublished", ("article:published_time", "og:published_time", "pubdate"), _first(template.date, root)
        ),
        modified=_date(page, "dateModified", ("article:modified_time", "og:updated_time"), None),
        tags=_tags(page, template.tags(root)),
        language=_language(page),
        extracted_by="rules",
        extractor_version=EXTRACTOR_VERSION,
    )
    story = _first(template.story, root)
    links = PageLinks(page_url)
    item.story = links.canonical(story.get("href", "")) if story is not None else None
    related_links = [(h, t, "read_more") for h, t in body.read_more]
    related_links += [(a.get("href", ""), element_text(a), "related") for a in template.related(root)]
    related_links += _legacy_related(doc, related_label)

    if found is None or not (body.paragraphs or body.live_entries):
        if part is not None:
            return None  # the generic extractor reads the whole page
        # no template matched, or its body container is empty (text moved elsewhere): the generic extractor
        from newsbot.extract.fallback import extract_body
        from newsbot.extract.fallback import visible_date as find_visible_date

        visible_date = None if item.published else find_visible_date(doc)  # before the chrome is dropped

        generic = Body(base_url=page_url, title=title)
        extract_body(doc, generic)
        texts = [p for p in generic.paragraphs if p not in (title, lead)]
        if sum(len(p) for p in texts) >= rules.MIN_FALLBACK_CHARS:
            body.paragraphs, body.subheadings = texts, generic.subheadings
            body.source = body.source or generic.source
            body.images += [i for i in generic.images if all(i["src"] != j["src"] for j in body.images)]
            body.videos += [v for v in generic.videos if all(v["src"] != w["src"] for w in body.videos)]
            item.published = item.published or visible_date
            item.extracted_by = "fallback"
        elif found is None or not (lead or body.videos or body.images):
            raise NotAnArticle(f"no article text found by rules or fallback: {url}")

    item.body_paragraphs = body.paragraphs
    item.subheadings = body.subheadings
    item.images = body.images
    item.videos = body.videos
    item.source = body.source
    item.live_entries = body.live_entries
    item.related = _related(related_links, links, own_id)
    return item

