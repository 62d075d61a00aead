"""Where the time goes: ``python -m benchmarks.profile [replay|live-on|live-off|noop] [--pages N]``.

Runs one measured child under py-spy (``pip install '.[bench]'``; sampling without pausing the
process, so the run keeps its speed), then sorts the samples taken inside the event loop into
components -- the deepest frame that names a component wins -- and scales each share by the
run's own CPU time per page. Samples outside the event loop (imports, crawler set-up, the replay
index) are listed apart, as start-up seconds. The archive comes from the last
``python -m benchmarks`` run (built if missing). The raw stacks stay in benchmarks/work/prof/.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks import synth
from benchmarks.__main__ import FAIR, WORK, remove_finished_runs, rt_ar
from benchmarks.children import ROOT, RUN_CPU, Server, _env, _pin

#: (component, pattern in a py-spy frame); the deepest matching frame of a sample decides
COMPONENTS = [
    ("extraction (newsbot.extract)", "newsbot/extract/"),
    ("Scrapy's generator-return check on the callback (inspect.getsource + ast.parse)", "warn_on_generator_with_return_value"),
    ("WARC writing (newsbot.warc middleware/writer/records/digests)", re.compile(r"newsbot/warc/(middleware|writer|records|digests|store|metadata|transport|warcinfo)\.py")),
    ("replay handler + archive index (newsbot.warc)", re.compile(r"newsbot/warc/(replay|index|reader)\.py")),
    ("items.jsonl (ItemsFile)", "newsbot/extensions/items_file.py"),
    ("coverage store (newsbot.coverage)", "newsbot/coverage/"),
    ("other newsbot extensions", re.compile(r"newsbot/(extensions|monitors|warc/progress)")),
    ("newsbot downloader middlewares", "newsbot/downloadermiddlewares/"),
    ("newsbot.urls (canonical URLs)", "newsbot/urls.py"),
    ("rt_ar spider, without extraction", "newsbot/spiders/"),
    ("Scrapy downloader middlewares", "scrapy/downloadermiddlewares/"),
    ("Scrapy spider middlewares", "scrapy/spidermiddlewares/"),
    ("Scrapy HTTP/1.1 client + TLS (Twisted)", re.compile(r"scrapy/core/downloader/handlers/http11|twisted/(web|protocols/tls|internet/tcp)|OpenSSL/")),
    ("Scrapy per-response item tasks (CONCURRENT_ITEMS workers)", "scrapy/utils/asyncio.py"),
]
CORE = "Scrapy/Twisted/asyncio core (the rest)"


def categorize(raw: Path) -> tuple[collections.Counter[str], collections.Counter[str], int]:
    loop: collections.Counter[str] = collections.Counter()
    outside: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        stack, n_text = line.rsplit(" ", 1)
        n = int(n_text)
        total += n
        frames = stack.split(";")
        in_loop = any("run_forever" in f for f in frames)
        if not in_loop and any("_find_and_load" in f for f in frames):
            outside["imports"] += n
            continue
        chosen, depth = CORE, -1
        for name, pattern in COMPONENTS:
            for i, frame in enumerate(frames):
                hit = pattern.search(frame) if isinstance(pattern, re.Pattern) else pattern in frame
                if hit and i > depth:
                    chosen, depth = name, i
        (loop if in_loop else outside)[chosen] += n
    return loop, outside, total


def spec_for(kind: str, pages: int, label: str, page_kb: int = synth.PAGE_KB) -> tuple[dict, dict[str, str] | None, Path]:
    d = synth.build(pages, page_kb=page_kb)
    warc, urls = d / "pages.warc.gz", d / "urls.txt"
    # in this process's run folder, as a benchmark run's: kept for a look until a later run finds the process gone
    remove_finished_runs()
    jobs = WORK / "runs" / str(os.getpid()) / "jobs" / f"prof-{label}"
    if kind == "replay":
        return rt_ar(warc, urls, jobs, replay=warc), None, d
    if kind == "noop":
        handler = "benchmarks.spiders.MemoryPagesHandler"
        return {"kind": "crawl", "spider": "benchmarks.spiders.NoopSpider", "settings": {**FAIR, "DOWNLOAD_HANDLERS": {"http": handler, "https": handler}}, "preload_warc": str(warc)}, None, d
    return rt_ar(warc, urls, jobs, warc=(kind == "live-on")), {}, d


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["replay", "live-on", "live-off", "noop"], nargs="?", default="replay")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--page-kb", type=int, default=synth.PAGE_KB, help=f"average page size in KB (default {synth.PAGE_KB})")
    args = parser.parse_args(argv)
    if shutil.which("py-spy") is None:
        parser.error("py-spy is not installed: pip install '.[bench]'")
    label = f"{args.kind}-{args.pages}-kb{args.page_kb}"
    spec, env, d = spec_for(args.kind, args.pages, label, args.page_kb)
    out = WORK / "prof" / f"{label}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["py-spy", "record", "--nonblocking", "-r", str(args.rate), "--format", "raw", "-o", str(out), "--", sys.executable, "-m", "benchmarks.runner", json.dumps(spec)]
    server = None
    if env is not None:
        server = Server(d / "site", WORK / "logs" / f"prof-{label}-server.log").__enter__()
        env = server.proxy_env()
    try:
        with open(WORK / "logs" / f"prof-{label}.log", "wb") as err:
            done = subprocess.run(cmd, cwd=ROOT, env=_env(env), stdout=subprocess.PIPE, stderr=err, preexec_fn=_pin(RUN_CPU), check=False)
    finally:
        if server is not None:
            server.__exit__()
    result = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT ") :])
    stats = result.get("stats", {})
    pages = int(stats.get("item_scraped_count") or stats.get("response_received_count") or 0)
    if not pages:
        sys.exit(f"the profiled run produced no pages; see {WORK / 'logs' / f'prof-{label}.log'}")
    loop, outside, total = categorize(out)
    engine_cpu = result["engine_cpu_s"]
    in_loop = sum(loop.values())
    print(f"{args.kind}, {pages} pages: {1000 * result['cpu_s'] / pages:.2f} CPU ms/page over the crawl, "
          f"{1000 * engine_cpu / pages:.2f} between spider_opened and spider_closed; {total} samples")
    print(f"{'ms/page':>8}  {'share':>6}  component (event loop, scaled to the open->close CPU)")
    for name, n in loop.most_common():
        print(f"{1000 * engine_cpu / pages * n / in_loop:8.3f}  {100 * n / in_loop:5.1f}%  {name}")
    startup = result["cpu_s"] - engine_cpu
    print(f"start-up and shut-down: {startup:.2f} CPU s in all; samples outside the loop: "
          + ", ".join(f"{name} {100 * n / max(sum(outside.values()), 1):.0f}%" for name, n in outside.most_common(5)))
    print(f"raw stacks: {out}")


if __name__ == "__main__":
    main()
