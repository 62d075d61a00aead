"""The page weight the replica strips: what makes a real RT Arabic article page about 55 KB, not 20.

The replica keeps the parts the crawler and extractor must understand and drops the rest. The real
pages also carry, in rough order of size (all generated here from a seeded RNG, varied per page):

- ``<head>``: the site's inline state/config script (menus, ad slots, feature flags, UI strings,
  recommendations as JSON), an inline critical-CSS block, analytics and ad loaders (GTM, Yandex
  Metrika, comScore, a pixel), preload/prefetch links, extra meta tags and a BreadcrumbList JSON-LD;
- an inline SVG icon sprite at the top of ``<body>`` (symbols with long path data);
- a mega menu in the header (section groups with sub-links);
- more cards: a longer stories bar, a "more news" feed below the article and a longer most-read list,
  each card with an image, title and time, linking to other pages of the archive;
- longer article bodies (more paragraphs).

None of it is inside the parts the extractor reads for the item (the article root's heading, lead,
date, body paragraphs aside), so the items are the same kind as before: the extra paragraphs are body
text. :func:`weigh` adds about ``extra_bytes`` of these, split between the parts at random.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

#: The replica-derived pages average about this many KB; ``--page-kb`` above it adds weight.
BASE_KB = 20

#: Share of the extra weight per part (normalised after a per-page random jitter).
SHARES = {"state": 0.15, "css": 0.08, "analytics": 0.06, "sprite": 0.10, "menu": 0.16, "cards": 0.30, "body": 0.15}

_SECTIONS = [
    ("world", "العالم"), ("middle_east", "الشرق الأوسط"), ("russia", "روسيا"), ("business", "اقتصاد"),
    ("sport", "رياضة"), ("technology", "علوم وتكنولوجيا"), ("health", "صحة"), ("features", "منوعات"),
    ("prg", "برامج"), ("culture", "ثقافة وفن"), ("ukraine", "أوكرانيا"), ("gaza", "غزة"),
]  # fmt: skip
_CSS_PROPS = [
    "display:flex", "display:block", "display:none", "position:relative", "position:absolute", "margin:0",
    "padding:0 16px", "padding:8px 12px", "font-size:14px", "font-size:18px", "line-height:1.6", "color:#222",
    "color:#6a6a6a", "background:#fff", "background:#00a04a", "border-bottom:1px solid #e5e5e5", "gap:12px",
    "align-items:center", "justify-content:space-between", "overflow:hidden", "text-overflow:ellipsis",
    "white-space:nowrap", "width:100%", "max-width:1200px", "height:auto", "border-radius:4px", "font-weight:700",
    "transition:opacity .2s ease", "z-index:10", "flex-wrap:wrap", "object-fit:cover", "aspect-ratio:16/9",
]  # fmt: skip
_BLOCKS = ["header", "nav", "menu", "card", "feed", "sidebar", "footer", "promo", "stories-bar", "most-read", "media", "button", "icon", "banner-slot", "article", "layout", "grid", "rubric"]
_ELEMS = ["", "__inner", "__list", "__item", "__link", "__title", "__image", "__date", "__caption", "__icon", "__wrap", "__more"]
_ICONS = ["search", "menu", "close", "telegram", "x", "facebook", "youtube", "instagram", "tiktok", "vk", "rss", "play", "photo", "clock", "arrow-left", "arrow-right", "share", "copy", "comment", "live", "mail", "app-store", "google-play", "user"]
_UI_STRINGS = [
    "اقرأ المزيد", "الأكثر قراءة", "أحدث الأخبار", "شارك", "انسخ الرابط", "تم النسخ", "ابحث في الموقع", "إغلاق",
    "فيديو", "صور", "بث مباشر", "البرامج", "تابعونا على", "حمل التطبيق", "الصفحة الرئيسية", "المزيد من الأخبار",
]  # fmt: skip


@dataclass
class Weight:
    """Markup to splice into one page, by place."""

    head: str = ""
    body_start: str = ""
    menu: str = ""
    stories_cards: str = ""
    after_article: str = ""
    most_read: str = ""
    paragraphs: str = ""


def _fill(budget: int, make: Callable[[int], str]) -> list[str]:
    """Items from ``make(k)`` until their size reaches ``budget`` bytes (UTF-8)."""
    out: list[str] = []
    size = 0
    k = 0
    while size < budget:
        item = make(k)
        out.append(item)
        size += len(item.encode("utf-8"))
        k += 1
    return out


def _path_data(rng: random.Random) -> str:
    parts = [f"M{rng.uniform(0, 24):.2f} {rng.uniform(0, 24):.2f}"]
    for _ in range(rng.randint(6, 18)):
        cmd = rng.choice("LCcSsQq")
        n = {"L": 1, "C": 3, "c": 3, "S": 2, "s": 2, "Q": 2, "q": 2}[cmd]
        parts.append(cmd + " ".join(f"{rng.uniform(-12, 24):.3f},{rng.uniform(-12, 24):.3f}" for _ in range(n)))
    return "".join(parts) + "z"


def _class(rng: random.Random) -> str:
    return rng.choice(_BLOCKS) + rng.choice(_ELEMS)


def _time(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}.01.2026 | {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} GMT"


def weigh(
    rng: random.Random,
    extra_bytes: int,
    *,
    paragraphs: list[str],
    other_page: Callable[[], tuple[str, str]],
    shuffle: Callable[[random.Random, str], str],
    page_id: int,
) -> Weight:
    """About ``extra_bytes`` of RT-like page weight; ``other_page()`` gives (path, title) of another page."""
    w = Weight()
    if extra_bytes <= 0:
        return w
    jitter = {k: v * rng.uniform(0.6, 1.4) for k, v in SHARES.items()}
    total = sum(jitter.values())
    budget = {k: int(extra_bytes * v / total) for k, v in jitter.items()}

    def image() -> str:
        return f"https://cdni.rt.com/media/pics/2026.01/{rng.choice(['xxs', 'm', 'l'])}/{rng.getrandbits(96):024x}.jpg"

    # <head>: the state script, critical CSS, analytics and ad loaders, preloads, meta, breadcrumbs
    def menu_state(k: int) -> str:
        slug, name = _SECTIONS[k % len(_SECTIONS)]
        item = {"id": 100 + k, "url": f"/{slug}/", "title": name, "children": []}
        for _ in range(rng.randint(3, 8)):
            path, t = other_page()
            item["children"].append({"url": path, "title": t, "img": image(), "ts": 1768000000 + rng.randrange(10**6)})
        return json.dumps(item, ensure_ascii=False)

    state = {
        "lang": "ar", "page": {"id": page_id, "kind": "article"},
        "ads": {f"slot-{k}": {"id": f"adfox_{rng.getrandbits(40):x}", "sizes": [[300, 250], [728, 90]], "lazy": rng.random() < 0.5} for k in range(rng.randint(6, 14))},
        "features": {f"flag_{k}": rng.random() < 0.5 for k in range(rng.randint(20, 40))},
        "i18n": {f"ui.{k}": s for k, s in enumerate(_UI_STRINGS)},
    }  # fmt: skip
    state_json = json.dumps(state, ensure_ascii=False)
    menus = _fill(budget["state"] - len(state_json.encode("utf-8")), menu_state)
    head = [f'<script>window.__RT_STATE__={state_json[:-1]},"menu":[{",".join(menus)}]}};</script>\n']

    def css_rule(k: int) -> str:
        props = ";".join(rng.sample(_CSS_PROPS, k=rng.randint(2, 6)))
        media = rng.random() < 0.15
        rule = f".{_class(rng)} .{_class(rng)}{{{props}}}"
        return f"@media (max-width:{rng.choice([480, 768, 1024])}px){{{rule}}}" if media else rule

    head.append("<style>" + "".join(_fill(budget["css"], css_rule)) + "</style>\n")
    tags = [
        '<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({"gtm.start":new Date().getTime(),event:"gtm.js"});'
        'var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!="dataLayer"?"&l="+l:"";j.async=true;'
        f'j.src="https://www.googletagmanager.com/gtm.js?id="+i+dl;f.parentNode.insertBefore(j,f);}})(window,document,"script","dataLayer","GTM-{rng.getrandbits(24):06X}");</script>\n',
        f'<script>var _comscore=_comscore||[];_comscore.push({{c1:"2",c2:"{rng.randrange(10**7, 10**8)}"}});(function(){{var s=document.createElement("script"),el=document.getElementsByTagName("script")[0];s.async=true;s.src="https://sb.scorecardresearch.com/cs/{rng.randrange(10**7)}/beacon.js";el.parentNode.insertBefore(s,el);}})();</script>\n',
        f'<script>!function(f,b,e,v,n,t,s){{if(f.fbq)return;n=f.fbq=function(){{n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)}};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version="2.0";n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}}(window,document,"script","https://connect.facebook.net/en_US/fbevents.js");fbq("init","{rng.randrange(10**15)}");fbq("track","PageView");</script>\n',
        f'<script async src="https://yandex.ru/ads/system/context.js"></script><script>window.yaContextCb=window.yaContextCb||[];window.Ya&&Ya.adfoxCode&&Ya.adfoxCode.create({{ownerId:{rng.randrange(10**6)},containerId:"adfox_{rng.getrandbits(40):x}",params:{{pp:"g",ps:"{rng.getrandbits(16):x}",p2:"{rng.getrandbits(16):x}"}}}});</script>\n',
    ]  # fmt: skip
    head += _fill(budget["analytics"], lambda k: tags[k % len(tags)] if k < len(tags) else f'<link rel="preload" as="image" href="{image()}">\n')
    head.append(
        '<meta property="og:image:width" content="1200"><meta property="og:image:height" content="675">'
        f'<meta property="fb:app_id" content="{rng.randrange(10**14)}"><meta name="apple-itunes-app" content="app-id=538524483">\n'
        '<script type="application/ld+json">'
        + json.dumps(
            {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": "https://arabic.rt.com/"},
                {"@type": "ListItem", "position": 2, "name": rng.choice(_SECTIONS)[1], "item": f"https://arabic.rt.com/{rng.choice(_SECTIONS)[0]}/"},
            ]},  # fmt: skip
            ensure_ascii=False,
        )
        + "</script>\n"
    )
    w.head = "".join(head)

    # the icon sprite
    def symbol(k: int) -> str:
        name = _ICONS[k % len(_ICONS)] + (f"-{k // len(_ICONS)}" if k >= len(_ICONS) else "")
        paths = "".join(f'<path d="{_path_data(rng)}"/>' for _ in range(rng.randint(1, 3)))
        return f'<symbol id="icon-{name}" viewBox="0 0 24 24">{paths}</symbol>'

    w.body_start = (
        '<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">'
        + "".join(_fill(budget["sprite"], symbol))
        + "</svg>\n"
    )

    # the header's mega menu
    def menu_group(k: int) -> str:
        slug, name = _SECTIONS[k % len(_SECTIONS)]
        links = "".join(
            f'<li class="menu__item"><a class="menu__link" href="{path}">{t}</a></li>'
            for path, t in (other_page() for _ in range(rng.randint(4, 9)))
        )
        return (
            f'<div class="menu__group"><a class="menu__group-title" href="/{slug}/">{name}</a>'
            f'<ul class="menu__list">{links}</ul></div>\n'
        )

    w.menu = '  <div class="header__menu">\n' + "".join(_fill(budget["menu"], menu_group)) + "  </div>\n"

    # cards: stories bar, the feed below the article, most read
    def card(kind: str) -> Callable[[int], str]:
        def make(k: int) -> str:
            path, t = other_page()
            rubric = rng.choice(_SECTIONS)[1]
            return (
                f'<li class="{kind}__card"><a class="card card_{kind}" href="{path}"><div class="card__media">'
                f'<img class="card__image" src="{image()}" alt="{t}" loading="lazy" width="320" height="180"></div>'
                f'<div class="card__body"><span class="card__rubric">{rubric}</span><span class="card__title">{t}</span></div></a>'
                f'<time class="card__date">{_time(rng)}</time></li>\n'
            )

        return make

    share = rng.uniform(0.2, 0.4)
    feed_share = rng.uniform(0.35, 0.55)
    w.stories_cards = "".join(_fill(int(budget["cards"] * share), card("stories-bar")))
    feed = _fill(int(budget["cards"] * feed_share), card("feed"))
    w.after_article = (
        '<section class="feed"><h2 class="feed__title">المزيد من الأخبار</h2>\n<ul class="feed__list">\n'
        + "".join(feed)
        + '</ul><a class="feed__more" href="/news/">المزيد</a></section>\n'
    )
    w.most_read = "".join(_fill(int(budget["cards"] * (1 - share - feed_share)), card("most-read")))

    # longer bodies
    w.paragraphs = "".join(_fill(budget["body"], lambda k: f"  <p>{shuffle(rng, rng.choice(paragraphs))}</p>\n"))
    return w
