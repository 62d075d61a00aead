"""The site's markup, as data: every selector, label and threshold the extractors use.

Selectors are CSS compiled once at import (:mod:`newsbot.extract.select`: lxml's C-level tag
iteration for the simple selectors used here, lxml.cssselect otherwise), so a page costs one parse
plus a few tree walks. A page template is one :class:`Template`; the article
extractor tries them in order and uses the first whose body container is present.
When the site changes its markup, this is the module to edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import XPath

from newsbot.extract.select import Selector, compile_css


def css(*selectors: str) -> Selector:
    """One compiled selector for a union of CSS selectors; an empty group is a bug, not 'match all'."""
    if not selectors or not all(s.strip() for s in selectors):
        raise ValueError(f"empty selector group: {selectors!r}")
    return compile_css(", ".join(selectors))


@dataclass(frozen=True)
class Template:
    """Where one page template keeps each part of an article."""

    name: str
    root: Selector  # the article element (scopes every other selector)
    body: Selector  # the body text container(s); presence selects the template
    heading: Selector
    summary: Selector
    date: Selector
    author: Selector
    cover: Selector
    tags: Selector
    story: Selector
    related: Selector
    #: Markup that identifies the template when none of its body selectors matches (each selector must
    #: match in the root); its body is then found by structure (newsbot.extract.structure). Empty: the
    #: template is recognised only by its body container.
    signature: tuple[Selector, ...] = ()
    #: URL sections whose pages may be recognised by the signature (elsewhere an unknown body class means
    #: the site changed its templates: the fallback runs and the crawl warns).
    signature_sections: frozenset[str] = frozenset()


#: Current article template (``article.article`` with BEM classes).
CURRENT = Template(
    name="article",
    root=css("article.article", "article[data-article-id]"),
    body=css("div.article__text"),
    heading=css("h1.article__heading"),
    summary=css("div.article__summary"),
    date=css("div.article__date time", "div.article__date"),
    author=css("div.article__author"),
    cover=css("div.article__cover"),
    tags=css("div.article__tags a.tags__link"),
    story=css("div.article__story a[href]"),
    related=css("section.related a.related__link", "section.related li > a[href]"),
)

#: Legacy program pages (``/prg/telecast/{id}-{slug}/``, windows-1256): the pre-BEM news markup.
#: Its body class varies between older markups; when none below matches, a program page (/prg/) whose root
#: holds an <h1> and the legacy date line or lead block has its body found by structure (the block with the
#: most paragraph text).
_LEGACY_HEADING = ("h1.news-title", "h1.telecast-title", "h1")
_LEGACY_SUMMARY = ("div.news-anons", "div.telecast-anons", "div.anons", "div.lead")
_LEGACY_DATE = ("div.news-date", "div.telecast-date", "span.date", "div.date")
LEGACY = Template(
    name="legacy",
    root=css("div.news-block", "div.news_item", "div.news-item", "div.telecast", "div#content", "div.content"),
    body=css("div.news-text", "div.telecast-text", "div.telecast__text", "div.prg-text"),
    heading=css(*_LEGACY_HEADING),
    summary=css(*_LEGACY_SUMMARY),
    date=css(*_LEGACY_DATE),
    author=css("div.news-author", "div.author"),
    cover=css("div.news-video", "div.news-photo", "div.telecast-video", "div.telecast-photo"),
    tags=css("div.news-tags a[href]", "div.tags a[href]"),
    story=css("div.news-story a[href]"),
    related=css("div.news-related a[href]"),
    signature=(css(*_LEGACY_HEADING), css(*_LEGACY_SUMMARY, *_LEGACY_DATE)),
    signature_sections=frozenset({"prg"}),
)

TEMPLATES: tuple[Template, ...] = (CURRENT, LEGACY)

# --- whole-page parts -------------------------------------------------------------------------

JSON_LD = XPath("//script[@type='application/ld+json']")
META = XPath("//meta[@content]")
CANONICAL = XPath("//link[@rel='canonical']/@href")
HTML_LANG = XPath("/html/@lang")
TITLE_TAG = XPath("//title")
#: An error page the site renders for 404/410 (never an article, whatever the status line said).
ERROR_PAGE = css("section.error-page", "div.error-page", "h1.error-page__title")
#: Cheap substring tests on the page source that gate costlier whole-page XPaths.
ERROR_PAGE_MARKER = "error-page"
RELATED_LABEL_MARKER = "معلومات حول الموضوع"
LIVE_MARKERS = ("live-entry", "live__entry", "live-item", "liveblog-entry")
#: Where the fallback must never look: page chrome common to every template.
CHROME = css(
    "header",
    "footer",
    "nav",
    "aside",
    "section.stories-bar",
    "section.comments",
    "section.related",
    "section.most-read",
    "div.follow-us",
    "div.important-sections",
    "div.promo",
    "div.read-more",
    "div.ad-slot",
    "div.article__short-url",
    "div.article__tags",
    "div.article__story",
    "figure",
    "figcaption",
    "blockquote.twitter-tweet",
    "blockquote.instagram-media",
    "blockquote.tiktok-embed",
    "div.embed",
    "script",
    "style",
    "noscript",
    "iframe",
)

#: Elements the fallback checks against LIVE_CHROME_CLASS and CHROME_ROLES (regexes have no CSS form).
CLASS_OR_ROLE = XPath("//body//*[@class or @role]")
#: Page chrome that never holds the article's own media (checked as ancestors in the fallback).
CHROME_CONTAINERS = css(
    "header", "footer", "nav", "aside", "section.stories-bar", "section.comments", "section.related",
    "section.most-read", "div.promo", "div.read-more", "div.ad-slot",
)  # fmt: skip
#: Media the fallback keeps: players anywhere outside the chrome, images in a figure or next to a caption.
FALLBACK_MEDIA = XPath("//body//iframe | //body//video | //body//embed | //body//figure | //body//img")
#: Where a visible date may sit when no template names it (fallback only).
FALLBACK_DATES = XPath("//body//time | //body//*[contains(@class, 'date') or contains(@class, 'time')]")
#: A fallback paragraph this short that parses as a date is the date line, not text.
MAX_DATE_LINE_CHARS = 60

# --- inside the body ----------------------------------------------------------------------------

#: Body blocks that carry no article text (ads, share bars, the short-URL box...), by class token.
SKIP_CLASS = re.compile(
    r"(?:^|\s)(?:ad|ads|adv|ad[-_]\S+|adfox\S*|advert\S*|banner\S*|sponsor\S*|article__short-url|share\S*|social\S*"
    r"|comments?|subscribe\S*|newsletter\S*|article__tags|article__story)(?=\s|$)"
)
#: Live-widget chrome (status, auto-refresh and 'new updates' labels, badges, counters): labels, not entries.
LIVE_CHROME_CLASS = re.compile(
    r"(?:^|\s)(?:live|liveblog|live-blog|live-feed)(?:__|-|_)(?:status|refresh|badge|label|indicator|notice|counter"
    r"|new-updates|update-notice|updated)\S*(?=\s|$)|(?:^|\s)\S*auto-?refresh\S*(?=\s|$)"
)
#: ARIA roles of page chrome (status messages, timers, tickers), never article text.
CHROME_ROLES = frozenset({"status", "timer", "marquee"})
#: Embeds (social posts, players): their fallback text is the embedded post, not the article.
EMBED_CLASS = re.compile(r"(?:^|\s)\S*(?:embed|tweet|instagram|tiktok|telegram|fb-post|fb-video)\S*(?=\s|$)")
#: Inline read-more blocks: their link is a related story (kind 'read_more'), their text is not body.
READ_MORE_CLASS = re.compile(r"(?:^|\s)\S*(?:read-more|readmore|read_more|also-read)\S*(?=\s|$)")
MEDIA_CLASSES = frozenset({"media", "article__media", "photo", "news-photo", "image", "gallery"})
LIVE_ENTRY_CLASSES = frozenset({"live-entry", "live__entry", "live-item", "liveblog-entry"})
LIVE_ENTRY_TAGS = ("div", "li", "article", "section")
LIVE_ENTRY = css(*(f"{tag}.{c}" for c in sorted(LIVE_ENTRY_CLASSES) for tag in LIVE_ENTRY_TAGS))
SOURCE_CLASSES = frozenset({"article__source", "news-source", "source"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "form", "button", "input", "svg", "link", "meta", "hr"})
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol"})
#: Page chrome a body found by structure never sits in.
STRUCTURE_SKIP_TAGS = frozenset({"header", "footer", "nav", "aside", "figure", "figcaption"})
BOLD_TAGS = frozenset({"b", "strong"})
INLINE_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "span", "font", "small", "sup", "sub", "abbr", "q", "mark", "cite", "bdi", "bdo", "time", "s"}
)

#: Caption parts of an image, in the order they are joined (' / ').
CAPTION = css(
    "figcaption",
    ".media__caption",
    ".media__copyright",
    ".article__cover-caption",
    ".article__cover-copyright",
    ".photo-caption",
    ".photo-copyright",
    ".caption",
    ".copyright",
)
#: Hosts whose iframes are video players (other iframes are social embeds or widgets).
VIDEO_IFRAME_HOSTS = (
    "youtube.com",
    "youtube-nocookie.com",
    "youtu.be",
    "vimeo.com",
    "dailymotion.com",
    "rutube.ru",
    "rt.com",
    "facebook.com/plugins/video",
)
LINKS = XPath(".//a[@href]")
LINKS_AFTER = XPath("descendant::a[@href] | following::a[@href]")
LIVE_TIME = XPath(".//time")
LIST_ITEMS = XPath("./li")

# --- labels (compared on whitespace-normalized text) --------------------------------------------

SOURCE_LABELS = ("المصدر:", "المصدر :")
AUTHOR_LABELS = ("بقلم:", "بقلم", "الكاتب:", "الكاتب", "المؤلف:", "إعداد:", "تحرير:")
#: The label of an inline read-more block (a card may put it inside the link, before the story title).
READ_MORE_LABELS = (
    "اقرأ المزيد", "إقرأ المزيد", "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا", "إقرأ أيضاً", "اقرأ كذلك", "اقرأ أيضا:", "اقرأ المزيد:",
)  # fmt: skip
#: Legacy pages put related links after this label, at the end of the body.
RELATED_LABELS = ("معلومات حول الموضوع",)
RELATED_LABEL_XPATH = XPath("//body//text()[starts-with(normalize-space(.), 'معلومات حول الموضوع')]/..")
#: Bylines that name the publisher, not a person (JSON-LD ``author`` is often the organization).
SITE_NAMES = frozenset({"RT Arabic", "RT", "RT عربي", "روسيا اليوم", "arabic.rt.com"})
TITLE_SUFFIXES = (" - RT Arabic", " | RT Arabic", " - روسيا اليوم", " - RT عربي")

# --- thresholds ---------------------------------------------------------------------------------

#: A bold-only paragraph longer than this is emphasis, not a subheading.
MAX_SUBHEAD_CHARS = 160
#: A 'المصدر: ...' line longer than this is a sentence of the body, not the source line.
MAX_SOURCE_CHARS = 120
#: A body found by structure (legacy template, unknown body class) must hold at least this much text.
MIN_STRUCTURE_BODY_CHARS = 100
#: The fallback extractor must find at least this much text to call a page an article.
MIN_FALLBACK_CHARS = 200

#: JSON-LD types that describe an article.
ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting", "BlogPosting", "OpinionNewsArticle"}
)

# --- story pages and the feed ---------------------------------------------------------------------

STORY_TITLE = css("h1.story__title")
STORY_COUNT = css("span.story__count", ".story__count")
STORY_MEMBERS = css("ul.story__list > li.story__item a[href]")
STORY_NEXT = css("a.pagination__next")
FEED_LINKS = XPath("//item/link | //*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']")
