"""Rough timing of the rules extractor against ``trafilatura.extract`` on saved pages.

Usage: ``python -m newsbot.extract.bench tests/fixtures/pages/replica/*/page.html``
Prints the best-of-N milliseconds per page of each. A developer tool; not used by the crawl.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from newsbot.extract import NotAnArticle, extract_article

ROUNDS = 5
URL = "https://arabic.rt.com/world/1-bench/"


def _best_ms(func: object, pages: list[bytes], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for page in pages:
            func(page)  # type: ignore[operator]
        best = min(best, (time.perf_counter() - start) / len(pages) * 1000)
    return best


def _rules(page: bytes) -> None:
    try:
        extract_article(URL, page)
    except NotAnArticle:
        pass


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    pages = [Path(p).read_bytes() for p in argv]
    import trafilatura

    texts = [p.decode("utf-8", "replace") for p in pages]
    rules_ms = _best_ms(_rules, pages, ROUNDS)
    traf_ms = _best_ms(lambda i: trafilatura.extract(texts[i]), list(range(len(texts))), max(1, ROUNDS // 2))  # type: ignore[arg-type]
    size_kb = sum(map(len, pages)) / len(pages) / 1024
    print(f"{len(pages)} pages, {size_kb:.1f} KB average")
    print(f"rules:       {rules_ms:.2f} ms/page")
    print(f"trafilatura: {traf_ms:.2f} ms/page ({traf_ms / rules_ms:.1f}x slower)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
