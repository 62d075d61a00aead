"""Walk an article body container and sort what is in it.

Paragraphs (and list items, bold or not) go to ``paragraphs``; h2..h6 and bold-only paragraphs
outside lists to ``subheadings``; figures to ``images``; players to ``videos``; read-more blocks to
``read_more`` links; the 'المصدر:' line to ``source``; live-update entries to ``live_entries``
(their text is also a paragraph). Ads, embeds, scripts and live-widget labels are dropped.
Inline markup is read as it is: text joins its neighbours exactly where the markup joins it. Text runs that sit
directly in the container (older markup, ``<br>``-separated) become paragraphs too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from newsbot import urls
from newsbot.extract import rules
from newsbot.extract.dates import parse_iso, to_iso
from newsbot.extract.text import (
    drop_tree,
    element_text,
    normalize_ws,
    raw_text,
    strip_label,
)

if TYPE_CHECKING:
    from lxml.etree import _Element as HtmlElement


def classes(el: HtmlElement) -> set[str]:
    value = el.get("class")
    return set(value.split()) if value else set()


def is_chrome(el: HtmlElement, class_attr: str) -> bool:
    """Blocks that carry no article text: ads, share bars, live-widget status labels, ARIA status regions."""
    if class_attr and (rules.SKIP_CLASS.search(class_attr) or rules.LIVE_CHROME_CLASS.search(class_attr)):
        return True
    return el.get("role") in rules.CHROME_ROLES


def is_bold_only(el: HtmlElement) -> bool:
    """True when every visible character of ``el`` sits inside <b>/<strong> (and there is some)."""
    if (el.text or "").strip():
        return False
    found = False
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in rules.SKIP_TAGS:
            pass
        elif tag in rules.BOLD_TAGS:
            found = found or bool(element_text(child))
        elif tag == "br":
            pass
        elif tag in rules.INLINE_TAGS and is_bold_only(child):
            found = True
        elif element_text(child):
            return False
        if (child.tail or "").strip():
            return False
    return found


def read_more_title(a: HtmlElement) -> str | None:
    """A read-more link's story title, without the 'اقرأ المزيد' label a card may put inside the link."""
    labels = [el for el in a.iterdescendants() if isinstance(el.tag, str) and element_text(el) in rules.READ_MORE_LABELS]
    text = strip_label(element_text(a, skip_elements=labels), rules.READ_MORE_LABELS)
    return text or normalize_ws(a.get("title")) or None


#: Characters that urlsplit/urlunsplit treat specially (query, fragment, params, IPv6 brackets) or drop.
_URL_SPECIAL = re.compile(r"[?#;\[\] ]")


def _absolute_as_is(url: str) -> bool:
    """Whether ``urljoin(base, url)`` is ``url`` itself, for any base: an ``http(s)`` URL with a host and nothing
    that urlsplit/urlunsplit would change (urljoin returns a URL of another scheme as is, and takes one of the
    base's own scheme apart and together again). Why: urljoin costs ~9 us, and media URLs are mostly absolute."""
    rest = url[8:] if url.startswith("https://") else url[7:] if url.startswith("http://") else ""
    return bool(rest) and rest[0] != "/" and url.isascii() and url.isprintable() and _URL_SPECIAL.search(url) is None


def absolute(url: str | None, base: str) -> str | None:
    url = (url or "").strip()
    if not url or url.startswith(("data:", "javascript:", "about:")):
        return None
    if _absolute_as_is(url) and base.startswith(urls.SITE_PREFIX):  # a base urljoin can parse
        return url
    return urljoin(base, url)


def has_media(el: HtmlElement) -> bool:
    """Whether ``el`` is or holds an image or a player (C-level iteration, no XPath)."""
    return next(el.iter("img", "iframe", "embed", "video"), None) is not None


def is_video_iframe(src: str) -> bool:
    parts = urlsplit(src)
    target = (parts.hostname or "") + parts.path
    return any(host in target for host in rules.VIDEO_IFRAME_HOSTS)


@dataclass
class Body:
    base_url: str
    title: str | None = None  # a caption equal to the title is the cover's repeated title, not a caption
    paragraphs: list[str] = field(default_factory=list)
    subheadings: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    read_more: list[tuple[str, str]] = field(default_factory=list)
    live_entries: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    stopped: bool = False  # reached the legacy 'معلومات حول الموضوع:' block: the rest is links
    list_depth: int = 0  # inside <ul>/<ol>: list items are paragraphs, never subheadings

    # --- media ---------------------------------------------------------------------------------

    def caption(self, el: HtmlElement) -> str | None:
        parts: list[str] = []
        for cap in rules.CAPTION(el):
            text = element_text(cap)
            if text and text not in parts and text != self.title:
                parts.append(text)
        return " / ".join(parts) or None

    def add_media(self, el: HtmlElement) -> None:
        """Images and players inside ``el`` (a figure, a cover, or a block holding an <img>)."""
        caption = self.caption(el)
        tag = el.tag
        imgs = [el] if tag == "img" else list(el.iter("img"))  # = .//img: el itself is no <img> here
        for img in imgs:
            src = absolute(img.get("data-src") or img.get("src"), self.base_url)
            if src and not any(i["src"] == src for i in self.images):
                self.images.append({"src": src, "caption": caption})
        videos = [el] if tag == "video" else list(el.iter("video"))
        for video in videos:
            sources = [s for s in (c.get("src") for c in video if c.tag == "source") if s is not None]  # ./source/@src
            src = absolute(video.get("src") or (sources[0] if sources else None), self.base_url)
            self.add_video(src, absolute(video.get("poster"), self.base_url))
        players = [el] if tag in ("iframe", "embed") else list(el.iter("iframe", "embed"))  # .//iframe | .//embed
        for player in players:
            src = absolute(player.get("data-src") or player.get("src"), self.base_url)
            if src and is_video_iframe(src):
                self.add_video(src, absolute(player.get("data-poster"), self.base_url))

    def add_video(self, src: str | None, poster: str | None) -> None:
        if src and not any(v["src"] == src for v in self.videos):
            self.videos.append({"src": src, "poster": poster})

    # --- text ------------------------------------------------------------------------------------

    def add_text(self, text: str, bold_only: bool = False) -> None:
        if not text:
            return
        if self.source is None and len(text) <= rules.MAX_SOURCE_CHARS and text.startswith(rules.SOURCE_LABELS):
            self.source = strip_label(text, rules.SOURCE_LABELS) or None
        elif self.stopped:
            return
        elif text.startswith(rules.RELATED_LABELS):
            self.stopped = True
        elif bold_only and not self.list_depth and len(text) <= rules.MAX_SUBHEAD_CHARS:
            self.subheadings.append(text)
        else:
            self.paragraphs.append(text)

    def add_live_entry(self, el: HtmlElement) -> None:
        """One timestamped entry: its time in a field of its own, its text one body paragraph."""
        times = rules.LIVE_TIME(el)
        when: str | None = None
        if times:
            stamp = times[0].get("datetime")
            when = to_iso(parse_iso(stamp)) if stamp else None
            when = when or element_text(times[0]) or None
            drop_tree(times[0])  # the time is its own field, not part of the entry's text
        entry = Body(base_url=self.base_url, title=self.title)
        entry.walk(el)  # media, embeds and ads inside the entry are sorted like the body's
        self.images.extend(i for i in entry.images if i not in self.images)
        self.videos.extend(v for v in entry.videos if v not in self.videos)
        self.read_more.extend(entry.read_more)
        text = normalize_ws(" ".join([*entry.subheadings, *entry.paragraphs]))
        if text:
            self.live_entries.append({"time": when, "text": text})
            self.paragraphs.append(text)

    # --- the walk --------------------------------------------------------------------------------

    def walk(self, container: HtmlElement) -> None:
        # The loose inline text run directly in the container, whether it holds visible text, and whether all of
        # that is bold. Plain locals and an inline flush for the common plain <p>: a paragraph costs a few
        # attribute reads here, not a chain of calls.
        run: list[str] = []
        has_text = False
        bold = True
        add_text = self.add_text

        def flush() -> None:
            nonlocal has_text, bold
            if has_text:
                add_text(normalize_ws("".join(run)), bold_only=bold)
            run.clear()
            has_text, bold = False, True

        text = container.text
        if text:
            run.append(text)
            if not text.isspace():
                has_text, bold = True, False
        for child in container:
            tag = child.tag
            if tag == "p" and not len(child) and not child.get("class"):
                # a plain text paragraph, the common case: what block() -> paragraph() would do, inline
                if run:
                    flush()
                add_text(normalize_ws(child.text))
            elif not isinstance(tag, str):
                pass
            elif tag == "br":
                if run:
                    flush()
            elif tag in rules.INLINE_TAGS and not has_media(child):
                if not is_chrome(child, child.get("class") or ""):
                    # the markup's own text, spaces and all: 'بـ<a>X</a>' stays 'بـX', '<b>٤٧٪</b>.' stays '٤٧٪.'
                    piece = raw_text(child)
                    run.append(piece)
                    if not piece.isspace() and piece:
                        has_text = True
                        if not (tag in rules.BOLD_TAGS or is_bold_only(child)):
                            bold = False
            else:
                if run:
                    flush()
                self.block(child)
            text = child.tail
            if text:
                run.append(text)
                if not text.isspace():
                    has_text, bold = True, False
        if run:
            flush()

    def paragraph(self, el: HtmlElement) -> None:
        captions: list[HtmlElement] = []
        if len(el) and has_media(el):
            self.add_media(el)
            captions = rules.CAPTION(el)  # an inline photo's credit is not paragraph text
        self.add_text(element_text(el, skip_elements=captions), bold_only=bool(len(el)) and is_bold_only(el))

    def block(self, el: HtmlElement) -> None:
        tag = el.tag
        class_attr = el.get("class") or ""
        if tag == "p" and not class_attr:  # the common case first
            self.paragraph(el)
            return
        cls = classes(el)
        if tag in rules.SKIP_TAGS or is_chrome(el, class_attr):
            return
        if class_attr and rules.READ_MORE_CLASS.search(class_attr):
            for a in rules.LINKS(el):
                self.read_more.append((a.get("href", ""), read_more_title(a)))
            return
        if class_attr and rules.EMBED_CLASS.search(class_attr):
            self.add_media(el)  # a player inside an embed wrapper is still a video; its text is not ours
            return
        if cls & rules.LIVE_ENTRY_CLASSES:
            self.add_live_entry(el)
            return
        if tag in ("figure", "img", "video", "iframe", "picture", "object", "embed") or cls & rules.MEDIA_CLASSES:
            self.add_media(el)
            return
        if cls & rules.SOURCE_CLASSES:
            text = element_text(el)
            self.source = strip_label(text, rules.SOURCE_LABELS) or self.source
            return
        if tag in rules.HEADING_TAGS:
            text = element_text(el)
            if text and not self.stopped:
                if text.startswith(rules.RELATED_LABELS):
                    self.stopped = True
                else:
                    self.subheadings.append(text)
            return
        if tag in rules.LIST_TAGS:
            self.list_depth += 1
            for li in rules.LIST_ITEMS(el):
                self.walk(li)
            self.list_depth -= 1
            return
        if tag == "p":
            self.paragraph(el)
            return
        if tag == "table":
            for row in el.iter("tr"):
                self.add_text(normalize_ws(" | ".join(element_text(c) for c in row if isinstance(c.tag, str))))
            return
        # div, section, blockquote, li, ...: a wrapper, walk inside
        self.walk(el)
