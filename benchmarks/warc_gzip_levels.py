"""``python -m benchmarks.warc_gzip_levels``: CPU time and size of our WARC records at gzip levels 1, 6, 9.

Records are built exactly as a crawl builds them (newsbot.warc.records + the writer's
serializer) from the replica's pages (tests/site/t1/pages) or from a WARC's responses
(``--warc PATH``), twice: bodies as sent with
``Content-Encoding: gzip`` (what a crawl that sends ``Accept-Encoding: gzip`` stores) and
identity bodies. Prints one table; no file is written.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from scrapy.http import Response
from warcio.recordbuilder import RecordBuilder

from newsbot.warc import records
from newsbot.warc.writer import _RecordSerializer

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "site" / "t1" / "pages"


def page_files(warc: Path | None, limit: int) -> list[bytes]:
    """The replica's pages, or the decoded payloads of the first ``limit`` responses of ``warc``."""
    if warc is None:
        return [p.read_bytes() for p in sorted(PAGES.rglob("*")) if p.is_file() and p.suffix in (".html", ".xml", ".txt")]
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with open(warc, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type == "response" and len(out) < limit:
                out.append(rec.content_stream().read())
    return out


def bodies(files: list[bytes], encoded: bool) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for data in files:
        headers = {"Content-Type": "text/html; charset=utf-8", "Server": "nginx", "Vary": "Accept-Encoding"}
        if encoded:
            data = gzip.compress(data, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        out.append((data, headers))
    return out


def measure(pages: list[tuple[bytes, dict[str, str]]], level: int, rounds: int) -> tuple[float, int]:
    builder = RecordBuilder(warc_version="WARC/1.1")
    serializer = _RecordSerializer(level)
    cpu, size = 0.0, 0
    for _ in range(rounds):
        recs = [records.response_record(builder, Response(f"https://arabic.rt.com/p{i}", body=b, headers=h), None,
                                        "2026-01-01T00:00:00.000001Z") for i, (b, h) in enumerate(pages)]
        start = time.process_time()
        size = sum(len(serializer.to_bytes(r)) for r in recs)
        cpu += time.process_time() - start
    return cpu / rounds / len(pages) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warc", type=Path, help="take page bodies from this WARC instead of the replica")
    parser.add_argument("--limit", type=int, default=300, help="pages taken from --warc")
    args = parser.parse_args()
    files = page_files(args.warc, args.limit)
    print("| bodies | pages | raw payload KB | level | CPU ms/record | WARC KB | vs level 9 CPU | vs level 9 size |")
    print("|---|---|---|---|---|---|---|---|")
    for encoded in (True, False):
        pages = bodies(files, encoded)
        raw = sum(len(b) for b, _ in pages)
        results = {level: measure(pages, level, args.rounds) for level in (1, 6, 9)}
        cpu9, size9 = results[9]
        for level, (cpu, size) in results.items():
            print(f"| {'gzip-encoded' if encoded else 'identity'} | {len(pages)} | {raw / 1024:.0f} | {level} | "
                  f"{cpu:.3f} | {size / 1024:.1f} | {cpu / cpu9:.2f}x | {size / size9 - 1:+.1%} |")


if __name__ == "__main__":
    main()
