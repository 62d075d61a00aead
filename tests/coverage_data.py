"""Hand-made coverage histories for the store/diff/report tests (no crawl needed).

The scenario (article root R and its follow-ups), written straight into a real SQLite store:

- run1 (finished): R, A, B, C ok; D answers 503 after retries.
- run2 (finished): R, A ok (same); B 404; C edited (one paragraph, ``modified`` changed);
  D ok now; E new.
- run3 (killed: never finished): A 404, F new -- must be ignored by every report.
- run4 (finished): same as run2 (B still 404) -- nothing new, updated or removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.coverage.diff import article_content, content_hash
from newsbot.coverage.store import ArticleRecord, CoverageStore
from newsbot.failures import FetchFailure

if TYPE_CHECKING:
    from pathlib import Path

SITE = "https://arabic.rt.com"
R = f"{SITE}/world/801234-علاقات-روسيا-والناتو/"
A = f"{SITE}/russia/801561-موسكو-دعوة-الجبل-الأسود/"
B = f"{SITE}/world/802317-الجبل-الأسود-منقسم/"
C = f"{SITE}/world/806104-حكومة-الجبل-الأسود-تنجو/"
D = f"{SITE}/world/812450-ميدفيديف-حرب-باردة/"
E = f"{SITE}/world/818932-مجلس-روسيا-الناتو-يجتمع/"
F = f"{SITE}/world/822107-الناتو-يوقع-بروتوكول/"

PUBLISHED = {
    R: "2015-12-02T10:00:00+03:00",
    A: "2015-12-03T16:00:00+03:00",
    B: "2015-12-05T10:00:00+03:00",
    C: "2015-12-05T22:00:00+03:00",
    D: "2016-01-10T10:00:00+03:00",
    E: "2016-04-20T12:30:00+03:00",
    F: "2016-05-19T09:00:00+03:00",
}
TITLES = {
    R: "علاقات روسيا والناتو بين مقتضيات التعاون وطموحات الغرب",
    A: "موسكو: دعوة الجبل الأسود إلى الناتو تقوض الثقة",
    B: "الجبل الأسود منقسم بين عضوية الناتو ومطالب الاستفتاء",
    C: "حكومة الجبل الأسود تنجو من تصويت على حجب الثقة",
    D: "ميدفيديف: العلاقات بين روسيا والناتو تنزلق إلى حرب باردة",
    E: "مجلس روسيا-الناتو يجتمع في بروكسل للمرة الأولى منذ عامين",
    F: "الناتو يوقع بروتوكول انضمام الجبل الأسود",
}
C_BODY_V1 = ["نجت حكومة الجبل الأسود من تصويت على حجب الثقة في البرلمان يوم الأربعاء.", "وصوّت ٤٢ نائباً ضد المذكرة."]
C_BODY_V2 = ["نجت حكومة الجبل الأسود من تصويت على حجب الثقة في البرلمان يوم الأربعاء.", "وصوّت ٤٣ نائباً ضد المذكرة."]


def record(url: str, body: list[str] | None = None, modified: str | None = None) -> ArticleRecord:
    content = article_content(TITLES[url], "مقدمة الخبر", [], body or [f"نص الخبر {TITLES[url]}"])
    return ArticleRecord(
        url=url,
        article_id=int(url.split("/")[4].split("-")[0]),
        title=TITLES[url],
        section=url.split("/")[3],
        published=PUBLISHED[url],
        modified=modified or PUBLISHED[url],
        content_hash=content_hash(content),
        content=content,
        http_status=200,
    )


def failure(url: str, status: int | None, root: str = R, reason: str | None = None) -> FetchFailure:
    return FetchFailure(url=url, stage="fetch", reason=reason or f"HTTP {status}", status=status, attempts=3, depth=1, parent=root, root=root)


def seen(store: CoverageStore, job: str, url: str, **kwargs: object) -> None:
    store.record_article(job, record(url, **kwargs), root=R, parent=R if url != R else None, depth=0 if url == R else 1)  # type: ignore[arg-type]


def build_history(path: Path) -> CoverageStore:
    store = CoverageStore(path)
    roots = [(R, "article")]
    store.begin_run("run1", "2026-01-01T06:00:00+00:00", {"url": R, "depth": 1}, roots)
    for url in (R, A, B):
        seen(store, "run1", url)
    seen(store, "run1", C, body=C_BODY_V1, modified="2015-12-05T22:00:00+03:00")
    store.record_failure("run1", failure(D, 503), is_article=True)
    store.finish_run("run1", "2026-01-01T06:01:00+00:00", "finished", {"items": 4, "failures": 1})

    store.begin_run("run2", "2026-01-05T06:00:00+00:00", {"url": R, "depth": 1}, roots)
    for url in (R, A, D, E):
        seen(store, "run2", url)
    seen(store, "run2", C, body=C_BODY_V2, modified="2015-12-06T08:00:00+03:00")
    store.record_failure("run2", failure(B, 404), is_article=True)
    store.finish_run("run2", "2026-01-05T06:01:00+00:00", "finished", {"items": 5, "failures": 1})

    store.begin_run("run3", "2026-01-06T06:00:00+00:00", {"url": R, "depth": 1}, roots)
    seen(store, "run3", R)
    seen(store, "run3", F)
    store.record_failure("run3", failure(A, 404), is_article=True)
    # killed here: no finish_run

    store.begin_run("run4", "2026-01-07T06:00:00+00:00", {"url": R, "depth": 1}, roots)
    for url in (R, A, D, E):
        seen(store, "run4", url)
    seen(store, "run4", C, body=C_BODY_V2, modified="2015-12-06T08:00:00+03:00")
    store.record_failure("run4", failure(B, 404), is_article=True)
    store.finish_run("run4", "2026-01-07T06:01:00+00:00", "finished", {"items": 5, "failures": 1})
    return store


def cut_after(store: CoverageStore, last_job: str) -> CoverageStore:
    """Forget the runs after ``last_job`` (the history as it stood then)."""
    order = [r["job_id"] for r in store.runs()]
    for job in order[order.index(last_job) + 1 :]:
        with store.transaction() as db:
            for table in ("runs", "run_roots", "articles", "reached", "failures"):
                db.execute(f"DELETE FROM {table} WHERE job_id = ?", (job,))  # noqa: S608
    return store
