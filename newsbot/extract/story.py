"""Story pages (``/story/{id}-{slug}/``): the articles a story lists, and its next page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsbot import urls
from newsbot.extract import rules
from newsbot.extract.article import decode, parse_html
from newsbot.extract.dates import matching_copy
from newsbot.extract.metadata import read_meta
from newsbot.extract.text import element_text

_COUNT = re.compile(r"\d+")


@dataclass
class StoryPage:
    url: str
    title: str | None = None
    count: int | None = None
    #: the articles the page lists, in page order: ``{"url", "title"}`` (canonical URLs)
    members: list[dict[str, str]] = field(default_factory=list)
    next_page: str | None = None


def extract_story(url: str, html: str | bytes) -> StoryPage:
    doc = parse_html(decode(html))
    page = read_meta(doc)
    canonical = urls.canonical_url(page.canonical, base=url) if page.canonical else urls.canonical_url(url)
    title = rules.STORY_TITLE(doc)
    count = rules.STORY_COUNT(doc)
    number = _COUNT.search(matching_copy(element_text(count[0]))) if count else None
    story = StoryPage(
        url=canonical if urls.is_site_url(canonical) else urls.canonical_url(url),
        title=element_text(title[0]) or None if title else None,
        count=int(number.group()) if number else None,
    )
    seen: set[str] = set()
    for a in rules.STORY_MEMBERS(doc):
        member = urls.canonical_url(a.get("href", ""), base=url)
        if member not in seen and urls.is_article_url(member):
            seen.add(member)
            story.members.append({"url": member, "title": element_text(a)})
    nxt = rules.STORY_NEXT(doc)
    if nxt and nxt[0].get("href", "").strip():
        story.next_page = urls.canonical_url(nxt[0].get("href", ""), base=url)
    return story
