"""``python -m benchmarks [--pages N] [--quick]``: speed, CPU and memory of newsbot beside baselines.

One run builds the synthetic archive (see :mod:`benchmarks.synth`), measures every row in its own
child process pinned to core 0 (the test server, when used, runs on core 1), prints the table
and the target verdicts, and writes ``benchmarks/results.json`` and ``benchmarks/results.md``.
A row whose piece of the project is missing (extractor, replay handler, WARC writer, test
server) is reported as ``pending`` and the rest still runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import synth, weight
from benchmarks.children import ROOT, Server, run_child
from benchmarks.report import Row, Target, machine, table, targets_table, write

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
#: the same on every side of every comparison
FAIR = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "CLOSESPIDER_TIMEOUT": 3600,
}
MEMORY_SIZES = (1000, 20000)
#: parts of a run, for ``--only``
SECTIONS = ("replay", "extract", "live", "memory")


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def set_rates(row: Row, pages: int, wall_s: float, cpu_s: float) -> Row:
    row.pages = pages
    if pages:
        row.pages_per_s = round(pages / wall_s, 1)
        row.pages_per_cpu_s = round(pages / cpu_s, 1)
        row.cpu_ms_per_page = round(1000 * cpu_s / pages, 3 if cpu_s / pages < 0.001 else 2)
    return row


def best(rows: list[Row]) -> Row:
    """The run with the least CPU per page: noise from other work on the machine only ever adds CPU."""
    chosen = min(rows, key=lambda r: (r.cpu_ms_per_page is None, r.cpu_ms_per_page or 0))
    if len(rows) > 1:
        runs = ", ".join("-" if r.cpu_ms_per_page is None else f"{r.cpu_ms_per_page:.2f}" for r in rows)
        chosen.note = "; ".join(x for x in (chosen.note, f"best of {len(rows)} runs (CPU ms/page {runs})") if x)
    return chosen


def crawl_row(name: str, result: dict[str, Any], expected: int, count_key: str) -> Row:
    """A row from a crawl child: pages/s over the crawl window, CPU of that window, peak RSS of the child."""
    proc = result["proc"]
    stats = result.get("stats", {})
    pages = int(stats.get(count_key, 0) or 0)
    row = Row(name=name, pages=pages, peak_rss_mb=round(proc["maxrss_mb"], 1), raw=result)
    if "wall_s" not in result:
        row.status, row.note = "error", " / ".join(proc.get("error_tail", []))[-300:]
        return row
    set_rates(row, pages, result["wall_s"], result["cpu_s"])
    if result.get("engine_cpu_s") is not None:
        row.startup_cpu_s = round(result["cpu_s"] - result["engine_cpu_s"], 2)
    if pages < expected:
        row.status = "incomplete"
        errors = {k: v for k, v in stats.items() if k.startswith(("spider_exceptions/", "downloader/exception_type_count/", "newsbot/replay/miss", "log_count/ERROR"))}
        row.note = f"{pages} of {expected} pages; " + ", ".join(f"{k}={v}" for k, v in errors.items())
    return row


def rt_ar(archive: Path, urls: Path, jobs: Path, *, replay: Path | None = None, warc: bool | None = None) -> dict[str, Any]:
    settings = {**FAIR, "ARCHIVE_DIR": str(jobs)}
    if warc is not None:
        settings["NEWSBOT_WARC_ENABLED"] = warc
    spargs = {"urls_file": str(urls), "depth": "0"}
    if replay is not None:
        spargs["replay"] = str(replay)
    return {"kind": "crawl", "spider": "rt_ar", "project": True, "settings": settings, "spargs": spargs}


def extractor_status(sample_html: bytes, url: str) -> str | None:
    """None when extract_article works on a synthetic page, else why not."""
    try:
        from newsbot.extract import extract_article

        item = extract_article(url, sample_html.decode("utf-8"))
    except NotImplementedError:
        return "extract_article is still a stub"
    except Exception as exc:
        return f"extract_article failed: {type(exc).__name__}: {exc}"
    return None if item.title else "extract_article found no title"


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[Row] = []
        self.by_name: dict[str, Row] = {}
        # one folder per run, so runs started side by side do not remove each other's job folders
        self.run_dir = WORK / "runs" / str(os.getpid())
        self.logs = self.run_dir / "logs"
        self.live_cpu: dict[Any, list[float]] = {True: [], False: []}
        self.jobs = self.run_dir / "jobs"

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        self.by_name[row.name] = row
        _log(f"{row.name}: {row.status} pages={row.pages} pages/s={row.pages_per_s} pages/cpu-s={row.pages_per_cpu_s} cpu_ms/page={row.cpu_ms_per_page} rss={row.peak_rss_mb} {row.note}")
        return row

    def job_dir(self, label: str) -> Path:
        path = self.jobs / label
        shutil.rmtree(path, ignore_errors=True)
        return path

    def run(self) -> None:
        a = self.args
        n = a.pages
        t0 = time.perf_counter()
        remove_finished_runs()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        _log(f"building synthetic archive of {n} pages of about {a.page_kb} KB (seed {a.seed})")
        main = synth.build(n, a.seed, page_kb=a.page_kb)
        meta = json.loads((main / "meta.json").read_text())
        warc, urls = main / "pages.warc.gz", main / "urls.txt"
        first_url = urls.read_text(encoding="utf-8").splitlines()[0]
        first_html = synth.render_page(a.seed, 0, n, a.page_kb)

        extractor = extractor_status(first_html, first_url)
        replay = self.replay_status(warc, urls)
        _log(f"extractor: {extractor or 'ready'}; replay: {replay or 'ready'}; server: {Server.available() or 'ready'}")

        only = set(a.only or SECTIONS)
        # 1. no-op spider fed the pages in memory, and replay through the full pipeline, alternating
        if "replay" in only:
            self.replay_rows(warc, urls, n, replay, extractor)
        # 2. extraction alone, trafilatura, parsel; reading the WARC alone
        if "extract" in only:
            self.extraction_rows(warc, extractor)
            self.warc_reading_rows(warc)
        # 3. live crawls over loopback through the test server
        if "live" in only:
            self.live_rows(main, urls, n, extractor)
        # 4. memory: replay at several archive sizes
        sizes = sorted({n, *(s for s in MEMORY_SIZES if not (a.quick and s > 1000))}) if "memory" in only else [n]
        for size in sizes:
            if size == n:
                continue
            _log(f"building synthetic archive of {size} pages")
            d = synth.build(size, a.seed, snapshot=False, page_kb=a.page_kb)
            self.add(self.replay_run(f"replay crawl, full pipeline ({size:,} pages)", d / "pages.warc.gz", d / "urls.txt", size, replay, extractor, f"replay-{size}"))

        targets = self.targets(sizes)
        elapsed = time.perf_counter() - t0
        rows = sorted(self.rows, key=_order)
        print()
        print(table(rows))
        print()
        print(targets_table(targets))
        # a --quick or --only run must not replace the committed results of a full run
        out = WORK if a.quick or a.only else HERE
        write(
            out / "results.json", out / "results.md", machine_info=machine(), args={"pages": n, "page_kb": a.page_kb, "quick": a.quick, "seed": a.seed, "repeat": a.repeat, "only": a.only, "argv": sys.argv[1:]},
            archive=meta, rows=rows, targets=targets, elapsed_s=elapsed,
        )
        _log(f"wrote {out / 'results.json'} and results.md in {elapsed:.0f} s")

    def replay_rows(self, warc: Path, urls: Path, n: int, replay: str | None, extractor: str | None) -> None:
        a = self.args
        noop_spec = {"kind": "crawl", "spider": "benchmarks.spiders.NoopSpider", "settings": {**FAIR, "DOWNLOAD_HANDLERS": {"http": "benchmarks.spiders.MemoryPagesHandler", "https": "benchmarks.spiders.MemoryPagesHandler"}}, "preload_warc": str(warc)}
        noops, replays = [], []
        for k in range(a.repeat):
            noops.append(crawl_row("baseline: no-op Scrapy spider, pages in memory", run_child(noop_spec, self.logs / f"noop-{k}.log"), n, "response_received_count"))
            replays.append(self.replay_run(f"replay crawl, full pipeline ({n:,} pages)", warc, urls, n, replay, extractor, f"replay-{k}"))
        self.add(best(noops))
        self.add(best(replays))
        # context for the report: Scrapy's default CONCURRENT_ITEMS=100 starts 100 asyncio tasks per
        # response; and what replay costs with the two settings the report suggests
        lean = {"CONCURRENT_ITEMS": 1}
        noop_lean = {**noop_spec, "settings": {**noop_spec["settings"], **lean}}
        self.add(crawl_row("reference: no-op spider with CONCURRENT_ITEMS=1", run_child(noop_lean, self.logs / "noop-lean.log"), n, "response_received_count"))
        if not replay:
            spec = rt_ar(warc, urls, self.job_dir("replay-whatif"), replay=warc)
            spec["settings"].update({**lean, "WARN_ON_GENERATOR_RETURN_VALUE": False})
            self.add(crawl_row("what-if: replay with CONCURRENT_ITEMS=1, WARN_ON_GENERATOR_RETURN_VALUE=False", run_child(spec, self.logs / "replay-whatif.log"), n, "item_scraped_count"))

    def warc_reading_rows(self, warc: Path) -> None:
        wr = run_child({"kind": "warcio", "warc": str(warc)}, self.logs / "warcio.log")
        for key, label in (("warcio", "baseline: warcio ArchiveIterator, read payloads"), ("fastwarc", "reference: FastWARC, read payloads")):
            if key in wr:
                r = wr[key]
                row = Row(label, peak_rss_mb=round(wr["proc"]["maxrss_mb"], 1), note="robots.txt record not counted", raw=r)
                self.add(set_rates(row, r["records"] - 1, r["wall_s"], r["cpu_s"]))

    def replay_status(self, warc: Path, urls: Path) -> str | None:
        """Probe replay with three pages; None when it answered them all from the archive."""
        probe_urls = WORK / "probe-urls.txt"
        probe_urls.write_text("\n".join(urls.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
        spec = rt_ar(warc, probe_urls, self.job_dir("probe"), replay=warc)
        spec["settings"].update({"CLOSESPIDER_TIMEOUT": 60, "DOWNLOAD_TIMEOUT": 5, "RETRY_ENABLED": False, "DNS_TIMEOUT": 5})
        result = run_child(spec, self.logs / "replay-probe.log")
        stats = result.get("stats", {})
        got = int(stats.get("response_received_count", 0) or 0)
        if got >= 3 and not stats.get("downloader/exception_count"):
            return None
        return f"replay probe answered {got} of 3 pages ({stats.get('downloader/exception_count', 0)} download errors; see {result['proc']['log']})"

    def replay_run(self, name: str, warc: Path, urls: Path, n: int, replay: str | None, extractor: str | None, label: str) -> Row:
        if replay:
            return Row(name, status="pending", note=replay)
        result = run_child(rt_ar(warc, urls, self.job_dir(label), replay=warc), self.logs / f"{label}.log")
        row = crawl_row(name, result, n, "item_scraped_count")
        if extractor and row.status != "ok":
            row.status, row.note = "pending", f"{extractor}; {row.note}"
        return row

    def extraction_rows(self, warc: Path, extractor: str | None) -> None:
        sample = 150 if self.args.quick else 500
        res = run_child({"kind": "extract", "warc": str(warc), "sample": sample, "rounds": 1 if self.args.quick else 3}, self.logs / "extract.log")
        rss = round(res["proc"]["maxrss_mb"], 1)
        if "pages" not in res:
            self.add(Row("extraction alone (extract_article)", status="error", note=" / ".join(res["proc"].get("error_tail", []))[-300:]))
            return

        def row(name: str, key: str, note: str = "") -> None:
            r = res.get(key, {})
            if "error" in r:
                self.add(Row(name, status="pending" if r["error"] == "NotImplementedError" else "error", note=extractor or r["error"]))
                return
            passes = f"; best of {r['passes']} interleaved passes" if r.get("passes", 1) > 1 else ""
            row = Row(name, peak_rss_mb=rss, note=(note or f"{r['non_empty']} with body text") + passes, raw=r)
            self.add(set_rates(row, r["pages"], r["wall_s"], r["cpu_s"]))

        row("extraction alone (extract_article), all pages", "extract_all")
        row("extraction alone (extract_article), sample", "extract_sample")
        row("baseline: trafilatura.extract, same sample", "trafilatura_sample")
        row("reference: trafilatura.extract(fast=True), same sample", "trafilatura_fast_sample")
        row("reference: parsel parse + 2 CSS selectors, same sample", "parsel_sample", note="as in the issue's orientation figures")

    def live_rows(self, main: Path, urls: Path, n: int, extractor: str | None) -> None:
        names = {"title": "baseline: bare Scrapy spider reading <title>, loopback", True: "live crawl rt_ar, archiving on, loopback", False: "live crawl rt_ar, archiving off, loopback"}
        missing = Server.available()
        if missing:
            for name in names.values():
                self.add(Row(name, status="pending", note=missing))
            return
        site = main / "site"
        runs: dict[Any, list[Row]] = {"title": [], True: [], False: []}
        order: list[Any] = ["title"]
        for k in range(self.args.repeat):
            order += [False, True] if k % 2 == 0 else [True, False]
        for i, what in enumerate(order):
            label = f"live-{'title' if what == 'title' else ('on' if what else 'off')}-{i}"
            with Server(site, self.logs / f"{label}-server.log") as server:
                if what == "title":
                    spec = {"kind": "crawl", "spider": "benchmarks.spiders.TitleSpider", "settings": dict(FAIR), "spargs": {"urls_file": str(urls)}}
                    count = "item_scraped_count"
                else:
                    spec = rt_ar(main / "pages.warc.gz", urls, self.job_dir(label), warc=what)
                    count = "item_scraped_count" if not extractor else "response_received_count"
                result = run_child(spec, self.logs / f"{label}.log", env=server.proxy_env())
            row = crawl_row(names[what], result, n, count)
            row.raw["server"] = server.rusage
            if what is True:
                warcs = sorted((self.jobs / label).rglob("*.warc.gz"))
                row.raw["warc_files"] = [str(p.relative_to(ROOT)) for p in warcs]
                row.raw["warc_bytes"] = sum(p.stat().st_size for p in warcs)
                if not warcs:
                    row.status, row.note = "pending", "no WARC written: the WARC writer is not there yet"
            if extractor and what != "title":
                row.note = f"{extractor} (pages counted as responses, without extraction); {row.note}".rstrip("; ")
                if row.status == "ok":
                    row.status = "partial"
            runs[what].append(row)
        for what, rows in runs.items():
            self.live_cpu[what] = [r.raw["cpu_s"] for r in rows if "cpu_s" in r.raw]
            self.add(best(rows))
        on = runs[True]
        if on and on[0].status == "ok" and on[0].raw.get("warc_files"):
            warc_dir = (ROOT / on[0].raw["warc_files"][0]).parent
            self.add(self.replay_run("replay of the live crawl's own WARC", warc_dir, urls, n, None, extractor, "replay-live"))

    def targets(self, sizes: list[int]) -> list[Target]:
        t: list[Target] = []
        n = self.args.pages
        rows = self.by_name

        def ok(name: str) -> Row | None:
            r = rows.get(name)
            return r if r is not None and r.status == "ok" and r.pages_per_s else None

        ours, traf = ok("extraction alone (extract_article), sample"), ok("baseline: trafilatura.extract, same sample")
        if ours and traf:
            ratio = traf.cpu_ms_per_page / ours.cpu_ms_per_page
            t.append(Target("extraction >= 10x faster than trafilatura", _verdict(ratio >= 10), f"{ratio:.1f}x ({ours.cpu_ms_per_page:.2f} vs {traf.cpu_ms_per_page:.2f} CPU ms/page)"))
        else:
            t.append(Target("extraction >= 10x faster than trafilatura", "PENDING", "extraction row not measured"))
        replay, noop = ok(f"replay crawl, full pipeline ({n:,} pages)"), ok("baseline: no-op Scrapy spider, pages in memory")
        if replay:
            t.append(Target("replay >= 200 pages/s on one core", _verdict(replay.pages_per_cpu_s >= 200), f"{replay.pages_per_cpu_s:.0f} pages per CPU-second (wall: {replay.pages_per_s:.0f} pages/s)"))
        else:
            t.append(Target("replay >= 200 pages/s on one core", "PENDING", "replay row not measured"))
        if replay and noop:
            ratio = replay.pages_per_cpu_s / noop.pages_per_cpu_s
            wall = replay.pages_per_s / noop.pages_per_s
            t.append(Target("replay >= 0.7x no-op spider", _verdict(ratio >= 0.7), f"{ratio:.2f}x ({replay.pages_per_cpu_s:.0f} vs {noop.pages_per_cpu_s:.0f} pages per CPU-second; wall: {wall:.2f}x)"))
        else:
            t.append(Target("replay >= 0.7x no-op spider", "PENDING", "replay or no-op row not measured"))
        on, off = rows.get("live crawl rt_ar, archiving on, loopback"), rows.get("live crawl rt_ar, archiving off, loopback")
        if on and off and on.status in ("ok", "partial") and off.status in ("ok", "partial") and on.raw.get("warc_files"):
            overhead = 100 * (on.raw["cpu_s"] - off.raw["cpu_s"]) / off.raw["cpu_s"]
            share = 100 * (on.raw["cpu_s"] - off.raw["cpu_s"]) / on.raw["cpu_s"]  # issue 3's form: of the archiving crawl
            extra = " (without extraction)" if on.status == "partial" else ""
            medians = ""
            if len(self.live_cpu[True]) > 1:
                m_on, m_off = statistics.median(self.live_cpu[True]), statistics.median(self.live_cpu[False])
                medians = f"; medians of {len(self.live_cpu[True])} runs: {100 * (m_on - m_off) / m_off:+.1f}%"
            t.append(Target("archiving <= 15% CPU", _verdict(overhead <= 15), f"{overhead:+.1f}% crawl CPU{extra} ({share:.1f}% of the crawl with archiving), best runs ({off.raw['cpu_s']:.2f} s off, {on.raw['cpu_s']:.2f} s on){medians}"))
        else:
            t.append(Target("archiving <= 15% CPU", "PENDING", "live crawl rows not measured"))
        rss = {s: rows.get(f"replay crawl, full pipeline ({s:,} pages)") for s in sizes}
        rss = {s: r.peak_rss_mb for s, r in rss.items() if r is not None and r.status == "ok"}
        big = 20000
        if big in rss:
            t.append(Target("peak RSS <= 300 MB at 20k pages", _verdict(rss[big] <= 300), f"{rss[big]:.0f} MB"))
        else:
            t.append(Target("peak RSS <= 300 MB at 20k pages", "PENDING", "20k replay not measured" + (" (--quick)" if self.args.quick else "")))
        if 1000 in rss and max(rss) > 1000:
            top = max(rss)
            growth = 100 * (rss[top] - rss[1000]) / rss[1000]
            t.append(Target("peak RSS within 10% of the 1k figure", _verdict(growth <= 10), f"{growth:+.1f}% at {top:,} pages (" + ", ".join(f"{s:,}: {v:.0f} MB" for s, v in sorted(rss.items())) + ")"))
        else:
            t.append(Target("peak RSS within 10% of the 1k figure", "PENDING", "replay at 1k and more not measured"))
        return t


def remove_finished_runs() -> None:
    """Delete the run folders of benchmark processes that are no longer running (the folder name is the pid)."""
    runs = WORK / "runs"
    for folder in runs.iterdir() if runs.is_dir() else ():
        try:
            os.kill(int(folder.name), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # a live process of another user


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _order(row: Row) -> tuple[int, str]:
    prefixes = ("replay crawl", "replay of", "what-if", "extraction", "live crawl", "baseline", "reference")
    for k, p in enumerate(prefixes):
        if row.name.startswith(p):
            return (k, row.name if "pages)" not in row.name else row.name.split("(")[1].replace(",", "").zfill(20))
    return (len(prefixes), row.name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, help="pages in the main archive (default 5000; 300 with --quick)")
    parser.add_argument("--quick", action="store_true", help="300 pages, no 20k memory run, one live crawl of each kind")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic archive (default 42)")
    parser.add_argument(
        "--page-kb", type=int, default=synth.PAGE_KB,
        help=f"average page size in KB (default {synth.PAGE_KB}, like the real site; {weight.BASE_KB} or less: the replica-derived pages alone)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, help="runs of each crawl compared with a baseline: replay, no-op, live on/off (default 3; 1 with --quick)")
    parser.add_argument("--only", type=lambda v: [x for x in v.split(",") if x], help=f"run only these parts (comma-separated: {', '.join(SECTIONS)}); results go to benchmarks/work/")
    args = parser.parse_args(argv)
    unknown = set(args.only or ()) - set(SECTIONS)
    if unknown:
        parser.error(f"--only: unknown part {sorted(unknown)[0]!r} (choose from {', '.join(SECTIONS)})")
    args.pages = args.pages or (300 if args.quick else 5000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    if args.pages < 3:
        parser.error("--pages: at least 3")
    if args.page_kb < 1:
        parser.error("--page-kb: at least 1")
    Bench(args).run()


if __name__ == "__main__":
    main()
