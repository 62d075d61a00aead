"""Build snapshot t2 ("days later") from t1: two new follow-ups, one edited, one removed; nothing else changes.

    python tests/site/make_t2.py        # rewrites tests/site/t2 from tests/site/t1

Deterministic: running it twice gives the same bytes. The new pages are t1's article 818932 with new
ids, text, dates, tags and images; their gold JSON is written from the same specs below (the
expected extraction, by hand), never from the project's extractor. See tests/site/README.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
T1, T2 = HERE / "t1", HERE / "t2"
SITE = "https://arabic.rt.com"
STORY = "/story/4521-روسيا-والناتو/"
TEMPLATE_ID = 818932  # the t1 article the new pages are cut from
REMOVED_ID = 822107
EDITED_ID = 812450
SEED_ID = 801234
CAPTURED = "2026-01-23T09:00:00+03:00"

EDIT_OLD = "لا يسهم في تعزيز الأمن بل يزيد من احتمالات سوء التقدير."
EDIT_NEW = ("لا يسهم في تعزيز الأمن بل يزيد من احتمالات سوء التقدير والحوادث العسكرية غير المقصودة، "
            "داعيا إلى استئناف الاتصالات المنتظمة بين العسكريين من الجانبين.")
EDITED_MODIFIED = "2016-07-14T11:20:00+03:00"
EDITED_LAST_MODIFIED = "Thu, 14 Jul 2016 08:20:00 GMT"

NEW = [
    {
        "id": 826034,
        "path": "/world/826034-قمة-وارسو-الناتو-ينشر-أربع-كتائب-في-البلطيق-وبولندا/",
        "title": "قمة وارسو: الناتو ينشر أربع كتائب في البلطيق وبولندا وموسكو تحذر",
        "lead": ("أقر قادة دول حلف شمال الأطلسي في ختام قمتهم في وارسو نشر أربع كتائب متعددة الجنسيات في دول "
                 "البلطيق الثلاث وبولندا، في خطوة قالت موسكو إنها تقوض الأمن في أوروبا."),
        "published": "2016-07-09T19:30:00+03:00",
        "modified": "2016-07-09T21:05:00+03:00",
        "shown": "09.07.2016 | 16:30 GMT",
        "last_modified": "Sat, 09 Jul 2016 18:05:00 GMT",
        "tags": ["الناتو", "روسيا", "بولندا"],
        "cover": ("https://cdni.rt.com/media/pics/2016.07/original/5a3e7c91d04b2f6e8c19a7b3.jpg",
                  "قادة دول الناتو في وارسو / AFP"),
        "body": [
            ("p", "وأعلن الأمين العام للحلف ينس ستولتنبرغ أن الكتائب الأربع، التي يبلغ قوام كل منها نحو ألف "
                  "عسكري، ستنتشر في إستونيا ولاتفيا وليتوانيا وبولندا مطلع العام المقبل على أساس التناوب."),
            ("p", "وأضاف أن الخطوة \"دفاعية ومتناسبة\" وتأتي ردا على ما وصفه بالتصرفات الروسية في أوكرانيا، "
                  "مؤكدا في الوقت نفسه أن الحلف لا يسعى إلى مواجهة مع موسكو."),
            ("read_more", 818932),
            ("p", "وأقرت القمة كذلك بلوغ منظومة الدرع الصاروخية للحلف في أوروبا مرحلة الجاهزية التشغيلية "
                  "الأولية، ووافقت على تعزيز الدعم المقدم لأوكرانيا."),
            ("figure", "https://cdni.rt.com/media/pics/2016.07/original/c47d02e9b15a6f3380de4c22.jpg",
             "ينس ستولتنبرغ في المؤتمر الصحفي الختامي / Reuters"),
            ("p", "في المقابل، قال الناطق باسم الكرملين دميتري بيسكوف إن موسكو ستتخذ كل الإجراءات اللازمة "
                  "لضمان أمنها، مشيرا إلى أن الحلف يواصل تجاهل مخاوف روسيا المشروعة."),
            ("ad", 1),
            ("p", "واتفق المشاركون في القمة على عقد اجتماع جديد لمجلس روسيا-الناتو على مستوى السفراء بعد أيام، "
                  "لإطلاع الجانب الروسي على قرارات وارسو."),
        ],
        "related": [818932, 812450, SEED_ID],
    },
    {
        "id": 826577,
        "path": "/world/826577-مجلس-روسيا-الناتو-يبحث-قرارات-قمة-وارسو/",
        "title": "مجلس روسيا-الناتو يبحث في بروكسل قرارات قمة وارسو دون تقارب في المواقف",
        "lead": ("اجتمع مجلس روسيا-الناتو في بروكسل على مستوى السفراء للمرة الثانية هذا العام، وبحث قرارات قمة "
                 "وارسو والوضع في أوكرانيا، من دون أن يقرب الاجتماع بين مواقف الجانبين."),
        "published": "2016-07-13T20:40:00+03:00",
        "modified": "2016-07-13T20:40:00+03:00",
        "shown": "13.07.2016 | 17:40 GMT",
        "last_modified": "Wed, 13 Jul 2016 17:40:00 GMT",
        "tags": ["مجلس روسيا-الناتو", "الناتو", "روسيا"],
        "cover": ("https://cdni.rt.com/media/pics/2016.07/original/9e61b7d3a2c04f58b1e7d6a0.jpg",
                  "المندوب الروسي لدى الناتو ألكسندر غروشكو / RIA Novosti"),
        "body": [
            ("p", "قال المندوب الروسي الدائم لدى الحلف ألكسندر غروشكو إن الجانب الروسي عرض خلال الاجتماع "
                  "تقييمه لقرارات قمة وارسو، معتبرا أن تعزيز الوجود العسكري للحلف على حدود روسيا يخلق خطوط "
                  "مواجهة جديدة في أوروبا."),
            ("p", "وأوضح أن موسكو طرحت مقترحات لتحسين أمن الطيران فوق بحر البلطيق، من بينها تشغيل أجهزة "
                  "الإرسال والاستقبال على متن الطائرات العسكرية خلال تحليقها في المنطقة."),
            ("read_more", 826034),
            ("p", "من جهته، قال الأمين العام للناتو ينس ستولتنبرغ إن الاجتماع كان \"صريحا وجادا\"، لكنه أقر "
                  "بأن الخلافات بين الجانبين بشأن أوكرانيا لا تزال قائمة."),
            ("p", "ولم يعلن الطرفان عن موعد الاجتماع المقبل للمجلس، واكتفيا بالتأكيد على أهمية مواصلة الحوار "
                  "السياسي والعسكري لتفادي الحوادث."),
        ],
        "related": [826034, 818932, SEED_ID],
    },
]


# --- reading t1 ----------------------------------------------------------------------------------------


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def dump_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def etag(data: bytes) -> str:
    return '"%s"' % hashlib.sha1(data).hexdigest()[:20]


class Articles:
    """Path, title and dates of every article, t1's and the new ones, by id."""

    def __init__(self) -> None:
        self.by_id: dict[int, dict] = {}
        for f in (T1 / "gold").glob("*.json"):
            if f.stem.isdigit():
                g = load_json(f)
                self.by_id[g["article_id"]] = {"path": g["url"][len(SITE):], "title": g["title"],
                                               "published": g["published"]}
        for spec in NEW:
            self.by_id[spec["id"]] = {"path": spec["path"], "title": spec["title"], "published": spec["published"]}

    def link_li(self, aid: int, kind: str) -> str:
        a = self.by_id[aid]
        return (f'<li class="{kind}__item"><a class="{kind}__link" href="{a["path"]}">{a["title"]}</a> '
                f'<time class="{kind}__date" datetime="{a["published"]}">{shown(a["published"])}</time></li>')


def shown(iso: str) -> str:
    """'2016-07-09T19:30:00+03:00' -> '09.07.2016 | 16:30 GMT', as the site shows dates (GMT)."""
    from datetime import datetime, timezone

    t = datetime.fromisoformat(iso).astimezone(timezone.utc)
    return f"{t:%d.%m.%Y | %H:%M} GMT"


def replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"make_t2: expected exactly one {old[:60]!r} in the template, found {text.count(old)}")
    return text.replace(old, new)


def replace_block(text: str, start: str, end: str, new: str) -> str:
    """Replace text from ``start`` up to and including the first ``end`` after it."""
    i = text.index(start)
    j = text.index(end, i) + len(end)
    return text[:i] + new + text[j:]


# --- new article pages -----------------------------------------------------------------------------------


def render_body(spec: dict, articles: Articles) -> str:
    lines = [' <div class="article__text">']
    for block in spec["body"]:
        if block[0] == "p":
            lines.append(f"  <p>{block[1]}</p>")
        elif block[0] == "read_more":
            a = articles.by_id[block[1]]
            lines.append('  <div class="read-more"><div class="read-more__title">اقرأ المزيد</div>'
                         f'<a class="read-more__link" href="{a["path"]}">{a["title"]}</a></div>')
        elif block[0] == "figure":
            lines.append(f'  <figure class="media"><img class="media__image" src="{block[1]}" alt="" loading="lazy">'
                         f'<div class="media__copyright">{block[2]}</div></figure>')
        elif block[0] == "ad":
            unit = f"adfox_inread_{spec['id']}_{block[1]}"
            lines.append(f'  <div class="ad-slot" data-ad-unit="rt_ar_inread_{block[1]}"><div class="ad-slot__label">'
                         f'إعلان</div><div id="{unit}"></div><script>window.yaContextCb=window.yaContextCb||[];'
                         'window.yaContextCb.push(function(){Ya.adfoxCode.create({ownerId:200001,containerId:'
                         f'"{unit}",params:{{p1:"cxyz",p2:"inread"}}}})}});</script></div>')
    lines.append('  <p class="article__source">المصدر: وكالات</p>')
    lines.append(" </div>")
    return "\n".join(lines)


def new_article_html(spec: dict, articles: Articles) -> str:
    template = (T1 / "pages" / "article" / f"{TEMPLATE_ID}.html").read_text(encoding="utf-8")
    t = load_json(T1 / "gold" / f"{TEMPLATE_ID}.json")
    # 1. the template's own identity, text and dates (its modified time equals its published time)
    html = replace_once(template, f'<meta property="article:modified_time" content="{t["modified"]}">',
                        f'<meta property="article:modified_time" content="{spec["modified"]}">')
    html = replace_once(html, f'"dateModified": "{t["modified"]}"', f'"dateModified": "{spec["modified"]}"')
    html = html.replace(t["published"], spec["published"]).replace(shown(t["published"]), spec["shown"])
    html = html.replace(t["url"], SITE + spec["path"]).replace(str(TEMPLATE_ID), str(spec["id"]))
    html = html.replace(t["title"], spec["title"]).replace(t["lead"], spec["lead"])
    html = html.replace(t["images"][0]["src"], spec["cover"][0])
    html = replace_once(html, t["images"][0]["caption"], spec["cover"][1])
    html = replace_once(html, f'"keywords": "{"، ".join(t["tags"])}"', f'"keywords": "{"، ".join(spec["tags"])}"')
    tag_meta = "\n".join(f'<meta property="article:tag" content="{x}">' for x in spec["tags"])
    html = re.sub(r'(<meta property="article:tag" content="[^"]*">\n)+', lambda _: tag_meta + "\n", html, count=1)
    leftovers = [x for x in (t["title"], t["lead"], str(TEMPLATE_ID), t["images"][0]["src"], t["published"]) if x in html]
    if leftovers:
        raise SystemExit(f"make_t2: template text left in article {spec['id']}: {leftovers}")
    # 2. the blocks: body, tags, related
    html = replace_block(html, ' <div class="article__text">', "\n </div>\n <div class=\"article__tags\">",
                         render_body(spec, articles) + '\n <div class="article__tags">')
    tag_links = "\n".join(f'  <a class="tags__link" href="/tags/{x.replace(" ", "-")}/">{x}</a>' for x in spec["tags"])
    html = replace_block(html, '<span class="tags__title">الوسوم:</span>\n', "\n </div>",
                         f'<span class="tags__title">الوسوم:</span>\n{tag_links}\n </div>')
    related = "\n".join("   " + articles.link_li(aid, "related") for aid in spec["related"])
    return replace_block(html, '<ul class="related__list">\n', "\n  </ul>",
                         f'<ul class="related__list">\n{related}\n  </ul>')


def new_article_gold(spec: dict, articles: Articles) -> dict:
    related, seen = [], set()
    for aid in [b[1] for b in spec["body"] if b[0] == "read_more"] + spec["related"]:
        if aid not in seen:
            seen.add(aid)
            related.append({"title": articles.by_id[aid]["title"], "url": SITE + articles.by_id[aid]["path"]})
    images = [{"caption": spec["cover"][1], "src": spec["cover"][0]}]
    images += [{"caption": b[2], "src": b[1]} for b in spec["body"] if b[0] == "figure"]
    return {
        "article_id": spec["id"], "author": None, "encoding": "utf-8",
        "body_paragraphs": [b[1] for b in spec["body"] if b[0] == "p"],
        "images": images, "lead": spec["lead"], "modified": spec["modified"], "published": spec["published"],
        "related": related, "related_unavailable": [], "section": "world", "source": "وكالات",
        "story": SITE + STORY, "subheadings": [], "tags": spec["tags"], "title": spec["title"],
        "url": SITE + spec["path"], "url_percent": SITE + quote(spec["path"]), "videos": [],
    }


# --- story pages and the seed's related block --------------------------------------------------------------


def story_members(articles: Articles) -> list[int]:
    """The story's articles in t2, newest first (as the story page lists them)."""
    t1_index = load_json(T1 / "gold" / "index.json")
    ids = [int(u[len(SITE):].split("/")[2].split("-")[0]) for u in t1_index["stories"][0]["members"]]
    ids = [i for i in ids if i != REMOVED_ID] + [s["id"] for s in NEW]
    return sorted(ids, key=lambda i: articles.by_id[i]["published"], reverse=True)


def story_page(name: str, members: list[int], total: int, articles: Articles) -> str:
    html = (T1 / "pages" / "story" / name).read_text(encoding="utf-8")
    items = "\n".join("  " + articles.link_li(aid, "story") for aid in members)
    html = replace_block(html, '<ul class="story__list">\n', "\n </ul>", f'<ul class="story__list">\n{items}\n </ul>')
    return re.sub(r'<span class="story__count">\d+ خبر</span>', f'<span class="story__count">{total} خبر</span>', html)


def main() -> None:
    if T2.exists():
        shutil.rmtree(T2)
    shutil.copytree(T1, T2)
    articles = Articles()
    manifest = load_json(T1 / "manifest.json")
    routes = {r["path"]: r for r in manifest["routes"]}
    changed: dict[str, tuple[bytes, str]] = {}  # route path -> (new body, Last-Modified)

    for spec in NEW:
        body = new_article_html(spec, articles).encode("utf-8")
        (T2 / "pages" / "article" / f"{spec['id']}.html").write_bytes(body)
        routes[spec["path"]] = {"article_id": spec["id"], "chunked": False, "content_type": "text/html; charset=utf-8",
                                "file": f"pages/article/{spec['id']}.html", "kind": "article", "path": spec["path"],
                                "status": 200}
        changed[spec["path"]] = (body, spec["last_modified"])
        short = f"/world/{spec['id']}/"
        routes[short] = {"kind": "redirect", "location": SITE + spec["path"], "path": short, "status": 301}
        dump_json(T2 / "gold" / f"{spec['id']}.json", new_article_gold(spec, articles))

    # the removed follow-up: 410, its page and gold gone
    removed = articles.by_id[REMOVED_ID]
    routes[removed["path"]] = {"article_id": REMOVED_ID, "kind": "article", "path": removed["path"], "status": 410}
    (T2 / "pages" / "article" / f"{REMOVED_ID}.html").unlink()
    (T2 / "gold" / f"{REMOVED_ID}.json").unlink()

    # the edited follow-up: one paragraph reworded, modified time moved on
    edited = articles.by_id[EDITED_ID]
    gold = load_json(T1 / "gold" / f"{EDITED_ID}.json")
    html = (T1 / "pages" / "article" / f"{EDITED_ID}.html").read_text(encoding="utf-8")
    html = replace_once(html, EDIT_OLD, EDIT_NEW)
    html = replace_once(html, f'<meta property="article:modified_time" content="{gold["modified"]}">',
                        f'<meta property="article:modified_time" content="{EDITED_MODIFIED}">')
    html = replace_once(html, f'"dateModified": "{gold["modified"]}"', f'"dateModified": "{EDITED_MODIFIED}"')
    changed[edited["path"]] = (html.encode("utf-8"), EDITED_LAST_MODIFIED)
    gold["body_paragraphs"] = [p.replace(EDIT_OLD, EDIT_NEW) for p in gold["body_paragraphs"]]
    gold["modified"] = EDITED_MODIFIED
    dump_json(T2 / "gold" / f"{EDITED_ID}.json", gold)

    # the seed's related block: the new follow-ups on top, the removed one gone
    seed = articles.by_id[SEED_ID]
    gold = load_json(T1 / "gold" / f"{SEED_ID}.json")
    related_ids = [s["id"] for s in reversed(NEW)] + [int(r["url"].split("/")[4].split("-")[0]) for r in gold["related"]]
    related_ids = [i for i in related_ids if i != REMOVED_ID]
    html = (T1 / "pages" / "article" / f"{SEED_ID}.html").read_text(encoding="utf-8")
    items = "\n".join("   " + articles.link_li(aid, "related") for aid in related_ids)
    html = replace_block(html, '<ul class="related__list">\n', "\n  </ul>", f'<ul class="related__list">\n{items}\n  </ul>')
    newest = max(NEW, key=lambda s: s["published"])
    changed[seed["path"]] = (html.encode("utf-8"), newest["last_modified"])
    gold["related"] = [{"title": articles.by_id[i]["title"], "url": SITE + articles.by_id[i]["path"]} for i in related_ids]
    dump_json(T2 / "gold" / f"{SEED_ID}.json", gold)

    # the story pages: 5 a page, newest first
    members = story_members(articles)
    for n, name in ((1, "4521-p1.html"), (2, "4521-p2.html")):
        path = STORY if n == 1 else f"{STORY}?page={n}"
        body = story_page(name, members[(n - 1) * 5 : n * 5], len(members), articles).encode("utf-8")
        changed[path] = (body, newest["last_modified"])

    for path, (body, last_modified) in changed.items():
        route = routes[path]
        (T2 / route["file"]).write_bytes(body)
        route.update(etag=etag(body), last_modified=last_modified, length=len(body))
    manifest.update(captured=CAPTURED, snapshot="t2", routes=[routes[p] for p in sorted(routes)])
    dump_json(T2 / "manifest.json", manifest)

    index = load_json(T1 / "gold" / "index.json")
    index["snapshot"] = "t2"
    index["articles"] = sorted(
        [a for a in index["articles"] if a["article_id"] != REMOVED_ID]
        + [{"article_id": s["id"], "gold": f"gold/{s['id']}.json", "url": SITE + s["path"]} for s in NEW],
        key=lambda a: a["article_id"])
    index["stories"][0]["members"] = [SITE + articles.by_id[i]["path"] for i in sorted(members)]
    index["changes_since"] = "t1"
    index["new"] = [SITE + s["path"] for s in NEW]
    index["updated"] = [SITE + edited["path"]]
    index["removed"] = [SITE + removed["path"]]
    dump_json(T2 / "gold" / "index.json", index)


if __name__ == "__main__":
    main()
